/**
 * The workflows' input checks, run as local activities: zod and the input schemas stay in the
 * worker's main thread, built once, instead of in every workflow's sandbox. Pure and
 * deterministic; the answer is recorded in history, so a replay reads it back. The pipeline's
 * check also fills in `{date}`: its time-zone arithmetic (`Intl`, whose answers change with the
 * host's tz database) then runs once, outside the sandbox, and a replay reads the recorded date.
 */
import { checkFanOutStart } from '../fan-out-input';
import type { FanOutStartCheck } from '../fan-out-input';
import { checkPipelineStart } from '../pipeline-input';
import type { InputCheck } from '../pipeline-input';
import { fillNominalDate } from '../schedules/nominal-date';
import type { DatedInput } from '../schedules/nominal-date';

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

/** Checks a pipeline's input and workflow id, `{date}` filled in first; see `checkPipelineStart`. */
export function checkPipelineStartActivity(): (args: StartCheckInput) => Promise<DatedInputCheck> {
  return ({ input, workflowId, nominalTime }) => {
    const dated =
      nominalTime === undefined
        ? { input, date: null, filled: {} }
        : fillNominalDate(input, new Date(nominalTime));
    const check = checkPipelineStart(dated.input, workflowId);
    return Promise.resolve({ ...check, date: dated.date, filled: dated.filled });
  };
}

/** Checks a fan-out's input, every child's included, and its workflow id; see `checkFanOutStart`. */
export function checkFanOutStartActivity(): (args: StartCheckInput) => Promise<FanOutStartCheck> {
  return ({ input, workflowId }) => Promise.resolve(checkFanOutStart(input, workflowId));
}
