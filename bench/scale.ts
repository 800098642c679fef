/**
 * Comparison 3, scale: 1,000, 5,000 and 10,000 pipelines waiting at once on one `hubrun worker`
 * process and one Temporal dev server. The pipelines are started in one ramp that pauses at each
 * size for a measurement window: worker peak RSS and CPU, server CPU, and lateness of status
 * checks against their schedule.
 *
 * Every pipeline waits on a run that lasts hours (emulator clock mode) with a fixed interval and
 * no jitter, so the time each check is due is known. Lateness of a check = (its arrival at the
 * emulator − the previous check's arrival of the same run) − the interval: end to end from
 * outside the worker, it includes the server firing the retry late, dispatch, the worker picking
 * the task up and the HTTP call, and (slightly pessimistic) the previous call's answer and
 * report, from which the server counts the interval. The load pipelines check every 300 s
 * (twice the rate of the default policy's 600 s cap); a few probe pipelines checking every 10 s
 * ride on the same worker and task queue so that every window holds enough checks to measure.
 *
 * A diagnosis measures what one waiting workflow costs the worker: two probe workflows
 * (bench/scale-probes), one that only sleeps (the SDK's floor) and one that first checks its
 * input with hubrun's zod schema inside the workflow (what a local activity spares), against
 * hubrun's pipeline.
 */
import { mkdir } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { join } from 'node:path';
import { startPipeline } from '../src/client';
import { DEFAULT_MAX_CACHED_WORKFLOWS } from '../src/config';
import type { EmulatorAdmin } from '../src/emulator';
import type { CallLogEntry } from '../src/emulator';
import type { BenchContext } from './context';
import { summariseProfiles } from './profile';
import { atMost, duration, fmt, mib } from './report';
import type { Check, SectionResult, Table } from './report';
import { bundleWorkflows } from './stack/bundle';
import { startLocalStack } from './stack/local-stack';
import type { LocalStack } from './stack/local-stack';
import { cpuCores, readProc } from './stack/proc-stats';
import type { ProcReading } from './stack/proc-stats';
import { mapLimit, percentile } from './stats';

/** Interval of the load pipelines (initial = max, jitter 0). */
const LOAD_INTERVAL_S = 300;
/** Interval of the probe pipelines. */
const PROBE_INTERVAL_S = 10;
/** Starts in flight at once from the client. */
const START_CONCURRENCY = 50;
/** Targets at the largest size. */
const TARGET_RSS_MIB = 1024;
const TARGET_P99_LATENESS_MS = 2000;
/** The app of every pipeline: its runs take 6 hours, so every pipeline keeps waiting. */
const LONG_APP = 'bench-hours';
const PROBE_APP = 'bench-hours-probe';
const apps = [LONG_APP, PROBE_APP].map((id) => ({
  id,
  name: id,
  fields: ['total'],
  msPerFile: 6 * 3600 * 1000,
}));

/** Lateness distribution, ms. */
export interface Lateness {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/** Figures at one size. */
export interface ScaleStep {
  pipelines: number;
  /** Pipelines started per second on the way to this size (client call to run started in AI Hub). */
  startsPerSecond: number;
  windowMs: number;
  workerPeakRssBytes: number;
  workerRssBytes: number;
  /** Worker CPU in the window, cores (1 = one core busy). */
  workerCpu: number;
  /** Worker CPU during the ramp to this size, cores. */
  workerCpuRamp: number;
  serverRssBytes: number;
  serverCpu: number;
  serverCpuRamp: number;
  /** The benchmark process (emulator and client) in the window, cores. */
  benchCpu: number;
  checksPerSecond: number;
  /** CPU per status check in the window above the idle stack's, ms. */
  workerCpuPerCheckMs: number;
  serverCpuPerCheckMs: number;
  /** Checks due inside the window (probes and load pipelines). */
  lateness: Lateness;
  /** Checks due inside the window, probe pipelines only and load pipelines only. */
  latenessProbes?: Lateness;
  latenessLoad?: Lateness;
  /** Checks due during the ramp to this size. */
  latenessRamp: Lateness;
  runsInFlight: number;
  loadAverage: number;
}

/** What one waiting workflow costs the worker. */
export interface WorkflowCost {
  workflow: string;
  workflows: number;
  rssPerWorkflowKiB: number;
  workerCpuPerStartMs: number;
  serverCpuPerStartMs: number;
  startsPerSecond: number;
}

function lateness(values: number[]): Lateness {
  return {
    count: values.length,
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    max: values.length === 0 ? Number.NaN : values.reduce((a, b) => Math.max(a, b), -Infinity),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitRunsStarted(admin: EmulatorAdmin, total: number, timeoutMs = 60 * 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await admin.stats()).runsTotal < total) {
    if (Date.now() > deadline)
      throw new Error(`fewer than ${total} runs started within ${duration(timeoutMs)}`);
    await sleep(500);
  }
}

/** Lateness of every check whose due time is in [from, to), split by the run's interval. */
function latenessesDue(
  log: CallLogEntry[],
  intervalOf: (runId: string) => number | undefined,
  from: number,
  to: number,
): number[] {
  const byRun = new Map<string, number[]>();
  for (const entry of log) {
    if (entry.endpoint !== 'getRun') continue;
    const runId = entry.path.split('?')[0]!.split('/').pop()!;
    const list = byRun.get(runId);
    if (list) list.push(entry.at);
    else byRun.set(runId, [entry.at]);
  }
  const out: number[] = [];
  for (const [runId, arrivals] of byRun) {
    const interval = intervalOf(runId);
    if (interval === undefined) continue;
    arrivals.sort((a, b) => a - b);
    for (let i = 1; i < arrivals.length; i++) {
      const due = arrivals[i - 1]! + interval;
      if (due >= from && due < to) out.push(arrivals[i]! - due);
    }
  }
  return out;
}

function startMany(
  stack: LocalStack,
  from: number,
  to: number,
  appId: string,
  intervalS: number,
): Promise<unknown> {
  const wait = { initialIntervalSeconds: intervalS, maxIntervalSeconds: intervalS, jitter: 0 };
  return mapLimit(
    Array.from({ length: to - from }, (_, i) => from + i),
    START_CONCURRENCY,
    (i) =>
      startPipeline(
        stack.server.client,
        { workflowId: `${stack.taskQueue}-${appId}-${i}`, appId, batchId: stack.batchId, wait },
        { taskQueue: stack.taskQueue },
      ),
  );
}

/** The stepped ramp: pipelines started up to each size, then a window with no starts. */
async function rampAndMeasure(
  ctx: BenchContext,
  sizes: number[],
  windowMs: number,
  probes: number,
): Promise<{ steps: ScaleStep[]; idleRssBytes: number }> {
  const profileDir = ctx.profileDir !== undefined ? join(ctx.profileDir, 'scale') : undefined;
  if (profileDir) await mkdir(profileDir, { recursive: true });
  const stack = await startLocalStack(ctx, { bundle: ctx.hubrunBundle, name: 'scale', apps, profileDir });
  const steps: ScaleStep[] = [];
  let idleRssBytes = 0;
  try {
    const idleFrom = [readProc(stack.worker.pid)!, readProc(stack.server.pid)!];
    await sleep(5000);
    const idleTo = [readProc(stack.worker.pid)!, readProc(stack.server.pid)!];
    idleRssBytes = idleTo[0]!.rssBytes;
    const idleCpu = {
      worker: cpuCores(idleFrom[0]!, idleTo[0]!),
      server: cpuCores(idleFrom[1]!, idleTo[1]!),
    };
    const read = (): [ProcReading, ProcReading, ProcReading] => [
      readProc(stack.worker.pid)!,
      readProc(stack.server.pid)!,
      readProc(process.pid)!,
    ];
    await startMany(stack, 0, probes, PROBE_APP, PROBE_INTERVAL_S);
    await waitRunsStarted(stack.admin, probes);
    const intervals = new Map<string, number>();
    const intervalOf = (runId: string): number | undefined => intervals.get(runId);
    const onlyInterval =
      (seconds: number) =>
      (runId: string): number | undefined =>
        intervals.get(runId) === seconds * 1000 ? seconds * 1000 : undefined;
    let started = 0;
    let rampFrom = Date.now();
    for (const size of sizes) {
      ctx.log(`scale: starting pipelines ${started + 1} to ${size}`);
      const [w0, s0] = read();
      const t0 = Date.now();
      await startMany(stack, started, size, LONG_APP, LOAD_INTERVAL_S);
      await waitRunsStarted(stack.admin, size + probes);
      started = size;
      const windowFrom = Date.now();
      const [w1, s1, b1] = read();
      const checksBefore = (await stack.admin.calls()).counts.getRun;
      ctx.log(
        `scale: ${size} waiting (${fmt((size - (steps.at(-1)?.pipelines ?? 0)) / ((windowFrom - t0) / 1000), 1)} starts/s); window of ${duration(windowMs)}`,
      );
      await sleep(windowMs);
      const windowTo = Date.now();
      const [w2, s2, b2] = read();
      const calls = await stack.admin.calls();
      await stack.admin.resetCalls();
      const runs = await stack.admin.runs();
      for (const run of runs)
        intervals.set(run.id, (run.appId === PROBE_APP ? PROBE_INTERVAL_S : LOAD_INTERVAL_S) * 1000);
      const checks = calls.counts.getRun - checksBefore;
      const windowS = (windowTo - windowFrom) / 1000;
      steps.push({
        pipelines: size,
        startsPerSecond: (size - (steps.at(-1)?.pipelines ?? 0)) / ((windowFrom - t0) / 1000),
        windowMs: windowTo - windowFrom,
        workerPeakRssBytes: w2.peakRssBytes,
        workerRssBytes: w2.rssBytes,
        workerCpu: cpuCores(w1, w2),
        workerCpuRamp: cpuCores(w0, w1),
        serverRssBytes: s2.rssBytes,
        serverCpu: cpuCores(s1, s2),
        serverCpuRamp: cpuCores(s0, s1),
        benchCpu: cpuCores(b1, b2),
        checksPerSecond: checks / windowS,
        workerCpuPerCheckMs:
          ((cpuCores(w1, w2) - idleCpu.worker) * (windowTo - windowFrom)) / Math.max(1, checks),
        serverCpuPerCheckMs:
          ((cpuCores(s1, s2) - idleCpu.server) * (windowTo - windowFrom)) / Math.max(1, checks),
        lateness: lateness(latenessesDue(calls.log, intervalOf, windowFrom, windowTo)),
        latenessProbes: lateness(
          latenessesDue(calls.log, onlyInterval(PROBE_INTERVAL_S), windowFrom, windowTo),
        ),
        latenessLoad: lateness(latenessesDue(calls.log, onlyInterval(LOAD_INTERVAL_S), windowFrom, windowTo)),
        latenessRamp: lateness(latenessesDue(calls.log, intervalOf, rampFrom, windowFrom)),
        runsInFlight: runs.filter((r) => r.status === 'RUNNING').length,
        loadAverage: loadavg()[0]!,
      });
      rampFrom = windowTo;
      const s = steps.at(-1)!;
      ctx.log(
        `scale ${size}: worker peak ${mib(s.workerPeakRssBytes)}, CPU ${fmt(s.workerCpu * 100)}%, ` +
          `${fmt(s.checksPerSecond, 1)} checks/s, lateness p50 ${duration(s.lateness.p50)} p99 ${duration(s.lateness.p99)} (${s.lateness.count} checks)`,
      );
    }
  } finally {
    await stack.close();
  }
  return { steps, idleRssBytes };
}

/** Starts `count` workflows of `bundle` and measures what each costs the worker and the server. */
async function workflowCost(
  ctx: BenchContext,
  name: string,
  bundle: string,
  count: number,
): Promise<WorkflowCost> {
  const stack = await startLocalStack(ctx, { bundle, name: 'cost', apps });
  try {
    await sleep(2000);
    const w0 = readProc(stack.worker.pid)!;
    const s0 = readProc(stack.server.pid)!;
    const t0 = Date.now();
    const handles = (await startMany(stack, 0, count, LONG_APP, LOAD_INTERVAL_S)) as {
      describe(): Promise<{ historyLength: number }>;
    }[];
    // The last workflow's first task is done: the worker has created every workflow.
    while ((await handles[count - 1]!.describe()).historyLength < 4) await sleep(250);
    const rampMs = Date.now() - t0;
    await sleep(3000);
    const w1 = readProc(stack.worker.pid)!;
    const s1 = readProc(stack.server.pid)!;
    return {
      workflow: name,
      workflows: count,
      rssPerWorkflowKiB: (w1.rssBytes - w0.rssBytes) / count / 1024,
      workerCpuPerStartMs: (w1.cpuMs - w0.cpuMs) / count,
      serverCpuPerStartMs: (s1.cpuMs - s0.cpuMs) / count,
      startsPerSecond: count / (rampMs / 1000),
    };
  } finally {
    await stack.close();
  }
}

/** The diagnosis rows: the SDK's floor, input checked with zod inside the workflow, and hubrun's pipeline. */
interface WorkflowCosts {
  floor: WorkflowCost;
  inWorkflowZod: WorkflowCost;
  hubrun: WorkflowCost;
}

/** Measures each diagnosis row on a fresh stack, the probes from bench/scale-probes. */
async function measureWorkflowCosts(ctx: BenchContext): Promise<WorkflowCosts> {
  const count = ctx.quick ? 200 : 300;
  const measure = async (name: string, bundle: string): Promise<WorkflowCost> => {
    ctx.log(`scale: cost of one workflow, ${name}`);
    return workflowCost(ctx, name, bundle, count);
  };
  const probe = (file: string): Promise<string> =>
    bundleWorkflows(require.resolve(`./scale-probes/${file}`), ctx.workDir, file);
  return {
    floor: await measure('sleep only (SDK floor)', await probe('sleep-only')),
    inWorkflowZod: await measure(
      'check input with zod inside the workflow, then sleep',
      await probe('validate-then-sleep'),
    ),
    hubrun: await measure(
      'hubrun pipeline: input checked in a local activity, run started, waiting',
      ctx.hubrunBundle,
    ),
  };
}

/** The SDK's default `maxCachedWorkflows` for this machine's default V8 heap (reusable context). */
function defaultWorkflowCache(): number {
  const heapMiB = getHeapStatistics().heap_size_limit / 1024 ** 2;
  return Math.max(Math.floor((Math.max(heapMiB - 200, 0) * 600) / 1024), 10);
}

/** What limits check lateness at the largest size, from its figures. */
export function latenessNote(largest: ScaleStep): string {
  return (
    `Check lateness at ${largest.pipelines.toLocaleString('en-US')}: p50 ${duration(largest.lateness.p50)}, p99 ${duration(largest.lateness.p99)} ` +
    `over ${largest.lateness.count.toLocaleString('en-US')} checks at ${fmt(largest.checksPerSecond, 1)} checks/s` +
    (largest.latenessProbes && largest.latenessLoad
      ? ` (probe pipelines p99 ${duration(largest.latenessProbes.p99)}, load pipelines p99 ${duration(largest.latenessLoad.p99)})`
      : '') +
    `. One check costs the worker ` +
    `about ${fmt(largest.workerCpuPerCheckMs, 1)} ms and the dev server ${fmt(largest.serverCpuPerCheckMs, 1)} ms of CPU above idle ` +
    `(activity task, HTTP call, failure with \`nextRetryDelay\`, retry timer), so the stack itself would serve about ` +
    `${fmt(2000 / Math.max(1, largest.workerCpuPerCheckMs + largest.serverCpuPerCheckMs))} checks/s on 2 idle cores ` +
    `(${fmt((2000 / Math.max(1, largest.workerCpuPerCheckMs + largest.serverCpuPerCheckMs)) * 600)} pipelines at the default 600 s cap).` +
    (largest.lateness.p99 > TARGET_P99_LATENESS_MS
      ? ` The target is missed by ${duration(largest.lateness.p99 - TARGET_P99_LATENESS_MS)}, most likely because checks waited for CPU: during the window ` +
        `the machine's load average was ${fmt(largest.loadAverage, 1)} on 2 cores (other jobs share it), while the worker (${fmt(largest.workerCpu * 100)}%), ` +
        `the server (${fmt(largest.serverCpu * 100)}%) and the emulator with the client (${fmt(largest.benchCpu * 100)}%) needed about ` +
        `${fmt(largest.workerCpu + largest.serverCpu + largest.benchCpu, 2)} cores. The emulator's share grows with the runs it holds (its ` +
        `100 ms tick evaluates every run: src/emulator/run-engine.ts \`sample()\`), a cost of the test harness, not of hubrun or Temporal. ` +
        `A \`--profile\` run shows where the worker's own time goes.`
      : ` Lateness while pipelines were being started (last column) is higher: starts and checks share the same CPU.`)
  );
}

/** Findings, computed from the figures: what limits each result and whose it is to fix. */
function scaleNotes(steps: ScaleStep[], costs: WorkflowCosts, idleRssBytes: number): string[] {
  const largest = steps.at(-1)!;
  const { floor, inWorkflowZod, hubrun } = costs;
  const cache = defaultWorkflowCache();
  const peakMiB = largest.workerPeakRssBytes / 1024 ** 2;
  const cachedMiB =
    (Math.min(DEFAULT_MAX_CACHED_WORKFLOWS, largest.pipelines) * hubrun.rssPerWorkflowKiB) / 1024;
  const expectedMiB = idleRssBytes / 1024 ** 2 + cachedMiB;
  return [
    `Worker memory: ${peakMiB <= TARGET_RSS_MIB ? 'within the' : `${fmt(peakMiB - TARGET_RSS_MIB)} MiB over (${fmt(peakMiB / TARGET_RSS_MIB, 1)}×) the`} ` +
      `${TARGET_RSS_MIB} MiB target at ${largest.pipelines.toLocaleString('en-US')}. The worker keeps at most \`maxCachedWorkflows\` ` +
      `workflows in memory (HUBRUN_MAX_CACHED_WORKFLOWS, ${DEFAULT_MAX_CACHED_WORKFLOWS} unless set; the SDK's own default from the V8 heap ` +
      `limit would be ${cache.toLocaleString('en-US')} here). A waiting pipeline needs no cached workflow (its checks are server-side retries), ` +
      `so the cache costs only a replay when an evicted pipeline's run changes status. A cached hubrun pipeline costs about ` +
      `${fmt(hubrun.rssPerWorkflowKiB)} KiB, a workflow that only sleeps ${fmt(floor.rssPerWorkflowKiB)} KiB (the SDK's floor), so idle ` +
      `(${mib(idleRssBytes)}) + a full cache comes to about ${fmt(expectedMiB)} MiB; the peak was ${fmt(peakMiB)} MiB` +
      (peakMiB > expectedMiB * 1.2
        ? `: the rest is evicted workflows and finished tasks that V8 collects only as its heap grows.`
        : `.`),
    `Checking input inside the workflow with zod would cost ${fmt(inWorkflowZod.rssPerWorkflowKiB - floor.rssPerWorkflowKiB)} KiB ` +
      `and ${fmt(inWorkflowZod.workerCpuPerStartMs - floor.workerCpuPerStartMs, 1)} ms of worker CPU per workflow (diagnosis table), ` +
      `because the reusable V8 context keeps module state per workflow: every workflow, and every replay after an eviction, would ` +
      `build the schemas again. hubrun checks input in a local activity (src/activities/check-input.ts), which uses the schemas ` +
      `built once in the worker's main thread; the workflow bundle holds no zod a new pipeline evaluates.`,
    latenessNote(largest),
    `Starting pipelines ran at ${steps.map((s) => fmt(s.startsPerSecond, 1)).join(', ')} per second, with ${START_CONCURRENCY} ` +
      `starts in flight: each start costs the worker ${fmt(hubrun.workerCpuPerStartMs, 1)} ms and the dev server ` +
      `${fmt(hubrun.serverCpuPerStartMs, 1)} ms of CPU (diagnosis table; the worker's share includes the start call to AI Hub and the ` +
      `first check), on a machine shared with other work (load average in the table). The server's part (one process, in-memory ` +
      `SQLite) is the engine's.`,
  ];
}

/** Runs comparison 3. */
export async function runScale(ctx: BenchContext): Promise<SectionResult> {
  const sizes = ctx.quick ? [200, 500] : [1000, 5000, 10_000];
  const probes = ctx.quick ? 20 : 50;
  const windowMs = ctx.quick ? 30_000 : 60_000;
  const { steps, idleRssBytes } = await rampAndMeasure(ctx, sizes, windowMs, probes);

  const costs = await measureWorkflowCosts(ctx);
  const largest = steps.at(-1)!;
  const at = largest.pipelines.toLocaleString('en-US');
  const checks: Check[] = [
    atMost(`worker peak RSS at ${at} waiting`, largest.workerPeakRssBytes / 1024 ** 2, 'MiB', TARGET_RSS_MIB),
    atMost(`p99 check lateness at ${at} waiting`, largest.lateness.p99, 'ms', TARGET_P99_LATENESS_MS),
  ];
  const tables: Table[] = [
    {
      title: `Pipelines waiting at once on one worker process and one dev server (window of ${duration(windowMs)} at each size, no starts)`,
      headers: [
        'pipelines waiting',
        'starts/s to get there',
        'worker peak RSS',
        'worker CPU window / ramp',
        'server RSS',
        'server CPU window / ramp',
        'emulator+client CPU',
        'checks/s',
        'CPU per check worker / server',
        'lateness p50 / p99 / max (checks)',
        'lateness during ramp p50 / p99',
        'load avg',
      ],
      rows: steps.map((s) => [
        s.pipelines.toLocaleString('en-US'),
        fmt(s.startsPerSecond, 1),
        mib(s.workerPeakRssBytes),
        `${fmt(s.workerCpu * 100)}% / ${fmt(s.workerCpuRamp * 100)}%`,
        mib(s.serverRssBytes),
        `${fmt(s.serverCpu * 100)}% / ${fmt(s.serverCpuRamp * 100)}%`,
        `${fmt(s.benchCpu * 100)}%`,
        fmt(s.checksPerSecond, 1),
        `${fmt(s.workerCpuPerCheckMs, 1)} / ${fmt(s.serverCpuPerCheckMs, 1)} ms`,
        `${duration(s.lateness.p50)} / ${duration(s.lateness.p99)} / ${duration(s.lateness.max)} (${s.lateness.count})`,
        `${duration(s.latenessRamp.p50)} / ${duration(s.latenessRamp.p99)}`,
        fmt(s.loadAverage, 1),
      ]),
    },
    {
      title: 'Diagnosis: what one waiting workflow costs (fresh stack per row)',
      headers: [
        'workflow',
        'workflows',
        'worker RSS per workflow',
        'worker CPU per start',
        'server CPU per start',
        'starts/s',
      ],
      rows: [costs.floor, costs.inWorkflowZod, costs.hubrun].map((c) => [
        c.workflow,
        String(c.workflows),
        `${fmt(c.rssPerWorkflowKiB)} KiB`,
        `${fmt(c.workerCpuPerStartMs, 1)} ms`,
        `${fmt(c.serverCpuPerStartMs, 1)} ms`,
        fmt(c.startsPerSecond, 1),
      ]),
    },
  ];
  const notes = scaleNotes(steps, costs, idleRssBytes);
  if (ctx.profileDir !== undefined) {
    const summary = await summariseProfiles(join(ctx.profileDir, 'scale'), `scale ramp to ${at}`);
    if (summary) {
      tables.push(summary.table, summary.functions);
      notes.push(summary.note);
    }
  }
  return {
    id: 'scale',
    title: '3. Scale: pipelines waiting at once',
    method:
      `One Temporal dev server (in memory), one emulator and one \`hubrun worker\` process (bin/hubrun.js with a prebuilt workflow ` +
      `bundle, default worker options, metrics on). Pipelines are started through \`startPipeline\` (${START_CONCURRENCY} calls in flight) ` +
      `on a batch input (no upload) of an app whose runs take 6 hours, in one ramp that stops at each size until every run is started ` +
      `in the emulator, then holds a window with no starts. Load pipelines wait with \`{initialIntervalSeconds: ${LOAD_INTERVAL_S}, ` +
      `maxIntervalSeconds: ${LOAD_INTERVAL_S}, jitter: 0}\`, twice the check rate of the default policy's 600 s cap (its steady state for ` +
      `long runs); ${probes} probe pipelines with a ${PROBE_INTERVAL_S} s interval run beside them from the start so every window has checks ` +
      `to time. RSS and CPU come from /proc (peak RSS is VmHWM, the most the process ever held; CPU is user+system time over wall time, ` +
      `100% = one core). Lateness of a check = its arrival at the emulator − (the previous check's arrival + the interval), ` +
      `end to end from outside the worker; the target applies to checks due inside the window at the largest size.`,
    tables,
    checks,
    notes,
    data: {
      steps,
      costs,
      loadIntervalSeconds: LOAD_INTERVAL_S,
      probeIntervalSeconds: PROBE_INTERVAL_S,
      probes,
      windowMs,
    },
  };
}
