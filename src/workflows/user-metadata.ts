/**
 * The pipeline's user metadata in the Temporal UI: a summary on each activity it schedules, and
 * current details (phase, AI Hub run and status, checks, next check) kept up to date as it moves.
 * Metadata only: no command, nothing replay checks; pipelines started before
 * `HARDENED_WAIT_PATCH` schedule their activities exactly as before.
 */
import { condition, isCancellation, log, setCurrentDetails } from '@temporalio/workflow';
import type { ActivityOptions } from '@temporalio/workflow';
import type { PipelineProgress } from '../progress';

/** An activity of a `proxyActivities` proxy (it can be called with call-site options). */
interface ProxiedActivity<A extends unknown[], R> {
  (...args: A): Promise<R>;
  executeWithOptions(options: ActivityOptions, args: A): Promise<R>;
}

/** `activity` called with `summary` shown on its events, when `on` (else called as before). */
export function withSummary<A extends unknown[], R>(
  activity: ProxiedActivity<A, R>,
  options: ActivityOptions,
  summary: string,
  on: boolean,
): (...args: A) => Promise<R> {
  return on ? (...args) => activity.executeWithOptions({ ...options, summary }, args) : activity;
}

/** The current details as Markdown: phase, AI Hub run and status, checks made, next check. */
export function currentDetailsOf(progress: PipelineProgress): string {
  const lines = [`**Phase**: ${progress.phase}`];
  if (progress.runId !== null)
    lines.push(`**AI Hub run**: ${progress.runId} (${progress.remoteStatus ?? 'status not known yet'})`);
  if (progress.waitingSince !== null) {
    lines.push(
      `**Checks**: ${progress.checks} since ${progress.waitingSince}${progress.plan ? `, plan ${progress.plan}` : ''}`,
    );
    lines.push(
      `**Next check**: ${progress.nextCheckAt ?? "the pending waitForRun activity's next attempt (hubrun status ID shows its time)"}`,
    );
  }
  if (progress.notifications !== undefined && progress.notifications.failed > 0) {
    lines.push(
      `**Notifications**: ${progress.notifications.failed} not delivered (${progress.notifications.lastError ?? ''})`,
    );
  }
  if (progress.lastError !== null) lines.push(`**Last error**: ${progress.lastError}`);
  return lines.join('\n\n');
}

/** Keeps the workflow's current details equal to {@link currentDetailsOf} `progress`, until the workflow ends. */
export function keepCurrentDetails(progress: PipelineProgress): void {
  const follow = async (): Promise<void> => {
    for (;;) {
      const details = currentDetailsOf(progress);
      setCurrentDetails(details);
      await condition(() => currentDetailsOf(progress) !== details);
    }
  };
  follow().catch((err: unknown) => {
    if (!isCancellation(err))
      log.warn('the current details stopped following the progress', { error: String(err) });
  });
}
