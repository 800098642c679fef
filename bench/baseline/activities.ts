/**
 * The baseline's one extra activity: a single status check of an AI Hub run that returns the
 * status, as a polling loop written the obvious way calls it. It reuses hubrun's client and error
 * translation so the two sides differ only in how they wait.
 */
import { Context } from '@temporalio/activity';
import type { AihubClient, RunStatusValue } from '../../src/aihub';
import { aihubCall } from '../../src/activities/failures';

/** Builds the baseline activities around an AI Hub client. */
export function createBaselineActivities(aihub: AihubClient) {
  return {
    /** GET the run once and answer its status. */
    async checkRunStatus(args: { runId: string }): Promise<{ status: RunStatusValue; msg: string | null }> {
      const ctx = Context.current();
      const run = await aihubCall(() => aihub.getRun(args.runId, { signal: ctx.cancellationSignal }));
      return { status: run.status, msg: run.msg ?? null };
    },
  };
}

/** The baseline activities, as its workflow sees them. */
export type BaselineActivities = ReturnType<typeof createBaselineActivities>;
