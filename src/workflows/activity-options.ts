/**
 * Named activity option presets of the pipeline. Each says why its timeouts are what they are.
 * Every preset lists hubrun's non-retryable failure types, so a 401, 403, 404, bad input or a
 * schema mismatch ends the pipeline at once instead of after endless retries.
 */
import { ActivityCancellationType } from '@temporalio/workflow';
import type { ActivityOptions, LocalActivityOptions, RetryPolicy } from '@temporalio/workflow';
import type { WaitPolicy } from '../pipeline-input';
import { nonRetryableFailureTypes } from '../failure-types';
import { stageIntervals } from '../wait-stage';
import type { WaitStage } from '../wait-stage';

/** Transient AI Hub trouble (429, 5xx, network) is retried with backoff for up to a day. */
const transientRetry: RetryPolicy = {
  initialInterval: '2 seconds',
  backoffCoefficient: 2,
  maximumInterval: '2 minutes',
  nonRetryableErrorTypes: nonRetryableFailureTypes,
};

/**
 * Single AI Hub calls (looking for a started run or an uploaded batch, which may page a list):
 * one HTTP timeout is 30 s, so a minute per attempt; a killed worker is noticed after that minute
 * and the retry looks again.
 */
export const remoteCall = {
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '1 day',
  retry: transientRetry,
} as const satisfies ActivityOptions;

/**
 * Starting the run. One attempt may look for the tagged run across a settle window before it
 * POSTs (a retry), send one POST (one request timeout, 30 s by default), then look on for up to a
 * settle window after an unanswered POST (`HUBRUN_START_SETTLE_SECONDS`, 2 minutes by default):
 * about 5 minutes at most, so 10 minutes start-to-close; an attempt about to outrun it hands its
 * window to the next attempt, so a longer settle window spans attempts. It heartbeats every 5 s:
 * a killed worker is noticed within the 20 s heartbeat timeout (not after the 10 minutes), and a
 * cancellation reaches a settling attempt within the heartbeat throttle (0.8 x 20 s). A cancelled
 * pipeline waits for the attempt in flight to end, so that a run its POST created is found
 * afterwards and handled by the cancellation policy instead of being left behind unknown.
 */
export const startCall = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '20 seconds',
  scheduleToCloseTimeout: '1 day',
  retry: transientRetry,
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
} as const satisfies ActivityOptions;

/**
 * Long transfers (uploads, result paging, deletion jobs): they heartbeat every few seconds while
 * working, so a killed worker is noticed within the heartbeat timeout and the retry resumes from
 * the last heartbeat; the start-to-close bound only catches a stuck transfer.
 */
export const transfer = {
  startToCloseTimeout: '2 hours',
  scheduleToCloseTimeout: '1 day',
  heartbeatTimeout: '20 seconds',
  retry: transientRetry,
} as const satisfies ActivityOptions;

/**
 * Uploading: a {@link transfer} whose cancellation waits for the attempt to stop (it heartbeats,
 * so within seconds), so that a batch it created is there to be found by the cancellation policy.
 */
export const uploadTransfer = {
  ...transfer,
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
} as const satisfies ActivityOptions;

/**
 * Checking a workflow's input (a local activity: no I/O, a few milliseconds). Bad input is an
 * answer, not an error, so a failed attempt can only be a bug or a worker in trouble: three
 * tries, then the workflow fails with the error.
 */
export const inputCheck = {
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
} as const satisfies LocalActivityOptions;

/**
 * The wait: one status check per attempt (one HTTP call, so 45 s is plenty), the retry policy is
 * the polling loop with unlimited attempts (no maximumAttempts), and the deadline is the schedule-to-close timeout.
 * The activity sets each delay itself (`nextRetryDelay`); the policy's intervals mirror it so a
 * failure without one (a network error) backs off alike.
 */
export function waitForRunOptions(
  policy: WaitPolicy,
  stage: WaitStage,
  remainingMs: number,
): ActivityOptions {
  const { initialSeconds: initial, maxSeconds: max } = stageIntervals(policy, stage);
  return {
    startToCloseTimeout: '45 seconds',
    scheduleToCloseTimeout: Math.max(1, Math.floor(remainingMs)),
    retry: {
      initialInterval: initial * 1000,
      backoffCoefficient: policy.backoffCoefficient,
      maximumInterval: max * 1000,
      nonRetryableErrorTypes: nonRetryableFailureTypes,
    },
  };
}

/**
 * The learned wait's history lookup (a local activity: one marker event instead of three). One or
 * two list pages of 30 s at most each; up to three tries within a minute, then the wait falls back
 * to the geometric plan, so a lookup that fails never fails the pipeline.
 */
export const historyLookup = {
  startToCloseTimeout: '70 seconds',
  scheduleToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '1 second',
    maximumAttempts: 3,
    nonRetryableErrorTypes: nonRetryableFailureTypes,
  },
} as const satisfies LocalActivityOptions;

/**
 * The one-off status check of a `checkNow` signal (a local activity, one marker): one HTTP call,
 * one try. When it fails the wait's own checks go on, so nothing is lost.
 */
export const checkNowLookup = {
  startToCloseTimeout: '45 seconds',
  retry: { maximumAttempts: 1 },
} as const satisfies LocalActivityOptions;

/**
 * Delivering one outcome notification, first try: a local activity (one marker event, not
 * three), one POST of 10 s at most per attempt, three attempts within a few seconds, well inside
 * one workflow task. A receiver still down after that gets {@link notifyRetryCall}.
 */
export function notifyCall(summary: string): LocalActivityOptions {
  return {
    startToCloseTimeout: '15 seconds',
    scheduleToCloseTimeout: '1 minute',
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumAttempts: 3,
      nonRetryableErrorTypes: nonRetryableFailureTypes,
    },
    summary,
  };
}

/**
 * Delivering a notification whose first try failed: an activity whose retries (backoff from 5 s
 * to 5 minutes) the server runs, so the history grows by three events however long the receiver
 * is down, until the pipeline's `giveUpAfterSeconds` (an hour by default). Every attempt sends
 * the same event id. A refusal (4xx) is not retried; either way the workflow records the failure
 * and goes on.
 */
export function notifyRetryCall(giveUpAfterSeconds: number, summary: string): ActivityOptions {
  return {
    startToCloseTimeout: '15 seconds',
    scheduleToCloseTimeout: Math.max(1000, Math.floor(giveUpAfterSeconds * 1000)),
    retry: {
      initialInterval: '5 seconds',
      backoffCoefficient: 2,
      maximumInterval: '5 minutes',
      nonRetryableErrorTypes: nonRetryableFailureTypes,
    },
    summary,
  };
}
