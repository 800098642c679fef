/**
 * Heartbeats on a timer while a long activity works, so a killed worker is noticed within the
 * heartbeat timeout even while one slow HTTP call is in flight; each beat carries the latest
 * resumable state for a retried attempt.
 */
import { Context } from '@temporalio/activity';

/** How often a working activity heartbeats; well inside the `transfer` preset's 20 s timeout. */
export const KEEP_ALIVE_MS = 5000;

/** Runs `work`, heartbeating `details()` every {@link KEEP_ALIVE_MS} until it settles. */
export async function withKeepAlive<T>(details: () => unknown, work: () => Promise<T>): Promise<T> {
  const ctx = Context.current();
  const timer = setInterval(() => ctx.heartbeat(details()), KEEP_ALIVE_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
