/**
 * The learned wait's history lookup: before the wait, the recent finished runs of the same app or
 * deployment are listed (`GET /v2/apps/runs`, status COMPLETE, within `historyDays` before the
 * run's start, newest first, at most {@link MAX_HISTORY_PAGES} pages), their processing durations
 * (finish − start) fitted (duration-model.ts) and the checks planned (check-plan.ts). Run as a
 * local activity: its answer, a few numbers and not the runs, enters the history as one marker.
 * Runs still in review are not COMPLETE and so not listed; a completed run that sat in review far
 * longer than the rest took is left out of the fit as an outlier (AI Hub's list does not say
 * which runs were reviewed). AI Hub's run list names no file count, so durations are per run.
 */
import { Context } from '@temporalio/activity';
import type { ListRunsQuery, Run } from '../aihub';
import type { WaitPolicy } from '../pipeline-input';
import { describePlan, planChecks } from './check-plan';
import type { CheckPlan } from './check-plan';
import type { ActivityDeps } from './deps';
import { fitDurations } from './duration-model';
import { aihubCall } from './failures';

/** Runs per page of the lookup. */
export const HISTORY_PAGE_SIZE = 50;
/** Pages the lookup reads at most: the newest 100 finished runs are plenty to fit two numbers. */
export const MAX_HISTORY_PAGES = 2;

/** Input of the `estimateDuration` local activity. */
export interface EstimateDurationInput {
  /** The app or deployment whose runs are listed: the first of these that is given. */
  deploymentId: string | null;
  appId: string | null;
  appName: string | null;
  /** The run being waited for, never part of its own history. */
  runId: string;
  /** End of the window, seconds since the epoch (the run's start). */
  untilSeconds: number;
  policy: WaitPolicy;
}

/** The plan and what it was made from, as the workflow records it. */
export interface DurationPlan {
  plan: CheckPlan;
  /** One line for `progress`: which plan and why. */
  description: string;
  /** AI Hub calls the lookup made. */
  lookupCalls: number;
}

/** Processing duration of a finished run in ms, from its nanosecond timestamps; null when unknown. */
export function runDurationMs(run: Pick<Run, 'start_timestamp' | 'finish_timestamp'>): number | null {
  if (!run.start_timestamp || !run.finish_timestamp) return null;
  const ns = BigInt(run.finish_timestamp) - BigInt(run.start_timestamp);
  return ns > 0n ? Number(ns / 1000n) / 1000 : null;
}

/** Builds the `estimateDuration` activity. */
export function estimateDurationActivity(
  deps: ActivityDeps,
): (args: EstimateDurationInput) => Promise<DurationPlan> {
  return async function estimateDuration(args: EstimateDurationInput): Promise<DurationPlan> {
    const signal = Context.current().cancellationSignal;
    const base: Omit<ListRunsQuery, 'offset'> = {
      ...(args.deploymentId !== null
        ? { deployment_id: args.deploymentId }
        : args.appId !== null
          ? { app_id: args.appId }
          : { app_name: args.appName ?? '' }),
      status: ['COMPLETE'],
      from_timestamp: Math.floor(args.untilSeconds - args.policy.historyDays * 86_400),
      to_timestamp: Math.ceil(args.untilSeconds),
      sort_by: 'start_timestamp',
      order: 'DESCENDING',
      limit: HISTORY_PAGE_SIZE,
    };
    const durations: number[] = [];
    let lookupCalls = 0;
    for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
      const runs = await aihubCall(() =>
        deps.aihub.listRuns({ ...base, offset: page * HISTORY_PAGE_SIZE }, { signal }),
      );
      lookupCalls++;
      for (const run of runs) {
        if (run.id === args.runId || run.status !== 'COMPLETE') continue;
        const ms = runDurationMs(run);
        if (ms !== null) durations.push(ms);
      }
      if (runs.length < HISTORY_PAGE_SIZE) break;
    }
    const plan = planChecks(fitDurations(durations), args.policy);
    return { plan, description: describePlan(plan), lookupCalls };
  };
}
