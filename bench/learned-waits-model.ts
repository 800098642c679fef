/**
 * Section 2b's model: for each app (median × spread), histories of past runs drawn from its
 * lognormal, each fed to the real lookup fit and planner, and runs waited for under each plan, side
 * by side with fixed 5 s polling, the geometric default, the hook and the physical limit. No
 * servers: `npx tsx bench/learned-model.ts` prints it in seconds, the full section adds the real
 * pipelines (learned-waits-real.ts).
 */
import { geometricCheckTimes, learnedCheckTimes, planChecks } from '../src/activities/check-plan';
import type { CheckPlan } from '../src/activities/check-plan';
import { fitDurations, Lognormal } from '../src/activities/duration-model';
import { WaitPolicy } from '../src/pipeline-input';
import { fixedDelays, hubrunDelays, pollRun } from './polling-model';
import { atMost } from './report';
import type { Check } from './report';
import { mean, percentile } from './stats';

export const MEDIANS_MS = [60e3, 600e3, 3600e3, 6 * 3600e3, 24 * 3600e3];
export const SPREADS = [0.1, 0.3, 0.6];
export const PAST_RUNS = 20;
/** Histories (plans) per cell, and runs waited for under each. */
export const HISTORIES = 40;
export const RUNS_PER_HISTORY = 50;
/** Latency of the hook path (AI Hub's POST, the visibility lookup, the signal and one status check), ms. */
export const HOOK_LATENCY_MS = 600;

/** One side of the comparison. */
export type Side = 'fixed 5 s' | 'geometric' | 'learned' | 'learned + hook' | 'physical limit';
export const SIDES: Side[] = ['fixed 5 s', 'geometric', 'learned', 'learned + hook', 'physical limit'];

/** What one side costs for one app, over every history and run of its cell. */
export interface Cell {
  medianMs: number;
  cv: number;
  side: Side;
  calls: number;
  meanLagMs: number;
  p95LagMs: number;
  p99LagMs: number;
  lagShare: number;
  learnedPlans: number;
}

/** A draw from `model` (Box-Muller). */
export function lognormalDraw(model: Lognormal, random: () => number): number {
  const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Math.exp(model.mu + model.sigma * z);
}

/** Checks at `times` until one sees a run of `d` finished: calls and lag. */
export function waitOn(times: readonly number[], d: number): { calls: number; lagMs: number } {
  let calls = 0;
  for (const t of times) {
    calls++;
    if (t >= d) return { calls, lagMs: t - d };
  }
  return { calls, lagMs: Number.NaN };
}

function cellsFor(medianMs: number, cv: number, random: () => number): Cell[] {
  const sigma = Math.sqrt(Math.log(1 + cv * cv));
  const truth = new Lognormal({ medianMs, sigma });
  const policy = WaitPolicy.parse({});
  const hookPolicy = WaitPolicy.parse({ hook: true });
  const samples = new Map<Side, { calls: number; lagMs: number; d: number }[]>(SIDES.map((s) => [s, []]));
  let learnedPlans = 0;
  for (let h = 0; h < HISTORIES; h++) {
    const past = Array.from({ length: PAST_RUNS }, () => lognormalDraw(truth, random));
    const estimate = fitDurations(past);
    const plan: CheckPlan = planChecks(estimate, policy);
    const hookPlan = planChecks(estimate, hookPolicy);
    if (plan.kind === 'learned') learnedPlans++;
    const horizon = medianMs * Math.exp(8 * sigma);
    const planned = plan.kind === 'learned' ? learnedCheckTimes(plan, horizon) : null;
    const hookTimes = hookPlan.kind === 'learned' ? learnedCheckTimes(hookPlan, horizon) : null;
    const geometricTimes = geometricCheckTimes(policy, horizon);
    for (let r = 0; r < RUNS_PER_HISTORY; r++) {
      const d = lognormalDraw(truth, random);
      samples.get('fixed 5 s')!.push({ ...pollRun(d, fixedDelays(5000)), d });
      const geometric = pollRun(d, hubrunDelays(random));
      samples.get('geometric')!.push({ ...geometric, d });
      const learned = planned ? waitOn(planned, d) : geometric;
      samples.get('learned')!.push({ calls: learned.calls + 1, lagMs: learned.lagMs, d });
      // With the hook: the wait ends at the first safety-net check after the finish or the hook's check, whichever is first.
      const net = hookTimes ?? geometricTimes;
      const end = Math.min(d + HOOK_LATENCY_MS, net.find((t) => t >= d) ?? Infinity);
      const made = net.filter((t) => t < end).length + 1;
      samples.get('learned + hook')!.push({ calls: made + 1, lagMs: end - d, d });
      samples.get('physical limit')!.push({ calls: 1, lagMs: 0, d });
    }
  }
  return SIDES.map((side) => {
    const s = samples.get(side)!;
    const lags = s.map((x) => x.lagMs);
    return {
      medianMs,
      cv,
      side,
      calls: mean(s.map((x) => x.calls)),
      meanLagMs: mean(lags),
      p95LagMs: percentile(lags, 95),
      p99LagMs: percentile(lags, 99),
      lagShare: mean(s.map((x) => x.lagMs / x.d)),
      learnedPlans,
    };
  });
}

/** Every cell of the model, in the report's order (medians, then spreads). */
export function modelCells(random: () => number): Cell[] {
  const cells: Cell[] = [];
  for (const m of MEDIANS_MS) for (const cv of SPREADS) cells.push(...cellsFor(m, cv, random));
  return cells;
}

/** The section's targets that the model judges. */
export function modelChecks(cells: readonly Cell[]): Check[] {
  const of = (side: Side, pred: (c: Cell) => boolean): Cell[] =>
    cells.filter((c) => c.side === side && pred(c));
  const tight = (c: Cell): boolean => c.cv <= 0.3;
  const wide = (c: Cell): boolean => c.cv === 0.6;
  const learnedTight = of('learned', tight);
  // The worst wide cell's `key` over the geometric default's in the same cell.
  const wideOverGeometric = (key: 'calls' | 'lagShare'): number =>
    Math.max(
      ...of('learned', wide).map(
        (c) => c[key] / of('geometric', (g) => g.cv === c.cv && g.medianMs === c.medianMs)[0]![key],
      ),
    );
  return [
    atMost(
      'learned, spread ≤ 30%: mean status calls per run (lookup included)',
      mean(learnedTight.map((c) => c.calls)),
      '',
      4,
    ),
    atMost(
      'learned, spread ≤ 30%: mean lag / duration',
      100 * mean(learnedTight.map((c) => c.lagShare)),
      '%',
      5,
    ),
    atMost(
      'learned, spread 10% only: mean status calls per run',
      mean(of('learned', (c) => c.cv === 0.1).map((c) => c.calls)),
      '',
      4,
    ),
    atMost(
      'learned, spread 60%: calls over the geometric default (worst cell)',
      wideOverGeometric('calls'),
      '×',
      1,
    ),
    atMost(
      'learned, spread 60%: lag over the geometric default (worst cell)',
      wideOverGeometric('lagShare'),
      '×',
      1,
    ),
    atMost(
      'learned + hook: p99 lag (worst cell)',
      Math.max(...of('learned + hook', () => true).map((c) => c.p99LagMs)) / 1000,
      's',
      2,
      'hook path latency modelled, see notes',
    ),
    atMost(
      'learned + hook: status calls besides the lookup (worst cell)',
      Math.max(...of('learned + hook', () => true).map((c) => c.calls - 1)),
      '',
      2,
    ),
  ];
}
