/**
 * Comparison 2, API load and detection lag: status calls per run and the lag between the run
 * finishing and the pipeline seeing it, hubrun's default wait policy against fixed 5 s polling.
 * Hours cannot be waited for, so the check schedules are computed from the real policy code
 * (polling-model.ts) for durations from seconds to a day; real short runs on the dev server and
 * the emulator validate the model (calls counted and lag measured in the emulator's call log).
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { startPipeline } from '../src/client';
import { EmulatorAdmin, startEmulator } from '../src/emulator';
import type { CallLogEntry } from '../src/emulator';
import type { TimerLoopInput, TimerLoopResult } from './baseline/workflows';
import type { BenchContext } from './context';
import { seedBatch, workflowRunIdOfTags } from './context';
import { fixedDelays, hubrunDelays, pollRun } from './polling-model';
import type { PollOutcome } from './polling-model';
import { atLeast, atMost, duration, fmt } from './report';
import type { Check, SectionResult } from './report';
import { startDevServer } from './stack/dev-server';
import { withSideBySideWorkers } from './stack/in-process-worker';
import { mean, percentile, seededRandom } from './stats';

/** Fixed polling interval of the comparison (the AI Hub SDK examples). */
const FIXED_INTERVAL_MS = 5000;
/** Targets: status calls at least this many times fewer, mean lag at most this share of the duration. */
const TARGET_CALL_RATIO = 10;
const TARGET_LAG_SHARE = 0.1;
/** Modelled durations. */
const MODEL_DURATIONS_MS = [10e3, 60e3, 600e3, 1800e3, 3600e3, 6 * 3600e3, 24 * 3600e3];
/** Each nominal duration D stands for runs spread evenly over [0.75 D, 1.25 D]. */
const SPREAD = 0.5;
const MODEL_SAMPLES = 4000;

interface ModelRow {
  durationMs: number;
  hubrunCalls: number;
  fixedCalls: number;
  callRatio: number;
  hubrunMeanLagMs: number;
  hubrunP95LagMs: number;
  /** Mean of lag / duration. */
  hubrunLagShare: number;
  fixedMeanLagMs: number;
  fixedLagShare: number;
}

interface Summary {
  calls: number;
  lagMs: number;
  lagShare: number;
}

function summarise(outcomes: { outcome: PollOutcome; durationMs: number }[]): Summary {
  return {
    calls: mean(outcomes.map((o) => o.outcome.calls)),
    lagMs: mean(outcomes.map((o) => o.outcome.lagMs)),
    lagShare: mean(outcomes.map((o) => o.outcome.lagMs / o.durationMs)),
  };
}

/** Mean outcome of hubrun's policy for a run of exactly `durationMs`, over its jitter. */
function hubrunExpected(durationMs: number, random: () => number, samples = 1000): Summary {
  return summarise(
    Array.from({ length: samples }, () => ({
      outcome: pollRun(durationMs, hubrunDelays(random)),
      durationMs,
    })),
  );
}

function modelRow(durationMs: number, random: () => number): ModelRow {
  const hubrun: { outcome: PollOutcome; durationMs: number }[] = [];
  const fixed: { outcome: PollOutcome; durationMs: number }[] = [];
  for (let i = 0; i < MODEL_SAMPLES; i++) {
    const d = durationMs * (1 - SPREAD / 2 + SPREAD * random());
    hubrun.push({ outcome: pollRun(d, hubrunDelays(random)), durationMs: d });
    fixed.push({ outcome: pollRun(d, fixedDelays(FIXED_INTERVAL_MS)), durationMs: d });
  }
  const h = summarise(hubrun);
  const f = summarise(fixed);
  return {
    durationMs,
    hubrunCalls: h.calls,
    fixedCalls: f.calls,
    callRatio: f.calls / h.calls,
    hubrunMeanLagMs: h.lagMs,
    hubrunP95LagMs: percentile(
      hubrun.map((o) => o.outcome.lagMs),
      95,
    ),
    hubrunLagShare: h.lagShare,
    fixedMeanLagMs: f.lagMs,
    fixedLagShare: f.lagShare,
  };
}

/**
 * The shortest run for which ANY policy with geometric spacing (the shape that keeps the relative
 * lag constant) can meet both targets: a mean lag of 10% needs each delay at most 20% of the time
 * waited (ratio 1.2 from the first 5 s), so about 1 + ln(D / 5 s) / ln 1.2 checks, while 10× fewer
 * than 5 s polling allows D / 50 s.
 */
function shortestFeasibleMs(): number {
  const ratio = 1 + 2 * TARGET_LAG_SHARE;
  for (let d = FIXED_INTERVAL_MS; d < 86_400_000; d += 1000) {
    const needed = 1 + Math.log(d / FIXED_INTERVAL_MS) / Math.log(ratio);
    const allowed = (d / FIXED_INTERVAL_MS + 1) / TARGET_CALL_RATIO;
    if (allowed >= needed) return d;
  }
  return Number.NaN;
}

interface RealRun {
  side: 'hubrun' | 'fixed';
  nominalMs: number;
  durationMs: number;
  calls: number;
  lagMs: number;
  modelCalls: number;
  modelLagMs: number;
}

/** Real pipelines on the dev server: each side runs the same set of run durations at once. */
async function realRuns(ctx: BenchContext): Promise<RealRun[]> {
  const nominals = ctx.quick ? [10e3, 30e3] : [10e3, 60e3, 180e3];
  const perDuration = ctx.quick ? 3 : 6;
  const server = await startDevServer(ctx.logDir);
  const emulator = await startEmulator();
  const admin = new EmulatorAdmin(emulator.adminUrl);
  try {
    const batchId = await seedBatch(emulator);
    const plan: { nominalMs: number; durationMs: number; appId: string }[] = [];
    for (const nominalMs of nominals) {
      for (let i = 0; i < perDuration; i++) {
        const durationMs = Math.round(nominalMs * (1 - SPREAD / 2 + (SPREAD * (i + 0.5)) / perDuration));
        const appId = `bench-duration-${durationMs}`;
        await admin.putApp({ id: appId, name: appId, fields: ['total'], msPerFile: durationMs });
        plan.push({ nominalMs, durationMs, appId });
      }
    }
    const longest = Math.max(...plan.map((p) => p.durationMs));
    ctx.log(
      `api: ${plan.length} runs per side, ${duration(Math.min(...plan.map((p) => p.durationMs)))} to ${duration(longest)}`,
    );
    const sideOf = new Map<string, { side: RealRun['side']; nominalMs: number }>();
    await withSideBySideWorkers(
      ctx,
      { connection: server.nativeConnection, emulatorUrl: emulator.url, section: 'api' },
      async (queues) => {
        const done = await Promise.all(
          plan.flatMap((p) => [
            startHubrun(server.client, queues.hubrun, p.appId, batchId).then(async (h) => {
              sideOf.set(h.firstExecutionRunId, { side: 'hubrun', nominalMs: p.nominalMs });
              await h.result();
            }),
            startFixed(server.client, queues.baseline, p.appId, batchId).then(async (h) => {
              sideOf.set(h.firstExecutionRunId, { side: 'fixed', nominalMs: p.nominalMs });
              await h.result();
            }),
          ]),
        );
        ctx.log(`api: ${done.length} pipelines completed`);
      },
    );

    const getRuns = new Map<string, CallLogEntry[]>();
    for (const entry of (await admin.calls()).log) {
      if (entry.endpoint !== 'getRun') continue;
      const runId = entry.path.split('?')[0]!.split('/').pop()!;
      getRuns.set(runId, [...(getRuns.get(runId) ?? []), entry]);
    }
    const random = seededRandom(2);
    return (await admin.runs()).map((run) => {
      const owner = sideOf.get(workflowRunIdOfTags(run.tags) ?? '');
      const checks = getRuns.get(run.id) ?? [];
      if (owner === undefined || run.finishMs === null || checks.length === 0) {
        throw new Error(`run ${run.id} has no pipeline, did not finish, or was never checked`);
      }
      const durationMs = run.finishMs - run.startMs;
      const lastCheck = Math.max(...checks.map((c) => c.at));
      const model =
        owner.side === 'hubrun'
          ? hubrunExpected(durationMs, random)
          : summarise([{ outcome: pollRun(durationMs, fixedDelays(FIXED_INTERVAL_MS)), durationMs }]);
      return {
        side: owner.side,
        nominalMs: owner.nominalMs,
        durationMs,
        calls: checks.length,
        lagMs: lastCheck - run.finishMs,
        modelCalls: model.calls,
        modelLagMs: model.lagMs,
      };
    });
  } finally {
    await emulator.close();
    await server.close();
  }
}

function startHubrun(client: Client, taskQueue: string, appId: string, batchId: number) {
  return startPipeline(
    client,
    { workflowId: `bench-api-hubrun-${randomUUID()}`, appId, batchId },
    { taskQueue },
  ).then((h) => h as typeof h & { firstExecutionRunId: string });
}

function startFixed(client: Client, taskQueue: string, appId: string, batchId: number) {
  return client.workflow.start<(input: TimerLoopInput) => Promise<TimerLoopResult>>('timerLoopPipeline', {
    taskQueue,
    workflowId: `bench-api-fixed-${randomUUID()}`,
    args: [{ pipeline: { appId, batchId }, pollIntervalMs: FIXED_INTERVAL_MS }],
  });
}

function pct(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/** Runs comparison 2. */
export async function runApiLoad(ctx: BenchContext): Promise<SectionResult> {
  const random = seededRandom(1);
  const model = MODEL_DURATIONS_MS.map((d) => modelRow(d, random));
  const feasibleMs = shortestFeasibleMs();
  const real = await realRuns(ctx);

  const checks: Check[] = model.flatMap((row) => [
    atLeast(
      `status calls, fixed 5 s / hubrun, ${duration(row.durationMs)} runs`,
      row.callRatio,
      '×',
      TARGET_CALL_RATIO,
    ),
    atMost(
      `hubrun mean lag / duration, ${duration(row.durationMs)} runs`,
      row.hubrunLagShare * 100,
      '%',
      TARGET_LAG_SHARE * 100,
    ),
  ]);
  const realGroups = [...new Set(real.map((r) => r.nominalMs))]
    .sort((a, b) => a - b)
    .map((nominalMs) => {
      const of = (side: RealRun['side']) => real.filter((r) => r.nominalMs === nominalMs && r.side === side);
      const stat = (runs: RealRun[], key: 'calls' | 'lagMs' | 'modelCalls' | 'modelLagMs') =>
        mean(runs.map((r) => r[key]));
      const h = of('hubrun');
      const f = of('fixed');
      return {
        nominalMs,
        runs: h.length,
        hubrun: {
          calls: stat(h, 'calls'),
          modelCalls: stat(h, 'modelCalls'),
          lagMs: stat(h, 'lagMs'),
          modelLagMs: stat(h, 'modelLagMs'),
          lagShare: mean(h.map((r) => r.lagMs / r.durationMs)),
        },
        fixed: {
          calls: stat(f, 'calls'),
          modelCalls: stat(f, 'modelCalls'),
          lagMs: stat(f, 'lagMs'),
          modelLagMs: stat(f, 'modelLagMs'),
          lagShare: mean(f.map((r) => r.lagMs / r.durationMs)),
        },
      };
    });
  const worstCallError = Math.max(
    ...realGroups.flatMap((g) => [
      Math.abs(g.hubrun.calls - g.hubrun.modelCalls) / g.hubrun.modelCalls,
      Math.abs(g.fixed.calls - g.fixed.modelCalls) / g.fixed.modelCalls,
    ]),
  );
  const meetsBoth = model.filter(
    (r) => r.callRatio >= TARGET_CALL_RATIO && r.hubrunLagShare <= TARGET_LAG_SHARE,
  );
  const missed = model.filter(
    (r) => !(r.callRatio >= TARGET_CALL_RATIO && r.hubrunLagShare <= TARGET_LAG_SHARE),
  );

  return {
    id: 'api',
    title: '2. API load and detection lag: hubrun default policy vs fixed 5 s polling',
    method:
      `Model: for each nominal duration D, ${MODEL_SAMPLES.toLocaleString('en-US')} runs with durations spread evenly over ` +
      `[0.75 D, 1.25 D] (so the lag is averaged over where the finish falls between checks), each side checking once right ` +
      `after the start and then after every delay until a check sees the run finished. hubrun's delays come from ` +
      `\`nextCheckDelayMs\` (src/activities/polling-policy.ts) with the defaults of \`WaitPolicy\` (5 s, ×1.15 per check, ` +
      `capped at 600 s, ±10% jitter; seeded random). Lag = time of the check that saw the run finished − the finish. ` +
      `Validation: real pipelines on a Temporal dev server against the emulator (clock mode: the run finishes a set time ` +
      `after its start), hubrun with its default policy and the timer-loop baseline at 5 s, all at once; status calls are ` +
      `counted in the emulator's call log (GET /v2/apps/runs/:id) and lag is the last status call's arrival − the run's finish.`,
    tables: [
      {
        title: 'Model: status calls and lag per run',
        headers: [
          'run duration',
          'hubrun calls',
          'fixed 5 s calls',
          'fewer calls',
          'hubrun mean lag',
          'hubrun p95 lag',
          'hubrun lag / duration',
          'fixed mean lag',
          'verdict (≥10×, ≤10%)',
        ],
        rows: model.map((r) => [
          duration(r.durationMs),
          fmt(r.hubrunCalls, 1),
          fmt(r.fixedCalls, 1),
          `${fmt(r.callRatio, 1)}×`,
          duration(r.hubrunMeanLagMs),
          duration(r.hubrunP95LagMs),
          pct(r.hubrunLagShare),
          duration(r.fixedMeanLagMs),
          `${r.callRatio >= TARGET_CALL_RATIO ? 'PASS' : 'FAIL'} / ${r.hubrunLagShare <= TARGET_LAG_SHARE ? 'PASS' : 'FAIL'}`,
        ]),
      },
      {
        title: 'Validation: real runs (mean per run) against the model for the same durations',
        headers: [
          'nominal duration',
          'runs per side',
          'hubrun calls real / model',
          'hubrun lag real / model',
          'hubrun lag / duration',
          'fixed calls real / model',
          'fixed lag real / model',
        ],
        rows: realGroups.map((g) => [
          duration(g.nominalMs),
          String(g.runs),
          `${fmt(g.hubrun.calls, 1)} / ${fmt(g.hubrun.modelCalls, 1)}`,
          `${duration(g.hubrun.lagMs)} / ${duration(g.hubrun.modelLagMs)}`,
          pct(g.hubrun.lagShare),
          `${fmt(g.fixed.calls, 1)} / ${fmt(g.fixed.modelCalls, 1)}`,
          `${duration(g.fixed.lagMs)} / ${duration(g.fixed.modelLagMs)}`,
        ]),
      },
    ],
    checks,
    notes: [
      `Both targets are met for runs of ${meetsBoth.map((r) => duration(r.durationMs)).join(', ') || 'no modelled duration'}; ` +
        `missed for ${missed.map((r) => duration(r.durationMs)).join(', ') || 'none'}.`,
      `Why short runs miss: 10× fewer calls than 5 s polling allows (D / 5 s + 1) / 10 calls, fewer than one for a 10 s run, about 1.3 for a minute: ` +
        `less than the one check that must see the run finished. And a mean lag within 10% needs checks no further apart than ` +
        `about 20% of the time already waited (1 + ln(D / 5 s) / ln 1.2 checks with geometric spacing). Both hold together only for runs ` +
        `longer than about ${duration(feasibleMs)}, whatever the policy; hubrun's default (×1.15, mean lag about 7%) reaches 10× near that bound. ` +
        `This is arithmetic, not something hubrun or Temporal can fix; a caller who knows a run is short can set \`wait.initialIntervalSeconds\` lower.`,
      `Lag at a day is bounded by the 600 s cap (at most 10 minutes late, under 1% of the duration) while 5 s polling spends about 17,000 calls.`,
      `Model vs real: status-call counts agree within ${(worstCallError * 100).toFixed(0)}% (means over the runs of each duration). ` +
        `Real checks drift later than the model by the per-check overhead (activity dispatch, HTTP call, reporting: a few ms per check on this machine), ` +
        `which the 5 s loop pays on every one of its many checks and hubrun on its few.`,
    ],
    data: { model, real, realGroups, feasibleMs, fixedIntervalMs: FIXED_INTERVAL_MS },
  };
}
