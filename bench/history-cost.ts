/**
 * Comparison 1, history cost: history events of one pipeline whose run needs 1, 10, 100 or 1,000
 * status checks, hubrun against the timer-loop baseline. Both run on the time-skipping test
 * server (waits pass in no real time) against the emulator in checks mode (the run completes at
 * its Nth status check), with the same 5 s interval, so each side makes exactly N checks.
 */
import { randomUUID } from 'node:crypto';
import { startPipeline } from '../src/client';
import { EmulatorAdmin, startEmulator } from '../src/emulator';
import { startTimeSkippingServerOnCurrentRuntime } from '../test/helpers/temporal';
import type { TimerLoopInput, TimerLoopResult } from './baseline/workflows';
import type { BenchContext } from './context';
import { seedBatch } from './context';
import { atMost, duration } from './report';
import type { SectionResult } from './report';
import { withSideBySideWorkers } from './stack/in-process-worker';

/** Largest history hubrun may have at any number of checks. */
const TARGET_EVENTS = 40;
/** Interval of both sides; the history does not depend on it. */
const INTERVAL_SECONDS = 5;

interface Sample {
  checks: number;
  hubrunEvents: number;
  baselineEvents: number;
  hubrunHistoryBytes: number;
  baselineHistoryBytes: number;
  hubrunRealMs: number;
  baselineRealMs: number;
}

/** Runs comparison 1. */
export async function runHistoryCost(ctx: BenchContext): Promise<SectionResult> {
  const checkCounts = ctx.quick ? [1, 10, 100] : [1, 10, 100, 1000];
  const env = await startTimeSkippingServerOnCurrentRuntime();
  const emulator = await startEmulator();
  const admin = new EmulatorAdmin(emulator.adminUrl);
  const samples: Sample[] = [];
  try {
    await withSideBySideWorkers(
      ctx,
      { connection: env.nativeConnection, emulatorUrl: emulator.url, section: 'history' },
      async (queues) => {
        for (const checks of checkCounts) {
          const appId = `bench-checks-${checks}`;
          await admin.putApp({ id: appId, name: appId, fields: ['total'], checksToComplete: checks });
          const batchId = await seedBatch(emulator);
          const pipeline = {
            appId,
            batchId,
            wait: {
              initialIntervalSeconds: INTERVAL_SECONDS,
              maxIntervalSeconds: INTERVAL_SECONDS,
              jitter: 0,
            },
          };

          ctx.log(`history: hubrun, ${checks} check(s)`);
          let t0 = Date.now();
          const hubrun = await startPipeline(
            env.client,
            { ...pipeline, workflowId: `bench-history-hubrun-${checks}-${randomUUID().slice(0, 8)}` },
            { taskQueue: queues.hubrun },
          );
          await hubrun.result();
          const hubrunRealMs = Date.now() - t0;

          ctx.log(`history: baseline, ${checks} check(s)`);
          t0 = Date.now();
          const baseline = await env.client.workflow.start<
            (input: TimerLoopInput) => Promise<TimerLoopResult>
          >('timerLoopPipeline', {
            taskQueue: queues.baseline,
            workflowId: `bench-history-baseline-${checks}-${randomUUID().slice(0, 8)}`,
            args: [{ pipeline, pollIntervalMs: INTERVAL_SECONDS * 1000 }],
          });
          const baselineResult = await baseline.result();
          const baselineRealMs = Date.now() - t0;

          const runs = (await admin.runs()).filter((r) => r.appId === appId);
          const made = runs.map((r) => r.checks).sort((a, b) => a - b);
          if (
            made.length !== 2 ||
            made[0] !== checks ||
            made[1] !== checks ||
            baselineResult.checks !== checks
          ) {
            throw new Error(
              `expected two runs of ${checks} checks each, the emulator saw ${made.join(', ')}`,
            );
          }
          const [hubrunHistory, baselineHistory] = await Promise.all([
            hubrun.fetchHistory(),
            baseline.fetchHistory(),
          ]);
          samples.push({
            checks,
            hubrunEvents: hubrunHistory.events?.length ?? 0,
            baselineEvents: baselineHistory.events?.length ?? 0,
            hubrunHistoryBytes: JSON.stringify(hubrunHistory).length,
            baselineHistoryBytes: JSON.stringify(baselineHistory).length,
            hubrunRealMs,
            baselineRealMs,
          });
        }
      },
    );
  } finally {
    await emulator.close();
    await env.teardown();
  }

  const largest = samples.reduce((a, b) => (b.hubrunEvents > a.hubrunEvents ? b : a));
  const constant = samples.every((s) => s.hubrunEvents === samples[0]!.hubrunEvents);
  const last = samples[samples.length - 1]!;
  return {
    id: 'history',
    title: '1. History cost: events per pipeline',
    method:
      `One pipeline per row and side, on the time-skipping test server (waits take no real time) against the emulator in ` +
      `checks mode: the run completes at its Nth status check, so both sides make exactly N checks (checked in the emulator). ` +
      `hubrun waits with its retry-as-loop activity; the baseline (bench/baseline/workflows.ts) loops "check activity → ` +
      `workflow timer → repeat". Both use a ${INTERVAL_SECONDS} s interval (the interval does not change the event count) ` +
      `and the same start and results activities. History size is the JSON of the history as fetched.`,
    tables: [
      {
        title: 'History events per pipeline',
        headers: [
          'status checks',
          'hubrun events',
          'baseline events',
          'baseline / hubrun',
          'hubrun history',
          'baseline history',
          'real time hubrun / baseline',
        ],
        rows: samples.map((s) => [
          String(s.checks),
          String(s.hubrunEvents),
          String(s.baselineEvents),
          `${(s.baselineEvents / s.hubrunEvents).toFixed(1)}×`,
          `${(s.hubrunHistoryBytes / 1024).toFixed(0)} KiB`,
          `${(s.baselineHistoryBytes / 1024).toFixed(0)} KiB`,
          `${duration(s.hubrunRealMs)} / ${duration(s.baselineRealMs)}`,
        ]),
      },
    ],
    checks: [
      atMost(
        'hubrun events per pipeline, largest over all check counts',
        largest.hubrunEvents,
        'events',
        TARGET_EVENTS,
        constant ? `constant from 1 to ${last.checks} checks` : 'NOT constant across check counts',
      ),
    ],
    notes: [
      constant
        ? `hubrun's history is the same ${samples[0]!.hubrunEvents} events whatever the number of checks: a "not finished yet" check is a failed activity attempt retried by the server, which writes no event.`
        : `hubrun's history varies with the number of checks (${samples.map((s) => s.hubrunEvents).join(', ')}): the wait leaks events.`,
      `The baseline grows by about ${((last.baselineEvents - samples[0]!.baselineEvents) / Math.max(1, last.checks - samples[0]!.checks)).toFixed(1)} events per check ` +
        `(activity scheduled/started/completed, timer started/fired, and a workflow task for each); Temporal warns at 10,240 events and ` +
        `terminates a workflow at 51,200, so the baseline needs continue-as-new after a few thousand checks (about 3 days of 5 s polling); hubrun never does.`,
    ],
    data: { samples, targetEvents: TARGET_EVENTS },
  };
}
