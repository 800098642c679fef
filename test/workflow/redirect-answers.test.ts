/**
 * A 3xx answer (a login redirect, an API root that points at a web page) is not transient: the
 * client follows no redirect, so the pipeline fails at once with its own type instead of
 * retrying for a day. Each fault fires once only, so a pipeline that retried would complete.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FaultRule } from '../../src/emulator';
import { failureTypes } from '../../src/failure-types';
import { quickWait, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { failureTypeOf, rejectionOf } from '../helpers/failures';
import { uniqueId } from '../helpers/pipeline-env';
import type { PipelineEnv } from '../helpers/pipeline-env';
import { useTemporal, withPipelineEnv } from './support';

describe('a 3xx answer from AI Hub ends the pipeline at once as an unexpected answer', () => {
  const temporal = useTemporal();

  /** Runs a pipeline over a fresh batch with `fault` injected once, and answers how it ended. */
  async function pipelineWith(env: PipelineEnv, fault: FaultRule): Promise<unknown> {
    const batchId = await seedBatch(env.emulator, sampleInvoices(2));
    await env.admin.resetCalls();
    await env.admin.setFaults([fault]);
    return env.withWorker(async () => {
      const handle = await env.start({
        workflowId: uniqueId('redirect'),
        appName: 'invoices',
        batchId,
        wait: quickWait,
      });
      return rejectionOf(handle.result());
    });
  }

  it('a 302 on the run start fails the pipeline after that one call', async () => {
    await withPipelineEnv(temporal(), {}, async (env) => {
      const err = await pipelineWith(env, { endpoint: 'runApp', kind: 'error', status: 302, times: 1 });
      assert.equal(failureTypeOf(err), failureTypes.unexpectedAnswer);
      const { counts, log } = await env.admin.calls();
      assert.equal(counts.runApp, 1, 'the start was not retried');
      assert.equal(log.find((entry) => entry.endpoint === 'runApp')?.status, 302);
      assert.equal((await env.admin.runs()).length, 0, 'no AI Hub run was started');
    });
  });

  it('a 302 on a status check fails the pipeline after that one check', async () => {
    await withPipelineEnv(temporal(), {}, async (env) => {
      const err = await pipelineWith(env, { endpoint: 'getRun', kind: 'error', status: 302, times: 1 });
      assert.equal(failureTypeOf(err), failureTypes.unexpectedAnswer);
      const { counts } = await env.admin.calls();
      assert.equal(counts.runApp, 1);
      assert.equal(counts.getRun, 1, 'the check was not retried');
      assert.equal(counts.getRunResults, 0);
    });
  });
});
