/**
 * The wait's polling policy: how long to wait before the next status check of an AI Hub run.
 * Exponential from `initialIntervalSeconds` by `backoffCoefficient` per check up to a cap, with
 * jitter so that many pipelines started together spread their checks. Runs in review use their
 * own, slower interval and cap. A server's `Retry-After` always wins over this (see failures.ts).
 *
 * The defaults (5 s growing by 15% per check to 10 minutes) keep the delay near 15% of the time
 * already waited: a run is noticed soon after it finishes (on average within ~8% of its duration)
 * while a day-long run costs under 200 checks instead of the 17,280 of fixed 5-second polling.
 * This is the wait's `geometric` plan, and the fallback of a `learned` one (check-plan.ts).
 */
import type { WaitPolicy } from '../pipeline-input';
import { stageIntervals } from '../wait-stage';
import type { WaitStage } from '../wait-stage';

export type { WaitStage } from '../wait-stage';

/**
 * Milliseconds until the check after check number `attempt` (1-based); `random` in [0, 1)
 * spreads the delay by ±`policy.jitter`.
 */
export function nextCheckDelayMs(
  policy: WaitPolicy,
  stage: WaitStage,
  attempt: number,
  random: () => number = Math.random,
): number {
  const { initialSeconds: initial, maxSeconds: cap } = stageIntervals(policy, stage);
  const exponent = Math.max(0, attempt - 1);
  const base = Math.min(cap, initial * Math.pow(policy.backoffCoefficient, exponent));
  const spread = 1 + policy.jitter * (2 * random() - 1);
  return Math.max(1, Math.round(base * spread * 1000));
}
