import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { ListBatchesResponse, ListRunsResponse } from '../../src/aihub/schemas';
import { pollUntil } from '../helpers/waiting';
import { checksApp, harness } from './support';
import type { Harness } from './support';

describe('emulator faults', () => {
  let h: Harness;
  before(async () => {
    h = await harness({ apps: [checksApp('app-quick', 1)] });
  });
  afterEach(() => h.admin.setFaults([]));
  after(() => h.close());

  it('a drop fault closes the connection without handling the call', async () => {
    await h.admin.setFaults([{ endpoint: 'createBatch', kind: 'drop', times: 1 }]);
    const before = (await h.api.get<ListBatchesResponse>('/v2/batches?limit=1000')).json.batches.length;
    await assert.rejects(h.api.post('/v2/batches', { name: 'dropped' }), TypeError); // fetch failed
    assert.equal(
      (await h.api.get<ListBatchesResponse>('/v2/batches?limit=1000')).json.batches.length,
      before,
      'no batch created',
    );
    assert.equal((await h.api.post('/v2/batches', { name: 'kept' })).status, 200, 'the rule fired once only');
    const calls = await h.admin.calls();
    const dropped = calls.log.find((e) => e.endpoint === 'createBatch' && e.fault === 'drop');
    assert.equal(dropped?.status, 0);
  });

  it('a lose-response fault creates the run but never answers', async () => {
    const batchId = await h.api.batchWith({ 'a.txt': 'A' });
    await h.admin.setFaults([{ endpoint: 'runApp', kind: 'lose-response', times: 1 }]);
    await assert.rejects(
      h.api.post('/v2/apps/runs', {
        app_id: 'app-quick',
        batch_id: batchId,
        settings: { tags: ['orch:lost-1'] },
      }),
      TypeError,
    );
    const listed = await h.api.get<ListRunsResponse>('/v2/apps/runs?app_id=app-quick&limit=1000');
    const adopted = listed.json.runs.filter((r) => r.tags?.includes('orch:lost-1'));
    assert.equal(adopted.length, 1, 'the run exists and carries its tag');
  });

  it('a slow-response fault creates the run at once and answers it late', async () => {
    const batchId = await h.api.batchWith({ 'a.txt': 'A' });
    await h.admin.setFaults([{ endpoint: 'runApp', kind: 'slow-response', latencyMs: 1500, times: 1 }]);
    const started = Date.now();
    let answered = false;
    const answer = h.api
      .post<{ id: string }>('/v2/apps/runs', {
        app_id: 'app-quick',
        batch_id: batchId,
        settings: { tags: ['orch:slow-1'] },
      })
      .finally(() => (answered = true));
    // While the answer is held back, the run already exists and can be found by its tag.
    await pollUntil('the run to be listed', async () => {
      const listed = await h.api.get<ListRunsResponse>('/v2/apps/runs?app_id=app-quick&limit=1000');
      return listed.json.runs.some((r) => r.tags?.includes('orch:slow-1')) ? true : undefined;
    });
    assert.ok(!answered, 'the run was listed while its answer was held back');
    const { status, json } = await answer;
    assert.equal(status, 200);
    assert.ok(Date.now() - started >= 1500, 'the answer waited out the fault');
    const calls = await h.admin.calls();
    const slowed = calls.log.find((e) => e.endpoint === 'runApp' && e.fault === 'slow-response');
    assert.equal(slowed?.status, 200);
    assert.equal(typeof json.id, 'string');
  });

  it('an error fault answers its status with Retry-After in seconds or as an HTTP date, without side effects', async () => {
    await h.admin.setFaults([
      { endpoint: 'createBatch', kind: 'error', status: 429, retryAfterSeconds: 7, times: 1 },
      {
        endpoint: 'createBatch',
        kind: 'error',
        status: 503,
        retryAfterSeconds: 30,
        retryAfterFormat: 'http-date',
        times: 1,
      },
    ]);
    const before = (await h.api.get<ListBatchesResponse>('/v2/batches?limit=1000')).json.batches.length;
    const first = await h.api.post('/v2/batches', { name: 'a' });
    assert.equal(first.status, 429);
    assert.equal(first.headers.get('retry-after'), '7');
    assert.equal(typeof first.json.message, 'string');
    const second = await h.api.post('/v2/batches', { name: 'a' });
    assert.equal(second.status, 503);
    const date = Date.parse(second.headers.get('retry-after') ?? '');
    assert.ok(date > Date.now() + 20_000 && date < Date.now() + 40_000);
    assert.equal(
      (await h.api.get<ListBatchesResponse>('/v2/batches?limit=1000')).json.batches.length,
      before,
    );
    assert.equal((await h.api.post('/v2/batches', { name: 'a' })).status, 200);
  });

  it('latency delays the call; rate 0 never fires; * matches every endpoint', async () => {
    await h.admin.setFaults([
      { endpoint: '*', kind: 'latency', latencyMs: 120 },
      { endpoint: 'listBatches', kind: 'error', status: 500, rate: 0 },
    ]);
    const started = Date.now();
    assert.equal((await h.api.get('/v2/batches')).status, 200);
    assert.ok(Date.now() - started >= 110);
  });

  it('counts calls per endpoint and resets them', async () => {
    await h.admin.resetCalls();
    await h.api.get('/v2/batches');
    await h.api.get('/v2/batches');
    await h.api.get('/v2/apps/runs/run-nope');
    const calls = await h.admin.calls();
    assert.equal(calls.counts.listBatches, 2);
    assert.equal(calls.counts.getRun, 1);
    assert.equal(calls.counts.runApp, 0);
    assert.deepEqual(
      calls.log.map((e) => [e.endpoint, e.method, e.status]),
      [
        ['listBatches', 'GET', 200],
        ['listBatches', 'GET', 200],
        ['getRun', 'GET', 404],
      ],
    );
    await h.admin.resetCalls();
    assert.equal((await h.admin.calls()).log.length, 0);
  });

  it('takes fault rules from the start options', async () => {
    const other = await harness({ faults: [{ endpoint: 'listBatches', kind: 'error', status: 502 }] });
    try {
      assert.equal((await other.api.get('/v2/batches')).status, 502);
      assert.equal((await other.admin.faults()).length, 1);
    } finally {
      await other.close();
    }
  });
});
