/**
 * The emulator's hostile modes (slow create, lagging list, undocumented status, odd result-page
 * shapes), each seen on the wire as raw JSON. The emulator runs on a test clock, so "before" and
 * "after" a delay are decided by the clock the test moves, never by how fast this machine is.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { EMULATOR_DEFAULT_TOKEN } from '../../src/emulator';
import { EmulatorAdminError } from '../../src/emulator/admin-client';
import type { Emulator, FaultRule } from '../../src/emulator';
import { pollUntil, within } from '../helpers/waiting';
import { checksApp, harness, tempDir } from './support';
import type { Harness } from './support';

type Json = Record<string, unknown>;
type RunWire = { id: string; status: string; tags?: string[] };

const start = Date.UTC(2026, 10, 28, 2, 0, 0);
/** The emulator's clock: moved by the tests only. */
let clock = start;

const invoices = {
  'a.txt': 'Invoice Number: INV-1\nTotal: 10.00\n',
  'b.txt': 'Invoice Number: INV-2\nTotal: 20.00\n',
  'c.txt': 'Invoice Number: INV-3\nTotal: 30.00\n',
};

/** A run-app POST as a caller with a short client timeout makes it: it must give up. */
async function postAndGiveUp(emulator: Emulator, body: unknown, timeoutMs: number): Promise<unknown> {
  return fetch(`${emulator.url}/v2/apps/runs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${EMULATOR_DEFAULT_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
}

/** The runs a listRuns answer shows carrying `tag`. */
async function listedWith(h: Harness, tag: string): Promise<RunWire[]> {
  const listed = await h.api.get<{ runs: RunWire[] }>('/v2/apps/runs?limit=1000');
  assert.equal(listed.status, 200, listed.text);
  return listed.json.runs.filter((r) => r.tags?.includes(tag));
}

/** `GET /_emulator/faults` with the firing counts. */
async function fired(h: Harness): Promise<number[]> {
  const answer = await fetch(`${h.emulator.adminUrl}/faults`);
  return ((await answer.json()) as { fired: number[] }).fired;
}

describe('emulator hostile modes', () => {
  let h: Harness;
  let batchId: number;
  before(async () => {
    h = await harness({
      now: () => clock,
      pageSize: 2,
      apps: [
        checksApp('app-quick', 1),
        checksApp('app-slow', 1000),
        checksApp('app-errors', 1, { errorFieldRatio: 1 }),
      ],
    });
    batchId = await h.api.batchWith(invoices);
  });
  afterEach(async () => {
    await h.admin.setFaults([]);
    await h.admin.setQuota(null);
  });
  after(() => h.close());

  /** A COMPLETE run of `app` over the shared batch (the first status check completes it). */
  async function completeRun(app = 'app-quick', settings?: Json): Promise<string> {
    const run = await h.api.post<RunWire>('/v2/apps/runs', {
      app_id: app,
      batch_id: batchId,
      ...(settings ? { settings } : {}),
    });
    assert.equal(run.status, 200, run.text);
    assert.equal((await h.api.status(run.json.id)).status, 'COMPLETE');
    return run.json.id;
  }

  async function page(runId: string, offset: number, query = ''): Promise<{ text: string; json: Json }> {
    const answer = await h.api.get<Json>(`/v2/apps/runs/${runId}/results?file_offset=${offset}${query}`);
    assert.equal(answer.status, 200, answer.text);
    return { text: answer.text, json: answer.json };
  }

  describe('slow-create', () => {
    it('a caller that times out leaves exactly one run behind, unknown to getRun and listRuns until latencyMs after the POST', async () => {
      const tag = 'orch:slow-create-1';
      await h.admin.setFaults([{ endpoint: 'runApp', kind: 'slow-create', latencyMs: 60_000 }]);
      const postedAt = clock;
      await assert.rejects(
        postAndGiveUp(h.emulator, { app_id: 'app-slow', batch_id: batchId, settings: { tags: [tag] } }, 300),
        (err: Error) => err.name === 'TimeoutError',
      );
      const [pending, ...more] = await h.admin.pendingRuns();
      assert.ok(pending, 'the POST was accepted');
      assert.equal(more.length, 0);
      assert.deepEqual(pending.tags, [tag]);
      assert.equal(pending.createAtMs, postedAt + 60_000);

      clock += 59_999;
      assert.equal((await h.api.get(`/v2/apps/runs/${pending.id}`)).status, 404, 'not yet created');
      assert.deepEqual(await listedWith(h, tag), [], 'not listed before it exists');
      assert.ok(!(await h.admin.runs()).some((r) => r.id === pending.id));

      clock += 1;
      const run = await h.api.get<RunWire>(`/v2/apps/runs/${pending.id}`);
      assert.equal(run.status, 200, run.text);
      assert.equal(run.json.status, 'RUNNING');
      const listed = await listedWith(h, tag);
      assert.deepEqual(
        listed.map((r) => r.id),
        [pending.id],
        'exactly one run, with the id it was promised',
      );
      const details = (await h.admin.runs()).find((r) => r.id === pending.id);
      assert.equal(details?.startMs, postedAt + 60_000, 'the run starts when it comes into existence');
      assert.deepEqual(await h.admin.pendingRuns(), []);
    });

    it('a caller that waits is answered when the run comes into existence, and the quota is taken then', async () => {
      await h.admin.setQuota(10);
      await h.admin.setFaults([{ endpoint: '*', kind: 'slow-create', latencyMs: 5_000 }]);
      // '*' reaches only the run POSTs: a batch is created at once.
      const ownBatch = await within(10_000, 'a batch under slow-create *', h.api.batchWith({ 'x.txt': 'X' }));
      let answered = false;
      const answer = h.api
        .post<RunWire>('/v2/apps/runs', { app_id: 'app-slow', batch_id: ownBatch })
        .finally(() => (answered = true));
      const [pending] = await pollUntil('the POST to be accepted', async () => {
        const list = await h.admin.pendingRuns();
        return list.length > 0 ? list : undefined;
      });
      assert.ok(pending);
      assert.equal(await h.admin.quota(), 10, 'no unit taken before the run exists');
      assert.ok(!answered, 'no answer before the run exists');

      clock += 5_000;
      const { status, json, text } = await within(10_000, 'the held POST', answer);
      assert.equal(status, 200, text);
      assert.equal(json.id, pending.id);
      assert.equal(json.status, 'RUNNING');
      assert.equal(await h.admin.quota(), 9, 'one file, one unit, taken at creation');
    });

    it('a run the quota no longer covers when its time comes is answered 403 and never exists', async () => {
      await h.admin.setQuota(1);
      await h.admin.setFaults([{ endpoint: 'runApp', kind: 'slow-create', latencyMs: 1_000 }]);
      const answer = h.api.post('/v2/apps/runs', { app_id: 'app-slow', batch_id: batchId }); // 3 files
      const [pending] = await pollUntil('the POST to be accepted', async () => {
        const list = await h.admin.pendingRuns();
        return list.length > 0 ? list : undefined;
      });
      assert.ok(pending);
      clock += 1_000;
      const { status, json } = await within(10_000, 'the held POST', answer);
      assert.equal(status, 403);
      assert.match(json.message, /consumption units/);
      assert.equal((await h.api.get(`/v2/apps/runs/${pending.id}`)).status, 404);
      assert.equal(await h.admin.quota(), 1, 'nothing taken');
    });

    it('a pending creation survives an emulator restart', async () => {
      const { dir, cleanup } = await tempDir();
      const stateFile = join(dir, 'state.json');
      const options = { now: () => clock, stateFile, apps: [checksApp('app-slow', 1000)] };
      const first = await harness(options);
      let second: Harness | undefined;
      try {
        const ownBatch = await first.api.batchWith({ 'x.txt': 'X' });
        await first.admin.setFaults([{ endpoint: 'runApp', kind: 'slow-create', latencyMs: 30_000 }]);
        await assert.rejects(
          postAndGiveUp(first.emulator, { app_id: 'app-slow', batch_id: ownBatch }, 300),
          (err: Error) => err.name === 'TimeoutError',
        );
        const [pending] = await first.admin.pendingRuns();
        assert.ok(pending);
        await first.close();

        second = await harness(options);
        assert.deepEqual(await second.admin.pendingRuns(), [pending]);
        assert.equal((await second.api.get(`/v2/apps/runs/${pending.id}`)).status, 404);
        clock += 30_000;
        const run = await second.api.get<RunWire>(`/v2/apps/runs/${pending.id}`);
        assert.equal(run.status, 200, run.text);
        assert.equal(run.json.status, 'RUNNING');
      } finally {
        await first.close();
        await second?.close();
        await cleanup();
      }
    });
  });

  describe('list-lag', () => {
    it('getRun knows a new run at once, listRuns only latencyMs after its creation', async () => {
      await h.admin.setFaults([{ endpoint: 'listRuns', kind: 'list-lag', latencyMs: 5_000 }]);
      const run = await h.api.post<RunWire>('/v2/apps/runs', {
        app_id: 'app-slow',
        batch_id: batchId,
        settings: { tags: ['orch:lagging'] },
      });
      assert.equal(run.status, 200, run.text);
      assert.equal((await h.api.get(`/v2/apps/runs/${run.json.id}`)).status, 200);
      assert.deepEqual(await listedWith(h, 'orch:lagging'), []);
      clock += 4_999;
      assert.deepEqual(await listedWith(h, 'orch:lagging'), []);
      clock += 1;
      assert.deepEqual(
        (await listedWith(h, 'orch:lagging')).map((r) => r.id),
        [run.json.id],
      );
    });
  });

  describe('unknown-status', () => {
    it('the first `checks` getRun answers carry the unknown status, then the real one', async () => {
      await h.admin.setFaults([{ endpoint: 'getRun', kind: 'unknown-status', checks: 2 }]);
      const run = await h.api.runOver('app-quick', { 'q.txt': 'Q' });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await h.api.status(run.id)).status);
      assert.deepEqual(statuses, ['QUEUED', 'QUEUED', 'COMPLETE', 'COMPLETE']);
    });

    it('counts per run, across getRun and listRuns items, with runStatus and the default of 3 reads', async () => {
      await h.admin.setFaults([{ endpoint: '*', kind: 'unknown-status', runStatus: 'PREPARING' }]);
      const first = await h.api.runOver('app-slow', { 'p.txt': 'P' });
      const second = await h.api.runOver('app-slow', { 'p.txt': 'P' });
      // Filtered by run id, so each listRuns answer reads the first run's status only.
      const listed = async (id: string): Promise<string | undefined> =>
        (await h.api.get<{ runs: RunWire[] }>(`/v2/apps/runs?run_id=${id}`)).json.runs[0]?.status;
      assert.equal(await listed(first.id), 'PREPARING');
      assert.equal((await h.api.status(first.id)).status, 'PREPARING');
      assert.equal((await h.api.status(first.id)).status, 'PREPARING');
      assert.equal((await h.api.status(first.id)).status, 'RUNNING');
      assert.equal(await listed(first.id), 'RUNNING');
      assert.equal((await h.api.status(second.id)).status, 'PREPARING', 'the other run has its own count');
    });
  });

  describe('results-shape', () => {
    it('without a rule, a page past the end answers files: [] and has_more: false', async () => {
      const runId = await completeRun();
      const past = await page(runId, 3);
      assert.deepEqual(past.json.files, []);
      assert.equal(past.json.has_more, false);
    });

    it('omit-has-more: no page carries has_more, and the page past the end answers files: []', async () => {
      const runId = await completeRun();
      await h.admin.setFaults([{ endpoint: 'getRunResults', kind: 'results-shape', shape: 'omit-has-more' }]);
      const pages = [await page(runId, 0), await page(runId, 2), await page(runId, 3)];
      assert.deepEqual(
        pages.map((p) => (p.json.files as unknown[]).length),
        [2, 1, 0],
      );
      for (const p of pages) assert.ok(!('has_more' in p.json), p.text);
      assert.ok(!pages[0]!.text.includes('has_more'));
    });

    it('keys-as-list: keys is a list of {custom}, as the spec example writes it', async () => {
      const withKeys = await completeRun('app-quick', { keys: { custom: { region: 'EU' } } });
      const without = await completeRun();
      await h.admin.setFaults([{ endpoint: 'getRunResults', kind: 'results-shape', shape: 'keys-as-list' }]);
      assert.deepEqual((await page(withKeys, 0)).json.keys, [{ custom: { region: 'EU' } }]);
      assert.deepEqual((await page(without, 0)).json.keys, [{ custom: {} }]);
      assert.equal((await page(without, 0)).json.has_more, true, 'the rest of the page is as usual');
    });

    it('unknown-keys: keys no schema names at every depth, the same bytes every time, the same files for two runs', async () => {
      const query = '&include_confidence_scores=true&include_validation_results=true';
      const first = await completeRun('app-errors');
      const second = await completeRun('app-errors');
      const plain = await page(first, 0, query);
      await h.admin.setFaults([{ endpoint: 'getRunResults', kind: 'results-shape', shape: 'unknown-keys' }]);
      const bent = await page(first, 0, query);

      assert.deepEqual(bent.json.page_info, { file_offset: 0, files_in_page: 2 });
      const files = bent.json.files as Json[];
      assert.equal(files.length, 2);
      for (const file of files) {
        assert.equal(typeof (file.file_metadata as Json).sha256, 'string');
        for (const document of file.documents as Json[]) {
          assert.equal(typeof (document.layout_info as Json).orientation, 'string');
          const fields = document.fields as Json[];
          assert.ok(fields.length > 0);
          for (const field of fields) {
            const [location] = field.locations as Json[];
            assert.equal(typeof location?.page, 'number');
            assert.equal(typeof (field.extraction_engine as Json).name, 'string');
            assert.equal(typeof (field.confidence as Json).layout, 'number');
            const validations = field.validations as Json;
            assert.equal(typeof validations.rules_evaluated, 'number');
            const alerts = validations.alerts as Json[];
            assert.ok(alerts.length > 0, 'every field is in ERROR, so every field has an alert');
            for (const alert of alerts) {
              assert.match(String(alert.rule_id), /^rule-/);
              assert.deepEqual(alert.locations, [{ page: location?.page }]);
            }
          }
        }
      }

      assert.deepEqual(strip(bent.json), plain.json, 'only keys were added');
      assert.equal((await page(first, 0, query)).text, bent.text, 'the same run and offset: the same bytes');
      const other = await page(second, 0, query);
      assert.deepEqual(other.json.files, bent.json.files, 'two runs over the same files page the same files');
      assert.deepEqual((await page(first, 2, query)).json.page_info, { file_offset: 2, files_in_page: 1 });
    });

    it('empty-has-more: files: [] with has_more: true, `times` times, then normal pages', async () => {
      const runId = await completeRun();
      await h.admin.setFaults([
        { endpoint: 'getRunResults', kind: 'results-shape', shape: 'empty-has-more', times: 2 },
      ]);
      for (let i = 0; i < 2; i++) {
        const empty = await page(runId, 0);
        assert.deepEqual(empty.json.files, []);
        assert.equal(empty.json.has_more, true);
      }
      const normal = await page(runId, 0);
      assert.equal((normal.json.files as unknown[]).length, 2);
      assert.equal(normal.json.has_more, true);
    });
  });

  describe('rules and their endpoints', () => {
    it('a hostile rule is inert on endpoints its kind does not apply to, and does not count them for `after`', async () => {
      const run = await h.api.runOver('app-slow', { 'i.txt': 'I' }, ['orch:inert']);
      await h.admin.setFaults([
        { endpoint: '*', kind: 'slow-create', latencyMs: 600_000 },
        { endpoint: '*', kind: 'results-shape', shape: 'empty-has-more' },
        { endpoint: 'getRun', kind: 'list-lag', latencyMs: 600_000 },
        { endpoint: '*', kind: 'list-lag', latencyMs: 600_000, after: 1 },
      ]);
      await within(10_000, 'calls the rules do not apply to', h.api.batchWith({ 'j.txt': 'J' }));
      assert.equal((await h.api.status(run.id)).status, 'RUNNING');
      assert.deepEqual(await fired(h), [0, 0, 0, 0], 'no rule fired on batches or getRun');
      assert.equal(
        (await listedWith(h, 'orch:inert')).length,
        1,
        'the first listRuns is let through (after: 1)',
      );
      assert.equal((await listedWith(h, 'orch:inert')).length, 0, 'the second is lagged');
      assert.deepEqual(await fired(h), [0, 0, 0, 1]);
    });

    it('the admin surface takes the new fields and refuses unknown kinds and shapes', async () => {
      const rules: FaultRule[] = [
        { endpoint: 'getRun', kind: 'unknown-status', runStatus: 'QUEUED', checks: 5, times: 1 },
        { endpoint: 'getRunResults', kind: 'results-shape', shape: 'keys-as-list', rate: 0.5 },
        { endpoint: 'runDeployment', kind: 'slow-create', latencyMs: 10 },
        { endpoint: 'listRuns', kind: 'list-lag', latencyMs: 10, after: 2 },
      ];
      await h.admin.setFaults(rules);
      assert.deepEqual(await h.admin.faults(), rules);
      const refused = async (rule: unknown): Promise<string> => {
        const err = await h.admin.setFaults([rule as FaultRule]).then(
          () => assert.fail(`accepted ${JSON.stringify(rule)}`),
          (e: unknown) => e,
        );
        assert.ok(err instanceof EmulatorAdminError);
        assert.equal(err.status, 400);
        return err.message;
      };
      assert.match(await refused({ endpoint: 'getRun', kind: 'slow-status' }), /kind/);
      assert.match(
        await refused({ endpoint: 'getRunResults', kind: 'results-shape', shape: 'xml' }),
        /shape/,
      );
      assert.match(await refused({ endpoint: 'getRunResults', kind: 'results-shape' }), /shape/);
      assert.deepEqual(await h.admin.faults(), rules, 'a refused list changes nothing');
    });
  });
});

/** The page without the keys the unknown-keys shape adds. */
function strip(page: Json): Json {
  const copy = structuredClone(page);
  delete copy.page_info;
  for (const file of copy.files as Json[]) {
    delete file.file_metadata;
    for (const document of file.documents as Json[]) {
      delete document.layout_info;
      for (const field of document.fields as Json[]) {
        delete field.locations;
        delete field.extraction_engine;
        delete (field.confidence as Json).layout;
        const validations = field.validations as Json;
        delete validations.rules_evaluated;
        for (const alert of validations.alerts as Json[]) {
          delete alert.rule_id;
          delete alert.locations;
        }
      }
    }
  }
  return copy;
}
