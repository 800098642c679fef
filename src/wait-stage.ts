/**
 * The wait's two interval families, chosen in one place: the polling policy (activities) and the
 * wait's retry policy (workflows) both ask {@link stageIntervals}. Pure and zod-free, for workflows.
 */
import type { WaitPolicy } from './pipeline-input';

/** Which interval family applies: processing (RUNNING) or human review (STOPPED_AT_CHECKPOINT). */
export type WaitStage = 'processing' | 'review';

/** The first interval and the cap, in seconds, of `stage` under `policy`. */
export function stageIntervals(
  policy: WaitPolicy,
  stage: WaitStage,
): { initialSeconds: number; maxSeconds: number } {
  return stage === 'review'
    ? { initialSeconds: policy.reviewInitialIntervalSeconds, maxSeconds: policy.reviewMaxIntervalSeconds }
    : { initialSeconds: policy.initialIntervalSeconds, maxSeconds: policy.maxIntervalSeconds };
}
