/**
 * Which AI Hub failures are worth another attempt. The client itself never retries (Temporal
 * owns retries); activities use {@link classifyAihubError} to decide `nonRetryable` and
 * `nextRetryDelay` when they turn a client error into an `ApplicationFailure`.
 */
import { isAihubHttpError, isAihubNetworkError, isAihubSchemaError } from './errors';

/** Why an AI Hub call failed, coarse enough to pick a failure type from. */
export type AihubFailureReason =
  | 'bad-request'
  | 'auth'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'rate-limited'
  | 'server'
  | 'network'
  | 'timeout'
  | 'schema'
  | 'unexpected-status'
  | 'unknown';

/** The verdict of {@link classifyAihubError}. */
export interface AihubErrorClassification {
  /** Whether another attempt may succeed. */
  retryable: boolean;
  /** Why the call failed. */
  reason: AihubFailureReason;
  /** The server's `Retry-After` in milliseconds, when it sent one. */
  retryAfterMs?: number;
}

/** Network codes that mean "no answer in time" rather than "no connection". */
const timeoutCodes: ReadonlySet<string> = new Set(['TIMEOUT', 'ETIMEDOUT', 'ECONNABORTED']);

/**
 * Parses a `Retry-After` header, either delta-seconds (`7`) or an HTTP date, into milliseconds
 * from `nowMs`; a date in the past gives 0, anything unparseable gives undefined.
 */
export function parseRetryAfter(header: string | undefined, nowMs: number): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // HTTP dates always name a day or month; this also keeps Date.parse from reading "-5" as a year.
  if (!/[a-z]/i.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * Classifies any error thrown by an AI Hub call: network errors, timeouts, 408, 429 and 5xx are
 * retryable; 400, 401, 403 (out of consumption units), 404, 409, other 4xx, unexpected statuses
 * (1xx, 3xx: redirects are not followed) and schema mismatches are not; errors that did not come
 * from the client count as retryable.
 */
export function classifyAihubError(err: unknown): AihubErrorClassification {
  if (isAihubHttpError(err)) {
    const verdict = classifyStatus(err.status);
    return err.retryAfterMs === undefined || !verdict.retryable
      ? verdict
      : { ...verdict, retryAfterMs: err.retryAfterMs };
  }
  if (isAihubNetworkError(err)) {
    return { retryable: true, reason: err.code && timeoutCodes.has(err.code) ? 'timeout' : 'network' };
  }
  if (isAihubSchemaError(err)) return { retryable: false, reason: 'schema' };
  return { retryable: true, reason: 'unknown' };
}

function classifyStatus(status: number): AihubErrorClassification {
  switch (status) {
    case 400:
      return { retryable: false, reason: 'bad-request' };
    case 401:
      return { retryable: false, reason: 'auth' };
    case 403:
      return { retryable: false, reason: 'forbidden' };
    case 404:
      return { retryable: false, reason: 'not-found' };
    case 408:
      return { retryable: true, reason: 'timeout' };
    case 409:
      return { retryable: false, reason: 'conflict' };
    case 429:
      return { retryable: true, reason: 'rate-limited' };
  }
  if (status >= 500 && status <= 599) return { retryable: true, reason: 'server' };
  if (status >= 400 && status <= 499) return { retryable: false, reason: 'bad-request' };
  // 1xx/3xx (redirects are not followed): a misconfigured API root or a login page, not a transient fault.
  return { retryable: false, reason: 'unexpected-status' };
}
