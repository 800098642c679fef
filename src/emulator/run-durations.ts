/** Run durations of apps with a duration distribution (`AppBehaviour.durations`). */
import type { AppBehaviour } from './types';

/** A duration in ms drawn from an app's `durations`: lognormal of the median and cv, plus per-file time. */
export function drawDurationMs(
  durations: NonNullable<AppBehaviour['durations']>,
  files: number,
  random: () => number = Math.random,
): number {
  const sigma = Math.sqrt(Math.log(1 + durations.cv * durations.cv));
  const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Math.max(
    1,
    Math.round(durations.medianMs * Math.exp(sigma * z) + (durations.perFileMs ?? 0) * files),
  );
}
