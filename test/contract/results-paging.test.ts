/**
 * Contract: results are paged by the server; the client pages with `file_offset += files.length`
 * while `has_more`, and with a page size of 1 that is one call per file.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { allResultPages, batchWith, quickApp, startContract, waitForRun, type Contract } from './support';

describe('contract: results paging', () => {
  let h: Contract;

  before(async () => {
    h = await startContract({ pageSize: 1, apps: [quickApp('app-quick', 'quick')] });
  });
  after(() => h.close());

  it('with page size 1, five files come in five pages at file_offset 0..4, has_more false on the last', async () => {
    const names = ['inv-1.txt', 'inv-2.txt', 'inv-3.txt', 'inv-4.txt', 'inv-5.txt'];
    const batchId = await batchWith(
      h.client,
      Object.fromEntries(names.map((n, i) => [n, `Invoice Number: INV-${i + 1}\n`])),
    );
    const started = await h.client.runApp({ app_name: 'quick', batch_id: batchId });
    assert.equal((await waitForRun(h.client, started.id)).status, 'COMPLETE');

    await h.admin.resetCalls();
    const pages = await allResultPages(h.client, started.id);

    assert.equal(pages.length, 5);
    assert.deepEqual(
      pages.map((p) => [p.files.length, p.has_more]),
      [
        [1, true],
        [1, true],
        [1, true],
        [1, true],
        [1, false],
      ],
    );
    const fileNames = pages.flatMap((p) => p.files.map((f) => f.original_file_name));
    assert.equal(new Set(fileNames).size, 5, 'five distinct files');
    assert.deepEqual([...fileNames].sort(), names);
    const values = pages.flatMap((p) =>
      p.files.map((f) => f.documents[0]?.fields.find((x) => x.field_name === 'invoice_number')?.value),
    );
    assert.deepEqual([...values].sort(), ['INV-1', 'INV-2', 'INV-3', 'INV-4', 'INV-5']);
    for (const page of pages) {
      assert.equal(page.id, started.id);
      assert.equal(page.start_timestamp, started.start_timestamp);
    }

    const { counts, log } = await h.admin.calls();
    assert.equal(counts.getRunResults, 5);
    assert.deepEqual(
      log.map((e) => [e.endpoint, e.status, new URL(e.path, 'http://x').searchParams.get('file_offset')]),
      [0, 1, 2, 3, 4].map((offset) => ['getRunResults', 200, String(offset)]),
    );
  });

  it('a file_offset past the end answers an empty page with has_more false', async () => {
    const batchId = await batchWith(h.client, { 'only.txt': 'x' });
    const started = await h.client.runApp({ app_name: 'quick', batch_id: batchId });
    assert.equal((await waitForRun(h.client, started.id)).status, 'COMPLETE');
    const page = await h.client.getRunResults(started.id, { file_offset: 7 });
    assert.deepEqual(page.files, []);
    assert.equal(page.has_more, false);
  });
});
