import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PipelineHandle } from '../../src/client';
import type { AppBehaviour } from '../../src/emulator';
import { sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import type { PipelineEnv } from '../helpers/pipeline-env';
import { uniqueId } from '../helpers/pipeline-env';
import { pollUntil, within } from '../helpers/waiting';
import { useTemporal, withPipelineEnv } from './support';

/** `count` durations spread evenly over [lowMs, highMs]. */
function spread(count: number, lowMs: number, highMs: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.round(lowMs + ((highMs - lowMs) * i) / (count - 1)));
}

/** Starts a pipeline of `app` with the default wait (learned), runs it to completion, and returns what it did. */
async function runPipeline(
  env: PipelineEnv,
  app: AppBehaviour,
  wait: Record<string, unknown> = {},
): Promise<{ handle: PipelineHandle; plan: string; statusCalls: number[]; lookups: number; events: number }> {
  const batchId = await seedBatch(env.emulator, sampleInvoices(1));
  const handle = await env.start({ workflowId: uniqueId(app.id), appId: app.id, batchId, wait });
  const callsBefore = (await env.admin.calls()).log.length;
  const { plan, runId } = await env.withWorker(async () => {
    const seen = await pollUntil('the wait to choose its plan', async () => {
      const progress = await handle.query<{ plan?: string | null }>('progress');
      return progress.plan ?? undefined;
    });
    const result = await within(120_000, 'the pipeline completing', handle.result());
    assert.equal(result.status, 'COMPLETED');
    return { plan: seen, runId: result.runId };
  });
  const run = (await env.admin.runs()).find((r) => r.id === runId);
  assert.ok(run, 'the pipeline started a run');
  const calls = (await env.admin.calls()).log.slice(callsBefore);
  const statusCalls = calls
    .filter((c) => c.endpoint === 'getRun' && c.path.includes(run.id))
    .map((c) => c.at - run.startMs);
  const lookups = calls.filter((c) => c.endpoint === 'listRuns').length;
  const events = (await handle.fetchHistory()).events?.length ?? 0;
  return { handle, plan, statusCalls, lookups, events };
}

describe('learned waits plan their checks from the app’s own run history', () => {
  const temporal = useTemporal();

  it('a seeded app history leads to the learned plan: no check long before the past runs finished', async () => {
    await withPipelineEnv(temporal(), {}, async (env) => {
      const app: AppBehaviour = {
        id: 'app-nightly',
        name: 'nightly',
        fields: ['total'],
        durations: { medianMs: 6000, cv: 0 },
      };
      await env.admin.putApp(app);
      await env.admin.seedHistory(app.id, { durationsMs: spread(20, 5400, 6600) });
      const { plan, statusCalls, lookups, events } = await runPipeline(env, app);
      assert.match(plan, /^learned from 20 run\(s\)/);
      assert.equal(lookups, 1, 'one list page holds the history');
      // The geometric default checks at once and every few seconds; the plan waits for the finish.
      assert.ok(statusCalls.length >= 1 && statusCalls.length <= 4, `${statusCalls.length} status calls`);
      assert.ok(statusCalls[0]! >= 4000, `first status call ${statusCalls[0]} ms after the run's start`);
      assert.ok(events <= 40, `${events} history events`);
    });
  });

  it('a pipeline with no history uses the geometric plan and says why', async () => {
    await withPipelineEnv(temporal(), {}, async (env) => {
      const app: AppBehaviour = { id: 'app-new', name: 'new', fields: ['total'], msPerFile: 1500 };
      await env.admin.putApp(app);
      const { plan, statusCalls, events } = await runPipeline(env, app, { initialIntervalSeconds: 1 });
      assert.match(plan, /^geometric \(0 finished run\(s\) in 14 days/);
      assert.ok(statusCalls[0]! < 1000, 'the geometric plan checks at once');
      assert.ok(events <= 40, `${events} history events`);
    });
  });

  it('too few past runs, or a plan asked for, keep the geometric and fixed plans', async () => {
    await withPipelineEnv(temporal(), {}, async (env) => {
      const app: AppBehaviour = { id: 'app-few', name: 'few', fields: ['total'], msPerFile: 1000 };
      await env.admin.putApp(app);
      await env.admin.seedHistory(app.id, { durationsMs: [1000, 1100, 900] });
      assert.match((await runPipeline(env, app)).plan, /^geometric \(3 finished run\(s\)/);
      await env.admin.seedHistory(app.id, { durationsMs: spread(10, 900, 1100) });
      const fixed = await runPipeline(env, app, { plan: 'fixed', initialIntervalSeconds: 0.5 });
      assert.equal(fixed.plan, 'fixed (every 0.5 s)');
      assert.equal(fixed.lookups, 0, 'a fixed plan looks nothing up');
    });
  });

  it('a run slower than every past one still finishes through the geometric tail', async () => {
    await withPipelineEnv(temporal(), {}, async (env) => {
      const app: AppBehaviour = {
        id: 'app-overrun',
        name: 'overrun',
        fields: ['total'],
        durations: { medianMs: 9000, cv: 0 },
      };
      await env.admin.putApp(app);
      await env.admin.seedHistory(app.id, { durationsMs: spread(12, 1800, 2200) });
      const { plan, statusCalls, events } = await runPipeline(env, app);
      assert.match(plan, /^learned from 12 run\(s\)/);
      assert.ok(statusCalls.length >= 3, `${statusCalls.length} status calls: planned ones, then the tail`);
      assert.ok(statusCalls.at(-1)! >= 9000, 'the last check saw the run finished');
      assert.ok(events <= 40, `${events} history events`);
    });
  });

  it('a failed history lookup falls back to the geometric plan instead of failing the pipeline', async () => {
    const faults = [{ endpoint: 'listRuns' as const, kind: 'error' as const, status: 401 }];
    await withPipelineEnv(temporal(), { faults }, async (env) => {
      const app: AppBehaviour = { id: 'app-hidden', name: 'hidden', fields: ['total'], msPerFile: 1000 };
      await env.admin.putApp(app);
      const { plan } = await runPipeline(env, app, { initialIntervalSeconds: 0.5 });
      assert.equal(plan, 'geometric (history lookup failed)');
    });
  });
});
