/**
 * Comparison 4, throughput and start latency: pipelines completed per second with short runs
 * (the run is COMPLETE at its first status check, so a pipeline is start → check → results), and
 * the time from the client's start call to the run's POST arriving at the emulator. Start latency
 * is measured twice: one pipeline at a time on an idle stack, and under the throughput load.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tsToMs } from '@temporalio/common/lib/time';
import { startPipeline } from '../src/client';
import type { BenchContext } from './context';
import { workflowRunIdOfTags } from './context';
import { summariseProfiles } from './profile';
import { atMost, duration, fmt } from './report';
import type { Check, SectionResult, Table } from './report';
import { startLocalStack } from './stack/local-stack';
import type { LocalStack } from './stack/local-stack';
import { cpuCores, readProc } from './stack/proc-stats';
import { mapLimit, mean, percentile } from './stats';

const TARGET_P50_START_MS = 100;
const INSTANT_APP = 'bench-instant';
/** The paced run starts pipelines at this share of the measured throughput. */
const PACED_SHARE = 0.5;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface Timed {
  workflowId: string;
  workflowRunId: string;
  calledAt: number;
  doneAt: number;
}

/** Where the start latency of one pipeline went, ms, from the server's event times. */
interface StartBreakdown {
  startCall: number;
  toFirstWorkflowTask: number;
  firstWorkflowTask: number;
  toStartActivity: number;
  activityToPost: number;
}

const breakdownLabels: Record<keyof StartBreakdown, string> = {
  startCall: 'client call → workflow started (start RPC)',
  toFirstWorkflowTask: 'workflow started → first workflow task picked up by the worker',
  firstWorkflowTask:
    'first workflow task (create workflow, input check as a local activity, schedule startRun)',
  toStartActivity: 'workflow task completed → startRun activity picked up',
  activityToPost: 'startRun picked up → POST handled by the emulator',
};

/** Splits the start latency of `t` along its history. */
async function breakdown(stack: LocalStack, t: Timed, postAt: number): Promise<StartBreakdown> {
  const history = await stack.server.client.workflow.getHandle(t.workflowId).fetchHistory();
  const events = history.events ?? [];
  const at = (pick: (e: (typeof events)[number]) => unknown): number => {
    const event = events.find((e) => pick(e) != null);
    if (event === undefined) throw new Error(`an event is missing in the history of ${t.workflowId}`);
    return tsToMs(event.eventTime);
  };
  const started = at((e) => e.workflowExecutionStartedEventAttributes);
  const wftStarted = at((e) => e.workflowTaskStartedEventAttributes);
  const wftCompleted = at((e) => e.workflowTaskCompletedEventAttributes);
  const activityStarted = at((e) => e.activityTaskStartedEventAttributes);
  return {
    startCall: started - t.calledAt,
    toFirstWorkflowTask: wftStarted - started,
    firstWorkflowTask: wftCompleted - wftStarted,
    toStartActivity: activityStarted - wftCompleted,
    activityToPost: postAt - activityStarted,
  };
}

interface LatencyFigures {
  count: number;
  p50: number;
  p99: number;
  mean: number;
}

function figures(values: number[]): LatencyFigures {
  return {
    count: values.length,
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    mean: mean(values),
  };
}

async function runOne(stack: LocalStack, id: string): Promise<Timed> {
  const calledAt = Date.now();
  const handle = await startPipeline(
    stack.server.client,
    { workflowId: id, appId: INSTANT_APP, batchId: stack.batchId },
    { taskQueue: stack.taskQueue },
  );
  await handle.result();
  const { firstExecutionRunId } = handle as typeof handle & { firstExecutionRunId: string };
  return { workflowId: id, workflowRunId: firstExecutionRunId, calledAt, doneAt: Date.now() };
}

/** Start latency of each pipeline: the run's creation in the emulator − the client's start call. */
async function startLatencies(stack: LocalStack, timed: Timed[]): Promise<number[]> {
  const created = new Map<string, number>();
  for (const run of await stack.admin.runs()) {
    const owner = workflowRunIdOfTags(run.tags);
    if (owner !== undefined) created.set(owner, run.startMs);
  }
  return timed.map((t) => {
    const at = created.get(t.workflowRunId);
    if (at === undefined) throw new Error(`no run was started for workflow run ${t.workflowRunId}`);
    return at - t.calledAt;
  });
}

/** Runs comparison 4. */
export async function runThroughput(ctx: BenchContext): Promise<SectionResult> {
  const sequential = ctx.quick ? 20 : 50;
  const total = ctx.quick ? 200 : 1000;
  const inFlight = ctx.quick ? 20 : 50;
  const pacedCount = ctx.quick ? 30 : 100;
  const profileDir = ctx.profileDir !== undefined ? join(ctx.profileDir, 'throughput') : undefined;
  if (profileDir) await mkdir(profileDir, { recursive: true });
  const stack = await startLocalStack(ctx, {
    bundle: ctx.hubrunBundle,
    name: 'throughput',
    apps: [{ id: INSTANT_APP, name: INSTANT_APP, fields: ['total'], checksToComplete: 1 }],
    profileDir,
  });
  let idle: Timed[];
  let loaded: Timed[];
  let paced: Timed[];
  let pacedRate = 0;
  let idleLatency: number[];
  let loadLatency: number[];
  let pacedLatency: number[];
  let idleBreakdown: StartBreakdown[];
  let cpu: { worker: number; server: number; bench: number };
  try {
    ctx.log(`throughput: ${sequential} pipelines one at a time`);
    // One warm-up pipeline: the first workflow of a worker pays one-time costs.
    await runOne(stack, `${stack.taskQueue}-warmup`);
    idle = [];
    for (let i = 0; i < sequential; i++) idle.push(await runOne(stack, `${stack.taskQueue}-idle-${i}`));
    ctx.log(`throughput: ${total} pipelines, ${inFlight} in flight`);
    const before = [readProc(stack.worker.pid)!, readProc(stack.server.pid)!, readProc(process.pid)!];
    loaded = await mapLimit(
      Array.from({ length: total }, (_, i) => i),
      inFlight,
      (i) => runOne(stack, `${stack.taskQueue}-load-${i}`),
    );
    const after = [readProc(stack.worker.pid)!, readProc(stack.server.pid)!, readProc(process.pid)!];
    cpu = {
      worker: cpuCores(before[0]!, after[0]!),
      server: cpuCores(before[1]!, after[1]!),
      bench: cpuCores(before[2]!, after[2]!),
    };
    const throughput =
      total /
      ((Math.max(...loaded.map((t) => t.doneAt)) - Math.min(...loaded.map((t) => t.calledAt))) / 1000);
    pacedRate = throughput * PACED_SHARE;
    ctx.log(
      `throughput: ${pacedCount} pipelines started at ${fmt(pacedRate, 1)}/s (${PACED_SHARE * 100}% of the throughput)`,
    );
    const pacedFrom = Date.now();
    const pending: Promise<Timed>[] = [];
    for (let i = 0; i < pacedCount; i++) {
      const due = pacedFrom + (i * 1000) / pacedRate;
      if (due > Date.now()) await sleep(due - Date.now());
      pending.push(runOne(stack, `${stack.taskQueue}-paced-${i}`));
    }
    paced = await Promise.all(pending);
    idleLatency = await startLatencies(stack, idle);
    idleBreakdown = await Promise.all(idle.map((t, i) => breakdown(stack, t, t.calledAt + idleLatency[i]!)));
    loadLatency = await startLatencies(stack, loaded);
    pacedLatency = await startLatencies(stack, paced);
  } finally {
    await stack.close();
  }

  const first = Math.min(...loaded.map((t) => t.calledAt));
  const last = Math.max(...loaded.map((t) => t.doneAt));
  const perSecond = total / ((last - first) / 1000);
  const idleStart = figures(idleLatency);
  const loadStart = figures(loadLatency);
  const idleTotal = figures(idle.map((t) => t.doneAt - t.calledAt));
  const loadTotal = figures(loaded.map((t) => t.doneAt - t.calledAt));
  const pacedStart = figures(pacedLatency);
  const pacedTotal = figures(paced.map((t) => t.doneAt - t.calledAt));
  const checks: Check[] = [
    atMost('start latency p50, one pipeline at a time', idleStart.p50, 'ms', TARGET_P50_START_MS),
    atMost(
      `start latency p50, at ${PACED_SHARE * 100}% of throughput`,
      pacedStart.p50,
      'ms',
      TARGET_P50_START_MS,
    ),
  ];
  const tables: Table[] = [
    {
      title:
        'Start latency (client start call → POST /v2/apps/runs handled by the emulator) and pipeline duration',
      headers: ['load', 'pipelines', 'start p50', 'start p99', 'start mean', 'pipeline p50', 'pipeline p99'],
      rows: [
        [
          'one at a time',
          String(idleStart.count),
          `${fmt(idleStart.p50)} ms`,
          `${fmt(idleStart.p99)} ms`,
          `${fmt(idleStart.mean)} ms`,
          duration(idleTotal.p50),
          duration(idleTotal.p99),
        ],
        [
          `paced at ${fmt(pacedRate, 1)}/s (${PACED_SHARE * 100}% of throughput)`,
          String(pacedStart.count),
          `${fmt(pacedStart.p50)} ms`,
          `${fmt(pacedStart.p99)} ms`,
          `${fmt(pacedStart.mean)} ms`,
          duration(pacedTotal.p50),
          duration(pacedTotal.p99),
        ],
        [
          `saturated: ${inFlight} in flight`,
          String(loadStart.count),
          `${fmt(loadStart.p50)} ms`,
          `${fmt(loadStart.p99)} ms`,
          `${fmt(loadStart.mean)} ms`,
          duration(loadTotal.p50),
          duration(loadTotal.p99),
        ],
      ],
    },
    {
      title: 'Throughput',
      headers: [
        'pipelines',
        'in flight',
        'wall time',
        'completed per second',
        'worker CPU',
        'server CPU',
        'emulator+client CPU',
      ],
      rows: [
        [
          String(total),
          String(inFlight),
          duration(last - first),
          fmt(perSecond, 1),
          `${fmt(cpu.worker * 100)}%`,
          `${fmt(cpu.server * 100)}%`,
          `${fmt(cpu.bench * 100)}%`,
        ],
      ],
    },
  ];
  tables.splice(1, 0, {
    title: 'Where the start latency goes (one at a time; server event times)',
    headers: ['segment', 'p50', 'mean'],
    rows: (Object.keys(breakdownLabels) as (keyof StartBreakdown)[]).map((key) => {
      const values = idleBreakdown.map((b) => b[key]);
      return [breakdownLabels[key], `${fmt(percentile(values, 50))} ms`, `${fmt(mean(values))} ms`];
    }),
  });
  const wft = percentile(
    idleBreakdown.map((b) => b.firstWorkflowTask),
    50,
  );
  const notes: string[] = [
    `Start latency one at a time: p50 ${fmt(idleStart.p50)} ms, of which the first workflow task takes ${fmt(wft)} ms: the worker ` +
      `creates the workflow in its sandbox (evaluating the workflow's modules) and checks the input in a local activity; the rest is ` +
      `the start RPC, task dispatch and the POST itself, which are the engine's and the network's.`,
    `Throughput ${fmt(perSecond, 1)} pipelines/s with ${inFlight} in flight, the dev server at ${fmt(cpu.server * 100)}% and the worker at ` +
      `${fmt(cpu.worker * 100)}% of a core (2 cores, shared): about ${fmt((cpu.server * 1000) / perSecond)} ms of server CPU and ` +
      `${fmt((cpu.worker * 1000) / perSecond)} ms of worker CPU per pipeline (start, 1 check, results). The dev server (one process, ` +
      `in-memory SQLite) is the larger share and the engine's; a production Temporal cluster scales it out.`,
  ];
  if (profileDir) {
    const summary = await summariseProfiles(profileDir, 'throughput');
    if (summary) {
      tables.push(summary.table, summary.functions);
      notes.push(summary.note);
    }
  }
  return {
    id: 'throughput',
    title: '4. Throughput and start latency',
    method:
      `A fresh dev server, emulator and \`hubrun worker\` process. Every pipeline runs an app in checks mode that is COMPLETE at its ` +
      `first status check, on a one-file batch, with the default wait policy: start the run, one check, page the results to ` +
      `results.jsonl and manifest.json. Start latency = the run's creation time in the emulator (matched to its pipeline by the ` +
      `exactly-once tag) − the moment before the client's \`startPipeline\` call (which validates the input, then starts the workflow); ` +
      `both clocks are this process's. It covers the start RPC, the first workflow task (input validation, search attributes, ` +
      `scheduling the start activity), the activity task and the POST. First ${sequential} pipelines one after another (after one ` +
      `warm-up), then ${total} with ${inFlight} in flight (a new one starts when one completes); completed per second = ${total} / ` +
      `(last completion − first start call). Under saturation, start latency is queueing (Little's law: in flight / throughput), so ` +
      `the latency target is judged one at a time and with pipelines arriving at ${PACED_SHARE * 100}% of the measured throughput (${pacedCount} pipelines).`,
    tables,
    checks,
    notes,
    data: {
      idleBreakdown,
      idle,
      loaded,
      paced,
      idleStart,
      loadStart,
      pacedStart,
      idleTotal,
      loadTotal,
      pacedTotal,
      perSecond,
      pacedRate,
      cpu,
      inFlight,
    },
  };
}
