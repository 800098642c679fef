import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Worker } from '@temporalio/worker';
import type { RunSummary } from '../../src/cli/run-command';
import { emulatorClient, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { runCli } from '../helpers/cli';
import { startPipelineEnv, uniqueId } from '../helpers/pipeline-env';
import type { PipelineEnv } from '../helpers/pipeline-env';

describe('hubrun run --adopt-run', () => {
  let env: PipelineEnv;
  let worker: Worker;
  let workerDone: Promise<void>;
  let cliEnv: Record<string, string>;

  before(async () => {
    env = await startPipelineEnv();
    worker = await env.createWorker();
    workerDone = worker.run();
    cliEnv = { TEMPORAL_ADDRESS: env.temporal.address, HUBRUN_TASK_QUEUE: env.taskQueue };
  });
  after(async () => {
    worker.shutdown();
    await workerDone;
    await env.close();
  });

  async function runJson(args: string[], expectedCode: number): Promise<RunSummary> {
    const { code, stdout, stderr } = await runCli(['run', ...args, '--wait', '--json'], cliEnv);
    assert.equal(code, expectedCode, stderr);
    return JSON.parse(stdout.trim()) as RunSummary;
  }

  it('delivers the results of a run started directly at AI Hub, starting none', async () => {
    const batchId = await seedBatch(env.emulator, sampleInvoices(2));
    const run = await emulatorClient(env.emulator).runApp({ app_name: 'invoices', batch_id: batchId });
    await env.admin.resetCalls();
    const id = uniqueId('adopt');

    const summary = await runJson(['--adopt-run', run.id, '--id', id], 0);
    assert.equal(summary.status, 'COMPLETE');
    assert.equal(summary.runId, run.id);
    assert.equal(summary.files, 2);
    assert.equal(summary.fields, 8);
    await access(summary.resultsPath ?? '');
    const { counts } = await env.admin.calls();
    assert.equal(counts.runApp ?? 0, 0, 'nothing was started');
    assert.equal((await env.admin.runs()).filter((r) => r.batchId === batchId).length, 1);
  });

  it('fails as AihubNotFound when AI Hub has no such run', async () => {
    const summary = await runJson(['--adopt-run', 'run-does-not-exist', '--id', uniqueId('adopt-none')], 1);
    assert.equal(summary.status, 'FAILED');
    assert.equal(summary.failureType, 'AihubNotFound');
  });
});
