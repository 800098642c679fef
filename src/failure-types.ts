/**
 * The stable `ApplicationFailure.type` strings activities throw and workflows refuse to retry, and
 * {@link failureOf}, which reads them back out of a failure's cause chain.
 */
import { ApplicationFailure } from '@temporalio/common';

/**
 * Stable `ApplicationFailure.type` strings. Everything but {@link retryableFailureTypes} is
 * listed in the activities' `nonRetryableErrorTypes`, so retrying cannot hide it.
 */
export const failureTypes = {
  /** The pipeline input is invalid; nothing was sent to AI Hub. */
  badInput: 'HubrunBadInput',
  /** AI Hub answered 401: bad token, bad `IB-Context` or no permission. */
  auth: 'AihubUnauthorized',
  /** AI Hub answered 403: out of consumption units or an ended trial. */
  forbidden: 'AihubForbidden',
  /** AI Hub answered 404: an unknown app, deployment, batch or run, or no access to it. */
  notFound: 'AihubNotFound',
  /** AI Hub refused the request as malformed (400) or in conflict with its state (409). */
  rejected: 'AihubRejected',
  /** The AI Hub run ended FAILED. */
  remoteRunFailed: 'AihubRunFailed',
  /** The AI Hub run was cancelled by a user in AI Hub. */
  remoteRunCancelled: 'AihubRunCancelled',
  /** The run completed, but its share of `ERROR` fields exceeds the pipeline's `maxErrorRatio`. */
  partialResults: 'HubrunPartialResults',
  /** The run did not finish (or leave review) before the pipeline's deadline. */
  deadlineExceeded: 'HubrunDeadlineExceeded',
  /** An AI Hub answer did not match the documented schema. */
  schemaMismatch: 'AihubSchemaMismatch',
  /** AI Hub answered 1xx or 3xx, which the client does not follow: a login redirect or a wrong API root. */
  unexpectedAnswer: 'AihubUnexpectedAnswer',
  /** A notification receiver refused the event (4xx, a redirect), or the worker has no receiver or secret; never fails a pipeline. */
  notificationRefused: 'HubrunNotificationRefused',
  /**
   * The S3 results store refused the delivery in a way no retry can fix: no such bucket, access
   * denied, credentials it rejects, a wrong region or an invalid bucket name. Fix the store, then
   * `hubrun retry <workflow id>` takes over the finished AI Hub run and delivers its results again.
   */
  resultsStoreRefused: 'HubrunResultsStoreRefused',
} as const;
export type FailureType = (typeof failureTypes)[keyof typeof failureTypes];

/** Failure types Temporal retries: transient AI Hub trouble, and the wait's "not finished yet". */
export const retryableFailureTypes = {
  /** Network error, timeout, 408, 429 or 5xx from AI Hub. */
  unavailable: 'AihubUnavailable',
  /** The run has not reached a state that matters yet; the wait activity's retry is the poll loop (BENIGN). */
  notFinished: 'HubrunRunNotFinished',
  /** A notification receiver could not be reached or answered 408, 429 or 5xx. */
  notificationUndelivered: 'HubrunNotificationUndelivered',
} as const;

/**
 * What failed a pipeline, read from a failure's cause chain (`ChildWorkflowFailure` or
 * `WorkflowFailedError` → `ActivityFailure` → `ApplicationFailure`): the first typed
 * `ApplicationFailure`'s type and message, else the innermost message.
 */
export function failureOf(err: unknown): { type: string | undefined; message: string } {
  let current: unknown = err;
  let message = err instanceof Error ? err.message : String(err);
  for (let depth = 0; current instanceof Error && depth < 20; depth++) {
    message = current.message || message;
    if (current instanceof ApplicationFailure && current.type) return { type: current.type, message };
    current = current.cause;
  }
  return { type: undefined, message };
}

/** Every failure type a pipeline's activities must not retry. */
export const nonRetryableFailureTypes: string[] = Object.values(failureTypes);
