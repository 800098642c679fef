/**
 * The workflows' input checks, run as local activities: zod and the input schemas stay in the
 * worker's main thread, built once, instead of in every workflow's sandbox. Pure and
 * deterministic; the answer is recorded in history, so a replay reads it back.
 */
import { checkFanOutStart } from '../fan-out-input';
import type { FanOutStartCheck } from '../fan-out-input';
import { checkPipelineStart } from '../pipeline-input';
import type { InputCheck } from '../pipeline-input';

/** What a workflow asks to check: its raw input and the workflow id it runs under. */
export interface StartCheckInput {
  input: unknown;
  workflowId: string;
}

/** Checks a pipeline's input and workflow id; see `checkPipelineStart`. */
export function checkPipelineStartActivity(): (args: StartCheckInput) => Promise<InputCheck> {
  return ({ input, workflowId }) => Promise.resolve(checkPipelineStart(input, workflowId));
}

/** Checks a fan-out's input, every child's included, and its workflow id; see `checkFanOutStart`. */
export function checkFanOutStartActivity(): (args: StartCheckInput) => Promise<FanOutStartCheck> {
  return ({ input, workflowId }) => Promise.resolve(checkFanOutStart(input, workflowId));
}
