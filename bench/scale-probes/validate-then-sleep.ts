/**
 * Scale probe: validates its input with hubrun's zod schema (src/pipeline-input.ts) inside the
 * workflow, as the pipeline did before it checked input in a local activity, then only sleeps.
 * Set against sleep-only.ts, it isolates what loading and running the zod schemas would cost
 * each workflow in the worker's sandbox.
 */
import { sleep } from '@temporalio/workflow';
import { checkPipelineInput } from '../../src/pipeline-input';

/** Validates the pipeline input, then sleeps for a day. */
export async function aihubRunPipeline(raw: unknown): Promise<void> {
  const checked = checkPipelineInput(raw);
  if (!checked.ok) throw new Error(checked.problems.join('; '));
  await sleep('1 day');
}
