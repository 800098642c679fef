import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ListRunsResponse, Run, RunResultsPage } from '../../src/aihub/schemas';
import { defaultApps } from '../../src/emulator';
import { checksApp, harness } from './support';
import type { Harness } from './support';

const invoice = 'Invoice Number: INV-1\nVendor: Globex\n';

/** The raw 19-digit value of `key` in a JSON text. */
function rawNanos(text: string, key: string): bigint {
  const digits = new RegExp(`"${key}":(\\d{19})[,}]`).exec(text)?.[1];
  assert.ok(digits, `${key} is not a bare 19-digit number in ${text}`);
  return BigInt(digits);
}

describe('emulator run lifecycle', () => {
  let h: Harness;
  before(async () => {
    h = await harness({
      apps: [
        ...defaultApps,
        checksApp('app-three-checks', 3),
        checksApp('app-review', 1, { review: {} }),
        checksApp('app-fails', 2, { fail: 'OCR engine failed on page 1' }),
        checksApp('app-cancels', 1, { cancel: true }),
      ],
    });
  });
  after(() => h.close());

  it('a checks-mode run completes at exactly the Nth status check', async () => {
    const run = await h.api.runOver('app-three-checks', { 'a.txt': invoice });
    assert.equal(run.status, 'RUNNING');
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) seen.push((await h.api.status(run.id)).status);
    assert.deepEqual(seen, ['RUNNING', 'RUNNING', 'COMPLETE', 'COMPLETE']);
    const details = (await h.admin.runs()).find((r) => r.id === run.id);
    assert.equal(details?.checks, 4);
  });

  it('the 19-digit start_timestamp goes out as a bare JSON number, finish_timestamp is null while running', async () => {
    const run = await h.api.runOver('app-three-checks', { 'a.txt': invoice });
    const first = await h.api.get<Run>(`/v2/apps/runs/${run.id}`);
    const start = rawNanos(first.text, 'start_timestamp');
    assert.match(first.text, /"finish_timestamp":null/);
    await h.api.status(run.id);
    const done = await h.api.get<Run>(`/v2/apps/runs/${run.id}`);
    assert.equal(done.json.status, 'COMPLETE');
    assert.equal(rawNanos(done.text, 'start_timestamp'), start, 'the start never changes');
    assert.ok(rawNanos(done.text, 'finish_timestamp') >= start);
  });

  it('a review run waits at STOPPED_AT_CHECKPOINT until the admin completes the review', async () => {
    const run = await h.api.runOver('app-review', { 'a.txt': invoice });
    for (let i = 0; i < 3; i++) {
      const waiting = await h.api.status(run.id);
      assert.equal(waiting.status, 'STOPPED_AT_CHECKPOINT');
      assert.equal(waiting.finish_timestamp, null);
    }
    assert.equal((await h.api.get(`/v2/apps/runs/${run.id}/results`)).status, 409);
    assert.ok((await h.admin.stats()).runsInFlight >= 1, 'a run at the checkpoint is in flight');
    await h.admin.completeReview(run.id);
    const done = await h.api.get<Run>(`/v2/apps/runs/${run.id}`);
    assert.equal(done.json.status, 'COMPLETE');
    rawNanos(done.text, 'finish_timestamp');
    const results = await h.api.get<RunResultsPage>(
      `/v2/apps/runs/${run.id}/results?include_review_results=true`,
    );
    assert.equal(results.status, 200);
    assert.equal(results.json.review_completed, true);
    assert.equal(results.json.files[0]!.documents[0]!.review_completed, true);
    await assert.rejects(h.admin.completeReview(run.id), /409/);
  });

  it('a failing app ends FAILED with its msg, a cancelling app ends CANCELLED', async () => {
    const failing = await h.api.runOver('app-fails', { 'a.txt': invoice });
    assert.equal((await h.api.status(failing.id)).status, 'RUNNING');
    const failed = await h.api.status(failing.id);
    assert.equal(failed.status, 'FAILED');
    assert.equal(failed.msg, 'OCR engine failed on page 1');
    assert.equal((await h.api.get(`/v2/apps/runs/${failing.id}/results`)).status, 409);

    const cancelling = await h.api.runOver('app-cancels', { 'a.txt': invoice });
    assert.equal((await h.api.status(cancelling.id)).status, 'CANCELLED');
  });

  it('tags given in settings.tags come back on get and list', async () => {
    const run = await h.api.runOver('app-three-checks', { 'a.txt': invoice }, ['nightly', 'orch:abc']);
    assert.deepEqual(run.tags, ['nightly', 'orch:abc']);
    assert.deepEqual((await h.api.status(run.id)).tags, ['nightly', 'orch:abc']);
    const listed = await h.api.get<ListRunsResponse>(
      `/v2/apps/runs?app_name=app-three-checks&run_id=${run.id}`,
    );
    assert.equal(listed.status, 200);
    assert.equal(listed.json.runs.length, 1);
    assert.deepEqual(listed.json.runs[0]!.tags, ['nightly', 'orch:abc']);
    rawNanos(listed.text, 'start_timestamp');
  });

  it('list runs accepts a repeated status filter, paging and seconds timestamps', async () => {
    const a = await h.api.runOver('app-review', { 'a.txt': invoice });
    const b = await h.api.runOver('app-fails', { 'a.txt': invoice });
    await h.api.status(a.id); // -> STOPPED_AT_CHECKPOINT
    const list = async (query: string): Promise<Run[]> =>
      (await h.api.get<ListRunsResponse>(`/v2/apps/runs?${query}`)).json.runs;

    const both = await list('status=STOPPED_AT_CHECKPOINT&status=RUNNING&limit=1000');
    const ids = both.map((r) => r.id);
    assert.ok(ids.includes(a.id) && ids.includes(b.id));
    assert.ok(both.every((r) => ['STOPPED_AT_CHECKPOINT', 'RUNNING'].includes(r.status)));
    assert.ok(
      (await list('status=STOPPED_AT_CHECKPOINT&limit=1000')).every(
        (r) => r.status === 'STOPPED_AT_CHECKPOINT',
      ),
    );

    const page1 = await list('limit=2&offset=0&order=ASCENDING');
    const page2 = await list('limit=2&offset=2&order=ASCENDING');
    assert.equal(page1.length, 2);
    assert.notEqual(page1[0]!.id, page2[0]?.id);
    const newestFirst = await list('limit=1000');
    assert.equal(newestFirst[0]!.id, b.id, 'newest first by default');

    const future = Math.floor(Date.now() / 1000) + 3600;
    assert.equal((await list(`from_timestamp=${future}`)).length, 0);
    assert.ok((await list('from_timestamp=0')).length >= 2);
    assert.equal((await list('to_timestamp=1000')).length, 0);
    assert.equal((await h.api.get('/v2/apps/runs?status=DONE')).status, 400);
  });

  it('a deployment run answers 202 with the deployment and its app', async () => {
    const batchId = await h.api.batchWith({ 'a.txt': invoice });
    const answer = await h.api.post<Run>('/v2/apps/deployments/dep-invoices/runs', { batch_id: batchId });
    assert.equal(answer.status, 202);
    assert.equal(answer.json.deployment_id, 'dep-invoices');
    assert.equal(answer.json.app_id, 'app-invoices');
    assert.equal(answer.json.batch_id, batchId);
    assert.equal(answer.json.status, 'RUNNING');
  });

  it('an input_dir run processes the drive folder (leading slash optional)', async () => {
    const folder = 'acme/Claims/fs/Instabase Drive/inbox/2026-11-28';
    await h.admin.putDriveFile(`${folder}/one.txt`, 'Total: 10.00\n');
    await h.admin.putDriveFile(`${folder}/two.txt`, 'Total: 20.00\n');
    const answer = await h.api.post<Run>('/v2/apps/runs', {
      app_id: 'app-three-checks',
      input_dir: `/${folder}`,
    });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.json.input_dir, `/${folder}`);
    assert.equal(answer.json.batch_id, null);
    for (let i = 0; i < 3; i++) await h.api.status(answer.json.id);
    const results = await h.api.get<RunResultsPage>(`/v2/apps/runs/${answer.json.id}/results`);
    assert.deepEqual(
      results.json.files.map((f) => f.input_file_path),
      [`${folder}/one.txt`, `${folder}/two.txt`],
    );
    const total = results.json.files[1]!.documents[0]!.fields.find((f) => f.field_name === 'total');
    assert.equal(total?.value, '20.00');
  });
});

describe('emulator clock mode', () => {
  it('a run finishes msPerFile * files after its start; a review completes itself autoCompleteMs later', async () => {
    let now = Date.UTC(2026, 10, 28, 2, 0, 0);
    const h = await harness({
      now: () => now,
      apps: [
        { id: 'app-clock', name: 'clock', fields: ['total'], msPerFile: 1000 },
        {
          id: 'app-clock-review',
          name: 'clock-review',
          fields: ['total'],
          msPerFile: 500,
          review: { autoCompleteMs: 2000 },
        },
      ],
    });
    try {
      const run = await h.api.runOver('clock', { 'a.txt': 'x', 'b.txt': 'y' });
      const review = await h.api.runOver('clock-review', { 'a.txt': 'x' });
      const start = rawNanos((await h.api.get(`/v2/apps/runs/${run.id}`)).text, 'start_timestamp');
      now += 1999;
      assert.equal((await h.api.status(run.id)).status, 'RUNNING');
      assert.equal((await h.api.status(review.id)).status, 'STOPPED_AT_CHECKPOINT');
      now += 1;
      const done = await h.api.get<Run>(`/v2/apps/runs/${run.id}`);
      assert.equal(done.json.status, 'COMPLETE');
      assert.equal(rawNanos(done.text, 'finish_timestamp') - start, 2000n * 1_000_000n);
      assert.equal((await h.api.status(review.id)).status, 'STOPPED_AT_CHECKPOINT');
      now += 500; // 500 ms processing + 2000 ms until the review completes itself
      assert.equal((await h.api.status(review.id)).status, 'COMPLETE');
    } finally {
      await h.close();
    }
  });
});
