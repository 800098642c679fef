/**
 * Contract: the error answers of aihub-api.md section 1 (401, 403, 404, 400 naming the field) as the
 * real client surfaces them: `AihubHttpError.status`, `bodyMessage`, and the retry verdict.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { classifyAihubError } from '../../src/aihub/retry';
import type { RunAppRequest } from '../../src/aihub/schemas';
import { EMULATOR_DEFAULT_TOKEN } from '../../src/emulator';
import { AihubHttpError } from '../../src/aihub/errors';
import { batchWith, httpError, quickApp, rejection, startContract, type Contract } from './support';

describe('contract: error answers', () => {
  let h: Contract;
  let batchId: number;

  before(async () => {
    h = await startContract({ apps: [quickApp('app-quick', 'quick')] });
    batchId = await batchWith(h.client, { 'a.txt': 'x' });
  });
  beforeEach(() => h.admin.setQuota(null));
  after(() => h.close());

  describe('401', () => {
    it('a bad bearer token answers 401, not retryable, and the token stays out of the error', async () => {
      const token = 'not-the-token-7c1e';
      const err = await httpError(h.clientWith({ token }).listBatches(), 401);
      assert.match(err.bodyMessage ?? '', /token/i);
      assert.deepEqual(classifyAihubError(err), { retryable: false, reason: 'auth' });
      assert.ok(!err.message.includes(token) && !JSON.stringify(err).includes(token));
    });

    it('a bad IB-Context answers 401 naming the context', async () => {
      const err = await httpError(h.clientWith({ ibContext: 'nope' }).getBatch(batchId), 401);
      assert.match(err.bodyMessage ?? '', /IB-Context/);
      assert.match(err.bodyMessage ?? '', /nope/);
      assert.equal(classifyAihubError(err).retryable, false);
    });

    it('no IB-Context at all is accepted', async () => {
      assert.equal((await h.clientWith({ ibContext: undefined }).getBatch(batchId)).id, batchId);
    });

    it('a bad token answers 401 on every endpoint, before the request is looked at', async () => {
      const bad = h.clientWith({ token: `${EMULATOR_DEFAULT_TOKEN}-x` });
      await httpError(bad.getRun('run-nope'), 401);
      await httpError(bad.runApp({ app_name: 'quick', batch_id: batchId }), 401);
      await httpError(bad.putBatchFile(batchId, 'b.txt', Buffer.from('b'), 1), 401);
      await httpError(bad.getJob('job-nope'), 401);
    });
  });

  describe('403', () => {
    it('runApp with no consumption units left answers 403, not retryable', async () => {
      await h.admin.setQuota(0);
      const err = await httpError(h.client.runApp({ app_name: 'quick', batch_id: batchId }), 403);
      assert.match(err.bodyMessage ?? '', /consumption units/);
      assert.deepEqual(classifyAihubError(err), { retryable: false, reason: 'forbidden' });
      assert.equal((await h.admin.stats()).runsTotal, 0, 'no run was started');
    });

    it('runs start again once units are available', async () => {
      await h.admin.setQuota(1);
      const run = await h.client.runApp({ app_name: 'quick', batch_id: batchId });
      assert.equal(run.status, 'RUNNING');
      await httpError(h.client.runApp({ app_name: 'quick', batch_id: batchId }), 403);
    });
  });

  describe('404', () => {
    it('an unknown run answers 404 on status, results and delete', async () => {
      for (const call of [
        h.client.getRun('run-unknown'),
        h.client.getRunResults('run-unknown'),
        h.client.deleteRun('run-unknown'),
      ]) {
        const err = await httpError(call, 404);
        assert.deepEqual(classifyAihubError(err), { retryable: false, reason: 'not-found' });
      }
    });

    it('an unknown batch answers 404 on get, files, upload, delete and as run input', async () => {
      const unknown = 424_242;
      await httpError(h.client.getBatch(unknown), 404);
      await httpError(h.client.listBatchFiles(unknown), 404);
      await httpError(h.client.putBatchFile(unknown, 'a.txt', Buffer.from('a'), 1), 404);
      await httpError(h.client.deleteBatch(unknown), 404);
      await httpError(h.client.runApp({ app_name: 'quick', batch_id: unknown }), 404);
    });

    it('an unknown app answers 404 naming it', async () => {
      const err = await httpError(h.client.runApp({ app_name: 'no-such-app', batch_id: batchId }), 404);
      assert.match(err.bodyMessage ?? '', /no-such-app/);
    });
  });

  describe('400 names the field', () => {
    it('runApp with both app_name and app_id', async () => {
      // RunAppRequest (z.infer of a superRefine'd object) types both as optional, so no cast is needed.
      const body: RunAppRequest = { app_name: 'quick', app_id: 'app-quick', batch_id: batchId };
      const err = await httpError(h.client.runApp(body), 400);
      assert.match(err.bodyMessage ?? '', /app_name/);
      assert.deepEqual(classifyAihubError(err), { retryable: false, reason: 'bad-request' });
    });

    it('runApp with neither app_name nor app_id', async () => {
      const err = await httpError(h.client.runApp({ batch_id: batchId }), 400);
      assert.match(err.bodyMessage ?? '', /app_name|app_id/);
    });

    it('runApp with both batch_id and input_dir', async () => {
      const body = { app_name: 'quick', batch_id: batchId, input_dir: 'acme/Claims/fs/Instabase Drive/x' };
      const err = await httpError(h.client.runApp(body), 400);
      assert.match(err.bodyMessage ?? '', /batch_id|input_dir/);
    });

    it('runApp over an input_dir that does not exist', async () => {
      const err = await httpError(
        h.client.runApp({ app_name: 'quick', input_dir: 'acme/Claims/fs/Instabase Drive/missing' }),
        400,
      );
      assert.match(err.bodyMessage ?? '', /input_dir/);
    });

    it('createBatch with a name over 255 characters', async () => {
      const err = await httpError(h.client.createBatch({ name: 'n'.repeat(256) }), 400);
      assert.match(err.bodyMessage ?? '', /\bname\b/);
      assert.equal((await h.client.createBatch({ name: 'n'.repeat(255) })).id > 0, true);
    });

    it('runApp with tags over 500 characters together', async () => {
      const err = await httpError(
        h.client.runApp({
          app_name: 'quick',
          batch_id: batchId,
          settings: { tags: ['t'.repeat(300), 'u'.repeat(201)] },
        }),
        400,
      );
      assert.match(err.bodyMessage ?? '', /tags/);
      const atLimit = await h.client.runApp({
        app_name: 'quick',
        batch_id: batchId,
        settings: { tags: ['t'.repeat(300), 'u'.repeat(200)] },
      });
      assert.equal(atLimit.tags?.join('').length, 500);
    });

    it('putBatchFile with a / in the file name', async () => {
      const err = await httpError(h.client.putBatchFile(batchId, 'a/b.txt', Buffer.from('x'), 1), 400);
      assert.match(err.bodyMessage ?? '', /filename/);
    });

    it('startMultipartUpload over the 50 MB file limit', async () => {
      const err = await httpError(
        h.client.startMultipartUpload({
          batch_id: batchId,
          filename: 'big.pdf',
          file_size: 50 * 1024 * 1024 + 1,
        }),
        400,
      );
      assert.match(err.bodyMessage ?? '', /file_size/);
    });
  });

  describe('IB-Context scopes the inputs a request names', () => {
    // aihub-api.md section 1: "Inputs and outputs named in a request are checked against this
    // context". The refusal's status is not documented: 401 (no permission) or 404 (a batch the
    // caller has no access to) are both accepted here.
    let s: Contract;

    before(async () => {
      s = await startContract({ contexts: ['acme', 'globex'], apps: [quickApp('app-quick', 'quick')] });
    });
    after(() => s.close());

    it('runApp over an input_dir of another org than the IB-Context is refused', async () => {
      await s.admin.putDriveFile('globex/Claims/fs/Instabase Drive/in/a.txt', 'x');
      const err = await rejection(
        s.client.runApp({ app_name: 'quick', input_dir: 'globex/Claims/fs/Instabase Drive/in' }),
      );
      assert.ok(err instanceof AihubHttpError, String(err));
      assert.ok([401, 404].includes(err.status), `refused with ${err.status}`);
    });

    it('a batch created under another IB-Context is not usable as run input', async () => {
      const globex = s.clientWith({ ibContext: 'globex' });
      const { id } = await globex.createBatch({ name: 'globex batch' });
      await globex.putBatchFile(id, 'a.txt', Buffer.from('x'), 1);
      assert.equal((await globex.getBatch(id)).repo_owner, 'globex');
      const err = await rejection(s.client.runApp({ app_name: 'quick', batch_id: id }));
      assert.ok(err instanceof AihubHttpError, String(err));
      assert.ok([401, 404].includes(err.status), `refused with ${err.status}`);
    });
  });
});
