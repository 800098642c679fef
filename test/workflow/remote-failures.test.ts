import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMULATOR_DEFAULT_TOKEN } from '../../src/emulator';
import { failureTypes } from '../../src/failure-types';
import { workflowTypes } from '../../src/names';
import { quickWait, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { failureTypeOf, rejectionOf } from '../helpers/failures';
import { uniqueId } from '../helpers/pipeline-env';
import type { PipelineEnv } from '../helpers/pipeline-env';
import { within } from '../helpers/waiting';
import { totalCalls, useTemporal, withPipelineEnv } from './support';

/** Far below the transient retry policy's day-long budget: a pipeline that retried would not fail this soon. */
const FAILS_WITHIN_MS = 30_000;

describe('a remote failure ends the pipeline at once with its own failure type', () => {
  const temporal = useTemporal();
  const files = sampleInvoices(2);

  /** Seeds a batch, forgets the seeding calls, runs a pipeline over it and answers how it failed. */
  async function failedPipeline(
    env: PipelineEnv,
    input: Record<string, unknown>,
    overrides?: Parameters<PipelineEnv['withWorker']>[1],
  ): Promise<unknown> {
    const batchId = await seedBatch(env.emulator, files);
    await env.admin.resetCalls();
    return env.withWorker(async () => {
      const handle = await env.start({
        workflowId: uniqueId('remote-failure'),
        wait: quickWait,
        batchId,
        ...input,
      });
      return within(FAILS_WITHIN_MS, 'the pipeline failing', rejectionOf(handle.result()));
    }, overrides);
  }

  it('a run that ends FAILED in AI Hub fails the pipeline as remote run failed', async () => {
    await withPipelineEnv(temporal(), {}, async (env) => {
      const err = await failedPipeline(env, { appName: 'invoices-failing' });
      assert.equal(failureTypeOf(err), failureTypes.remoteRunFailed);
      const { counts } = await env.admin.calls();
      assert.equal(counts.runApp, 1);
      assert.ok(counts.getRun >= 1 && counts.getRun <= 15, `getRun was called ${counts.getRun} times`);
      assert.equal(counts.getRunResults, 0);
    });
  });

  it('a run cancelled in AI Hub fails the pipeline as remote run cancelled', async () => {
    await withPipelineEnv(temporal(), {}, async (env) => {
      await env.admin.putApp({
        id: 'app-invoices-cancelled',
        name: 'invoices-cancelled',
        fields: ['invoice number', 'total'],
        msPerFile: 100,
        cancel: true,
      });
      const err = await failedPipeline(env, { appName: 'invoices-cancelled' });
      assert.equal(failureTypeOf(err), failureTypes.remoteRunCancelled);
      const { counts } = await env.admin.calls();
      assert.equal(counts.runApp, 1);
      assert.ok(counts.getRun >= 1 && counts.getRun <= 15, `getRun was called ${counts.getRun} times`);
      assert.equal(counts.getRunResults, 0);
    });
  });

  it('a 401 (wrong token) fails the pipeline as auth after a single call', async () => {
    await withPipelineEnv(temporal(), {}, async (env) => {
      const aihub = {
        apiRoot: env.emulator.url,
        token: 'wrong',
        ibContext: undefined,
        requestTimeoutMs: 10_000,
      };
      assert.notEqual(aihub.token, EMULATOR_DEFAULT_TOKEN);
      const err = await failedPipeline(env, { appName: 'invoices' }, { aihub });
      assert.equal(failureTypeOf(err), failureTypes.auth);
      const calls = await env.admin.calls();
      assert.equal(calls.counts.runApp, 1);
      assert.equal(totalCalls(calls), 1);
      assert.equal(calls.log[0]?.status, 401);
    });
  });

  it('a 403 (out of consumption units) fails the pipeline as forbidden after a single call', async () => {
    await withPipelineEnv(temporal(), {}, async (env) => {
      await env.admin.setQuota(0);
      const err = await failedPipeline(env, { appName: 'invoices' });
      assert.equal(failureTypeOf(err), failureTypes.forbidden);
      const calls = await env.admin.calls();
      assert.equal(calls.counts.runApp, 1);
      assert.equal(totalCalls(calls), 1);
      assert.equal(calls.log[0]?.status, 403);
      assert.equal((await env.admin.runs()).length, 0);
    });
  });

  it('a raw start with invalid input (another service) fails as bad input and sends nothing to AI Hub', async () => {
    await withPipelineEnv(temporal(), {}, async (env) => {
      const err = await env.withWorker(async () => {
        const handle = await env.client.workflow.start(workflowTypes.pipeline, {
          taskQueue: env.taskQueue,
          workflowId: uniqueId('bad-input'),
          args: [{ appName: 'x', appId: 'y', batchId: 1 }],
        });
        return within(FAILS_WITHIN_MS, 'the pipeline failing', rejectionOf(handle.result()));
      });
      assert.equal(failureTypeOf(err), failureTypes.badInput);
      assert.equal(totalCalls(await env.admin.calls()), 0);
    });
  });
});
