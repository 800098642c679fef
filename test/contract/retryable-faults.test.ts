/**
 * Contract: transient failures (429 with Retry-After in seconds or as an HTTP date, 503, dropped
 * connections, lost answers) reach the caller as the right error, and `classifyAihubError` calls
 * them retryable, with the server's Retry-After in milliseconds.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { classifyAihubError } from '../../src/aihub/retry';
import { httpError, networkError, startContract, type Contract } from './support';

describe('contract: retryable faults', () => {
  let h: Contract;

  before(async () => {
    h = await startContract();
  });
  beforeEach(() => h.admin.setFaults([]));
  after(() => h.close());

  it('429 with Retry-After in seconds: retryAfterMs is exactly those seconds, and it is retryable', async () => {
    await h.admin.setFaults([
      { endpoint: 'listBatches', kind: 'error', status: 429, retryAfterSeconds: 7, times: 1 },
    ]);
    const err = await httpError(h.client.listBatches(), 429);
    assert.equal(err.endpoint, 'listBatches');
    assert.equal(err.retryAfterMs, 7000);
    assert.deepEqual(classifyAihubError(err), {
      retryable: true,
      reason: 'rate-limited',
      retryAfterMs: 7000,
    });
    // `times: 1`: the next call goes through.
    assert.ok(Array.isArray(await h.client.listBatches()));
  });

  it('429 with Retry-After as an HTTP date: retryAfterMs is the configured delay within the 1 s resolution', async () => {
    await h.admin.setFaults([
      {
        endpoint: 'getBatch',
        kind: 'error',
        status: 429,
        retryAfterSeconds: 30,
        retryAfterFormat: 'http-date',
        times: 1,
      },
    ]);
    const err = await httpError(h.client.getBatch(1), 429);
    const ms = err.retryAfterMs;
    assert.ok(ms !== undefined, 'an HTTP-date Retry-After is understood');
    // An HTTP date has whole seconds: the server rounds its "now + 30 s" down by up to 1 s, and a
    // little time passes before the client reads it.
    assert.ok(ms > 28_500 && ms <= 30_000, `retryAfterMs ${ms} should be about 30000`);
    const verdict = classifyAihubError(err);
    assert.equal(verdict.retryable, true);
    assert.equal(verdict.reason, 'rate-limited');
    assert.equal(verdict.retryAfterMs, ms);
  });

  it('429 without Retry-After is still retryable, with no retryAfterMs', async () => {
    await h.admin.setFaults([{ endpoint: 'listRuns', kind: 'error', status: 429, times: 1 }]);
    const err = await httpError(h.client.listRuns(), 429);
    assert.equal(err.retryAfterMs, undefined);
    assert.deepEqual(classifyAihubError(err), { retryable: true, reason: 'rate-limited' });
  });

  for (const status of [500, 502, 503, 504]) {
    it(`${status} is a retryable server error carrying the body message`, async () => {
      await h.admin.setFaults([{ endpoint: 'createBatch', kind: 'error', status, times: 1 }]);
      const batchesBefore = (await h.client.listBatches({ limit: 1000 })).length;
      const err = await httpError(h.client.createBatch({ name: 'during an outage' }), status);
      assert.match(err.bodyMessage ?? '', new RegExp(String(status)));
      assert.deepEqual(classifyAihubError(err), { retryable: true, reason: 'server' });
      assert.equal(
        (await h.client.listBatches({ limit: 1000 })).length,
        batchesBefore,
        'nothing was created',
      );
    });
  }

  it('503 with Retry-After passes the delay on', async () => {
    await h.admin.setFaults([
      { endpoint: 'getJob', kind: 'error', status: 503, retryAfterSeconds: 2, times: 1 },
    ]);
    const err = await httpError(h.client.getJob('job-x'), 503);
    assert.deepEqual(classifyAihubError(err), { retryable: true, reason: 'server', retryAfterMs: 2000 });
  });

  it('a dropped connection is an AihubNetworkError, retryable, and the call had no effect', async () => {
    await h.admin.setFaults([{ endpoint: 'createBatch', kind: 'drop', times: 1 }]);
    const batchesBefore = (await h.client.listBatches({ limit: 1000 })).length;
    const err = await networkError(h.client.createBatch({ name: 'dropped' }));
    assert.equal(err.endpoint, 'createBatch');
    assert.ok(err.code, 'the system error code is kept');
    assert.deepEqual(classifyAihubError(err), { retryable: true, reason: 'network' });
    assert.equal((await h.client.listBatches({ limit: 1000 })).length, batchesBefore);
  });

  it('a lost answer is an AihubNetworkError too, though the call took effect', async () => {
    await h.admin.setFaults([{ endpoint: 'createBatch', kind: 'lose-response', times: 1 }]);
    const listedBefore = await h.client.listBatches({ limit: 1000 });
    const err = await networkError(h.client.createBatch({ name: 'answer lost' }));
    assert.equal(classifyAihubError(err).retryable, true);
    const afterwards = await h.client.listBatches({ limit: 1000 });
    assert.equal(afterwards.length, listedBefore.length + 1);
    assert.equal(afterwards.at(-1)?.name, 'answer lost');
  });

  it('latency beyond the client timeout is an AihubNetworkError with code TIMEOUT, retryable', async () => {
    await h.admin.setFaults([{ endpoint: 'listBatches', kind: 'latency', latencyMs: 400, times: 1 }]);
    const err = await networkError(h.client.listBatches(undefined, { timeoutMs: 100 }));
    assert.equal(err.code, 'TIMEOUT');
    assert.deepEqual(classifyAihubError(err), { retryable: true, reason: 'timeout' });
  });

  it('a connection refused (nothing listening) is an AihubNetworkError, retryable', async () => {
    const gone = await startContract();
    const client = gone.client;
    await gone.close();
    const err = await networkError(client.listBatches());
    assert.equal(err.code, 'ECONNREFUSED');
    assert.deepEqual(classifyAihubError(err), { retryable: true, reason: 'network' });
  });

  it('a run whose start answer was lost is found again by its tag in listRuns', async () => {
    const { id: batchId } = await h.client.createBatch({ name: 'lost run' });
    await h.client.putBatchFile(batchId, 'a.txt', Buffer.from('x'), 1);
    const since = Math.floor(Date.now() / 1000) - 1;
    const tag = `orch:lost-${Date.now()}`;
    await h.admin.setFaults([{ endpoint: 'runApp', kind: 'lose-response', times: 1 }]);
    const err = await networkError(
      h.client.runApp({ app_name: 'invoices', batch_id: batchId, settings: { tags: [tag] } }),
    );
    assert.equal(classifyAihubError(err).retryable, true);
    const found = [];
    for await (const run of h.client.listAllRuns({ from_timestamp: since })) {
      if (run.tags?.includes(tag)) found.push(run);
    }
    assert.equal(found.length, 1, 'exactly one run was started');
    assert.equal(found[0]?.batch_id, batchId);
  });

  it('a dropped runApp starts no run', async () => {
    const { id: batchId } = await h.client.createBatch({ name: 'dropped run' });
    await h.client.putBatchFile(batchId, 'a.txt', Buffer.from('x'), 1);
    const runsBefore = (await h.admin.stats()).runsTotal;
    await h.admin.setFaults([{ endpoint: 'runApp', kind: 'drop', times: 1 }]);
    await networkError(h.client.runApp({ app_name: 'invoices', batch_id: batchId }));
    assert.equal((await h.admin.stats()).runsTotal, runsBefore);
  });
});
