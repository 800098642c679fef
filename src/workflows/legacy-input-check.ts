/**
 * The input check of pipelines and fan-outs started before their workflows checked input in a
 * local activity ({@link INPUT_CHECK_PATCH}). Their histories hold no check marker, so a replay
 * checks them here, inside the workflow, as they were checked then. The schemas are loaded on
 * first use: workflows started since never build them. Once no workflow started before the
 * patch is open, replace `patched` with `deprecatePatch` and delete this file.
 */
import type * as FanOutInputModule from '../fan-out-input';
import type { FanOutStartCheck } from '../fan-out-input';
import type * as PipelineInputModule from '../pipeline-input';
import type { InputCheck } from '../pipeline-input';

/** Marks workflows that check their input in a local activity (`checkPipelineStart`, `checkFanOutStart`). */
export const INPUT_CHECK_PATCH = 'input-check-in-local-activity';

/** A pipeline's check as workflows started before {@link INPUT_CHECK_PATCH} made it. */
export function legacyPipelineCheck(raw: unknown, workflowId: string): InputCheck {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only by old histories' replays
  const schemas = require('../pipeline-input') as typeof PipelineInputModule;
  return schemas.checkPipelineStart(raw, workflowId);
}

/** A fan-out's check as workflows started before {@link INPUT_CHECK_PATCH} made it. */
export function legacyFanOutCheck(raw: unknown, fanOutId: string): FanOutStartCheck {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only by old histories' replays
  const schemas = require('../fan-out-input') as typeof FanOutInputModule;
  return schemas.checkFanOutStart(raw, fanOutId);
}
