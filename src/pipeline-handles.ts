/**
 * Typed handles on pipelines and fan-outs, for the commands that inspect or cancel them: connect,
 * get a handle, read progress, cancel, check now. Zod-free and schema-free, so `hubrun status`,
 * `list`, `results` and `cancel` load neither; `src/client.ts` re-exports all of it.
 */
import type { Client, WorkflowExecutionDescription, WorkflowHandle } from '@temporalio/client';
import { Connection, Client as TemporalClient } from '@temporalio/client';
import { filesPagedOf } from './activities/paging-checkpoint';
import type { ClientConfig } from './client-config';
import type { FanOutInputDraft } from './fan-out-input';
import { retryableFailureTypes } from './failure-types';
import { CHECK_NOW_SIGNAL, PROGRESS_QUERY } from './names';
import type { PipelineInputDraft } from './pipeline-input';
import { initialProgress, phases } from './progress';
import type { FanOutProgress, PipelineProgress } from './progress';
import { currentPipelineResult } from './results';
import type { FanOutResult, PipelineResult, StoredPipelineResult } from './results';
import { searchAttributes } from './search-attributes';

/** A handle on a pipeline workflow; its `result()` is as the worker that ran it wrote it. */
export type PipelineHandle = WorkflowHandle<(input: PipelineInputDraft) => Promise<StoredPipelineResult>>;

/** A pipeline's result once it completed, in the current vocabulary whichever worker wrote it. */
export async function pipelineResult(handle: PipelineHandle): Promise<PipelineResult> {
  return currentPipelineResult(await handle.result());
}

/** Connects a Temporal client as the configuration says (address, namespace, API key, TLS). */
export async function connectClient(config: Pick<ClientConfig, 'temporal'>): Promise<Client> {
  const connection = await Connection.connect(config.temporal.connectionOptions);
  return new TemporalClient({ connection, namespace: config.temporal.namespace });
}

/** The fan-out workflow's signature. */
export type FanOutWorkflow = (input: FanOutInputDraft) => Promise<FanOutResult>;
/** A handle on a fan-out workflow. */
export type FanOutHandle = WorkflowHandle<FanOutWorkflow>;

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
 * last failure (a check that found the run still going is not one). A caller that has just
 * described the workflow passes its `description`, which saves asking the server again.
 */
export async function getProgress(
  handle: PipelineHandle,
  description?: WorkflowExecutionDescription,
): Promise<LiveProgress> {
  description ??= await handle.describe();
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
