import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  geometricCheckTimes,
  learnedCheckTimes,
  nextLearnedCheckMs,
  planChecks,
  scheduleCost,
} from '../../src/activities/check-plan';
import type { LearnedPlan } from '../../src/activities/check-plan';
import { Lognormal } from '../../src/activities/duration-model';
import type { DurationEstimate } from '../../src/activities/duration-model';
import { WaitPolicy } from '../../src/pipeline-input';

const HOUR = 3_600_000;

/** An estimate of a nightly app: 20 runs with a median of `medianMs` and a spread of `sigma`. */
function estimateOf(medianMs: number, sigma: number): DurationEstimate {
  return {
    runs: 20,
    outliers: 0,
    medianMs,
    sigma,
    minMs: medianMs * Math.exp(-2 * sigma),
    maxMs: medianMs * Math.exp(2 * sigma),
  };
}

function learned(estimate: DurationEstimate, wait: Record<string, unknown>): LearnedPlan {
  const plan = planChecks(estimate, WaitPolicy.parse(wait));
  assert.equal(plan.kind, 'learned');
  return plan;
}

/** Gaps between the checks of `plan` that fall in [fromMs, toMs]. */
function gapsBetween(plan: LearnedPlan, fromMs: number, toMs: number): number[] {
  const times = learnedCheckTimes(plan, toMs).filter((t) => t >= fromMs && t <= toMs);
  return times.slice(1).map((t, i) => t - times[i]!);
}

describe('a hooked plan polls only as a safety net, at the scale of the app', () => {
  it('past the safety check of a day-long app, a lost notification is looked for every 5% of a typical run, not every 10 minutes', () => {
    const plan = learned(estimateOf(24 * HOUR, 0.55), { hook: true });
    const gaps = gapsBetween(plan, plan.tailStartMs, plan.tailStartMs + 24 * HOUR);
    assert.ok(gaps.length > 0);
    for (const gap of gaps) assert.ok(Math.abs(gap - 0.05 * 24 * HOUR) < 1, `tail gap ${gap} ms`);
  });

  it('a lag target in seconds sets the same cap', () => {
    const plan = learned(estimateOf(24 * HOUR, 0.55), { hook: true, lagTargetSeconds: 1800 });
    const gaps = gapsBetween(plan, plan.tailStartMs, plan.tailStartMs + 24 * HOUR);
    for (const gap of gaps) assert.ok(Math.abs(gap - 1_800_000) < 1, `tail gap ${gap} ms`);
  });

  it('a short app keeps maxIntervalSeconds as the cap where that is longer', () => {
    const plan = learned(estimateOf(60_000, 0.3), { hook: true });
    assert.equal(plan.maxTailIntervalMs, 600_000);
  });

  it('a plan stored before the rule keeps its 10-minute tail', () => {
    const plan = learned(estimateOf(24 * HOUR, 0.55), { hook: true });
    const stored: LearnedPlan = { ...plan, maxTailIntervalMs: 600_000 };
    const at = stored.tailStartMs + 2 * HOUR;
    assert.equal(nextLearnedCheckMs(stored, at) - at, 600_000);
  });

  it('without the hook the tail keeps maxIntervalSeconds as its cap', () => {
    const plan = learned(estimateOf(24 * HOUR, 0.1), {});
    const gaps = gapsBetween(plan, plan.tailStartMs + 4 * HOUR, plan.tailStartMs + 8 * HOUR);
    assert.ok(gaps.length > 0);
    for (const gap of gaps) assert.equal(gap, 600_000);
  });
});

describe('a learned plan is never costlier than the geometric default', () => {
  it('also for a true median one standard error either side of the fitted one', () => {
    // A minute-long app with a 60% spread: the geometric default's calls bind the plan.
    const estimate = estimateOf(60_000, 0.55);
    const policy = WaitPolicy.parse({});
    const plan = learned(estimate, {});
    const error = estimate.sigma / Math.sqrt(estimate.runs);
    for (const k of [-1, 0, 1]) {
      const near = new Lognormal({
        medianMs: estimate.medianMs * Math.exp(k * error),
        sigma: estimate.sigma,
      });
      const horizon = near.quantile(1 - 1e-6);
      const planned = scheduleCost(learnedCheckTimes(plan, horizon), near).calls;
      const geometric = scheduleCost(geometricCheckTimes(policy, horizon), near).calls;
      assert.ok(planned + 1 <= geometric + 1e-9, `median ${k} SE off: ${planned} + lookup vs ${geometric}`);
    }
  });
});
