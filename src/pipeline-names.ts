/**
 * Names a pipeline derives from its ids: the batch it uploads into, the tag that finds its run
 * again, and a fan-out's child ids and inputs. Plain functions without zod: workflows import
 * them, and the workflow bundle stays free of the input schemas (they are checked in activities).
 */
import { aihubLimits } from './aihub/endpoints';
import type { PipelineInputDraft } from './pipeline-input';

/** The batch name of a pipeline that uploads files: its workflow id and first execution run id, within AI Hub's limit. */
export function batchNameFor(workflowId: string, firstExecutionRunId: string): string {
  const suffix = ` (hubrun ${firstExecutionRunId})`;
  return workflowId.slice(0, aihubLimits.maxBatchNameChars - suffix.length) + suffix;
}

/** Prefix of the exactly-once tag. */
const EXACTLY_ONCE_TAG_PREFIX = 'hubrun:';

/** The tag that makes a pipeline's run findable again: `hubrun:<first execution run id>`. */
export function exactlyOnceTag(firstExecutionRunId: string): string {
  return `${EXACTLY_ONCE_TAG_PREFIX}${firstExecutionRunId}`;
}

/** Prefix of the tag that names a pipeline's workflow id beside its exactly-once tag. */
const WORKFLOW_TAG_PREFIX = 'hubrun-wf:';

/** The tag naming a pipeline's workflow id, `hubrun-wf:<workflow id>`, which lets the audit find the pipeline by id. */
export function workflowTag(workflowId: string): string {
  return `${WORKFLOW_TAG_PREFIX}${workflowId}`;
}

/**
 * The tags a pipeline adds to its run besides the caller's: its exactly-once tag, and its
 * {@link workflowTag} when both fit in AI Hub's tag budget beside the caller's tags (otherwise the
 * audit finds the pipeline through its `AihubRunId` search attribute, as for older pipelines).
 */
export function pipelineTags(
  firstExecutionRunId: string,
  workflowId: string,
  callerTags: readonly string[],
): string[] {
  const own = [exactlyOnceTag(firstExecutionRunId), workflowTag(workflowId)];
  const chars = [...callerTags, ...own].join('').length;
  return chars <= aihubLimits.maxTagChars ? own : own.slice(0, 1);
}

/** What hubrun's own tags on a run say: the pipeline's first execution run id and workflow id, where present. */
export interface HubrunTags {
  firstExecutionRunId: string | null;
  workflowId: string | null;
}

/** Reads hubrun's tags among a run's tags; null when the run carries none (not hubrun's). */
export function readHubrunTags(tags: readonly string[] | null | undefined): HubrunTags | null {
  const runTag = tags?.find((t) => t.startsWith(EXACTLY_ONCE_TAG_PREFIX));
  const wfTag = tags?.find((t) => t.startsWith(WORKFLOW_TAG_PREFIX));
  if (runTag === undefined && wfTag === undefined) return null;
  return {
    firstExecutionRunId: runTag?.slice(EXACTLY_ONCE_TAG_PREFIX.length) ?? null,
    workflowId: wfTag?.slice(WORKFLOW_TAG_PREFIX.length) ?? null,
  };
}

/** Longest workflow id hubrun accepts (`WorkflowId` in pipeline-input.ts). */
const MAX_WORKFLOW_ID_CHARS = 200;

/** The workflow id of the `n`-th re-drive of a pipeline: `<id>-retry-<n>`, counted from the original id. */
export function retryWorkflowId(workflowId: string, n: number): string {
  const suffix = `-retry-${n}`;
  return originalWorkflowId(workflowId).slice(0, MAX_WORKFLOW_ID_CHARS - suffix.length) + suffix;
}

/** The id a re-drive chain started from: `x-retry-2` → `x`. */
export function originalWorkflowId(workflowId: string): string {
  return workflowId.replace(/-retry-\d+$/, '');
}

/** The workflow id of a fan-out's `index`-th child (0-based index, 1-based name). */
export function childWorkflowId(fanOutId: string, index: number): string {
  return `${fanOutId}-${index + 1}`;
}

/**
 * The pipeline input of a fan-out's `index`-th child: the shared template, the child's own
 * input (`batchId`, `inputDir` or `files`) and its id. The child checks it like any pipeline.
 */
export function childInput(
  template: Record<string, unknown>,
  item: object,
  fanOutId: string,
  index: number,
): PipelineInputDraft {
  return { ...template, ...item, workflowId: childWorkflowId(fanOutId, index) };
}
