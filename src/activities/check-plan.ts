/**
 * Planned checks: where a learned wait places its status checks, from the lognormal fitted to the
 * app's past durations (duration-model.ts), to reach a lag target with as few calls as it can.
 *
 * With checks spaced Δ(t) apart around time t, a run finishing there is seen Δ/2 late on average,
 * and each check is paid only by the runs still going. Minimising the expected calls
 * ∫ S(t)/Δ(t) dt for a given mean lag ∫ f(t) w(t) Δ(t)/2 dt gives Δ(t) ∝ √(S(t) / (f(t) w(t))),
 * S the share of runs still going, f the density of finishes, w = 1/t when the target is a share
 * of the duration (1 for seconds): no check long before the early quantiles, dense around the
 * likely finish, sparse again as the remaining runs thin out. The scale is solved for the target;
 * beyond every past run (the fit's 99.9% quantile or the longest run seen) a geometric tail takes
 * over, so a run slower than all before it is still noticed. A plan that would cost more calls than
 * the geometric default (the lookup counted), at the fitted median or one standard error either side
 * of it, is thinned to its calls, and dropped for the geometric default when it would then be later
 * too: then the spread is too wide to help. A wide spread also plans for the geometric default's
 * lag when that is lower than the target.
 */
import type { WaitPolicy } from '../pipeline-input';
import { Lognormal } from './duration-model';
import type { DurationEstimate } from './duration-model';
import { nextCheckDelayMs } from './polling-policy';
import type { WaitStage } from './polling-policy';

/** Fewest finished runs a learned plan is made from. */
export const MIN_LEARNED_RUNS = 5;
/** Checks closer together than this are merged. */
const MIN_GAP_MS = 1000;
/** Most checks a plan places before its tail. */
const MAX_PLANNED_CHECKS = 400;
/** Points of the integration grid over the planned region. */
const GRID_POINTS = 800;
/**
 * Past durations this spread out (sigma of ln) or more save few calls at the lag target, and
 * the geometric default's capped interval can be far later in a share of a long run: such a plan
 * also meets the geometric default's lag, so it never does worse than the wait it replaces.
 */
const WIDE_SIGMA = 0.4;
/** The history lookup, counted against a plan's calls. */
const LOOKUP_CALLS = 1;

/** A plan learned from the run history: the estimate and the scale solved for the lag target. */
export interface LearnedPlan {
  kind: 'learned';
  estimate: DurationEstimate;
  /** Check density units between two checks: the larger, the fewer checks. */
  step: number;
  /** Whether the lag target is a share of the duration (else seconds). */
  relative: boolean;
  /** A run-finished hook is expected: one safety-net check after nearly every past run, then the tail. */
  hook: boolean;
  /** Where the planned checks end and the geometric tail begins, ms after the run's start. */
  tailStartMs: number;
  /** Tail delay as a share of the time since the run's start. */
  tailRatio: number;
  /**
   * Longest tail delay, ms: `maxIntervalSeconds`, or for a hooked plan the longer of that and the
   * lag target of a typical run (target × the fitted median, or `lagTargetSeconds`).
   */
  maxTailIntervalMs: number;
  /** Status calls per run the plan expects under the estimate. */
  expectedCalls: number;
  /** Mean lag the plan expects, as a share of the duration. */
  expectedLagShare: number;
}

/** How the wait's processing checks are placed; plain JSON (it is a workflow's activity input). */
export type CheckPlan = LearnedPlan | { kind: 'geometric'; reason: string } | { kind: 'fixed' };

/** Expected cost of a check schedule under a duration model. */
export interface ScheduleCost {
  calls: number;
  lagMs: number;
  lagShare: number;
}

/**
 * Expected status calls and lag of checks at `times` (ms after the run's start, ascending) for
 * runs whose durations follow `model`: a check is made when the run was still going at the one
 * before it, and a run finishing between two checks is seen at the second.
 */
export function scheduleCost(times: readonly number[], model: Lognormal): ScheduleCost {
  let calls = 0;
  let lagMs = 0;
  let lagShare = 0;
  let prev = 0;
  let going = 1;
  for (const t of times) {
    calls += going;
    const mass = model.cdf(t) - model.cdf(prev);
    lagMs += t * mass - model.partialMean(prev, t);
    lagShare += t * model.partialInverseMean(prev, t) - mass;
    going = 1 - model.cdf(t);
    prev = t;
    if (going < 1e-7) break;
  }
  return { calls, lagMs, lagShare };
}

/** The planned checks of `plan` before its tail, ms after the run's start. */
export function plannedCheckTimes(plan: LearnedPlan): number[] {
  const model = new Lognormal(plan.estimate);
  if (plan.hook) return [plan.tailStartMs];
  const grid = densityGrid(model, plan.tailStartMs, plan.relative);
  const times: number[] = [];
  let k = 1;
  for (let j = 1; j < grid.length && times.length < MAX_PLANNED_CHECKS; j++) {
    const [x0, n0] = grid[j - 1]!;
    const [x1, n1] = grid[j]!;
    while (k * plan.step <= n1 && times.length < MAX_PLANNED_CHECKS) {
      const share = n1 > n0 ? (k * plan.step - n0) / (n1 - n0) : 1;
      const t = x0 * Math.pow(x1 / x0, share);
      if (times.length === 0 || t - times[times.length - 1]! >= MIN_GAP_MS) times.push(t);
      k++;
    }
  }
  return times;
}

/** The time of the check after `elapsedMs` (ms after the run's start) under `plan`. */
export function nextLearnedCheckMs(plan: LearnedPlan, elapsedMs: number): number {
  const planned = plannedCheckTimes(plan).find((t) => t >= elapsedMs + MIN_GAP_MS);
  if (planned !== undefined) return planned;
  return elapsedMs + tailDelayMs(plan, elapsedMs);
}

function tailDelayMs(plan: Pick<LearnedPlan, 'tailRatio' | 'maxTailIntervalMs'>, elapsedMs: number): number {
  return Math.min(plan.maxTailIntervalMs, Math.max(MIN_GAP_MS, plan.tailRatio * elapsedMs));
}

/** Every check of `plan`, tail included, up to `horizonMs` after the run's start. */
export function learnedCheckTimes(plan: LearnedPlan, horizonMs: number): number[] {
  const times = plannedCheckTimes(plan);
  let t = times[times.length - 1] ?? plan.tailStartMs;
  if (times.length === 0) times.push(t);
  while (t < horizonMs && times.length < 100_000) {
    t += tailDelayMs(plan, t);
    times.push(t);
  }
  return times;
}

/** The geometric default's checks (jitter at its mean) up to `horizonMs`: the first at once. */
export function geometricCheckTimes(policy: WaitPolicy, horizonMs: number): number[] {
  const times = [0];
  let t = 0;
  for (let attempt = 1; t < horizonMs && attempt < 100_000; attempt++) {
    t += nextCheckDelayMs(policy, 'processing', attempt, () => 0.5);
    times.push(t);
  }
  return times;
}

/**
 * The cumulative check density N(x) = ∫ √(f / (S w)) over a log grid up to `endMs`, as
 * `[x, N(x)]` pairs; checks sit where N crosses multiples of the plan's step.
 */
function densityGrid(model: Lognormal, endMs: number, relative: boolean): [number, number][] {
  const start = Math.min(model.quantile(1e-4), endMs / 2);
  const du = Math.log(endMs / start) / GRID_POINTS;
  const density = (x: number): number => {
    const going = Math.max(1e-12, 1 - model.cdf(x));
    return Math.sqrt(model.pdf(x) / (going * (relative ? x : 1))) * x; // × x: du = dx / x
  };
  const grid: [number, number][] = [[start, 0]];
  let n = 0;
  let prev = density(start);
  for (let j = 1; j <= GRID_POINTS; j++) {
    const x = start * Math.exp(j * du);
    const d = density(x);
    n += ((prev + d) / 2) * du;
    grid.push([x, n]);
    prev = d;
  }
  return grid;
}

/**
 * The plan for a wait under `policy` given the app's estimate (null: no usable history): a learned
 * plan meeting the lag target with the fewest calls, never costlier than the geometric default,
 * or the geometric default with the reason.
 */
export function planChecks(estimate: DurationEstimate | null, policy: WaitPolicy): CheckPlan {
  if (policy.plan === 'fixed') return { kind: 'fixed' };
  if (policy.plan === 'geometric') return { kind: 'geometric', reason: 'asked for' };
  if (estimate === null || estimate.runs < MIN_LEARNED_RUNS) {
    const runs = estimate?.runs ?? 0;
    return {
      kind: 'geometric',
      reason: `${runs} finished run(s) in ${policy.historyDays} days, fewer than ${MIN_LEARNED_RUNS}`,
    };
  }
  const model = new Lognormal(estimate);
  const relative = policy.lagTargetSeconds === undefined;
  const target = relative ? policy.lagTargetRatio : (policy.lagTargetSeconds ?? 0) * 1000;
  const maxTailIntervalMs = policy.maxIntervalSeconds * 1000;
  const horizon = model.quantile(1 - 1e-6);
  const base = {
    kind: 'learned' as const,
    estimate,
    relative,
    hook: policy.hook,
    maxTailIntervalMs,
    expectedCalls: 0,
    expectedLagShare: 0,
  };
  const costOf = (plan: LearnedPlan): ScheduleCost => scheduleCost(learnedCheckTimes(plan, horizon), model);
  const done = (plan: LearnedPlan): LearnedPlan => {
    const cost = costOf(plan);
    return { ...plan, expectedCalls: cost.calls, expectedLagShare: cost.lagShare };
  };
  if (policy.hook) {
    // The hook tells when the run finishes; polling only catches a lost notification, which a
    // tail capped at the lag target of a typical run notices that late at most: a day-long app's
    // overrun costs a check every 72 min (at 5%), not every 10.
    const safety = Math.max(estimate.maxMs, model.quantile(0.995)) * 1.05;
    const lostNoticeMs = relative ? target * estimate.medianMs : target;
    return done({
      ...base,
      step: 1,
      tailStartMs: safety,
      tailRatio: 0.25,
      maxTailIntervalMs: Math.max(maxTailIntervalMs, lostNoticeMs),
    });
  }
  const tailStartMs = Math.max(estimate.maxMs, model.quantile(0.999));
  const lagOf = (cost: ScheduleCost): number => (relative ? cost.lagShare : cost.lagMs);
  const geometric = scheduleCost(geometricCheckTimes(policy, horizon), model);
  const goal = estimate.sigma >= WIDE_SIGMA ? Math.min(target, lagOf(geometric)) : target;
  const tailRatio = Math.min(0.5, 2 * (relative ? goal : goal / estimate.medianMs));
  const total = densityGrid(model, tailStartMs, relative).at(-1)![1];
  const planOf = (step: number): LearnedPlan => ({ ...base, step, tailStartMs, tailRatio });
  const minStep = total / MAX_PLANNED_CHECKS;
  // The sparsest plan that meets the goal (lag grows with the step).
  let step = largestStep(minStep, total, (s) => lagOf(costOf(planOf(s))) <= goal);
  // Within the geometric default's calls (the lookup counted) also for a true median one standard
  // error (sigma / sqrt(runs)) either side of the fitted one: held to them at the fit alone, a plan
  // would be costlier than the default for about half the histories its budget binds.
  const error = estimate.sigma / Math.sqrt(estimate.runs);
  const near = [-1, 0, 1].map(
    (k) => new Lognormal({ medianMs: estimate.medianMs * Math.exp(k * error), sigma: estimate.sigma }),
  );
  const nearHorizon = near[2]!.quantile(1 - 1e-6);
  const budgets = near.map(
    (m) => scheduleCost(geometricCheckTimes(policy, nearHorizon), m).calls - LOOKUP_CALLS,
  );
  const withinBudget = (s: number): boolean =>
    near.every((m, i) => scheduleCost(learnedCheckTimes(planOf(s), nearHorizon), m).calls <= budgets[i]!);
  if (!withinBudget(step)) {
    step = Math.max(step, smallestStep(minStep, total, withinBudget));
    if (lagOf(costOf(planOf(step))) > lagOf(geometric)) {
      return {
        kind: 'geometric',
        reason: `past durations spread too widely (sigma ${estimate.sigma.toFixed(2)}) to beat it`,
      };
    }
  }
  return done(planOf(step));
}

/** The largest step in [lo, hi] for which `ok` holds (it holds for small steps). */
function largestStep(lo: number, hi: number, ok: (step: number) => boolean): number {
  if (ok(hi)) return hi;
  if (!ok(lo)) return lo;
  return edgeStep(lo, hi, ok);
}

/** The smallest step in [lo, hi] for which `ok` holds (it holds for large steps). */
function smallestStep(lo: number, hi: number, ok: (step: number) => boolean): number {
  if (ok(lo)) return lo;
  if (!ok(hi)) return hi;
  return edgeStep(hi, lo, ok);
}

/**
 * The step where `ok` stops holding, between `holds` (where it does) and `fails` (where it does
 * not), either way round, by bisection in log space; returns the side where it holds.
 */
function edgeStep(holds: number, fails: number, ok: (step: number) => boolean): number {
  for (let i = 0; i < 40; i++) {
    const mid = Math.sqrt(holds * fails);
    if (ok(mid)) holds = mid;
    else fails = mid;
  }
  return holds;
}

/** One line for `progress` and `hubrun status`: which plan is in use and why. */
export function describePlan(plan: CheckPlan): string {
  if (plan.kind === 'fixed') return 'fixed';
  if (plan.kind === 'geometric') return `geometric (${plan.reason})`;
  const e = plan.estimate;
  const median =
    e.medianMs >= 60_000 ? `${(e.medianMs / 60_000).toFixed(1)} min` : `${(e.medianMs / 1000).toFixed(1)} s`;
  return (
    `learned from ${e.runs} run(s)${e.outliers > 0 ? ` (${e.outliers} outlier(s) left out)` : ''}: ` +
    `median ${median}, sigma ${e.sigma.toFixed(2)}; ` +
    (plan.hook
      ? `hook expected, safety check at ${(plan.tailStartMs / 1000).toFixed(0)} s`
      : `expects ${plan.expectedCalls.toFixed(1)} checks, lag ${(plan.expectedLagShare * 100).toFixed(1)}%`)
  );
}

/**
 * Milliseconds until the next status check under the wait's plan: the geometric backoff of
 * `nextCheckDelayMs` (also for review, and without a plan), every `initialIntervalSeconds` for a fixed plan, or the
 * next planned check of a learned plan, `elapsedMs` after the run's start; jittered alike.
 */
export function plannedDelayMs(
  policy: WaitPolicy,
  stage: WaitStage,
  attempt: number,
  plan: CheckPlan | undefined,
  elapsedMs: number,
  random: () => number = Math.random,
): number {
  if (stage === 'review' || plan === undefined || plan.kind === 'geometric') {
    return nextCheckDelayMs(policy, stage, attempt, random);
  }
  const base =
    plan.kind === 'fixed'
      ? policy.initialIntervalSeconds * 1000
      : nextLearnedCheckMs(plan, Math.max(0, elapsedMs)) - Math.max(0, elapsedMs);
  const spread = 1 + policy.jitter * (2 * random() - 1);
  return Math.max(1, Math.round(base * spread));
}
