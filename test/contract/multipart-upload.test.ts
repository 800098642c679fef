/**
 * Contract: `client.uploadFile` sends a file over 10 MB through a multipart session, and the bytes
 * the emulator stores are exactly the file's bytes; smaller files go in one PUT.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MULTIPART_THRESHOLD_BYTES } from '../../src/aihub/endpoints';
import {
  pseudoRandomBytes,
  quickApp,
  sha256,
  sha256OfFile,
  startContract,
  tempDir,
  waitForRun,
  type Contract,
} from './support';

const MiB = 1024 * 1024;

describe('contract: multipart upload through uploadFile', () => {
  let h: Contract;
  let dir: string;
  let cleanup: () => Promise<void>;
  let dataDir: string;

  /** Where the emulator keeps the bytes of a batch file (see src/emulator/file-store.ts). */
  const storedFile = (batchId: number, name: string): string =>
    join(dataDir, 'batches', String(batchId), encodeURIComponent(name));

  before(async () => {
    ({ dir, cleanup } = await tempDir());
    dataDir = join(dir, 'emulator-data');
    h = await startContract({ dataDir, apps: [quickApp('app-quick', 'quick')] });
  });
  after(async () => {
    await h.close();
    await cleanup();
  });

  it('a file of 10 MiB + 123 bytes goes multipart and arrives byte for byte', async () => {
    const bytes = pseudoRandomBytes(10 * MiB + 123);
    const source = join(dir, 'scan.bin');
    await writeFile(source, bytes);
    const { id: batchId } = await h.client.createBatch({ name: 'big upload' });
    await h.admin.resetCalls();

    let progress = 0;
    const result = await h.client.uploadFile(batchId, 'big scan.pdf', source, {
      onProgress: (sent, total) => {
        assert.equal(total, bytes.length);
        progress = sent;
      },
    });

    assert.deepEqual(result, { bytes: bytes.length, multipart: true });
    assert.equal(progress, bytes.length, 'progress reached the file size');
    const { counts, log } = await h.admin.calls();
    assert.equal(counts.putBatchFile, 0, 'no single PUT');
    assert.equal(counts.startMultipartUpload, 1);
    assert.equal(counts.putMultipartPart, 3, '5 MiB + 5 MiB + 123 bytes');
    assert.equal(counts.finishMultipartUpload, 1);
    assert.ok(
      log.every((e) => e.status === 201),
      'every multipart call answered 201',
    );

    const listing = await h.client.listBatchFiles(batchId);
    assert.deepEqual(
      listing.nodes.map((n) => [n.name, n.metadata?.size]),
      [['big scan.pdf', bytes.length]],
    );
    assert.equal(await sha256OfFile(storedFile(batchId, 'big scan.pdf')), sha256(bytes));

    // The stored file is a valid run input.
    const run = await h.client.runApp({ app_name: 'quick', batch_id: batchId });
    assert.equal((await waitForRun(h.client, run.id)).status, 'COMPLETE');
    const results = await h.client.getRunResults(run.id);
    assert.deepEqual(
      results.files.map((f) => f.original_file_name),
      ['big scan.pdf'],
    );
  });

  it('a file of exactly the threshold goes in one PUT and arrives byte for byte', async () => {
    const bytes = pseudoRandomBytes(MULTIPART_THRESHOLD_BYTES, 42);
    const source = join(dir, 'threshold.bin');
    await writeFile(source, bytes);
    const { id: batchId } = await h.client.createBatch({ name: 'threshold upload' });
    await h.admin.resetCalls();

    const result = await h.client.uploadFile(batchId, 'threshold.bin', source);

    assert.deepEqual(result, { bytes: bytes.length, multipart: false });
    const { counts } = await h.admin.calls();
    assert.equal(counts.putBatchFile, 1);
    assert.equal(counts.startMultipartUpload, 0);
    assert.equal(await sha256OfFile(storedFile(batchId, 'threshold.bin')), sha256(bytes));
  });

  it('a second upload of the same name overwrites it (a retried upload is idempotent)', async () => {
    const first = pseudoRandomBytes(10 * MiB + 5, 1);
    const second = pseudoRandomBytes(10 * MiB + 9, 2);
    const a = join(dir, 'first.bin');
    const b = join(dir, 'second.bin');
    await writeFile(a, first);
    await writeFile(b, second);
    const { id: batchId } = await h.client.createBatch({ name: 'overwrite upload' });

    await h.client.uploadFile(batchId, 'scan.bin', a);
    await h.client.uploadFile(batchId, 'scan.bin', b);

    const listing = await h.client.listBatchFiles(batchId);
    assert.deepEqual(
      listing.nodes.map((n) => [n.name, n.metadata?.size]),
      [['scan.bin', second.length]],
    );
    assert.equal(await sha256OfFile(storedFile(batchId, 'scan.bin')), sha256(second));
  });

  it('a failed part aborts the session and the error reaches the caller; no file appears', async () => {
    const bytes = pseudoRandomBytes(10 * MiB + 1, 3);
    const source = join(dir, 'fails.bin');
    await writeFile(source, bytes);
    const { id: batchId } = await h.client.createBatch({ name: 'failed upload' });
    await h.admin.setFaults([{ endpoint: 'putMultipartPart', kind: 'error', status: 503, times: 1 }]);
    await h.admin.resetCalls();
    try {
      await assert.rejects(h.client.uploadFile(batchId, 'fails.bin', source), { status: 503 });
    } finally {
      await h.admin.setFaults([]);
    }
    const { log } = await h.admin.calls();
    assert.deepEqual(
      log.map((e) => [e.endpoint, e.status]),
      [
        ['startMultipartUpload', 201],
        ['putMultipartPart', 503],
        ['finishMultipartUpload', 201],
      ],
    );
    assert.deepEqual((await h.client.listBatchFiles(batchId)).nodes, []);
  });
});
