/**
 * Re-drive: running a failed or cancelled pipeline again (`hubrun retry`), a fan-out over its
 * failed children's inputs only (`hubrun retry --failed`), and a pipeline that takes over an AI
 * Hub run started elsewhere (`hubrun run --adopt-run`). Re-exported by `client.ts`.
 *
 * A re-drive runs under `<original id>-retry-<n>` (the first free n after the chain's last
 * execution), with the input of the chain's last execution, and a memo `retryOf` naming it. A
 * closed workflow's memo cannot change, so the link back is the id itself: the re-drives of `x`
 * are `x-retry-1`, `x-retry-2`, ... The new pipeline takes over the earlier one's AI Hub run (by
 * its `AihubRunId`, else by its exactly-once tag) unless that run FAILED or was cancelled, so a
 * pipeline stopped after AI Hub accepted its run never starts a second, billed run.
 */
import type { Client, WorkflowExecutionDescription, WorkflowHandle } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { checkFanOutInput } from './fan-out-input';
import type { FanOutInputDraft } from './fan-out-input';
import { checkPipelineInput } from './pipeline-input';
import type { PipelineInputDraft } from './pipeline-input';
import { exactlyOnceTag, originalWorkflowId, retryWorkflowId } from './pipeline-names';
import { workflowTypes } from './names';
import { searchAttributes } from './search-attributes';
import { isCompleted } from './results';
import type { FanOutResult, StoredPipelineResult } from './results';

/** Thrown when a workflow cannot be re-driven: it is still open, it completed, or it is not hubrun's. */
export class RetryRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetryRefusedError';
  }
}

/** Workflow statuses a re-drive starts from. */
const redrivable: ReadonlySet<string> = new Set(['FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT']);

/** Seconds before the earlier pipeline's start from which its run is looked for. */
const SINCE_MARGIN_SECONDS = 300;

/** Most re-drives of one pipeline. */
const MAX_RETRIES = 100;

/** What a re-drive started. */
export interface Redrive<I, R> {
  handle: WorkflowHandle<(input: I) => Promise<R>>;
  /** The execution it runs again. */
  retryOf: string;
}

/**
 * Runs a failed, cancelled, terminated or timed-out pipeline again under `<id>-retry-<n>`, taking
 * over its AI Hub run when that run exists and neither FAILED nor was cancelled. Throws
 * {@link RetryRefusedError} when the chain's last execution is open or completed.
 */
export async function retryPipeline(
  client: Client,
  workflowId: string,
  options: { taskQueue: string },
): Promise<Redrive<PipelineInputDraft, StoredPipelineResult>> {
  const { last, nextId } = await lastOfChain(client, workflowId, workflowTypes.pipeline);
  const description = await client.workflow.getHandle(last).describe();
  const started = await startedEvent(client, last);
  const raw = inputOf(started) as PipelineInputDraft & Record<string, unknown>;
  const runId = description.typedSearchAttributes.get(searchAttributes.runId);
  const { retryOf: _earlier, ...rest } = raw;
  // `{date}` stays the earlier pipeline's date: its memo holds the filled paths.
  const dated = description.memo?.datedInput as Record<string, unknown> | undefined;
  const { date: _date, ...filled } = dated ?? {};
  const input: PipelineInputDraft = {
    ...rest,
    ...filled,
    workflowId: nextId,
    // An adopting pipeline adopts its run again; any other takes over its predecessor's run.
    ...(raw.adoptRunId !== undefined
      ? {}
      : {
          retryOf: {
            workflowId: last,
            tag: exactlyOnceTag(started.firstExecutionRunId || description.runId),
            sinceSeconds: Math.max(
              0,
              Math.floor(description.startTime.getTime() / 1000) - SINCE_MARGIN_SECONDS,
            ),
            ...(runId !== undefined ? { runId } : {}),
          },
        }),
  };
  const checked = checkPipelineInput(input);
  if (!checked.ok)
    throw new RetryRefusedError(`${last}'s input no longer passes: ${checked.problems.join('; ')}`);
  const handle = await client.workflow.start<(input: PipelineInputDraft) => Promise<StoredPipelineResult>>(
    workflowTypes.pipeline,
    { taskQueue: options.taskQueue, workflowId: nextId, args: [input], memo: { retryOf: last } },
  );
  return { handle, retryOf: last };
}

/**
 * Starts a fan-out over the failed and cancelled children's inputs of a finished fan-out, under
 * `<id>-retry-<n>`, with the same template and concurrency. Throws {@link RetryRefusedError} when
 * the fan-out is still running, did not complete, or had no failed child.
 */
export async function retryFanOut(
  client: Client,
  workflowId: string,
  options: { taskQueue: string },
): Promise<Redrive<FanOutInputDraft, FanOutResult> & { children: number }> {
  // Temporal's status of the closed workflow here, not an outcome word (the two now agree).
  const { last, nextId } = await lastOfChain(client, workflowId, workflowTypes.fanOut, ['COMPLETED']);
  const handle = client.workflow.getHandle<(input: FanOutInputDraft) => Promise<FanOutResult>>(last);
  const result = await handle.result();
  const again = new Set(result.outcomes.filter((o) => !isCompleted(o.status)).map((o) => o.index));
  if (again.size === 0) throw new RetryRefusedError(`${last}: no child failed; nothing to retry`);
  // A fan-out continues as new: its first run's input holds every input, by the outcomes' index.
  const latest = await startedEvent(client, last);
  const first = latest.firstExecutionRunId
    ? await startedEvent(client, last, latest.firstExecutionRunId)
    : latest;
  const original = inputOf(first) as FanOutInputDraft;
  const draft: FanOutInputDraft = {
    workflowId: nextId,
    template: original.template,
    inputs: original.inputs.filter((_, index) => again.has(index)),
    ...(original.concurrency !== undefined ? { concurrency: original.concurrency } : {}),
    ...(original.childrenPerRun !== undefined ? { childrenPerRun: original.childrenPerRun } : {}),
  };
  const checked = checkFanOutInput(draft, nextId);
  if (!checked.ok)
    throw new RetryRefusedError(`${last}'s inputs no longer pass: ${checked.problems.join('; ')}`);
  const started = await client.workflow.start<(input: FanOutInputDraft) => Promise<FanOutResult>>(
    workflowTypes.fanOut,
    { taskQueue: options.taskQueue, workflowId: nextId, args: [draft], memo: { retryOf: last } },
  );
  return { handle: started, retryOf: last, children: draft.inputs.length };
}

/**
 * The chain's last execution (`x`, `x-retry-1`, ...: the given one or a later re-drive of it),
 * which must be closed as one of `closedAs`, and the next free id.
 */
async function lastOfChain(
  client: Client,
  workflowId: string,
  type: string,
  closedAs: readonly string[] = [...redrivable],
): Promise<{ last: string; nextId: string }> {
  let last = workflowId;
  let lastSeen = await describeIfAny(client, workflowId);
  if (lastSeen === undefined) throw new RetryRefusedError(`no workflow ${workflowId}`);
  const from = Number(/-retry-(\d+)$/.exec(workflowId)?.[1] ?? 0);
  for (let n = from + 1; n <= MAX_RETRIES; n++) {
    const id = retryWorkflowId(workflowId, n);
    const next = await describeIfAny(client, id);
    if (next === undefined) {
      checkClosed(last, lastSeen, type, new Set(closedAs));
      return { last, nextId: id };
    }
    last = id;
    lastSeen = next;
  }
  throw new RetryRefusedError(
    `${originalWorkflowId(workflowId)} has been retried ${MAX_RETRIES} times already`,
  );
}

function checkClosed(
  id: string,
  seen: WorkflowExecutionDescription,
  type: string,
  closedAs: Set<string>,
): void {
  if (seen.type !== type) {
    const hint = seen.type === workflowTypes.fanOut ? ' (a fan-out: hubrun retry --failed)' : '';
    throw new RetryRefusedError(`${id} is a ${seen.type}, not a ${type}${hint}`);
  }
  const status = seen.status.name;
  if (!closedAs.has(status)) {
    throw new RetryRefusedError(
      status === 'RUNNING' || status === 'CONTINUED_AS_NEW'
        ? `${id} is still running; cancel it first (hubrun cancel ${id})`
        : `${id} is ${status}; only a ${[...closedAs].join(', ')} ${type === workflowTypes.fanOut ? 'fan-out' : 'pipeline'} is retried`,
    );
  }
}

async function describeIfAny(client: Client, id: string): Promise<WorkflowExecutionDescription | undefined> {
  try {
    return await client.workflow.getHandle(id).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** The started event of a workflow run (the latest one unless `runId` names another). */
async function startedEvent(
  client: Client,
  workflowId: string,
  runId?: string,
): Promise<
  temporal.api.history.v1.IWorkflowExecutionStartedEventAttributes & { firstExecutionRunId: string }
> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const attrs = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  if (!attrs) throw new RetryRefusedError(`${workflowId}: its history has no start event`);
  return { ...attrs, firstExecutionRunId: attrs.firstExecutionRunId ?? '' };
}

function inputOf(started: temporal.api.history.v1.IWorkflowExecutionStartedEventAttributes): unknown {
  const payload = started.input?.payloads?.[0];
  if (!payload) throw new RetryRefusedError('the workflow was started without an input');
  return defaultPayloadConverter.fromPayload(payload);
}
