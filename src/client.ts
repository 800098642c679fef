/**
 * Typed helpers other services import to start, watch, signal and cancel pipelines. Input is
 * validated before anything starts; starting an id that is already running returns that
 * pipeline (conflict policy USE_EXISTING), so triggers are idempotent.
 */
import { createHash } from 'node:crypto';
import { WorkflowIdConflictPolicy } from '@temporalio/client';
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { checkFanOutInput } from './fan-out-input';
import type { FanOutInputDraft } from './fan-out-input';
import { workflowTypes } from './names';
import type { FanOutWorkflow, PipelineHandle } from './pipeline-handles';
import { checkPipelineInput, deriveWorkflowId, toWorkflowId } from './pipeline-input';
import type { PipelineInputDraft } from './pipeline-input';
import { appLabel, pipelineDetails, pipelineSummary } from './pipeline-summary';
import type { SummarizedInput } from './pipeline-summary';
import type { PipelineResult } from './results';

/** Thrown by {@link startPipeline} when the input is invalid; `problems` names each field at fault. */
export class PipelineInputError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid pipeline input: ${problems.join('; ')}`);
    this.name = 'PipelineInputError';
  }
}

/**
 * Validates `draft` and starts a pipeline on `taskQueue`; its workflow id is `draft.workflowId`
 * or one derived from app and input. A pipeline already running under that id is returned
 * as it is. The Temporal UI shows its summary (`invoices on batch 12`) and details (app, input,
 * `startedBy`, by default `hubrun client`). Throws {@link PipelineInputError} before anything
 * starts when the input is invalid.
 */
export async function startPipeline(
  client: Client,
  draft: unknown,
  options: { taskQueue: string; startedBy?: string },
): Promise<PipelineHandle> {
  const checked = checkPipelineInput(draft);
  if (!checked.ok) throw new PipelineInputError(checked.problems);
  const workflowId = checked.input.workflowId ?? deriveWorkflowId(checked.input);
  return client.workflow.start<(input: PipelineInputDraft) => Promise<PipelineResult>>(
    workflowTypes.pipeline,
    {
      taskQueue: options.taskQueue,
      workflowId,
      args: [{ ...checked.input, workflowId }],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      staticSummary: pipelineSummary(checked.input),
      staticDetails: pipelineDetails(checked.input, options.startedBy ?? 'hubrun client'),
    },
  );
}

/**
 * Starts a pipeline that waits for and delivers an AI Hub run started elsewhere (the AI Hub UI, a
 * script): nothing is uploaded or started. `draft` adds the pipeline's other fields (id, results
 * folder, error ratio, cleanup ...); the pipeline fails with `AihubNotFound` when there is no such run.
 */
export function adoptRun(
  client: Client,
  runId: string,
  options: { taskQueue: string },
  draft: Omit<PipelineInputDraft, 'adoptRunId'> = {},
): Promise<PipelineHandle> {
  return startPipeline(client, { ...draft, adoptRunId: runId }, options);
}

export {
  cancelPipeline,
  checkNow,
  connectClient,
  getFanOutProgress,
  getPipeline,
  getProgress,
  pipelineResult,
} from './pipeline-handles';
export type { FanOutHandle, FanOutWorkflow, LiveProgress, PipelineHandle } from './pipeline-handles';
export { RetryRefusedError, retryFanOut, retryPipeline } from './redrive';
export type { Redrive } from './redrive';

/**
 * Validates `draft` (every child's input, as the pipeline would) and starts a fan-out on
 * `taskQueue`. Its id is `draft.workflowId` or `hubrun-fanout-<app>-<digest of the inputs>`, so
 * the same fan-out started twice is one fan-out (conflict policy USE_EXISTING). Throws
 * {@link PipelineInputError} before anything starts when any input is invalid.
 */
export async function startFanOut(
  client: Client,
  draft: FanOutInputDraft,
  options: { taskQueue: string },
): Promise<WorkflowHandleWithFirstExecutionRunId<FanOutWorkflow>> {
  // Read defensively: callers in plain JavaScript may pass anything; the check below names it.
  const isObject = typeof draft === 'object' && (draft as unknown) !== null;
  const fields: Partial<FanOutInputDraft> = isObject ? draft : {};
  const workflowId = fields.workflowId ?? deriveFanOutId(fields.template, fields.inputs);
  const withId = isObject ? { ...draft, workflowId } : draft;
  const checked = checkFanOutInput(withId, workflowId);
  if (!checked.ok) throw new PipelineInputError(checked.problems);
  const template = (fields.template ?? {}) as SummarizedInput;
  return client.workflow.start<FanOutWorkflow>(workflowTypes.fanOut, {
    taskQueue: options.taskQueue,
    workflowId,
    args: [withId],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    staticSummary: `fan-out: ${appLabel(template)} on ${fields.inputs?.length ?? 0} inputs`,
  });
}

function deriveFanOutId(template: unknown, inputs: unknown): string {
  const { appName, appId, deploymentId } = (template ?? {}) as Record<string, unknown>;
  const app = [appName, appId, deploymentId].find((v) => typeof v === 'string') ?? 'app';
  const digest = createHash('sha256')
    .update(JSON.stringify([template ?? null, inputs ?? null]))
    .digest('hex')
    .slice(0, 12);
  return toWorkflowId(`hubrun-fanout-${String(app).slice(0, 100)}-${digest}`);
}
