import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { quickWait, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { startPipelineEnv, uniqueId } from '../helpers/pipeline-env';
import type { PipelineEnv } from '../helpers/pipeline-env';

describe('result paging resumes where it stopped', () => {
  let env: PipelineEnv;
  before(async () => {
    env = await startPipelineEnv({ emulator: { pageSize: 1 } });
  });
  after(() => env.close());

  it('a paging attempt that fails mid-way is retried into a results file identical to an undisturbed one', async () => {
    const batchId = await seedBatch(env.emulator, sampleInvoices(5));
    const run = (workflowId: string) =>
      env.withWorker(async () => {
        const handle = await env.start({ workflowId, appName: 'invoices', batchId, wait: quickWait });
        return handle.result();
      });

    const undisturbed = await run(uniqueId('paging-calm'));
    await env.admin.resetCalls();
    await env.admin.setFaults([
      { endpoint: 'getRunResults', kind: 'error', status: 503, after: 2, times: 1 },
    ]);
    const disturbed = await run(uniqueId('paging-503'));

    const { counts, log } = await env.admin.calls();
    const statuses = log.filter((c) => c.endpoint === 'getRunResults').map((c) => c.status);
    assert.deepEqual(
      statuses,
      [200, 200, 503, 200, 200, 200],
      'the third page failed once and paging resumed there',
    );
    assert.equal(counts.getRunResults, 6);
    assert.equal(disturbed.files, 5);
    assert.equal(disturbed.resultsSha256, undisturbed.resultsSha256);
    assert.equal(
      await readFile(disturbed.resultsPath, 'utf8'),
      await readFile(undisturbed.resultsPath, 'utf8'),
    );
  });
});
