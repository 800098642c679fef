/**
 * Contract: the run endpoints (run app, run deployment, status, results, list, delete) through the
 * real client against the real emulator.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Run } from '../../src/aihub/schemas';
import {
  batchWith,
  httpError,
  quickApp,
  startContract,
  waitForJob,
  waitForRun,
  type Contract,
} from './support';

const DRIVE_FOLDER = 'acme/Claims/fs/Instabase Drive/inbox/2026-11-28';

describe('contract: runs', () => {
  let h: Contract;

  before(async () => {
    h = await startContract({
      apps: [
        quickApp('app-quick', 'quick'),
        quickApp('app-other', 'other'),
        quickApp('app-failing', 'failing', 1, { fail: 'OCR engine failed on page 1' }),
        quickApp('app-paged', 'paged'),
        quickApp('app-review', 'review', 1, { review: {} }),
        quickApp('app-cancelled', 'cancelled', 1, { cancel: true }),
      ],
      deployments: [{ id: 'dep-quick', appId: 'app-quick' }],
    });
  });
  after(() => h.close());

  it('runApp by app_name and owner over a batch answers a RUNNING run of that app and batch', async () => {
    const batchId = await batchWith(h.client, { 'a.txt': 'Invoice Number: INV-1\n' });
    const run = await h.client.runApp({
      app_name: 'quick',
      owner: 'acme',
      batch_id: batchId,
      settings: { tags: ['nightly', 'orch:runs-1'] },
    });
    assert.match(run.id, /\S/);
    assert.equal(run.status, 'RUNNING');
    assert.equal(run.app_id, 'app-quick');
    assert.equal(run.batch_id, batchId);
    assert.equal(run.input_dir ?? null, null);
    assert.equal(run.deployment_id ?? null, null);
    assert.equal(run.finish_timestamp ?? null, null);
    assert.deepEqual(run.tags, ['nightly', 'orch:runs-1']);
  });

  it('runApp naming an owner that does not own the app answers 404', async () => {
    const batchId = await batchWith(h.client, { 'a.txt': 'x' });
    const err = await httpError(
      h.client.runApp({ app_name: 'quick', owner: 'globex', batch_id: batchId }),
      404,
    );
    assert.match(err.bodyMessage ?? '', /quick/);
  });

  it('runApp by app_id over an input_dir processes every file of the drive folder', async () => {
    await h.admin.putDriveFile(`${DRIVE_FOLDER}/a.txt`, 'Invoice Number: INV-A\n');
    await h.admin.putDriveFile(`${DRIVE_FOLDER}/b.txt`, 'Vendor: Globex\n');
    const run = await h.client.runApp({ app_id: 'app-quick', input_dir: DRIVE_FOLDER });
    assert.equal(run.status, 'RUNNING');
    assert.equal(run.app_id, 'app-quick');
    assert.equal(run.input_dir, DRIVE_FOLDER);
    assert.equal(run.batch_id ?? null, null);

    assert.equal((await waitForRun(h.client, run.id)).status, 'COMPLETE');
    const results = await h.client.getRunResults(run.id);
    assert.deepEqual(
      results.files.map((f) => [f.original_file_name, f.input_file_path]),
      [
        ['a.txt', `${DRIVE_FOLDER}/a.txt`],
        ['b.txt', `${DRIVE_FOLDER}/b.txt`],
      ],
    );
    assert.equal(results.batch_id ?? null, null);
  });

  it('runApp accepts an input_dir with a leading slash and echoes it as given', async () => {
    await h.admin.putDriveFile(`${DRIVE_FOLDER}-slash/c.txt`, 'x');
    const run = await h.client.runApp({ app_id: 'app-quick', input_dir: `/${DRIVE_FOLDER}-slash` });
    assert.equal(run.input_dir, `/${DRIVE_FOLDER}-slash`);
    assert.equal((await waitForRun(h.client, run.id)).status, 'COMPLETE');
    const results = await h.client.getRunResults(run.id);
    assert.deepEqual(
      results.files.map((f) => f.original_file_name),
      ['c.txt'],
    );
  });

  it('runDeployment answers 202 with a run of the deployment and its app', async () => {
    const batchId = await batchWith(h.client, { 'a.txt': 'x' });
    await h.admin.resetCalls();
    const run = await h.client.runDeployment('dep-quick', { batch_id: batchId });
    assert.equal(run.status, 'RUNNING');
    assert.equal(run.deployment_id, 'dep-quick');
    assert.equal(run.app_id, 'app-quick');
    assert.equal(run.batch_id, batchId);
    const { log } = await h.admin.calls();
    assert.deepEqual(
      log.map((e) => [e.endpoint, e.method, e.status]),
      [['runDeployment', 'POST', 202]],
    );
  });

  it('runDeployment of an unknown deployment answers 404', async () => {
    const batchId = await batchWith(h.client, { 'a.txt': 'x' });
    await httpError(h.client.runDeployment('dep-nope', { batch_id: batchId }), 404);
  });

  it('getRun moves a run to COMPLETE with a finish timestamp not before its start', async () => {
    const batchId = await batchWith(h.client, { 'a.txt': 'x' });
    const started = await h.client.runApp({ app_name: 'quick', batch_id: batchId });
    const run = await h.client.getRun(started.id);
    assert.equal(run.id, started.id);
    assert.equal(run.status, 'COMPLETE');
    assert.equal(run.start_timestamp, started.start_timestamp);
    assert.ok(run.finish_timestamp, 'a COMPLETE run has a finish timestamp');
    assert.ok(BigInt(run.finish_timestamp) >= BigInt(run.start_timestamp ?? '0'));
  });

  it('getRun of a failing app reports FAILED with the msg', async () => {
    const batchId = await batchWith(h.client, { 'a.txt': 'x' });
    const started = await h.client.runApp({ app_id: 'app-failing', batch_id: batchId });
    const run = await waitForRun(h.client, started.id);
    assert.equal(run.status, 'FAILED');
    assert.equal(run.msg, 'OCR engine failed on page 1');
  });

  it('a review app stops at the checkpoint (no results yet) and completes once reviewed', async () => {
    const batchId = await batchWith(h.client, { 'a.txt': 'x' });
    const started = await h.client.runApp({ app_id: 'app-review', batch_id: batchId });
    const waiting = await h.client.getRun(started.id);
    assert.equal(waiting.status, 'STOPPED_AT_CHECKPOINT');
    assert.equal(typeof waiting.msg, 'string');
    assert.equal(waiting.finish_timestamp ?? null, null);
    await httpError(h.client.getRunResults(started.id), 409);

    await h.admin.completeReview(started.id);
    const done = await h.client.getRun(started.id);
    assert.equal(done.status, 'COMPLETE');
    assert.match(done.finish_timestamp ?? '', /^\d{19}$/);
    const page = await h.client.getRunResults(started.id, { include_review_results: true });
    assert.equal(page.review_completed, true);
    assert.equal(page.files[0]?.documents[0]?.review_completed, true);
  });

  it('a run cancelled in AI Hub reports CANCELLED with a msg', async () => {
    const batchId = await batchWith(h.client, { 'a.txt': 'x' });
    const started = await h.client.runApp({ app_id: 'app-cancelled', batch_id: batchId });
    const run = await waitForRun(h.client, started.id);
    assert.equal(run.status, 'CANCELLED');
    assert.match(run.msg ?? '', /\S/);
    assert.match(run.finish_timestamp ?? '', /^\d{19}$/);
  });

  it('getRunResults answers documents with identifier field names, values from the file, batch_id as a string', async () => {
    const batchId = await batchWith(h.client, {
      'inv-1.txt': 'Invoice Number: INV-1\nVendor: ACME Tools\nTotal: 12.50\nDue Date: 2026-12-01\n',
    });
    const started = await h.client.runApp({
      app_name: 'quick',
      batch_id: batchId,
      settings: { keys: { custom: { region: 'eu' } } },
    });
    assert.equal((await waitForRun(h.client, started.id)).status, 'COMPLETE');
    const page = await h.client.getRunResults(started.id, {
      include_confidence_scores: true,
      include_validation_results: true,
    });
    assert.equal(page.id, started.id);
    assert.equal(page.status, 'COMPLETE');
    assert.equal(page.has_more, false);
    assert.equal(page.batch_id, String(batchId));
    assert.deepEqual(page.keys, { custom: { region: 'eu' } });
    assert.equal(page.files.length, 1);
    const [file] = page.files;
    assert.equal(file?.original_file_name, 'inv-1.txt');
    const fields = file?.documents[0]?.fields ?? [];
    assert.deepEqual(
      fields.map((f) => [f.field_name, f.value]),
      [
        ['invoice_number', 'INV-1'],
        ['vendor', 'ACME Tools'],
        ['total', '12.50'],
        ['due_date', '2026-12-01'],
      ],
    );
    for (const field of fields) {
      assert.equal(typeof field.confidence?.model, 'number');
      assert.equal(field.validations?.valid, true);
    }
  });

  it('getRunResults leaves confidence and validations out unless asked for', async () => {
    const batchId = await batchWith(h.client, { 'a.txt': 'x' });
    const started = await h.client.runApp({ app_name: 'quick', batch_id: batchId });
    assert.equal((await waitForRun(h.client, started.id)).status, 'COMPLETE');
    const page = await h.client.getRunResults(started.id);
    const [document] = page.files[0]?.documents ?? [];
    assert.ok(document && document.fields.length === 4);
    for (const field of document.fields) {
      assert.equal(field.confidence ?? null, null);
      assert.equal(field.validations ?? null, null);
    }
  });

  it('getRunResults of a run that is not COMPLETE answers 409 (undocumented choice)', async () => {
    const batchId = await batchWith(h.client, { 'a.txt': 'x' });
    const slow = quickApp('app-slow', 'slow', 100);
    await h.admin.putApp(slow);
    const started = await h.client.runApp({ app_id: slow.id, batch_id: batchId });
    const err = await httpError(h.client.getRunResults(started.id), 409);
    assert.match(err.bodyMessage ?? '', /RUNNING/);
  });

  describe('listRuns', () => {
    const ids: Record<string, string> = {};
    let since: number;

    before(async () => {
      since = Math.floor(Date.now() / 1000) - 1;
      const batchId = await batchWith(h.client, { 'a.txt': 'x' });
      ids.quick = (await h.client.runApp({ app_id: 'app-quick', batch_id: batchId })).id;
      ids.other = (await h.client.runApp({ app_name: 'other', batch_id: batchId })).id;
      ids.deployed = (await h.client.runDeployment('dep-quick', { batch_id: batchId })).id;
      ids.failed = (await h.client.runApp({ app_id: 'app-failing', batch_id: batchId })).id;
      assert.equal((await waitForRun(h.client, ids.other)).status, 'COMPLETE');
      assert.equal((await waitForRun(h.client, ids.failed)).status, 'FAILED');
      // ids.quick and ids.deployed are left RUNNING (no status check yet).
    });

    const listed = (runs: Run[]): Set<string> => new Set(runs.map((r) => r.id));

    it('filters by app_id', async () => {
      const runs = await h.client.listRuns({ app_id: 'app-other', from_timestamp: since });
      assert.ok(runs.length > 0);
      assert.ok(runs.every((r) => r.app_id === 'app-other'));
      assert.ok(listed(runs).has(ids.other as string));
      assert.ok(!listed(runs).has(ids.quick as string));
    });

    it('filters by app_name', async () => {
      const runs = await h.client.listRuns({ app_name: 'failing', from_timestamp: since });
      assert.ok(runs.every((r) => r.app_id === 'app-failing'));
      assert.ok(listed(runs).has(ids.failed as string));
      assert.ok(!listed(runs).has(ids.other as string));
    });

    it('filters by deployment_id', async () => {
      const runs = await h.client.listRuns({ deployment_id: 'dep-quick', from_timestamp: since });
      assert.ok(runs.every((r) => r.deployment_id === 'dep-quick'));
      assert.ok(listed(runs).has(ids.deployed as string));
      assert.ok(!listed(runs).has(ids.quick as string));
    });

    it('sends status as a repeated parameter and answers runs in any of the statuses', async () => {
      await h.admin.resetCalls();
      const runs = await h.client.listRuns({ status: ['COMPLETE', 'FAILED'], from_timestamp: since });
      assert.ok(runs.every((r) => r.status === 'COMPLETE' || r.status === 'FAILED'));
      assert.ok(listed(runs).has(ids.other as string));
      assert.ok(listed(runs).has(ids.failed as string));
      assert.ok(!listed(runs).has(ids.quick as string));
      const { log } = await h.admin.calls();
      assert.equal(log.length, 1);
      assert.match(log[0]?.path ?? '', /[?&]status=COMPLETE&status=FAILED(&|$)/);

      const running = await h.client.listRuns({ status: ['RUNNING'], from_timestamp: since });
      assert.ok(listed(running).has(ids.quick as string));
      assert.ok(!listed(running).has(ids.failed as string));
    });

    it('reads from_timestamp in seconds: the future excludes every run, a second ago includes them', async () => {
      const nowSeconds = Math.floor(Date.now() / 1000);
      assert.deepEqual(await h.client.listRuns({ from_timestamp: nowSeconds + 3600 }), []);
      const all = listed(await h.client.listRuns({ from_timestamp: since }));
      for (const id of Object.values(ids)) assert.ok(all.has(id), `${id} is listed`);
      // Milliseconds where seconds are meant lie far in the future: nothing matches.
      assert.deepEqual(await h.client.listRuns({ from_timestamp: Date.now() - 60_000 }), []);
    });

    it('carries tags on list items', async () => {
      const batchId = await batchWith(h.client, { 'a.txt': 'x' });
      const run = await h.client.runApp({
        app_id: 'app-quick',
        batch_id: batchId,
        settings: { tags: ['orch:find-me'] },
      });
      const runs = await h.client.listRuns({ run_id: run.id });
      assert.deepEqual(
        runs.map((r) => [r.id, r.tags]),
        [[run.id, ['orch:find-me']]],
      );
    });
  });

  it('listAllRuns pages with limit and offset until a short page and yields every run once', async () => {
    const batchId = await batchWith(h.client, { 'a.txt': 'x' });
    const started = new Set<string>();
    for (let i = 0; i < 5; i++)
      started.add((await h.client.runApp({ app_id: 'app-paged', batch_id: batchId })).id);
    await h.admin.resetCalls();

    const seen: string[] = [];
    for await (const run of h.client.listAllRuns({ app_id: 'app-paged', limit: 2 })) seen.push(run.id);
    assert.equal(seen.length, 5);
    assert.deepEqual(new Set(seen), started);

    const { log } = await h.admin.calls();
    const offsets = log.map((e) => {
      assert.equal(e.endpoint, 'listRuns');
      const query = new URL(e.path, 'http://x').searchParams;
      assert.equal(query.get('limit'), '2');
      return query.get('offset');
    });
    assert.deepEqual(offsets, ['0', '2', '4']);
  });

  it('deleteRun answers deletion jobs that reach COMPLETE; then the run and its batch are gone (404)', async () => {
    const batchId = await batchWith(h.client, { 'a.txt': 'x' });
    const started = await h.client.runApp({ app_id: 'app-quick', batch_id: batchId });
    assert.equal((await waitForRun(h.client, started.id)).status, 'COMPLETE');

    await h.admin.resetCalls();
    const jobs = await h.client.deleteRun(started.id);
    assert.equal((await h.admin.calls()).log[0]?.status, 202);
    const jobIds = [jobs.delete_input_dir_job_id, jobs.delete_output_dir_job_id, jobs.delete_log_dir_job_id];
    for (const jobId of jobIds) {
      assert.ok(typeof jobId === 'string' && jobId !== '', 'every deletion is on by default');
      const job = await waitForJob(h.client, jobId);
      assert.equal(job.state, 'COMPLETE', job.message ?? '');
    }
    await httpError(h.client.getRun(started.id), 404);
    await httpError(h.client.getRunResults(started.id), 404);
    // delete_input (default true) also deletes the run's batch.
    await httpError(h.client.getBatch(batchId), 404);
  });

  it('deleteRun with flags off answers null for the deletions not asked for and keeps the batch', async () => {
    const batchId = await batchWith(h.client, { 'a.txt': 'x' });
    const started = await h.client.runApp({ app_id: 'app-quick', batch_id: batchId });
    const jobs = await h.client.deleteRun(started.id, {
      delete_input: false,
      delete_output: false,
      delete_logs: true,
    });
    assert.equal(jobs.delete_input_dir_job_id ?? null, null);
    assert.equal(jobs.delete_output_dir_job_id ?? null, null);
    assert.equal(typeof jobs.delete_log_dir_job_id, 'string');
    assert.equal((await h.client.getBatch(batchId)).id, batchId);
    await httpError(h.client.getRun(started.id), 404);
  });

  describe('listRuns time window and order (fake clock)', () => {
    const HOUR = 3_600_000;
    let clock = Date.UTC(2026, 10, 28, 12, 0, 0);
    let w: Contract;
    const started: { id: string; atSeconds: number }[] = [];

    before(async () => {
      w = await startContract({ apps: [quickApp('app-w', 'w')], now: () => clock });
      const batchId = await batchWith(w.client, { 'a.txt': 'x' });
      for (let i = 0; i < 3; i++) {
        const run = await w.client.runApp({ app_id: 'app-w', batch_id: batchId });
        started.push({ id: run.id, atSeconds: Math.floor(clock / 1000) });
        clock += HOUR;
      }
      // Runs at T, T+1h, T+2h; now is T+3h.
    });
    after(() => w.close());

    it('without from_timestamp, only the last 24 hours are listed', async () => {
      assert.equal((await w.client.listRuns()).length, 3);
      clock += 22 * HOUR; // now T+25h: the first run is older than 24 h
      try {
        assert.deepEqual(
          new Set((await w.client.listRuns()).map((r) => r.id)),
          new Set([started[1]?.id, started[2]?.id]),
        );
      } finally {
        clock -= 22 * HOUR;
      }
    });

    it('from_timestamp and to_timestamp are seconds and bound the start time', async () => {
      const [first, second, third] = started;
      const between = await w.client.listRuns({
        from_timestamp: second?.atSeconds,
        to_timestamp: second?.atSeconds,
      });
      assert.deepEqual(
        between.map((r) => r.id),
        [second?.id],
      );
      const upTo = await w.client.listRuns({
        from_timestamp: first?.atSeconds,
        to_timestamp: second?.atSeconds,
      });
      assert.deepEqual(new Set(upTo.map((r) => r.id)), new Set([first?.id, second?.id]));
      assert.ok(!upTo.some((r) => r.id === third?.id));
    });

    it('sort_by start_timestamp honours order ASCENDING and DESCENDING', async () => {
      const ids = started.map((s) => s.id);
      const ascending = await w.client.listRuns({ sort_by: 'start_timestamp', order: 'ASCENDING' });
      assert.deepEqual(
        ascending.map((r) => r.id),
        ids,
      );
      const descending = await w.client.listRuns({ sort_by: 'start_timestamp', order: 'DESCENDING' });
      assert.deepEqual(
        descending.map((r) => r.id),
        [...ids].reverse(),
      );
      const starts = ascending.map((r) => BigInt(r.start_timestamp ?? '0'));
      assert.ok(starts.every((s, i) => i === 0 || s > (starts[i - 1] as bigint)));
    });
  });

  it('runDeployment with manual_upstream_integration starts a run (202) with neither batch nor folder', async () => {
    await h.admin.resetCalls();
    const run = await h.client.runDeployment('dep-quick', {
      manual_upstream_integration: true,
      from_timestamp: Date.now() - 3_600_000,
      to_timestamp: Date.now(),
    });
    assert.equal(run.deployment_id, 'dep-quick');
    assert.equal(run.batch_id ?? null, null);
    assert.equal(run.input_dir ?? null, null);
    assert.equal((await h.admin.calls()).log[0]?.status, 202);
  });
});
