/**
 * The fan-out: many pipelines as child workflows, `concurrency` at a time (a sliding window: a
 * new child starts as soon as one finishes). One child's failure does not stop the others; each
 * child's outcome is in the result. After `childrenPerRun` children (or when Temporal suggests
 * it, once the run has started at least one child) the window drains and the fan-out continues
 * as new with the inputs left, so its history stays bounded however many inputs it has.
 */
import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  ChildWorkflowFailure,
  continueAsNew,
  defineQuery,
  isCancellation,
  ParentClosePolicy,
  patched,
  proxyLocalActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { FanOutInputDraft } from '../fan-out-input';
import type { PipelineInputDraft } from '../pipeline-input';
import { childInput } from '../pipeline-names';
import { failureOf, failureTypes } from '../failure-types';
import { PROGRESS_QUERY } from '../names';
import { COMPLETED, MAX_OUTCOME_MESSAGE_CHARS } from '../results';
import type { FanOutProgress } from '../progress';
import type { ChildOutcome, FanOutResult, StoredPipelineResult } from '../results';
import { inputCheck } from './activity-options';
import { INPUT_CHECK_PATCH, legacyFanOutCheck } from './legacy-input-check';
import { aihubRunPipeline } from './pipeline';

/** Answers the fan-out's {@link FanOutProgress} (the same query name as a pipeline's progress). */
export const fanOutProgressQuery = defineQuery<FanOutProgress>(PROGRESS_QUERY);

const { checkFanOutStart } = proxyLocalActivities<Activities>(inputCheck);

/**
 * Patch: a run that sees Temporal's continue-as-new suggestion before its first child still
 * starts that child. Without it such a run continued as new at once with the same inputs, and
 * so did every run after it: no such chain ever finished, but the runs it closed can still be
 * replayed (a query on one of them, a reset), so the new branch sits behind `patched`. It is
 * asked only on that path, so every other history keeps its commands and gains no marker.
 */
const FIRST_CHILD_PATCH = 'fan-out-first-child-despite-suggestion';

/** Runs one pipeline per input, `concurrency` at a time, and reports every child's outcome. */
export async function aihubFanOut(raw: FanOutInputDraft): Promise<FanOutResult> {
  const info = workflowInfo();
  // The handler first: the input check below is a local activity, and a query may come meanwhile
  // (it then sees nothing started yet).
  let total = 0;
  let offset = 0;
  let next = 0;
  const outcomes: ChildOutcome[] = [];
  const running = new Map<number, string>();
  const count = (status: ChildOutcome['status']): number =>
    outcomes.filter((o) => o.status === status).length;
  setHandler(fanOutProgressQuery, (): FanOutProgress => ({
    kind: 'fan-out',
    total,
    started: offset + next,
    completed: count(COMPLETED),
    failed: count('FAILED'),
    cancelled: count('CANCELLED'),
    running: [...running.values()],
  }));

  const checked = patched(INPUT_CHECK_PATCH)
    ? await checkFanOutStart({ input: raw, workflowId: info.workflowId })
    : legacyFanOutCheck(raw, info.workflowId);
  if (!checked.ok) {
    throw ApplicationFailure.create({
      type: failureTypes.badInput,
      message: `invalid fan-out input: ${checked.problems.join('; ')}`,
      nonRetryable: true,
    });
  }
  const { input } = checked;
  offset = input.carried?.offset ?? 0;
  const children = input.inputs.map((item, i) =>
    childInput(input.template, item, info.workflowId, offset + i),
  );
  outcomes.push(...(input.carried?.outcomes ?? []));
  total = input.carried?.total ?? children.length;
  const budget = Math.min(children.length, input.childrenPerRun);
  const inFlight = new Map<number, Promise<void>>();

  const cancelled = (): boolean => CancellationScope.current().consideredCancelled;
  // Temporal's suggestion stops new children, but never before this run has started one.
  const mayStartMore = (): boolean =>
    !workflowInfo().continueAsNewSuggested || (next === 0 && patched(FIRST_CHILD_PATCH));
  while (next < budget || inFlight.size > 0) {
    while (next < budget && inFlight.size < input.concurrency && !cancelled() && mayStartMore()) {
      const index = offset + next;
      const child = children[next] as PipelineInputDraft;
      running.set(index, child.workflowId ?? '');
      inFlight.set(
        index,
        runChild(index, child).then((outcome) => {
          outcomes.push(outcome);
          running.delete(index);
          inFlight.delete(index);
        }),
      );
      next++;
    }
    if (inFlight.size === 0) break;
    await Promise.race(inFlight.values());
  }
  if (cancelled()) throw new CancelledFailure('fan-out cancelled; its running children were cancelled');

  if (next < children.length) {
    await continueAsNew<typeof aihubFanOut>({
      ...input,
      inputs: input.inputs.slice(next),
      carried: { offset: offset + next, total, outcomes },
    });
  }
  outcomes.sort((a, b) => a.index - b.index);
  return {
    workflowId: info.workflowId,
    total,
    completed: count(COMPLETED),
    failed: count('FAILED'),
    cancelled: count('CANCELLED'),
    outcomes,
  };
}

/** Runs one child pipeline to its end and describes how it ended; never throws. */
async function runChild(index: number, input: PipelineInputDraft): Promise<ChildOutcome> {
  const workflowId = input.workflowId ?? '';
  try {
    const handle = await startChild(aihubRunPipeline, {
      workflowId,
      args: [input],
      // Cancelling the fan-out cancels its children, so each applies its own onCancel policy.
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    });
    // A child run by an earlier worker (and a child result replayed from an older history) says
    // COMPLETE: the outcome takes only its counts and paths, so either reads the same.
    const result: StoredPipelineResult = await handle.result();
    return {
      index,
      workflowId,
      status: COMPLETED,
      runId: result.runId,
      files: result.files,
      documents: result.documents,
      fields: result.fields,
      fieldErrors: result.fieldErrors,
      resultsPath: result.resultsPath,
    };
  } catch (err) {
    const cause = err instanceof ChildWorkflowFailure ? err.cause : err;
    if (isCancellation(err) || cause instanceof CancelledFailure) {
      return { index, workflowId, status: 'CANCELLED' };
    }
    const failure = failureOf(err);
    return {
      index,
      workflowId,
      status: 'FAILED',
      failureType: failure.type,
      message: failure.message.slice(0, MAX_OUTCOME_MESSAGE_CHARS),
    };
  }
}
