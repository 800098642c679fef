/**
 * Taking over an AI Hub run instead of starting one: a run started elsewhere (`adoptRunId`, from
 * `hubrun run --adopt-run`), or the run of an earlier pipeline that `hubrun retry` runs again
 * (`retryOf`), found by its id or by the earlier pipeline's exactly-once tag.
 */
import { Context } from '@temporalio/activity';
import { isAihubHttpError } from '../aihub';
import type { Run } from '../aihub';
import type { PipelineInput } from '../pipeline-input';
import type { ActivityDeps } from './deps';
import { aihubCall, toActivityFailure } from './failures';
import { describe, findTaggedRun } from './start-run';
import type { StartedRun } from './start-run';

/** Input of the `describeRun` activity. */
export interface DescribeRunInput {
  runId: string;
}

/** Builds the `describeRun` activity: the run's status and app; fails as `AihubNotFound` when AI Hub knows no such run. */
export function describeRunActivity(deps: ActivityDeps): (args: DescribeRunInput) => Promise<StartedRun> {
  return async function describeRun(args: DescribeRunInput): Promise<StartedRun> {
    const signal = Context.current().cancellationSignal;
    const run = await aihubCall(() => deps.aihub.getRun(args.runId, { signal }));
    return describe(deps, run, true);
  };
}

/** Input of the `findRetriedRun` activity. */
export interface FindRetriedRunInput {
  input: PipelineInput;
  retryOf: NonNullable<PipelineInput['retryOf']>;
}

/** Statuses of a run that a re-drive does not take over: it starts a run of its own instead. */
const notAdoptable: ReadonlySet<string> = new Set(['FAILED', 'CANCELLED']);

/**
 * Builds the `findRetriedRun` activity: the run the earlier pipeline started (by id when known,
 * else by its tag), or null when there is none or it FAILED or was CANCELLED. A run id AI Hub no
 * longer knows (deleted) counts as none.
 */
export function findRetriedRunActivity(
  deps: ActivityDeps,
): (args: FindRetriedRunInput) => Promise<StartedRun | null> {
  return async function findRetriedRun(args: FindRetriedRunInput): Promise<StartedRun | null> {
    const { log, cancellationSignal: signal } = Context.current();
    const { retryOf } = args;
    const run =
      retryOf.runId !== undefined
        ? await runIfAny(deps, retryOf.runId, signal)
        : await aihubCall(() =>
            findTaggedRun(
              deps.aihub,
              { input: args.input, batchId: null, tag: retryOf.tag, notBeforeSeconds: retryOf.sinceSeconds },
              signal,
            ),
          );
    if (run === undefined || notAdoptable.has(run.status)) {
      log.info('the earlier pipeline left no run to take over: starting one', {
        retryOf: retryOf.workflowId,
        runId: run?.id,
        status: run?.status,
      });
      return null;
    }
    log.info("taking over the earlier pipeline's run", { retryOf: retryOf.workflowId, runId: run.id });
    return describe(deps, run, true);
  };
}

/** The run, or undefined when AI Hub answers 404 (deleted, or never there). */
async function runIfAny(deps: ActivityDeps, runId: string, signal: AbortSignal): Promise<Run | undefined> {
  try {
    return await deps.aihub.getRun(runId, { signal });
  } catch (err) {
    if (isAihubHttpError(err) && err.status === 404) return undefined;
    throw toActivityFailure(err);
  }
}
