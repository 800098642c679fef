/**
 * Reading Temporal failures in tests by their structure, never by message text:
 * `WorkflowFailedError → (ActivityFailure →) ApplicationFailure.type`.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, CancelledFailure } from '@temporalio/common';

/** `err`, its `cause`, the cause's cause, and so on (cycles and depth bounded). */
export function causeChain(err: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = err;
  while (current !== undefined && current !== null && !chain.includes(current) && chain.length < 20) {
    chain.push(current);
    current = current instanceof Error ? current.cause : undefined;
  }
  return chain;
}

/**
 * The `ApplicationFailure.type` that failed a workflow: the cause of a `WorkflowFailedError`,
 * looked through one `ActivityFailure` when an activity failed it. Undefined for anything else
 * (a cancellation, a timeout, an error that is not a workflow failure).
 */
export function failureTypeOf(err: unknown): string | undefined {
  if (!(err instanceof WorkflowFailedError)) return undefined;
  const cause = err.cause instanceof ActivityFailure ? err.cause.cause : err.cause;
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}

/** True when `err` is a `WorkflowFailedError` whose cause is a `CancelledFailure` (the workflow was cancelled). */
export function isWorkflowCancelled(err: unknown): boolean {
  return err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure;
}

/** The error `promise` rejects with; fails when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection, but the promise resolved');
}
