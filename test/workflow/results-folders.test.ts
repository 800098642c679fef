import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli';
import { quickWait, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { startPipelineEnv, uniqueId } from '../helpers/pipeline-env';
import type { PipelineEnv } from '../helpers/pipeline-env';

describe('each pipeline execution writes to a folder of its own', () => {
  let env: PipelineEnv;
  before(async () => {
    env = await startPipelineEnv({ emulator: { pageSize: 2 } });
  });
  after(() => env.close());

  it('a second pipeline under the same workflow id leaves the first one’s results and manifest intact', async () => {
    const workflowId = uniqueId('nightly');
    const run = (batchId: number) =>
      env.withWorker(async () => {
        const handle = await env.start({ workflowId, appName: 'invoices', batchId, wait: quickWait });
        const result = await handle.result();
        return { result, workflowRunId: (await handle.describe()).runId };
      });

    // Two nights over different files: were one to overwrite the other, the first's bytes would change.
    const first = await run(await seedBatch(env.emulator, sampleInvoices(3)));
    const firstResults = await readFile(first.result.resultsPath, 'utf8');
    const firstManifest = await readFile(first.result.manifestPath, 'utf8');
    const second = await run(await seedBatch(env.emulator, sampleInvoices(5)));

    assert.equal(second.result.files, 5);
    assert.equal(await readFile(first.result.resultsPath, 'utf8'), firstResults);
    assert.equal(await readFile(first.result.manifestPath, 'utf8'), firstManifest);
    assert.equal(firstResults.trim().split('\n').length, 3);
    const manifest = JSON.parse(firstManifest) as { files: number; resultsSha256: string };
    assert.equal(manifest.files, 3);
    assert.equal(manifest.resultsSha256, first.result.resultsSha256);
    assert.notEqual(first.workflowRunId, second.workflowRunId);
    for (const { result, workflowRunId } of [first, second]) {
      const folder = join(env.outputDir, workflowId, workflowRunId);
      assert.equal(result.resultsPath, join(folder, 'results.jsonl'));
      assert.equal(result.manifestPath, join(folder, 'manifest.json'));
    }

    // `hubrun results ID` shows the latest execution's files.
    const shown = await runCli(['results', workflowId], {
      TEMPORAL_ADDRESS: env.temporal.address,
      HUBRUN_TASK_QUEUE: env.taskQueue,
    });
    assert.equal(shown.code, 0, shown.stderr);
    assert.ok(shown.stdout.includes(`results:  ${second.result.resultsPath}\n`), shown.stdout);
    assert.ok(shown.stdout.includes(`manifest: ${second.result.manifestPath} `), shown.stdout);
  });
});
