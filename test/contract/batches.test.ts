/**
 * Contract: the batch endpoints (create, list, get, delete, list files, put file, delete file), the
 * low-level multipart session calls and jobs, through the real client against the real emulator.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { batchWith, httpError, startContract, tempDir, waitForJob, type Contract } from './support';

/** Small parts so a 10-byte file takes three parts (4 + 4 + 2). */
const PART_SIZE = 4;

describe('contract: batches', () => {
  let h: Contract;
  let dataDir: string;
  let cleanup: () => Promise<void>;

  /** Where the emulator keeps the bytes of a batch file (see src/emulator/file-store.ts). */
  const storedFile = (batchId: number, name: string): string =>
    join(dataDir, 'batches', String(batchId), encodeURIComponent(name));

  before(async () => {
    ({ dir: dataDir, cleanup } = await tempDir());
    h = await startContract({ dataDir, multipartPartSize: PART_SIZE });
  });
  after(async () => {
    await h.close();
    await cleanup();
  });

  it('createBatch answers an id that getBatch describes in full', async () => {
    const startedAt = Date.now();
    const { id } = await h.client.createBatch({ name: 'november invoices', workspace: 'Claims' });
    assert.ok(Number.isInteger(id) && id > 0);
    const info = await h.client.getBatch(id);
    assert.equal(info.id, id);
    assert.equal(info.name, 'november invoices');
    assert.equal(info.workspace, 'Claims');
    assert.equal(info.mount_point, 'Instabase Drive');
    assert.equal(info.repo_owner, 'acme');
    assert.equal(typeof info.batch_owner, 'string');
    assert.equal(typeof info.path_suffix, 'string');
    // created_at_ms is in milliseconds.
    assert.ok(info.created_at_ms !== null && info.created_at_ms !== undefined);
    assert.ok(info.created_at_ms >= startedAt - 1000 && info.created_at_ms <= Date.now() + 1000);
    assert.ok((info.updated_at_ms ?? 0) >= info.created_at_ms);
  });

  it('listBatches lists created batches and filters by workspace', async () => {
    const { id: a } = await h.client.createBatch({ name: 'in A', workspace: 'Listing-A' });
    const { id: b } = await h.client.createBatch({ name: 'in B', workspace: 'Listing-B' });
    const all = (await h.client.listBatches({ limit: 1000 })).map((x) => x.id);
    assert.ok(all.includes(a) && all.includes(b));
    const onlyA = await h.client.listBatches({ workspace: 'Listing-A' });
    assert.deepEqual(
      onlyA.map((x) => [x.id, x.name]),
      [[a, 'in A']],
    );
  });

  it('listBatches pages with limit and offset in id order', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await h.client.createBatch({ name: `page ${i}`, workspace: 'Paging' })).id);
    const pages = [];
    for (let offset = 0; offset < 4; offset += 2) {
      pages.push((await h.client.listBatches({ workspace: 'Paging', limit: 2, offset })).map((b) => b.id));
    }
    assert.deepEqual(pages, [ids.slice(0, 2), ids.slice(2)]);
  });

  it('listAllBatches pages with limit and offset until a short page and yields every batch once', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await h.client.createBatch({ name: `all ${i}`, workspace: 'Paging-All' })).id);
    }
    const seen: number[] = [];
    for await (const batch of h.client.listAllBatches({ workspace: 'Paging-All', limit: 2 }))
      seen.push(batch.id);
    assert.deepEqual(seen, ids);
  });

  it('putBatchFile stores the bytes; the same name again overwrites them', async () => {
    const { id } = await h.client.createBatch({ name: 'overwrite' });
    const first = Buffer.from('first version, rather longer\n');
    const second = Buffer.from('second\n');
    await h.client.putBatchFile(id, 'doc.txt', first, first.length);
    await h.client.putBatchFile(id, 'doc.txt', second, second.length);

    const listing = await h.client.listBatchFiles(id);
    assert.deepEqual(
      listing.nodes.map((n) => [n.name, n.metadata?.size, n.metadata?.node_type]),
      [['doc.txt', second.length, 'file']],
    );
    assert.equal(listing.has_more, false);
    assert.deepEqual(await readFile(storedFile(id, 'doc.txt')), second);
    const node = listing.nodes[0];
    assert.ok(node?.full_path?.endsWith('/doc.txt'));
    // modified_timestamp is in seconds.
    const modified = node?.metadata?.modified_timestamp ?? 0;
    assert.ok(Math.abs(modified - Date.now() / 1000) < 60, `seconds expected, got ${modified}`);
  });

  it('putBatchFile percent-encodes file names: spaces, #, ?, %, + and non-ASCII round-trip', async () => {
    const name = 'Invoice #7 (März) 100% + tax?.txt';
    const bytes = Buffer.from('Invoice Number: INV-7\n');
    const { id } = await h.client.createBatch({ name: 'odd names' });
    await h.client.putBatchFile(id, name, bytes, bytes.length);
    const listing = await h.client.listBatchFiles(id);
    assert.deepEqual(
      listing.nodes.map((n) => n.name),
      [name],
    );
    assert.deepEqual(await readFile(storedFile(id, name)), bytes);
    await h.client.deleteBatchFile(id, name);
    assert.deepEqual((await h.client.listBatchFiles(id)).nodes, []);
  });

  it('putBatchFile accepts an empty file', async () => {
    const { id } = await h.client.createBatch({ name: 'empty file' });
    await h.client.putBatchFile(id, 'empty.txt', Buffer.alloc(0), 0);
    assert.equal((await h.client.listBatchFiles(id)).nodes[0]?.metadata?.size, 0);
  });

  it('listBatchFiles pages with page_size and start_token until has_more is false', async () => {
    const names = ['a.txt', 'b.txt', 'c.txt', 'd.txt', 'e.txt'];
    const id = await batchWith(h.client, Object.fromEntries(names.map((n) => [n, `content of ${n}`])));
    const pages: (string | undefined)[][] = [];
    let token: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await h.client.listBatchFiles(id, { page_size: 2, start_token: token });
      pages.push(page.nodes.map((n) => n.name));
      if (!page.has_more) {
        assert.equal(page.next_page_token ?? null, null);
        break;
      }
      assert.ok(page.next_page_token, 'a page with has_more carries a next_page_token');
      token = page.next_page_token;
    }
    assert.deepEqual(pages, [['a.txt', 'b.txt'], ['c.txt', 'd.txt'], ['e.txt']]);
  });

  it('deleteBatchFile removes one file; deleting it again answers 404', async () => {
    const id = await batchWith(h.client, { 'keep.txt': 'keep', 'drop.txt': 'drop' });
    await h.client.deleteBatchFile(id, 'drop.txt');
    assert.deepEqual(
      (await h.client.listBatchFiles(id)).nodes.map((n) => n.name),
      ['keep.txt'],
    );
    await httpError(h.client.deleteBatchFile(id, 'drop.txt'), 404);
  });

  it('deleteBatch answers a job that reaches COMPLETE; then the batch is 404', async () => {
    const id = await batchWith(h.client, { 'a.txt': 'x' });
    await h.admin.resetCalls();
    const { job_id } = await h.client.deleteBatch(id);
    assert.equal((await h.admin.calls()).log[0]?.status, 202);
    assert.match(job_id, /\S/);
    const job = await waitForJob(h.client, job_id);
    assert.equal(job.state, 'COMPLETE');
    assert.equal(typeof job.message, 'string');
    await httpError(h.client.getBatch(id), 404);
    await httpError(h.client.listBatchFiles(id), 404);
    await httpError(h.client.deleteBatch(id), 404);
  });

  it('getJob moves a job through PENDING/RUNNING to COMPLETE and stays there', async () => {
    const { id } = await h.client.createBatch({ name: 'job states' });
    const { job_id } = await h.client.deleteBatch(id);
    const states: string[] = [];
    for (let i = 0; i < 5; i++) states.push((await h.client.getJob(job_id)).state);
    assert.equal(states.at(-1), 'COMPLETE');
    const order = ['PENDING', 'RUNNING', 'COMPLETE'];
    for (let i = 1; i < states.length; i++) {
      assert.ok(
        order.indexOf(states[i] as string) >= order.indexOf(states[i - 1] as string),
        `states never go back: ${states.join(' -> ')}`,
      );
    }
  });

  it('getJob of an unknown job answers 404', async () => {
    await httpError(h.client.getJob('job-does-not-exist'), 404);
  });

  describe('multipart session calls', () => {
    it('start, parts of exactly part_size, commit: the file holds the parts in order', async () => {
      const bytes = Buffer.from('0123456789');
      const { id } = await h.client.createBatch({ name: 'multipart' });
      await h.admin.resetCalls();
      const session = await h.client.startMultipartUpload({
        batch_id: id,
        filename: 'ten.bin',
        file_size: bytes.length,
      });
      assert.match(session.session_id, /\S/);
      assert.equal(session.part_size, PART_SIZE);
      const parts: { part_num: number; part_id: string }[] = [];
      for (let partNum = 1, start = 0; start < bytes.length; partNum++, start += session.part_size) {
        const chunk = bytes.subarray(start, start + session.part_size);
        const part = await h.client.putMultipartPart(session.session_id, partNum, chunk, chunk.length);
        assert.equal(part.part_num, partNum);
        parts.push({ part_num: part.part_num, part_id: part.part_id });
      }
      assert.equal(parts.length, 3);
      // Parts may be listed in any order at commit.
      await h.client.finishMultipartUpload(session.session_id, { action: 'commit', parts: parts.reverse() });

      const { log } = await h.admin.calls();
      assert.deepEqual(
        log.map((e) => [e.endpoint, e.status]),
        [
          ['startMultipartUpload', 201],
          ['putMultipartPart', 201],
          ['putMultipartPart', 201],
          ['putMultipartPart', 201],
          ['finishMultipartUpload', 201],
        ],
      );
      assert.deepEqual(
        (await h.client.listBatchFiles(id)).nodes.map((n) => [n.name, n.metadata?.size]),
        [['ten.bin', bytes.length]],
      );
      assert.deepEqual(await readFile(storedFile(id, 'ten.bin')), bytes);
      // The session is closed after the commit.
      await httpError(h.client.putMultipartPart(session.session_id, 1, bytes.subarray(0, 4), 4), 404);
    });

    it('abort discards the session and its parts: no file appears, later parts answer 404', async () => {
      const { id } = await h.client.createBatch({ name: 'aborted' });
      const session = await h.client.startMultipartUpload({
        batch_id: id,
        filename: 'gone.bin',
        file_size: 6,
      });
      await h.client.putMultipartPart(session.session_id, 1, Buffer.from('abcd'), 4);
      await h.client.finishMultipartUpload(session.session_id, { action: 'abort' });
      assert.deepEqual((await h.client.listBatchFiles(id)).nodes, []);
      await httpError(h.client.putMultipartPart(session.session_id, 2, Buffer.from('ef'), 2), 404);
      await httpError(
        h.client.finishMultipartUpload(session.session_id, {
          action: 'commit',
          parts: [{ part_num: 1, part_id: 'x' }],
        }),
        404,
      );
    });

    it('a part of the wrong size answers 400 naming part_num', async () => {
      const { id } = await h.client.createBatch({ name: 'bad part' });
      const session = await h.client.startMultipartUpload({ batch_id: id, filename: 'f.bin', file_size: 10 });
      const err = await httpError(
        h.client.putMultipartPart(session.session_id, 1, Buffer.from('ab'), 2),
        400,
      );
      assert.match(err.bodyMessage ?? '', /part_num/);
      await h.client.finishMultipartUpload(session.session_id, { action: 'abort' });
    });

    it('starting a session for an unknown batch answers 404', async () => {
      await httpError(
        h.client.startMultipartUpload({ batch_id: 987_654, filename: 'f.bin', file_size: 10 }),
        404,
      );
    });
  });
});
