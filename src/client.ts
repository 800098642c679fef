/**
 * Typed helpers other services import to start, watch, signal and cancel pipelines. Input is
 * validated before anything starts; starting an id that is already running returns that
 * pipeline (conflict policy USE_EXISTING), so triggers are idempotent.
 */
import { createHash } from 'node:crypto';
import { Client, Connection, WorkflowIdConflictPolicy } from '@temporalio/client';
import type {
  WorkflowExecutionDescription,
  WorkflowHandle,
  WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import { filesPagedOf } from './activities/paging-checkpoint';
import type { Config } from './config';
import { checkFanOutInput } from './fan-out-input';
import type { FanOutInputDraft } from './fan-out-input';
import { checkPipelineInput, deriveWorkflowId, toWorkflowId } from './pipeline-input';
import type { PipelineInputDraft } from './pipeline-input';
import { appLabel, pipelineDetails, pipelineSummary } from './pipeline-summary';
import type { SummarizedInput } from './pipeline-summary';
import { retryableFailureTypes } from './failure-types';
import { CHECK_NOW_SIGNAL, PROGRESS_QUERY, workflowTypes } from './names';
import { initialProgress, phases } from './progress';
import { searchAttributes } from './search-attributes';
import type { FanOutProgress, PipelineProgress } from './progress';
import type { FanOutResult, PipelineResult } from './results';

/** Thrown by {@link startPipeline} when the input is invalid; `problems` names each field at fault. */
export class PipelineInputError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid pipeline input: ${problems.join('; ')}`);
    this.name = 'PipelineInputError';
  }
}

/** A handle on a pipeline workflow. */
export type PipelineHandle = WorkflowHandle<(input: PipelineInputDraft) => Promise<PipelineResult>>;

/** Connects a Temporal client as the configuration says (address, namespace, API key, TLS). */
export async function connectClient(config: Pick<Config, 'temporal'>): Promise<Client> {
  const connection = await Connection.connect(config.temporal.connectionOptions);
  return new Client({ connection, namespace: config.temporal.namespace });
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

export { RetryRefusedError, retryFanOut, retryPipeline } from './redrive';
export type { Redrive } from './redrive';

/** The fan-out workflow's signature. */
export type FanOutWorkflow = (input: FanOutInputDraft) => Promise<FanOutResult>;
/** A handle on a fan-out workflow. */
export type FanOutHandle = WorkflowHandle<FanOutWorkflow>;

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

/** A fan-out's progress: children started, finished by outcome, and running now. */
export async function getFanOutProgress(handle: FanOutHandle): Promise<FanOutProgress> {
  return handle.query<FanOutProgress>(PROGRESS_QUERY);
}

/** Progress as the pipeline reports it, plus what the server knows of the check in flight. */
export interface LiveProgress extends PipelineProgress {
  workflowStatus: string;
  /** Attempt number of the activity in flight (for the wait: the status checks of this stage). */
  currentAttempt: number | null;
}

/**
 * The pipeline's `progress` query, completed with the server's view of the activity in flight:
 * the checks made in the current wait, when the next one is due, the files paged so far and the
 * last failure (a check that found the run still going is not one).
 */
export async function getProgress(handle: PipelineHandle): Promise<LiveProgress> {
  const description = await handle.describe();
  const workflowStatus = description.status.name;
  const progress =
    workflowStatus === 'RUNNING'
      ? await handle.query<PipelineProgress>(PROGRESS_QUERY)
      : closedProgress(description);
  const pending = description.raw.pendingActivities?.[0];
  const live: LiveProgress = { ...progress, workflowStatus, currentAttempt: pending?.attempt ?? null };
  if (pending) {
    const isWait = pending.activityType?.name === 'waitForRun';
    if (isWait) live.checks = progress.checks + Math.max(0, (pending.attempt ?? 1) - 1);
    const next = pending.nextAttemptScheduleTime?.seconds;
    if (next !== undefined && next !== null) live.nextCheckAt = new Date(Number(next) * 1000).toISOString();
    if (pending.activityType?.name === 'fetchResults') {
      live.filesPaged = filesPagedOf(pending.heartbeatDetails?.payloads?.[0]) ?? live.filesPaged;
    }
    const failure = pending.lastFailure;
    // A check that found the run still going is the wait's loop, not an error.
    if (failure?.message && failure.applicationFailureInfo?.type !== retryableFailureTypes.notFinished) {
      live.lastError = failure.message;
    }
  }
  return live;
}

/**
 * A closed pipeline's progress from its description, without replaying it: the phase from its
 * status, the AI Hub run and batch from its search attributes. Its result or failure says the rest.
 */
function closedProgress(description: WorkflowExecutionDescription): PipelineProgress {
  const status = description.status.name;
  const attrs = description.typedSearchAttributes;
  const batchId = attrs.get(searchAttributes.batchId);
  return {
    ...initialProgress(
      status === 'COMPLETED' ? phases.completed : status === 'CANCELLED' ? phases.cancelled : phases.failed,
      batchId !== undefined ? Number(batchId) : null,
    ),
    runId: attrs.get(searchAttributes.runId) ?? null,
    remoteStatus: attrs.get(searchAttributes.runStatus) ?? null,
  };
}

/** A typed handle on the pipeline with this workflow id, whoever started it. */
export function getPipeline(client: Client, workflowId: string): PipelineHandle {
  return client.workflow.getHandle(workflowId);
}

/**
 * Cancels a pipeline: its wait stops at once and its `onCancel` policy (`abandon` or `delete`)
 * is applied to the AI Hub run; resolves when the request is recorded, not when the pipeline ends.
 */
export async function cancelPipeline(handle: PipelineHandle): Promise<void> {
  await handle.cancel();
}

/** Asks the pipeline to check its AI Hub run now instead of waiting out the backoff. */
export async function checkNow(handle: PipelineHandle): Promise<void> {
  await handle.signal(CHECK_NOW_SIGNAL);
}
