import assert from 'node:assert/strict';
import { readdir, readFile, rm, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PipelineHandle } from '../../src/client';
import type { StoredPipelineResult } from '../../src/results';
import { quickWait, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { startPipelineEnv, uniqueId } from '../helpers/pipeline-env';
import type { PipelineEnv } from '../helpers/pipeline-env';
import { pollUntil } from '../helpers/waiting';

/** The pipeline's result; fails instead of hanging when its paging keeps failing. */
async function resultUnlessStuck(handle: PipelineHandle): Promise<StoredPipelineResult> {
  const stuck = pollUntil(
    'the pipeline to finish',
    async () => {
      const pending = (await handle.describe()).raw.pendingActivities?.[0];
      const attempt = pending?.attempt ?? 0;
      return attempt >= 4 ? `attempt ${attempt} failed: ${pending?.lastFailure?.message ?? '?'}` : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 200 },
  );
  const outcome = await Promise.race([handle.result(), stuck]);
  if (typeof outcome === 'string') assert.fail(`results paging is stuck: ${outcome}`);
  return outcome;
}

/** `file_offset` of each results call the emulator answered, with its status. */
async function resultCalls(env: PipelineEnv): Promise<string[]> {
  const { log } = await env.admin.calls();
  return log
    .filter((c) => c.endpoint === 'getRunResults')
    .map((c) => `${new URL(c.path, 'http://x').searchParams.get('file_offset') ?? '0'}:${c.status}`);
}

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

  for (const [loss, lose] of [
    ['is gone', (path: string) => rm(path)],
    ['is shorter than recorded', (path: string) => truncate(path, 10)],
  ] as const) {
    it(`a retry whose recorded partial file ${loss} (another host, a lost volume) pages again from the first file`, async () => {
      const batchId = await seedBatch(env.emulator, sampleInvoices(5));
      const reference = await env.withWorker(async () => {
        const handle = await env.start({
          workflowId: uniqueId('paging-ref'),
          appName: 'invoices',
          batchId,
          wait: quickWait,
        });
        return handle.result();
      });
      await env.admin.resetCalls();
      await env.admin.setFaults([
        { endpoint: 'getRunResults', kind: 'error', status: 503, after: 2, times: 1 },
      ]);
      const workflowId = uniqueId('paging-lost');
      // The first attempt fails at the third page; the worker is gone before the retry can start.
      const handle = await env.withWorker(async () => {
        const started = await env.start({ workflowId, appName: 'invoices', batchId, wait: quickWait });
        await pollUntil('the third page to fail', async () =>
          (await resultCalls(env)).includes('2:503') ? true : undefined,
        );
        return started;
      });
      const folder = join(env.outputDir, workflowId, (await handle.describe()).runId);
      const partials = (await readdir(folder)).filter((name) => name.startsWith('results.jsonl.partial'));
      assert.equal(partials.length, 1, `one partial file: ${partials.join(', ')}`);
      await lose(join(folder, partials[0] ?? ''));

      const result = await env.withWorker(() => resultUnlessStuck(handle));
      assert.deepEqual(await resultCalls(env), [
        '0:200',
        '1:200',
        '2:503',
        '0:200',
        '1:200',
        '2:200',
        '3:200',
        '4:200',
      ]);
      assert.equal(result.files, 5);
      assert.equal(result.resultsSha256, reference.resultsSha256);
      assert.equal(await readFile(result.resultsPath, 'utf8'), await readFile(reference.resultsPath, 'utf8'));
      const manifest = JSON.parse(await readFile(result.manifestPath, 'utf8')) as {
        files: number;
        pages: number;
      };
      assert.equal(manifest.files, 5, 'the counts restarted with the paging');
    });
  }
});
