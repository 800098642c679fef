/**
 * Deletes what a pipeline leaves in AI Hub, when it declared so: the run's data (after results
 * are safe, or on cancellation with `onCancel: 'delete'`) and the batch it uploaded. Deletions
 * are asynchronous in AI Hub; the activity polls their jobs until they end, heartbeating, and
 * treats "already gone" (404) as done, so a retry is harmless.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { isAihubHttpError } from '../aihub';
import type { AihubClient } from '../aihub';
import { retryableFailureTypes } from '../failure-types';
import type { ActivityDeps } from './deps';
import { aihubCall, toActivityFailure } from './failures';
import { withKeepAlive } from './keep-alive';

/** Input of the `deleteRemote` activity. */
export interface DeleteRemoteInput {
  /** The run to delete; its input batch is never deleted with it (`delete_input: false`), as it may be a user's `inputDir`. */
  runId: string | null;
  /** A batch to delete on its own. */
  batchId: number | null;
}

/** What was deleted (false where it was already gone or not asked for). */
export interface DeletedRemote {
  run: boolean;
  batch: boolean;
}

/** Builds the `deleteRemote` activity. */
export function deleteRemoteActivity(
  deps: ActivityDeps,
): (args: DeleteRemoteInput) => Promise<DeletedRemote> {
  return async function deleteRemote(args: DeleteRemoteInput): Promise<DeletedRemote> {
    const ctx = Context.current();
    const signal = ctx.cancellationSignal;
    const jobs: string[] = [];
    let run = false;
    let batch = false;
    const { runId, batchId } = args;
    if (runId !== null) {
      const answer = await ifPresent(() => deps.aihub.deleteRun(runId, { delete_input: false }, { signal }));
      if (answer !== undefined) {
        run = true;
        jobs.push(
          ...[
            answer.delete_input_dir_job_id,
            answer.delete_output_dir_job_id,
            answer.delete_log_dir_job_id,
          ].filter((id): id is string => typeof id === 'string'),
        );
      }
    }
    if (batchId !== null) {
      const answer = await ifPresent(() => deps.aihub.deleteBatch(batchId, { signal }));
      if (answer !== undefined) {
        batch = true;
        jobs.push(answer.job_id);
      }
    }
    await withKeepAlive(
      () => ({ jobs }),
      () => awaitJobs(deps.aihub, jobs, signal),
    );
    return { run, batch };
  };
}

/** Runs a deletion; undefined when AI Hub says the thing is already gone. */
async function ifPresent<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (err) {
    if (isAihubHttpError(err) && err.status === 404) return undefined;
    throw toActivityFailure(err);
  }
}

/** Polls deletion jobs until each has ended; a FAILED job fails the attempt (retryable). */
async function awaitJobs(aihub: AihubClient, jobIds: string[], signal: AbortSignal): Promise<void> {
  let delayMs = 250;
  for (const jobId of jobIds) {
    for (;;) {
      const job = await aihubCall(() => aihub.getJob(jobId, { signal }));
      if (job.state === 'COMPLETE' || job.state === 'CANCELLED') break;
      if (job.state === 'FAILED') {
        throw ApplicationFailure.create({
          type: retryableFailureTypes.unavailable,
          message: `AI Hub deletion job ${jobId} failed: ${job.message ?? 'no message'}`,
        });
      }
      await sleep(delayMs, undefined, { signal });
      delayMs = Math.min(delayMs * 2, 5000);
    }
  }
}
