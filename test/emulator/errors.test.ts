import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EMULATOR_DEFAULT_TOKEN } from '../../src/emulator';
import { checksApp, harness, tempDir } from './support';
import type { Harness } from './support';

describe('emulator error answers', () => {
  let h: Harness;
  before(async () => {
    h = await harness({ apps: [checksApp('app-slow', 5), { ...checksApp('app-owned', 1), owner: 'acme' }] });
  });
  after(() => h.close());

  it('401 without a valid bearer token or with an unknown IB-Context', async () => {
    const noToken = await fetch(`${h.emulator.url}/v2/batches`);
    assert.equal(noToken.status, 401);
    assert.equal(typeof ((await noToken.json()) as { message: unknown }).message, 'string');
    assert.equal((await h.api.get('/v2/batches', { authorization: 'Bearer wrong' })).status, 401);
    assert.equal((await h.api.get('/v2/batches', { authorization: EMULATOR_DEFAULT_TOKEN })).status, 401);
    assert.equal((await h.api.get('/v2/batches', { 'ib-context': 'other-org' })).status, 401);
    assert.equal((await h.api.get('/v2/batches', { 'ib-context': 'acme' })).status, 200);
  });

  it('400 naming the field for invalid bodies and queries', async () => {
    const batchId = await h.api.batchWith({ 'a.txt': 'A' });
    const cases: [unknown, RegExp][] = [
      [{ batch_id: batchId }, /^app_name: give exactly one of app_name or app_id/],
      [{ app_name: 'app-slow', app_id: 'app-slow', batch_id: batchId }, /^app_name: /],
      [
        { app_name: 'app-slow', batch_id: batchId, input_dir: 'acme/x/fs/d/y' },
        /batch_id: give exactly one of batch_id or input_dir/,
      ],
      [{ app_name: 'app-slow', batch_id: 'one' }, /batch_id: /],
      [
        { app_name: 'app-slow', batch_id: batchId, settings: { tags: ['x'.repeat(501)] } },
        /settings\.tags: /,
      ],
      [{ app_name: 'app-slow', input_dir: 'acme/x/fs/Instabase Drive/none' }, /^input_dir: /],
      [{ app_name: 'app-slow', input_dir: 'acme/../../etc' }, /^input_dir: /],
    ];
    for (const [body, message] of cases) {
      const answer = await h.api.post('/v2/apps/runs', body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.match(answer.json.message, message);
    }
    assert.match((await h.api.post('/v2/batches', { name: 'n'.repeat(256) })).json.message, /^name: /);
    assert.equal((await h.api.post('/v2/apps/deployments/dep-invoices/runs', {})).status, 400);
    const badQuery = await h.api.get(`/v2/batches/${batchId}/files?page_size=zero`);
    assert.equal(badQuery.status, 400);
    assert.match(badQuery.json.message, /^page_size: /);
    const badJson = await h.api.call('POST', '/v2/batches', undefined, {
      'content-type': 'application/json',
    });
    assert.equal(badJson.status, 400);
    assert.equal(typeof badJson.json.message, 'string');
  });

  it('404 for unknown apps, deployments, batches, runs and jobs', async () => {
    const batchId = await h.api.batchWith({ 'a.txt': 'A' });
    assert.equal((await h.api.post('/v2/apps/runs', { app_name: 'nope', batch_id: batchId })).status, 404);
    assert.equal((await h.api.post('/v2/apps/runs', { app_id: 'app-nope', batch_id: batchId })).status, 404);
    assert.equal(
      (await h.api.post('/v2/apps/runs', { app_name: 'app-owned', owner: 'globex', batch_id: batchId }))
        .status,
      404,
    );
    assert.equal(
      (await h.api.post('/v2/apps/runs', { app_name: 'app-owned', owner: 'acme', batch_id: batchId })).status,
      200,
    );
    assert.equal((await h.api.post('/v2/apps/deployments/dep-nope/runs', { batch_id: batchId })).status, 404);
    const unknownBatch = await h.api.post('/v2/apps/runs', { app_name: 'app-slow', batch_id: 999_999 });
    assert.equal(unknownBatch.status, 404);
    assert.match(unknownBatch.json.message, /batch 999999/);
    const getBatch = await h.api.get('/v2/batches/999999');
    assert.equal(getBatch.status, 404);
    assert.equal(typeof getBatch.json.message, 'string');
    assert.equal((await h.api.get('/v2/batches/not-a-number')).status, 404);
    assert.equal((await h.api.get('/v2/apps/runs/run-unknown')).status, 404);
    assert.equal((await h.api.get('/v2/apps/runs/run-unknown/results')).status, 404);
    assert.equal((await h.api.delete('/v2/apps/runs/run-unknown')).status, 404);
    assert.equal((await h.api.get('/v2/jobs/job-unknown')).status, 404);
  });

  it('403 when the consumption units do not cover the run (one unit per file)', async () => {
    const two = await h.api.batchWith({ 'a.txt': 'A', 'b.txt': 'B' });
    const one = await h.api.batchWith({ 'a.txt': 'A' });
    await h.admin.setQuota(1);
    try {
      const refused = await h.api.post('/v2/apps/runs', { app_name: 'app-slow', batch_id: two });
      assert.equal(refused.status, 403);
      assert.equal(refused.json.message, 'out of consumption units');
      assert.equal((await h.api.post('/v2/apps/runs', { app_name: 'app-slow', batch_id: one })).status, 200);
      assert.equal((await h.api.post('/v2/apps/runs', { app_name: 'app-slow', batch_id: one })).status, 403);
    } finally {
      await h.admin.setQuota(null);
    }
    assert.equal((await h.api.post('/v2/apps/runs', { app_name: 'app-slow', batch_id: two })).status, 200);
  });

  it('400 for an empty batch and for more than 1000 files', async () => {
    const empty = await h.api.batchWith({});
    const answer = await h.api.post('/v2/apps/runs', { app_name: 'app-slow', batch_id: empty });
    assert.equal(answer.status, 400);
    assert.match(answer.json.message, /^batch_id: /);
    // The drive lives at <dataDir>/drive/<path>: write the 1001 files directly, it is much faster.
    const folder = 'acme/big/fs/Instabase Drive/many';
    const { dir, cleanup } = await tempDir();
    const big = await harness({ dataDir: dir, apps: [checksApp('app-slow', 5)] });
    try {
      await mkdir(join(dir, 'drive', folder), { recursive: true });
      await Promise.all(
        Array.from({ length: 1001 }, (_, i) => writeFile(join(dir, 'drive', folder, `f${i}.txt`), 'x')),
      );
      const tooMany = await big.api.post('/v2/apps/runs', { app_name: 'app-slow', input_dir: folder });
      assert.equal(tooMany.status, 400);
      assert.match(tooMany.json.message, /^input_dir: 1001 files/);
    } finally {
      await big.close();
      await cleanup();
    }
  });
});
