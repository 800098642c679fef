import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getFanOutProgress, getProgress, startFanOut } from '../../src/client';
import { phases } from '../../src/progress';
import { quickWait, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { uniqueId } from '../helpers/pipeline-env';
import type { PipelineEnv } from '../helpers/pipeline-env';
import { within } from '../helpers/waiting';
import { useTemporal, withPipelineEnv } from './support';

/** Runs a worker until `finished()` settles; returns `early`, a query's answer sent before it ran. */
async function answeredOnceAWorkerRuns<T>(
  env: PipelineEnv,
  early: Promise<T>,
  finished: () => Promise<unknown>,
): Promise<T> {
  early.catch(() => undefined); // awaited once the worker runs; a rejection is handled there
  return env.withWorker(async () => {
    const answered = await within(30_000, 'the first progress answer', early);
    await within(30_000, 'the workflow completing', finished());
    return answered;
  });
}

/*
 * A query sent before a worker has picked up a workflow's first task travels with that task, so
 * it is answered right after the workflow's first step: before the input check (a local
 * activity) has answered. Starting the workflow with no worker running makes that certain.
 */
describe('the progress query answers from the first moment', () => {
  const temporal = useTemporal();

  it('of a pipeline, queried before any worker ran it', async () => {
    await withPipelineEnv(temporal(), {}, async (env) => {
      const batchId = await seedBatch(env.emulator, sampleInvoices(1));
      const handle = await env.start({
        workflowId: uniqueId('progress-first'),
        appName: 'invoices',
        batchId,
        wait: quickWait,
      });
      const progress = await answeredOnceAWorkerRuns(env, getProgress(handle), () => handle.result());
      assert.equal(progress.workflowStatus, 'RUNNING');
      assert.equal(progress.phase, phases.validating);
    });
  });

  it('of a fan-out, queried before any worker ran it', async () => {
    await withPipelineEnv(temporal(), {}, async (env) => {
      const batchId = await seedBatch(env.emulator, sampleInvoices(1));
      const handle = await startFanOut(
        env.client,
        {
          workflowId: uniqueId('progress-fan-out'),
          template: { appName: 'invoices', wait: quickWait },
          inputs: [{ batchId }],
        },
        { taskQueue: env.taskQueue },
      );
      const progress = await answeredOnceAWorkerRuns(env, getFanOutProgress(handle), () => handle.result());
      assert.equal(progress.started, 0);
    });
  });
});
