/**
 * Section 2b, learned waits on a workload users have: apps whose durations are lognormal with
 * medians of 1 min to 24 h and spreads (coefficient of variation) of 10%, 30% and 60%, each with
 * 20 past runs. Side by side, for the same runs: fixed 5 s polling (the AI Hub SDK's example),
 * hubrun's geometric default, hubrun learned (the real planner, src/activities/check-plan.ts, fed
 * each run's own 20-run history), hubrun learned with the run-finished hook, and the physical
 * limit (one status call at the finish, zero lag). The history lookup counts as one call.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchContext } from './context';
import {
  HISTORIES,
  HOOK_LATENCY_MS,
  modelCells,
  modelChecks,
  PAST_RUNS,
  RUNS_PER_HISTORY,
  SPREADS,
} from './learned-waits-model';
import type { Cell } from './learned-waits-model';
import { realHookWaits, realLearnedWaits } from './learned-waits-real';
import type { RealWait } from './learned-waits-real';
import { writeLinePlot } from './plots';
import { atMost, duration, fmt } from './report';
import type { Check, SectionResult } from './report';
import { mean, percentile, seededRandom } from './stats';

/** Real learned pipelines per cell (time-skipping server), and real hooked ones (dev server, real time). */
const REAL_PER_CELL = 3;
const REAL_HOOKED = 8;
/** Medians of the real learned pipelines: real time passes, so seconds (the plan scales with the duration). */
const REAL_MEDIANS_MS = [10e3, 30e3];
/** Median of the hooked apps' runs: real time passes, so seconds. */
const HOOK_REAL_MEDIAN_MS = 4000;

function pct(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/** Calls and lag against duration, one line per side and a panel per spread, next to the report. */
async function writePlots(ctx: BenchContext, cells: readonly Cell[]): Promise<string[]> {
  const dir = ctx.quick ? join(ctx.workDir, 'plots') : join(__dirname, 'plots');
  await mkdir(dir, { recursive: true });
  const points = (y: (c: Cell) => number) =>
    cells.map((c) => ({ x: c.medianMs / 60_000, y: y(c), line: c.side, panel: `spread ${c.cv * 100}%` }));
  const x = 'median run duration (min, log)';
  await writeLinePlot(
    join(dir, 'learned-calls.svg'),
    points((c) => c.calls),
    {
      x,
      y: 'status calls per run (log)',
      title: 'Status calls per run, lookup included',
      logY: true,
    },
  );
  await writeLinePlot(
    join(dir, 'learned-lag.svg'),
    points((c) => Math.max(0.001, 100 * c.lagShare)),
    { x, y: 'mean lag, % of the duration (log)', title: 'Mean lag as a share of the duration', logY: true },
  );
  return [
    '![Status calls per run against duration](plots/learned-calls.svg)',
    '![Mean lag against duration](plots/learned-lag.svg)',
  ];
}

function meanOf(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : mean([...xs]);
}

/** Runs section 2b. */
export async function runLearnedWaits(ctx: BenchContext): Promise<SectionResult> {
  const random = seededRandom(7);
  const cells = modelCells(random);
  ctx.log(`learned: ${cells.length} cells modelled`);
  const realRandom = seededRandom(11);
  const real: RealWait[] = [
    ...(await realLearnedWaits(
      ctx,
      ctx.quick ? [10e3] : REAL_MEDIANS_MS,
      SPREADS,
      ctx.quick ? 1 : REAL_PER_CELL,
      PAST_RUNS,
      realRandom,
    )),
    ...(await realHookWaits(
      ctx,
      HOOK_REAL_MEDIAN_MS,
      0.1,
      ctx.quick ? 2 : REAL_HOOKED,
      PAST_RUNS,
      realRandom,
    )),
  ];
  ctx.log(`learned: ${real.length} real pipelines measured`);
  const plots = await writePlots(ctx, cells);
  const realGroups = new Map<string, RealWait[]>();
  for (const r of real) {
    const key = `${r.side}|${r.medianMs}|${r.side === 'learned' ? r.cv : ''}`;
    realGroups.set(key, [...(realGroups.get(key) ?? []), r]);
  }
  const hooked = real.filter((r) => r.side === 'learned + hook');
  const hookLags = hooked.map((r) => r.lagMs);
  const checks: Check[] = [
    ...modelChecks(cells),
    atMost(
      'learned + hook, real (dev server, hook endpoint): p99 lag',
      percentile(hookLags, 99) / 1000,
      's',
      2,
      `${hooked.length} pipelines`,
    ),
    atMost(
      'learned + hook, real: most status calls besides the lookup',
      Math.max(...hooked.map((r) => r.calls - 1)),
      '',
      2,
    ),
    atMost(
      'real pipelines: most history events, every plan',
      Math.max(...real.map((r) => r.events)),
      'events',
      40,
      [...new Set(real.map((r) => r.side))].join(', '),
    ),
  ];
  return {
    id: 'learned',
    title: '2b. Learned waits: planned from each app’s own run history, and the run-finished hook',
    method:
      `Model, per cell (median × spread): ${HISTORIES} histories of ${PAST_RUNS} past runs drawn from the app's lognormal, each fed to the real ` +
      `lookup fit and planner (fitDurations, planChecks with the default WaitPolicy: lag target 5%), and ${RUNS_PER_HISTORY} runs waited for ` +
      `under each plan: ${(HISTORIES * RUNS_PER_HISTORY).toLocaleString('en-US')} runs per cell and side. Planned checks at their jitter-free times; ` +
      `the geometric default with its jitter (nextCheckDelayMs); the lookup counts as 1 call for the learned sides. The hook side: AI Hub's ` +
      `notification arrives at the finish and the hook's one check sees it ${HOOK_LATENCY_MS} ms later (POST, visibility lookup, signal, ` +
      `local-activity check: modelled, the workflow test test/workflow/run-finished-hook.test.ts shows the path end to end); safety-net ` +
      `checks before that are counted. Validation: real pipelines on a Temporal dev server in real time against the emulator, each app ` +
      `seeded with its own ${PAST_RUNS} past runs (EmulatorAdmin.seedHistory) and its runs drawn from the same lognormal (the app's ` +
      `durations); medians of ${REAL_MEDIANS_MS.map((m) => duration(m)).join(' and ')}, since real time passes and the plan scales with the ` +
      `duration down to its 1 s gap; calls and lag from the emulator's call log, the model's for the same history and duration beside ` +
      `them; one geometric and one fixed pipeline per median for the history count. The hook side for real: ${REAL_HOOKED} pipelines ` +
      `with wait.hook whose app posts AI Hub's run notification to a hubrun hook endpoint (startHookServer) as the run finishes; ` +
      `lag = the hook's status check − the finish.`,
    tables: [
      {
        title: 'Status calls per run (lookup included) and lag, per app and side',
        headers: [
          'median',
          'spread',
          'side',
          'calls',
          'mean lag',
          'p95 lag',
          'lag / duration',
          'learned plans',
        ],
        rows: cells.map((c) => [
          duration(c.medianMs),
          `${c.cv * 100}%`,
          c.side,
          fmt(c.calls, 1),
          duration(c.meanLagMs),
          duration(c.p95LagMs),
          pct(c.lagShare),
          c.side.startsWith('learned') ? `${c.learnedPlans}/${HISTORIES}` : '',
        ]),
      },
      {
        title:
          'Validation: real pipelines (mean per pipeline) against the model for the same histories and durations',
        headers: [
          'side',
          'median',
          'spread',
          'pipelines',
          'calls real / model',
          'mean lag real / model',
          'lag / duration real',
          'max history events',
          'plan (first)',
        ],
        rows: [...realGroups.values()].map((g) => [
          g[0]!.side,
          duration(g[0]!.medianMs),
          g[0]!.side === 'learned' ? `${g[0]!.cv * 100}%` : '',
          String(g.length),
          `${fmt(meanOf(g.map((r) => r.calls)), 1)} / ${fmt(meanOf(g.map((r) => r.modelCalls)), 1)}`,
          `${duration(meanOf(g.map((r) => r.lagMs)))} / ${duration(meanOf(g.map((r) => r.modelLagMs)))}`,
          pct(meanOf(g.map((r) => r.lagMs / r.durationMs))),
          String(Math.max(...g.map((r) => r.events))),
          g[0]!.plan.replace(/\|/g, '/').slice(0, 60),
        ]),
      },
    ],
    checks,
    notes: [
      'Why spreads of 30% miss 4 calls at 5% lag: a check at most ~10% of the duration after the finish (mean lag 5%) leaves the run ' +
        'to be found among intervals 10% wide, and with a spread of 30% the likely finishes cover about ±2σ ≈ ±60% of the median: ' +
        'the checks before the finish alone number about five, whatever the plan. The planner reaches the 5% target with the fewest ' +
        'calls it can (spacing ∝ √(S/f)); at 10% spread it needs about 2.3 checks plus the lookup.',
      'Spread 60%: a plan whose fitted sigma is 0.4 or more also meets the geometric default’s lag where that is lower than the ' +
        'target (runs of hours, where the default’s 10-minute cap gives under 2%), and the lookup counts against the default’s calls, ' +
        'which a plan keeps within also for a median one standard error (sigma / √runs) either side of the fitted one (at 1 min ' +
        'the budget binds: held at the fit alone, plans cost 1.02× the default’s calls, now 0.97×). ' +
        'The worst cell left is 24 h on lag: about 1 history in 20 of 20 runs at a 60% spread fits a sigma under 0.4 and plans for ' +
        '5% (it sees 8 to 9% under the true spread), which alone costs about 0.36% of the cell’s mean lag, nearly all of the ' +
        'default’s 0.4%; the wide fits see 0.55 to 0.66% (their 400 planned checks do not reach the default’s uniform 10 minutes). ' +
        'A 20-run fit cannot tell these apps from 30%-spread ones that fit wide (at 24 h and 30%, 11% of fits land in [0.35, 0.4) ' +
        'and 1.5% above 0.4, at about 100 calls each): a goal easing from the target at sigma 0.3 to 0.7 × the default’s lag at ' +
        '0.4 (and up to 2,000 planned checks) passes this cell (0.91×) but lifts spreads ≤ 30% from 5.27 to 6.33 calls (24 h, 30%: ' +
        '7.1 to 14.9), and 24 h at 60% to 0.97× the default’s calls; so the rule stays a step at sigma 0.4. Calls stay about half the default’s.',
      'Hook, model: the worst cells (24 h, spread 60%) count safety-net checks before the finish for the runs that outlast every ' +
        'past one (the safety check sits at 1.05 × max(the longest past run, the fit’s 99.5% quantile)); past it a hooked plan’s tail ' +
        'is capped at the lag target of a typical run (5% of the median, 72 min at 24 h) instead of maxIntervalSeconds, since polling ' +
        'only catches a lost notification; the real hooked pipelines made 1 check each besides the lookup. ' +
        'Real hook lag includes the emulator noticing the finish (it samples every 100 ms), the hook’s visibility lookup, the signal ' +
        'and the local-activity check.',
      'Real learned pipelines run seconds, not hours: their lag share is larger than the model’s where a run of 10 s meets the ' +
        '1 s gap between checks and the per-check overhead (activity dispatch, HTTP) of a few hundred ms; calls are within 0.3 of the model’s for the same history and duration.',
      'Geometric default (no history): its calls and lag here are the unknown-duration bound of section 2, not a failure.',
      ...plots,
    ],
    data: { cells, hookLatencyMs: HOOK_LATENCY_MS, real },
  };
}
