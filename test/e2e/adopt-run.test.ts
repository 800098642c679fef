import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { describe, it } from 'node:test';
import type { RunSummary } from '../../src/cli/run-command';
import { emulatorClient, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { runCli, useCliStack } from '../helpers/cli';
import { uniqueId } from '../helpers/pipeline-env';

describe('hubrun run --adopt-run', () => {
  const stack = useCliStack();

  async function runJson(args: string[], expectedCode: number): Promise<RunSummary> {
    const { code, stdout, stderr } = await runCli(['run', ...args, '--wait', '--json'], stack.cliEnv);
    assert.equal(code, expectedCode, stderr);
    return JSON.parse(stdout.trim()) as RunSummary;
  }

  it('delivers the results of a run started directly at AI Hub, starting none', async () => {
    const batchId = await seedBatch(stack.env.emulator, sampleInvoices(2));
    const run = await emulatorClient(stack.env.emulator).runApp({ app_name: 'invoices', batch_id: batchId });
    await stack.env.admin.resetCalls();
    const id = uniqueId('adopt');

    const summary = await runJson(['--adopt-run', run.id, '--id', id], 0);
    assert.equal(summary.status, 'COMPLETED');
    assert.equal(summary.runId, run.id);
    assert.equal(summary.files, 2);
    assert.equal(summary.fields, 8);
    await access(summary.resultsPath ?? '');
    const { counts } = await stack.env.admin.calls();
    assert.equal(counts.runApp ?? 0, 0, 'nothing was started');
    assert.equal((await stack.env.admin.runs()).filter((r) => r.batchId === batchId).length, 1);
  });

  it('fails as AihubNotFound when AI Hub has no such run', async () => {
    const summary = await runJson(['--adopt-run', 'run-does-not-exist', '--id', uniqueId('adopt-none')], 1);
    assert.equal(summary.status, 'FAILED');
    assert.equal(summary.failureType, 'AihubNotFound');
  });
});
