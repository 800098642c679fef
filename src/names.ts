/**
 * hubrun's names on Temporal: the task queue, the workflow types, and the query and signal names,
 * for the worker, the client helpers, the CLI and services that start pipelines without hubrun's code.
 */

/** Task queue the worker polls and pipelines are started on. @default 'aihub-runs' (env `HUBRUN_TASK_QUEUE`) */
export const DEFAULT_TASK_QUEUE = 'aihub-runs';

/** Workflow type names, for services that start pipelines without importing hubrun's code. */
export const workflowTypes = {
  pipeline: 'aihubRunPipeline',
  fanOut: 'aihubFanOut',
  audit: 'aihubAudit',
} as const;

/** Query name: the pipeline's `PipelineProgress` (progress.ts). */
export const PROGRESS_QUERY = 'progress';
/** Signal name: cut the current backoff short and check the run now. */
export const CHECK_NOW_SIGNAL = 'checkNow';
