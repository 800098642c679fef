import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { StoredPipelineResult } from '../../src/results';
import { quickWait, sampleInvoices, seedBatch, writeLocalFiles } from '../helpers/aihub-fixtures';
import { startPipelineEnv, uniqueId } from '../helpers/pipeline-env';
import type { PipelineEnv } from '../helpers/pipeline-env';

describe('a pipeline delivers the results of one AI Hub run', () => {
  let env: PipelineEnv;
  const files = sampleInvoices(3);

  before(async () => {
    env = await startPipelineEnv({ emulator: { pageSize: 2 } });
  });
  after(() => env.close());

  async function runAndCheck(input: Record<string, unknown>, runKept = true): Promise<StoredPipelineResult> {
    const workflowId = uniqueId('happy');
    const result = await env.withWorker(async () => {
      const handle = await env.start({ workflowId, wait: quickWait, ...input });
      return handle.result();
    });
    assert.equal(result.status, 'COMPLETED');
    assert.equal(result.workflowId, workflowId);
    assert.equal(result.files, 3);
    assert.equal(result.documents, 3);
    assert.equal(result.fields, 12);
    assert.equal(result.fieldErrors, 0);
    const lines = (await readFile(result.resultsPath, 'utf8')).trim().split('\n');
    assert.equal(lines.length, 3);
    const names = lines
      .map((l) => (JSON.parse(l) as { original_file_name: string }).original_file_name)
      .sort();
    assert.deepEqual(names, Object.keys(files).sort());
    const manifest = JSON.parse(await readFile(result.manifestPath, 'utf8')) as Record<string, unknown>;
    assert.equal(manifest.resultsSha256, result.resultsSha256);
    assert.equal(manifest.files, 3);
    assert.match(String(manifest.startTimestamp), /^\d{19}$/);
    const runs = await env.admin.runs();
    assert.equal(runs.filter((r) => r.id === result.runId).length, runKept ? 1 : 0);
    return result;
  }

  it('runs an app by name over a batch', async () => {
    const batchId = await seedBatch(env.emulator, files);
    await runAndCheck({ appName: 'invoices', batchId });
  });

  it('runs an app by id over a drive folder', async () => {
    const folder = `acme/Claims/fs/Instabase Drive/inbox/${uniqueId('day')}`;
    for (const [name, text] of Object.entries(files)) await env.admin.putDriveFile(`${folder}/${name}`, text);
    await runAndCheck({ appId: 'app-invoices', inputDir: folder });
  });

  it('runs a deployment over a batch', async () => {
    const batchId = await seedBatch(env.emulator, files);
    await runAndCheck({ deploymentId: 'dep-invoices', batchId });
  });

  it('uploads local files to a new batch, runs over it and cleans up everything', async () => {
    const paths = await writeLocalFiles(files);
    const result = await runAndCheck({ appName: 'invoices', files: paths, cleanup: 'all' }, false);
    assert.ok(result.batchId !== null);
    assert.deepEqual(result.cleanedUp, { run: true, batch: true });
  });
});
