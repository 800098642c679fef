/**
 * Contract: with a state file, the emulator keeps batches, their bytes and runs across a restart;
 * a client on the new API root finds them, and a run still progresses to COMPLETE with results.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { quickApp, sha256, sha256OfFile, startContract, tempDir, waitForRun } from './support';

describe('contract: emulator restart', () => {
  it('a restarted emulator on the same state file still has the batch, its file and the run', async () => {
    const { dir, cleanup } = await tempDir();
    const stateFile = join(dir, 'state.json');
    const apps = [quickApp('app-three-checks', 'three-checks', 3)];
    const content = Buffer.from('Invoice Number: INV-77\nVendor: Globex\n');
    const source = join(dir, 'inv-77.txt');
    await writeFile(source, content);
    try {
      const first = await startContract({ stateFile, apps });
      let batchId: number;
      let runId: string;
      let startTimestamp: string | null | undefined;
      try {
        ({ id: batchId } = await first.client.createBatch({
          name: 'survives restarts',
          workspace: 'Claims',
        }));
        assert.deepEqual(await first.client.uploadFile(batchId, 'inv 77.txt', source), {
          bytes: content.length,
          multipart: false,
        });
        const run = await first.client.runApp({
          app_name: 'three-checks',
          batch_id: batchId,
          settings: { tags: ['orch:r'] },
        });
        runId = run.id;
        startTimestamp = run.start_timestamp;
        assert.equal((await first.client.getRun(runId)).status, 'RUNNING'); // check 1 of 3
      } finally {
        await first.close();
      }

      const second = await startContract({ stateFile, apps, port: 0 });
      try {
        assert.ok(second.emulator.url.startsWith('http://127.0.0.1:'));
        const client = second.client; // built on the new API root

        const batch = await client.getBatch(batchId);
        assert.deepEqual([batch.id, batch.name, batch.workspace], [batchId, 'survives restarts', 'Claims']);
        assert.ok((await client.listBatches()).some((b) => b.id === batchId));
        const files = await client.listBatchFiles(batchId);
        assert.deepEqual(
          files.nodes.map((n) => [n.name, n.metadata?.size]),
          [['inv 77.txt', content.length]],
        );
        const stored = join(
          `${stateFile}.data`,
          'batches',
          String(batchId),
          encodeURIComponent('inv 77.txt'),
        );
        assert.equal(await sha256OfFile(stored), sha256(content));

        const listed = await client.listRuns({ run_id: runId });
        assert.deepEqual(
          listed.map((r) => [r.id, r.status, r.start_timestamp, r.tags]),
          [[runId, 'RUNNING', startTimestamp, ['orch:r']]],
        );

        const run = await waitForRun(client, runId); // checks 2 and 3: progress continues
        assert.equal(run.status, 'COMPLETE');
        assert.equal(run.start_timestamp, startTimestamp);
        const results = await client.getRunResults(runId);
        assert.equal(results.has_more, false);
        assert.deepEqual(
          results.files.map((f) => [
            f.original_file_name,
            f.documents[0]?.fields.find((x) => x.field_name === 'invoice_number')?.value,
          ]),
          [['inv 77.txt', 'INV-77']],
        );

        // New ids keep counting after the restart.
        assert.ok((await client.createBatch({ name: 'after restart' })).id > batchId);
      } finally {
        await second.close();
      }
    } finally {
      await cleanup();
    }
  });
});
