/**
 * One status check of an AI Hub run per activity attempt: the activity's retry policy is the
 * polling loop. While nothing that matters has changed, the attempt fails with the BENIGN
 * {@link retryableFailureTypes.notFinished} failure and a `nextRetryDelay` from the polling
 * policy, so the wait holds no worker slot and adds no history events however long it lasts.
 * It returns as soon as the run reaches a status that matters (review, COMPLETE, FAILED,
 * CANCELLED, or RUNNING again after review), so the history records transitions only.
 *
 * The delays follow the wait's plan (check-plan.ts): a learned plan places each check at the
 * plan's next planned time after the run's start, so a check moved by a `Retry-After` or a
 * `checkNow` leaves the rest of the plan where it was. Temporal has no start delay for an
 * activity (a workflow timer would cost five history events), so with `deferFirst` the first
 * attempt makes no call: it only hands Temporal the delay to the plan's first check. Every other
 * attempt is exactly one status check. `checkRunNow` is the one-off check of a `checkNow` signal.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { Run, RunStatusValue } from '../aihub';
import type { WaitPolicy } from '../pipeline-input';
import { retryableFailureTypes } from '../failure-types';
import type { ActivityDeps } from './deps';
import { plannedDelayMs } from './check-plan';
import type { CheckPlan } from './check-plan';
import { aihubCall } from './failures';
import { recordReviewWait } from '../metrics/review-wait';
import type { WaitStage } from './polling-policy';

/** Input of the `waitForRun` activity. */
export interface WaitForRunInput {
  runId: string;
  /** The status the workflow last saw; the activity returns when the run leaves it. */
  lastStatus: RunStatusValue;
  stage: WaitStage;
  policy: WaitPolicy;
  /** How processing checks are placed; absent (pipelines started before plans): the geometric backoff. */
  plan?: CheckPlan;
  /** The run's start, epoch ms: the origin of a learned plan's check times. */
  runStartMs?: number;
  /** The first attempt makes no call and waits for the plan's first check. */
  deferFirst?: boolean;
}

/** Input of the `checkRunNow` local activity. */
export interface CheckRunNowInput {
  runId: string;
  lastStatus: RunStatusValue;
}

/** The run's new status, and how many checks it took to see it. */
export interface RunTransition {
  /** One of AI Hub's documented statuses, or one it added since: the workflow counts it as processing. */
  status: RunStatusValue;
  msg: string | null;
  checks: number;
}

/** PAUSED is reserved by AI Hub and treated as still running. */
function normalise(status: RunStatusValue): RunStatusValue {
  return status === 'PAUSED' ? 'RUNNING' : status;
}

/** Builds the `waitForRun` activity. */
export function waitForRunActivity(deps: ActivityDeps): (args: WaitForRunInput) => Promise<RunTransition> {
  const random = deps.random ?? Math.random;
  const now = deps.now ?? Date.now;
  return async function waitForRun(args: WaitForRunInput): Promise<RunTransition> {
    const ctx = Context.current();
    const attempt = ctx.info.attempt;
    const elapsedMs = now() - (args.runStartMs ?? now());
    const delayMs = plannedDelayMs(args.policy, args.stage, attempt, args.plan, elapsedMs, random);
    const deferred = args.deferFirst === true ? 1 : 0;
    if (attempt <= deferred) {
      throw ApplicationFailure.create({
        type: retryableFailureTypes.notFinished,
        message: `run ${args.runId}: first planned check in ${Math.round(delayMs / 1000)} s`,
        nextRetryDelay: delayMs,
        category: ApplicationFailureCategory.BENIGN,
      });
    }
    const checks = attempt - deferred;
    const run: Run = await aihubCall(
      () => deps.aihub.getRun(args.runId, { signal: ctx.cancellationSignal }),
      delayMs,
    );
    // The attempts of one wait share its first schedule time: the start of this review.
    if (args.stage === 'review') recordReviewWait(ctx, Date.now() - ctx.info.scheduledTimestampMs);
    const status = normalise(run.status);
    if (status !== normalise(args.lastStatus)) {
      return { status, msg: run.msg ?? null, checks };
    }
    throw ApplicationFailure.create({
      type: retryableFailureTypes.notFinished,
      message: `run ${args.runId} is still ${status} after ${checks} check(s); next check in ${Math.round(delayMs / 1000)} s`,
      nextRetryDelay: delayMs,
      category: ApplicationFailureCategory.BENIGN,
    });
  };
}

/** Builds the `checkRunNow` activity: one status check; the new status, or null when unchanged. */
export function checkRunNowActivity(
  deps: ActivityDeps,
): (args: CheckRunNowInput) => Promise<RunTransition | null> {
  return async function checkRunNow(args: CheckRunNowInput): Promise<RunTransition | null> {
    const signal = Context.current().cancellationSignal;
    const run: Run = await aihubCall(() => deps.aihub.getRun(args.runId, { signal }));
    const status = normalise(run.status);
    if (status === normalise(args.lastStatus)) return null;
    return { status, msg: run.msg ?? null, checks: 1 };
  };
}
