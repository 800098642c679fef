/**
 * The workflows' input checks, run as local activities: zod and the input schemas stay in the
 * worker's main thread, built once, instead of in every workflow's sandbox. Pure and
 * deterministic; the answer is recorded in history, so a replay reads it back. The pipeline's
 * check also fills in `{date}`: its time-zone arithmetic (`Intl`, whose answers change with the
 * host's tz database) then runs once, outside the sandbox, and a replay reads the recorded date.
 */
import { ApplicationFailure } from '@temporalio/common';
import { checkFanOutStart } from '../fan-out-input';
import type { FanOutStartCheck } from '../fan-out-input';
import { checkPipelineStart } from '../pipeline-input';
import type { InputCheck, PipelineInput } from '../pipeline-input';
import { fillNominalDate } from '../nominal-date';
import type { ActivityDeps } from './deps';
import { checkResultsDir, UnsafeResultsDirError } from './results-folder';
import { resolveDestination } from './sinks/destination';
import type { DatedInput } from '../nominal-date';

/** What a workflow asks to check: its raw input and the workflow id it runs under. */
export interface StartCheckInput {
  input: unknown;
  workflowId: string;
  /**
   * The instant `{date}` stands for (ISO 8601): given, the check fills in the date first and
   * answers it. Unset (workflows started before the date moved here): the input is checked as is.
   */
  nominalTime?: string;
}

/** A pipeline's check, with the nominal date filled in and the fields that held it. */
export type DatedInputCheck = InputCheck & Pick<DatedInput, 'date' | 'filled'>;

/**
 * Checks a pipeline's input and workflow id, `{date}` filled in first; see `checkPipelineStart`.
 * Pipelines that give `nominalTime` (every one started since the date moved here) also have
 * their `resultsDir` checked against this worker's results roots, so one that could never
 * deliver its results fails as bad input before anything reaches AI Hub.
 */
export function checkPipelineStartActivity(
  deps: DestinationDeps,
): (args: StartCheckInput) => Promise<DatedInputCheck> {
  return async ({ input, workflowId, nominalTime }) => {
    const dated =
      nominalTime === undefined
        ? { input, date: null, filled: {} }
        : fillNominalDate(input, new Date(nominalTime));
    const check = checkPipelineStart(dated.input, workflowId);
    const problem =
      nominalTime !== undefined && check.ok ? await destinationProblem(check.input, deps) : null;
    const checked: InputCheck = problem === null ? check : { ok: false, problems: [problem] };
    return { ...checked, date: dated.date, filled: dated.filled };
  };
}

/** What the destination check needs of the worker's settings. */
type DestinationDeps = Pick<ActivityDeps, 'outputDir' | 'resultsRoots' | 'resultsUrl' | 'resultsUrls'>;

/** Why the pipeline's `resultsUrl` or `resultsDir` cannot take this worker's results, or null when it can. */
async function destinationProblem(
  input: Pick<PipelineInput, 'resultsDir' | 'resultsUrl'>,
  deps: DestinationDeps,
): Promise<string | null> {
  if (input.resultsDir === undefined && input.resultsUrl === undefined) return null;
  let resultsDir: string | null;
  try {
    const destination = resolveDestination(deps, {
      resultsDir: input.resultsDir ?? null,
      resultsUrl: input.resultsUrl ?? null,
    });
    if (destination.kind === 's3') return null;
    resultsDir = destination.resultsDir;
  } catch (err) {
    return err instanceof ApplicationFailure ? err.message : String(err);
  }
  try {
    await checkResultsDir({ resultsDir, outputDir: deps.outputDir, resultsRoots: deps.resultsRoots ?? [] });
    return null;
  } catch (err) {
    if (err instanceof UnsafeResultsDirError) return err.message;
    return `resultsDir: ${resultsDir ?? deps.outputDir} cannot be checked (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
  }
}

/** Checks a fan-out's input, every child's included, and its workflow id; see `checkFanOutStart`. */
export function checkFanOutStartActivity(): (args: StartCheckInput) => Promise<FanOutStartCheck> {
  return ({ input, workflowId }) => Promise.resolve(checkFanOutStart(input, workflowId));
}
