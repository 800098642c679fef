/**
 * The check schedule of a polling policy, computed instead of waited for: when each status check
 * of a run happens, how many there are until the run is seen finished, and how late that is.
 * hubrun's side uses the real policy code (nextCheckDelayMs) with the real defaults
 * (WaitPolicy), so the model cannot drift from what the worker does.
 */
import { nextCheckDelayMs } from '../src/activities/polling-policy';
import { WaitPolicy } from '../src/pipeline-input';

/** Delay after check number `attempt` (1-based), ms. */
export type DelayAfter = (attempt: number) => number;

/** What waiting for one run costs. */
export interface PollOutcome {
  /** Status calls, including the one that saw the run finished. */
  calls: number;
  /** Time from the run finishing to the check that saw it, ms. */
  lagMs: number;
}

/**
 * Checks at 0 (right after the start), then after each delay, until one happens at or after
 * `durationMs`, the moment the run finishes.
 */
export function pollRun(durationMs: number, delayAfter: DelayAfter): PollOutcome {
  let at = 0;
  let calls = 1;
  while (at < durationMs) {
    at += delayAfter(calls);
    calls++;
  }
  return { calls, lagMs: at - durationMs };
}

/** hubrun's default wait policy (`wait` left out of the pipeline input). */
export const defaultPolicy: WaitPolicy = WaitPolicy.parse({});

/** hubrun's schedule with the default policy, jitter drawn from `random`. */
export function hubrunDelays(random: () => number, policy: WaitPolicy = defaultPolicy): DelayAfter {
  return (attempt) => nextCheckDelayMs(policy, 'processing', attempt, random);
}

/** Fixed-interval polling, as the AI Hub SDK examples do (`time.sleep(5)`). */
export function fixedDelays(intervalMs: number): DelayAfter {
  return () => intervalMs;
}
