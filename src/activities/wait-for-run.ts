/**
 * One status check of an AI Hub run per activity attempt: the activity's retry policy is the
 * polling loop. While nothing that matters has changed, the attempt fails with the BENIGN
 * {@link retryableFailureTypes.notFinished} failure and a `nextRetryDelay` from the polling
 * policy, so the wait holds no worker slot and adds no history events however long it lasts.
 * It returns as soon as the run reaches a status that matters (review, COMPLETE, FAILED,
 * CANCELLED, or RUNNING again after review), so the history records transitions only.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { Run, RunStatusValue } from '../aihub';
import type { WaitPolicy } from '../pipeline-input';
import { retryableFailureTypes } from '../shared';
import type { ActivityDeps } from './deps';
import { aihubCall } from './failures';
import { nextCheckDelayMs } from './polling-policy';
import type { WaitStage } from './polling-policy';

/** Input of the `waitForRun` activity. */
export interface WaitForRunInput {
  runId: string;
  /** The status the workflow last saw; the activity returns when the run leaves it. */
  lastStatus: RunStatusValue;
  stage: WaitStage;
  policy: WaitPolicy;
}

/** The run's new status, and how many checks it took to see it. */
export interface RunTransition {
  /** One of AI Hub's documented statuses, or one it added since: the workflow counts it as processing. */
  status: RunStatusValue;
  msg: string | null;
  finishTimestamp: string | null;
  checks: number;
}

/** PAUSED is reserved by AI Hub and treated as still running. */
function normalise(status: RunStatusValue): RunStatusValue {
  return status === 'PAUSED' ? 'RUNNING' : status;
}

/** Builds the `waitForRun` activity. */
export function waitForRunActivity(deps: ActivityDeps): (args: WaitForRunInput) => Promise<RunTransition> {
  const random = deps.random ?? Math.random;
  return async function waitForRun(args: WaitForRunInput): Promise<RunTransition> {
    const ctx = Context.current();
    const attempt = ctx.info.attempt;
    const delayMs = nextCheckDelayMs(args.policy, args.stage, attempt, random);
    const run: Run = await aihubCall(
      () => deps.aihub.getRun(args.runId, { signal: ctx.cancellationSignal }),
      delayMs,
    );
    const status = normalise(run.status);
    if (status !== normalise(args.lastStatus)) {
      return { status, msg: run.msg ?? null, finishTimestamp: run.finish_timestamp ?? null, checks: attempt };
    }
    throw ApplicationFailure.create({
      type: retryableFailureTypes.notFinished,
      message: `run ${args.runId} is still ${status} after ${attempt} check(s); next check in ${Math.round(delayMs / 1000)} s`,
      nextRetryDelay: delayMs,
      category: ApplicationFailureCategory.BENIGN,
    });
  };
}
