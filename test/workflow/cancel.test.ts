import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cancelPipeline, getPipeline, getProgress } from '../../src/client';
import type { FaultRule } from '../../src/emulator';
import type { PipelineHandle } from '../../src/client';
import { phases } from '../../src/progress';
import { searchAttributes } from '../../src/search-attributes';
import { emulatorClient, sampleInvoices, seedBatch, writeLocalFiles } from '../helpers/aihub-fixtures';
import { isWorkflowCancelled, rejectionOf } from '../helpers/failures';
import { uniqueId } from '../helpers/pipeline-env';
import type { PipelineEnv } from '../helpers/pipeline-env';
import { pollUntil, within } from '../helpers/waiting';
import { useTemporal, withPipelineEnv } from './support';

/** A run that never finishes by itself. */
const endlessApp = {
  id: 'app-endless',
  name: 'endless',
  fields: ['invoice number', 'total'],
  checksToComplete: 100_000,
};

/** The wait backs off 30 s after each check: a cancellation that waited for the next check would take that long. */
const slowWait = { initialIntervalSeconds: 30, maxIntervalSeconds: 30, jitter: 0 };

/** Well under the 30 s backoff. */
const CANCELLED_WITHIN_MS = 10_000;

describe('cancelling a pipeline stops the wait at once and applies its onCancel policy', () => {
  const temporal = useTemporal();

  /** Starts a pipeline on the endless app, waits until it is backing off after a check, cancels it. */
  async function cancelWhileWaiting(
    env: PipelineEnv,
    onCancel: 'abandon' | 'delete',
  ): Promise<{ runId: string; err: unknown; handle: PipelineHandle }> {
    await env.admin.putApp(endlessApp);
    const batchId = await seedBatch(env.emulator, sampleInvoices(2));
    return env.withWorker(async () => {
      const handle = await env.start({
        workflowId: uniqueId(`cancel-${onCancel}`),
        appName: endlessApp.name,
        batchId,
        onCancel,
        wait: slowWait,
      });
      // The first check has failed as "not finished" and the next one is 30 s away.
      const runId = await pollUntil('the run to exist and the wait to back off', async () => {
        const live = await getProgress(handle);
        return live.runId !== null && (live.currentAttempt ?? 0) >= 2 ? live.runId : undefined;
      });
      assert.equal((await env.admin.calls()).counts.getRun, 1);
      // As another service would: a handle by workflow id alone.
      await cancelPipeline(getPipeline(env.client, handle.workflowId));
      const err = await within(CANCELLED_WITHIN_MS, 'the cancellation', rejectionOf(handle.result()));
      return { runId, err, handle };
    });
  }

  it("with onCancel 'abandon' the workflow ends cancelled and the AI Hub run is left as it is", async () => {
    await withPipelineEnv(temporal(), {}, async (env) => {
      const { runId, err, handle } = await cancelWhileWaiting(env, 'abandon');
      assert.ok(isWorkflowCancelled(err), `expected a cancellation, got ${String(err)}`);
      const description = await handle.describe();
      assert.equal(description.status.name, 'CANCELLED');
      assert.equal(description.typedSearchAttributes.get(searchAttributes.phase), phases.cancelled);
      const run = (await env.admin.runs()).find((r) => r.id === runId);
      assert.equal(run?.status, 'RUNNING');
      const { counts } = await env.admin.calls();
      assert.equal(counts.deleteRun, 0);
      assert.equal(counts.getRun, 1, 'no status check after the cancellation');
    });
  });

  it("with onCancel 'delete' the workflow ends cancelled and the AI Hub run is deleted", async () => {
    await withPipelineEnv(temporal(), {}, async (env) => {
      const { runId, err, handle } = await cancelWhileWaiting(env, 'delete');
      assert.ok(isWorkflowCancelled(err), `expected a cancellation, got ${String(err)}`);
      assert.equal((await handle.describe()).status.name, 'CANCELLED');
      const runs = await env.admin.runs();
      assert.equal(
        runs.find((r) => r.id === runId),
        undefined,
        'the run is gone from AI Hub',
      );
      const { counts } = await env.admin.calls();
      assert.equal(counts.deleteRun, 1);
      assert.equal(counts.getRun, 1, 'no status check after the cancellation');
    });
  });

  it("with onCancel 'delete' a run whose start answer was lost is deleted too", async () => {
    // The POST creates the run but its answer is lost; the start's look for it is then answered
    // 503 with a 30 s Retry-After, so the pipeline sits in STARTING, not knowing the run.
    const faults: FaultRule[] = [
      { endpoint: 'runApp', kind: 'lose-response', times: 1 },
      { endpoint: 'listRuns', kind: 'error', status: 503, retryAfterSeconds: 30, times: 1 },
    ];
    await withPipelineEnv(temporal(), { faults }, async (env) => {
      await env.admin.putApp(endlessApp);
      const batchId = await seedBatch(env.emulator, sampleInvoices(2));
      const err = await env.withWorker(async () => {
        const handle = await env.start({
          workflowId: uniqueId('cancel-starting'),
          appName: endlessApp.name,
          batchId,
          onCancel: 'delete',
          wait: slowWait,
        });
        await pollUntil('the start to back off after its failed reconcile', async () => {
          const live = await getProgress(handle);
          return live.phase === phases.starting && (live.currentAttempt ?? 0) >= 2 ? live : undefined;
        });
        assert.equal((await env.admin.runs()).length, 1, 'the lost POST created a run');
        await handle.cancel();
        return within(CANCELLED_WITHIN_MS, 'the cancellation', rejectionOf(handle.result()));
      });
      assert.ok(isWorkflowCancelled(err), `expected a cancellation, got ${String(err)}`);
      const runs = await env.admin.runs();
      assert.deepEqual(
        runs.map((r) => `${r.id} ${r.status}`),
        [],
        'no run of the cancelled pipeline is left in AI Hub',
      );
    });
  });

  it("with onCancel 'delete' a pipeline cancelled while uploading deletes the batch it was filling", async () => {
    // Each file upload takes 2 s, so the pipeline is cancelled with its batch half filled.
    const faults: FaultRule[] = [{ endpoint: 'putBatchFile', kind: 'latency', latencyMs: 2_000 }];
    await withPipelineEnv(temporal(), { faults }, async (env) => {
      const files = await writeLocalFiles(sampleInvoices(4));
      const aihub = emulatorClient(env.emulator);
      const batchesNow = async (): Promise<string[]> => {
        const names: string[] = [];
        for await (const batch of aihub.listAllBatches({})) names.push(batch.name);
        return names;
      };
      const err = await env.withWorker(async () => {
        const handle = await env.start({
          workflowId: uniqueId('cancel-uploading'),
          appName: 'invoices',
          files,
          onCancel: 'delete',
        });
        await pollUntil('the batch to be created', async () =>
          (await batchesNow()).some((name) => name.startsWith(handle.workflowId)) ? true : undefined,
        );
        assert.equal((await getProgress(handle)).phase, phases.uploading);
        await handle.cancel();
        return within(CANCELLED_WITHIN_MS, 'the cancellation', rejectionOf(handle.result()));
      });
      assert.ok(isWorkflowCancelled(err), `expected a cancellation, got ${String(err)}`);
      assert.deepEqual(await batchesNow(), [], 'the half-filled batch is deleted');
      assert.equal((await env.admin.runs()).length, 0, 'no run was started');
    });
  });
});
