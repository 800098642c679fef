/**
 * Turns errors from the AI Hub client into Temporal `ApplicationFailure`s with hubrun's stable
 * failure types: non-retryable where retrying cannot help (401, 403, 404, 400/409, 1xx/3xx,
 * schema mismatch), retryable with the server's `Retry-After` as `nextRetryDelay` otherwise.
 */
import { ApplicationFailure } from '@temporalio/common';
import { classifyAihubError, isAihubError } from '../aihub';
import type { AihubFailureReason } from '../aihub';
import { failureTypes, retryableFailureTypes } from '../failure-types';

const nonRetryableByReason: Partial<Record<AihubFailureReason, string>> = {
  auth: failureTypes.auth,
  forbidden: failureTypes.forbidden,
  'not-found': failureTypes.notFound,
  'bad-request': failureTypes.rejected,
  conflict: failureTypes.rejected,
  schema: failureTypes.schemaMismatch,
  'unexpected-status': failureTypes.unexpectedAnswer,
};

/**
 * The `ApplicationFailure` an activity throws for `err`. `fallbackDelayMs`, when given, is the
 * retry delay (ms) for retryable errors that carry no `Retry-After` (the wait's own backoff).
 */
export function toActivityFailure(err: unknown, fallbackDelayMs?: number): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const verdict = classifyAihubError(err);
  // Client errors carry sanitised messages; anything else is summarised so no secret can leak through it.
  const message = isAihubError(err)
    ? err.message
    : `unexpected error: ${err instanceof Error ? err.name : typeof err}`;
  if (!verdict.retryable) {
    // A final verdict stays final: a reason without a type of its own is still no transient fault.
    const type = nonRetryableByReason[verdict.reason] ?? failureTypes.unexpectedAnswer;
    return ApplicationFailure.create({ message, type, nonRetryable: true });
  }
  const nextRetryDelay = verdict.retryAfterMs ?? fallbackDelayMs;
  return ApplicationFailure.create({
    message,
    type: retryableFailureTypes.unavailable,
    nonRetryable: false,
    ...(nextRetryDelay !== undefined ? { nextRetryDelay } : {}),
  });
}

/** Runs an AI Hub call and rethrows its failure as {@link toActivityFailure} says. */
export async function aihubCall<T>(call: () => Promise<T>, fallbackDelayMs?: number): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toActivityFailure(err, fallbackDelayMs);
  }
}
