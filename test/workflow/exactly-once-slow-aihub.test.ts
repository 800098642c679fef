import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMULATOR_DEFAULT_TOKEN } from '../../src/emulator';
import type { FaultRule } from '../../src/emulator';
import type { HubrunWorkerOptions } from '../../src/worker';
import { quickWait, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { isWorkflowCancelled, rejectionOf } from '../helpers/failures';
import { uniqueId } from '../helpers/pipeline-env';
import type { PipelineEnv } from '../helpers/pipeline-env';
import { pollUntil, within } from '../helpers/waiting';
import { useTemporal, withPipelineEnv } from './support';

/** A settle window no test waits out: a test that ends inside it proves the start did not wait. */
const LONG_SETTLE_MS = 600_000;

/** A worker whose AI Hub client gives up after `requestTimeoutMs` and whose start settles for `settleMs`. */
function slowHubWorker(
  env: PipelineEnv,
  { requestTimeoutMs, settleMs }: { requestTimeoutMs: number; settleMs: number },
): Partial<HubrunWorkerOptions> {
  return {
    aihub: {
      apiRoot: env.emulator.url,
      token: EMULATOR_DEFAULT_TOKEN,
      ibContext: undefined,
      requestTimeoutMs,
    },
    deps: { startSettleMs: settleMs },
  };
}

/** How many times the run was POSTed. */
async function startCalls(env: PipelineEnv): Promise<number> {
  return (await env.admin.calls()).counts.runApp;
}

describe('a slow or lagging AI Hub is never sent a second start call for one pipeline', () => {
  const temporal = useTemporal();

  it('a create slower than the request timeout is adopted once the run exists, not POSTed again', async () => {
    // The POST times out after 2 s; AI Hub creates the run 5 s after it arrived, and answers then.
    const faults = [{ endpoint: 'runApp', kind: 'slow-create', latencyMs: 5_000 }] as FaultRule[];
    await withPipelineEnv(temporal(), { faults }, async (env) => {
      const batchId = await seedBatch(env.emulator, sampleInvoices(2));
      const result = await env.withWorker(
        async () => {
          const handle = await env.start({
            workflowId: uniqueId('slow-create'),
            appName: 'invoices',
            batchId,
            wait: quickWait,
          });
          return within(90_000, 'the pipeline completing', handle.result());
        },
        slowHubWorker(env, { requestTimeoutMs: 2_000, settleMs: 10_000 }),
      );
      assert.equal(await startCalls(env), 1, 'the run was POSTed once');
      const runs = await env.admin.runs();
      assert.equal(runs.length, 1, `AI Hub holds ${runs.length} runs`);
      assert.equal(result.runId, runs[0]?.id, 'the pipeline adopted the run the timed-out POST created');
      assert.equal(result.status, 'COMPLETED');
      assert.equal(result.files, 2);
    });
  });

  it('a lost answer is not POSTed again while the run list lags behind the create', async () => {
    // The run is created and the answer lost; the list shows a run only 6 s after its creation,
    // three times the start's first retry interval.
    const faults = [
      { endpoint: 'runApp', kind: 'lose-response', times: 1 },
      { endpoint: 'listRuns', kind: 'list-lag', latencyMs: 6_000 },
    ] as FaultRule[];
    await withPipelineEnv(temporal(), { faults }, async (env) => {
      const batchId = await seedBatch(env.emulator, sampleInvoices(2));
      const result = await env.withWorker(
        async () => {
          const handle = await env.start({
            workflowId: uniqueId('list-lag'),
            appName: 'invoices',
            batchId,
            wait: quickWait,
          });
          return within(90_000, 'the pipeline completing', handle.result());
        },
        slowHubWorker(env, { requestTimeoutMs: 10_000, settleMs: 12_000 }),
      );
      const calls = await env.admin.calls();
      assert.equal(calls.counts.runApp, 1, 'the run was POSTed once');
      assert.ok(calls.counts.listRuns >= 2, 'the start looked again after the list came up empty');
      const runs = await env.admin.runs();
      assert.equal(runs.length, 1, `AI Hub holds ${runs.length} runs`);
      assert.equal(result.runId, runs[0]?.id);
      assert.equal(result.status, 'COMPLETED');
    });
  });

  it('a worker stopped while its start settles hands the window to the next attempt, which adopts the run', async () => {
    // The POST times out after 1 s; AI Hub creates the run 8 s after it arrived. The first worker
    // stops while settling; the attempt on the second worker looks on from the recorded POST.
    const faults = [{ endpoint: 'runApp', kind: 'slow-create', latencyMs: 8_000 }] as FaultRule[];
    await withPipelineEnv(temporal(), { faults }, async (env) => {
      const batchId = await seedBatch(env.emulator, sampleInvoices(2));
      const worker = slowHubWorker(env, { requestTimeoutMs: 1_000, settleMs: 20_000 });
      const handle = await env.withWorker(
        async () => {
          const started = await env.start({
            workflowId: uniqueId('settle-handoff'),
            appName: 'invoices',
            batchId,
            wait: quickWait,
          });
          await pollUntil('the start to settle after its timed-out POST', async () => {
            const { counts } = await env.admin.calls();
            return counts.runApp === 1 && counts.listRuns >= 1 ? true : undefined;
          });
          return started;
          // No shutdown grace: the settling attempt is cancelled at once, not let finish.
        },
        { ...worker, shutdownGraceMs: 0 },
      );
      assert.equal((await env.admin.runs()).length, 0, 'the first worker stopped before the run existed');
      const result = await env.withWorker(
        () => within(90_000, 'the pipeline completing', handle.result()),
        worker,
      );
      assert.equal(await startCalls(env), 1, 'the run was POSTed once');
      const runs = await env.admin.runs();
      assert.equal(runs.length, 1, `AI Hub holds ${runs.length} runs`);
      assert.equal(result.runId, runs[0]?.id);
    });
  });

  it('a 429 on the start call is retried without settling: AI Hub refused it, so no run exists', async () => {
    const faults: FaultRule[] = [
      { endpoint: 'runApp', kind: 'error', status: 429, retryAfterSeconds: 1, times: 1 },
    ];
    await withPipelineEnv(temporal(), { faults }, async (env) => {
      const batchId = await seedBatch(env.emulator, sampleInvoices(2));
      const result = await env.withWorker(
        async () => {
          const handle = await env.start({
            workflowId: uniqueId('start-429'),
            appName: 'invoices',
            batchId,
            wait: quickWait,
          });
          // Settling the refused POST would take LONG_SETTLE_MS: ten minutes.
          return within(60_000, 'the pipeline completing', handle.result());
        },
        slowHubWorker(env, { requestTimeoutMs: 10_000, settleMs: LONG_SETTLE_MS }),
      );
      const calls = await env.admin.calls();
      const posts = calls.log.filter((c) => c.endpoint === 'runApp');
      assert.deepEqual(
        posts.map((c) => c.status),
        [429, 200],
        'the refused POST, then the one that started the run',
      );
      assert.equal(calls.counts.listRuns, 1, 'the retry looked for the tag once, then POSTed');
      const runs = await env.admin.runs();
      assert.equal(runs.length, 1, `AI Hub holds ${runs.length} runs`);
      assert.equal(result.runId, runs[0]?.id);
    });
  });

  it('cancelling a pipeline while its start settles ends it without waiting out the window', async () => {
    // A 503: AI Hub may or may not have created the run, so the start settles (ten minutes here).
    const faults: FaultRule[] = [{ endpoint: 'runApp', kind: 'error', status: 503, times: 1 }];
    await withPipelineEnv(temporal(), { faults }, async (env) => {
      const batchId = await seedBatch(env.emulator, sampleInvoices(2));
      const err = await env.withWorker(
        async () => {
          const handle = await env.start({
            workflowId: uniqueId('cancel-settling'),
            appName: 'invoices',
            batchId,
          });
          await pollUntil('the start to look for its tag after the 503', async () => {
            const { counts } = await env.admin.calls();
            return counts.runApp === 1 && counts.listRuns >= 1 ? true : undefined;
          });
          await handle.cancel();
          return within(60_000, 'the cancellation', rejectionOf(handle.result()));
        },
        slowHubWorker(env, { requestTimeoutMs: 10_000, settleMs: LONG_SETTLE_MS }),
      );
      assert.ok(isWorkflowCancelled(err), `expected a cancellation, got ${String(err)}`);
      assert.equal(await startCalls(env), 1, 'the run was POSTed once');
      assert.equal((await env.admin.runs()).length, 0, 'the 503 created no run');
    });
  });

  it("with onCancel 'delete' a run that shows while the start settles is deleted", async () => {
    // The run is created and its answer lost; the list hides it until the test lifts the lag.
    const faults = [
      { endpoint: 'runApp', kind: 'lose-response', times: 1 },
      { endpoint: 'listRuns', kind: 'list-lag', latencyMs: LONG_SETTLE_MS },
    ] as FaultRule[];
    await withPipelineEnv(temporal(), { faults }, async (env) => {
      const batchId = await seedBatch(env.emulator, sampleInvoices(2));
      const err = await env.withWorker(
        async () => {
          const handle = await env.start({
            workflowId: uniqueId('cancel-settling-delete'),
            appName: 'invoices',
            batchId,
            onCancel: 'delete',
          });
          await pollUntil('the start to settle with the run created', async () => {
            const { counts } = await env.admin.calls();
            const runs = await env.admin.runs();
            return runs.length === 1 && counts.listRuns >= 2 ? true : undefined;
          });
          await handle.cancel();
          // The list catches up: whichever looks next (the settling start or the cancellation's
          // own look) finds the run.
          await env.admin.setFaults([]);
          return within(60_000, 'the cancellation', rejectionOf(handle.result()));
        },
        slowHubWorker(env, { requestTimeoutMs: 10_000, settleMs: LONG_SETTLE_MS }),
      );
      assert.ok(isWorkflowCancelled(err), `expected a cancellation, got ${String(err)}`);
      assert.equal(await startCalls(env), 1, 'the run was POSTed once');
      assert.deepEqual(
        (await env.admin.runs()).map((r) => `${r.id} ${r.status}`),
        [],
        'the run the unanswered POST created is deleted',
      );
    });
  });
});
