/**
 * Section 2b's validation on real pipelines, on a Temporal dev server in real time against the
 * emulator: learned waits (and, for the history count, geometric and fixed ones), and the
 * run-finished hook, where the emulator posts its notification to a `hubrun hook` endpoint as a
 * run finishes.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { geometricCheckTimes, learnedCheckTimes, planChecks } from '../src/activities/check-plan';
import { fitDurations, Lognormal } from '../src/activities/duration-model';
import { startPipeline } from '../src/client';
import { EMULATOR_DEFAULT_TOKEN, EmulatorAdmin, startEmulator } from '../src/emulator';
import type { Emulator } from '../src/emulator';
import { HOOK_PATH, HOOK_SECRET_HEADER, startHookServer } from '../src/hook';
import { WaitPolicy } from '../src/pipeline-input';
import { createHubrunWorker } from '../src/worker';
import type { BenchContext } from './context';
import { seedBatch } from './context';
import { lognormalDraw, waitOn } from './learned-waits-model';
import { startDevServer } from './stack/dev-server';
import type { DevServer } from './stack/dev-server';

/** One real pipeline against what the model predicts for the same history and duration. */
export interface RealWait {
  side: 'learned' | 'learned + hook' | 'geometric' | 'fixed 5 s';
  medianMs: number;
  cv: number;
  durationMs: number;
  plan: string;
  /** Status calls plus history lookups. */
  calls: number;
  lagMs: number;
  modelCalls: number;
  modelLagMs: number;
  events: number;
}

interface Planned {
  side: RealWait['side'];
  medianMs: number;
  cv: number;
  appId: string;
  past: number[];
  wait: Record<string, unknown>;
}

async function measure(
  client: Client,
  emulator: Emulator,
  taskQueue: string,
  planned: Planned[],
  timeoutMs: number,
): Promise<RealWait[]> {
  const admin = new EmulatorAdmin(emulator.adminUrl);
  const batchId = await seedBatch(emulator);
  const started = await Promise.all(
    planned.map(async (p) => ({
      p,
      handle: await startPipeline(
        client,
        { appId: p.appId, batchId, workflowId: `bench-learned-${p.appId}`, wait: p.wait },
        { taskQueue },
      ),
    })),
  );
  const results = await Promise.race([
    Promise.all(started.map(async (s) => ({ ...s, result: await s.handle.result() }))),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`pipelines not done in ${timeoutMs} ms`)), timeoutMs).unref(),
    ),
  ]);
  const runs = await admin.runs();
  const log = (await admin.calls()).log;
  const out: RealWait[] = [];
  for (const { p, handle, result } of results) {
    const run = runs.find((r) => r.id === result.runId);
    if (!run || run.processingEndsAtMs === null) throw new Error(`no finished run for ${p.appId}`);
    const durationMs = run.processingEndsAtMs - run.startMs;
    const checks = log.filter((c) => c.endpoint === 'getRun' && c.path.includes(run.id));
    const lookups = log.filter((c) => c.endpoint === 'listRuns' && c.path.includes(p.appId)).length;
    const progress = await handle.query<{ plan?: string | null }>('progress').catch(() => ({ plan: null }));
    const policy = WaitPolicy.parse(p.wait);
    const plan = planChecks(p.past.length > 0 ? fitDurations(p.past) : null, policy);
    const horizon = durationMs * 4 + 60_000;
    let model: { calls: number; lagMs: number };
    if (p.side === 'fixed 5 s') {
      model = {
        calls: Math.ceil(durationMs / 5000) + 1,
        lagMs: Math.ceil(durationMs / 5000) * 5000 - durationMs,
      };
    } else if (p.side === 'learned + hook') {
      model = { calls: 1 + lookups, lagMs: 0 };
    } else {
      const times =
        plan.kind === 'learned' ? learnedCheckTimes(plan, horizon) : geometricCheckTimes(policy, horizon);
      const w = waitOn(times, durationMs);
      model = { calls: w.calls + lookups, lagMs: w.lagMs };
    }
    out.push({
      side: p.side,
      medianMs: p.medianMs,
      cv: p.cv,
      durationMs,
      plan: progress.plan ?? '',
      calls: checks.length + lookups,
      lagMs: (checks.at(-1)?.at ?? Number.NaN) - run.processingEndsAtMs,
      modelCalls: model.calls,
      modelLagMs: model.lagMs,
      events: (await handle.fetchHistory()).events?.length ?? 0,
    });
  }
  return out;
}

async function putApps(
  emulator: Emulator,
  planned: Planned[],
  webhook?: { url: string; secret: string },
): Promise<void> {
  const admin = new EmulatorAdmin(emulator.adminUrl);
  for (const p of planned) {
    await admin.putApp({
      id: p.appId,
      name: p.appId,
      fields: ['total'],
      durations: { medianMs: p.medianMs, cv: p.cv },
      ...(webhook
        ? { webhook: { url: webhook.url, headers: { [HOOK_SECRET_HEADER]: webhook.secret } } }
        : {}),
    });
    if (p.past.length > 0) await admin.seedHistory(p.appId, { durationsMs: p.past.map(Math.round) });
  }
}

async function withWorker<T>(
  ctx: BenchContext,
  connection: NativeConnection,
  emulatorUrl: string,
  fn: (taskQueue: string) => Promise<T>,
): Promise<T> {
  const taskQueue = `bench-learned-${randomUUID()}`;
  const worker = await createHubrunWorker({
    connection,
    namespace: 'default',
    taskQueue,
    aihub: {
      apiRoot: emulatorUrl,
      token: EMULATOR_DEFAULT_TOKEN,
      ibContext: undefined,
      requestTimeoutMs: 10_000,
    },
    outputDir: ctx.workDir,
    workflowBundlePath: ctx.hubrunBundle,
  });
  const running = worker.run();
  try {
    // A worker that fails ends the wait with its error instead of leaving the pipelines hanging.
    return await Promise.race([
      fn(taskQueue),
      running.then(() => Promise.reject(new Error('worker stopped'))),
    ]);
  } finally {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running.catch(() => undefined);
  }
}

/** Starts a dev server and the emulator for `fn`, and closes both once it is done. */
async function onDevServer<T>(
  ctx: BenchContext,
  fn: (server: DevServer, emulator: Emulator) => Promise<T>,
): Promise<T> {
  const server = await startDevServer(ctx.logDir);
  const emulator = await startEmulator();
  try {
    return await fn(server, emulator);
  } finally {
    await emulator.close();
    await server.close();
  }
}

/** Puts the planned pipelines' apps on the emulator, then runs them on a worker and measures them. */
async function runPlanned(
  ctx: BenchContext,
  server: DevServer,
  emulator: Emulator,
  planned: Planned[],
  what: string,
  webhook?: { url: string; secret: string },
): Promise<RealWait[]> {
  await putApps(emulator, planned, webhook);
  ctx.log(`learned: ${planned.length} ${what} on the dev server`);
  return await withWorker(ctx, server.nativeConnection, emulator.url, (taskQueue) =>
    measure(server.client, emulator, taskQueue, planned, 300_000),
  );
}

/**
 * Learned pipelines (and a geometric and a fixed one per median, for the history count) on a dev
 * server in real time: medians of seconds, since the plan scales with the duration (lag target a
 * share of it) down to its 1 s gap between checks.
 */
export async function realLearnedWaits(
  ctx: BenchContext,
  medians: readonly number[],
  spreads: readonly number[],
  perCell: number,
  pastRuns: number,
  random: () => number,
): Promise<RealWait[]> {
  return onDevServer(ctx, (server, emulator) => {
    const planned: Planned[] = [];
    for (const medianMs of medians) {
      for (const cv of spreads) {
        const truth = new Lognormal({ medianMs, sigma: Math.sqrt(Math.log(1 + cv * cv)) });
        for (let i = 0; i < perCell; i++) {
          const past = Array.from({ length: pastRuns }, () => lognormalDraw(truth, random));
          planned.push({ side: 'learned', medianMs, cv, appId: `l-${medianMs}-${cv}-${i}`, past, wait: {} });
        }
      }
      planned.push({
        side: 'geometric',
        medianMs,
        cv: 0.3,
        appId: `g-${medianMs}`,
        past: [],
        wait: { plan: 'geometric' },
      });
    }
    planned.push({
      side: 'fixed 5 s',
      medianMs: medians[0]!,
      cv: 0.3,
      appId: `f-${medians[0]!}`,
      past: [],
      wait: { plan: 'fixed', initialIntervalSeconds: 5, jitter: 0 },
    });
    return runPlanned(ctx, server, emulator, planned, 'real pipelines');
  });
}

const HOOK_SECRET = 'bench-hook-secret-0123456789abcdef';

/** Hooked pipelines on a dev server in real time: AI Hub's notification reaches `hubrun hook` as the run finishes. */
export async function realHookWaits(
  ctx: BenchContext,
  medianMs: number,
  cv: number,
  count: number,
  pastRuns: number,
  random: () => number,
): Promise<RealWait[]> {
  return onDevServer(ctx, async (server, emulator) => {
    const hook = await startHookServer({
      client: server.client,
      secret: HOOK_SECRET,
      lookup: { spacingMs: 200 },
    });
    try {
      const truth = new Lognormal({ medianMs, sigma: Math.sqrt(Math.log(1 + cv * cv)) });
      const planned: Planned[] = Array.from({ length: count }, (_, i) => ({
        side: 'learned + hook' as const,
        medianMs,
        cv,
        appId: `h-${medianMs}-${i}-${randomUUID().slice(0, 6)}`,
        past: Array.from({ length: pastRuns }, () => lognormalDraw(truth, random)),
        wait: { hook: true },
      }));
      return await runPlanned(ctx, server, emulator, planned, 'hooked pipelines', {
        url: `${hook.url}${HOOK_PATH}`,
        secret: HOOK_SECRET,
      });
    } finally {
      await hook.close();
    }
  });
}
