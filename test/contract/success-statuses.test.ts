/**
 * Contract: every endpoint the client calls answers the success status aihub-api.md documents
 * (200, 201, 202 or 204), and the client accepts each of them, bodies or none.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EndpointName } from '../../src/aihub/endpoints';
import { EMULATOR_DEFAULT_TOKEN } from '../../src/emulator';
import { quickApp, startContract, waitForJob, type Contract } from './support';

/** The documented success status of each endpoint. */
const documented: Record<Exclude<EndpointName, 'getBatchJob'>, number> = {
  runApp: 200,
  runDeployment: 202,
  getRun: 200,
  getRunResults: 200,
  listRuns: 200,
  deleteRun: 202,
  createBatch: 200,
  listBatches: 200,
  getBatch: 200,
  deleteBatch: 202,
  listBatchFiles: 200,
  putBatchFile: 204,
  deleteBatchFile: 202,
  startMultipartUpload: 201,
  putMultipartPart: 201,
  finishMultipartUpload: 201,
  getJob: 200,
};

describe('contract: documented success statuses', () => {
  let h: Contract;

  before(async () => {
    h = await startContract({
      apps: [quickApp('app-quick', 'quick')],
      deployments: [{ id: 'dep-quick', appId: 'app-quick' }],
      multipartPartSize: 4,
    });
  });
  after(() => h.close());

  it('each client method meets its endpoint’s documented status', async () => {
    const c = h.client;
    const { id: batchId } = await c.createBatch({ name: 'statuses' });
    await c.listBatches();
    await c.getBatch(batchId);
    await c.putBatchFile(batchId, 'a.txt', Buffer.from('a'), 1);
    await c.putBatchFile(batchId, 'b.txt', Buffer.from('b'), 1);
    await c.listBatchFiles(batchId);
    await c.deleteBatchFile(batchId, 'b.txt');
    const session = await c.startMultipartUpload({ batch_id: batchId, filename: 'm.bin', file_size: 5 });
    const p1 = await c.putMultipartPart(session.session_id, 1, Buffer.from('abcd'), 4);
    const p2 = await c.putMultipartPart(session.session_id, 2, Buffer.from('e'), 1);
    await c.finishMultipartUpload(session.session_id, {
      action: 'commit',
      parts: [
        { part_num: 1, part_id: p1.part_id },
        { part_num: 2, part_id: p2.part_id },
      ],
    });
    const run = await c.runApp({ app_name: 'quick', batch_id: batchId });
    await c.runDeployment('dep-quick', { batch_id: batchId });
    await c.getRun(run.id);
    await c.getRunResults(run.id);
    await c.listRuns();
    const jobs = await c.deleteRun(run.id, { delete_input: false });
    await waitForJob(c, jobs.delete_output_dir_job_id ?? '');
    await c.deleteBatch(batchId);

    const { log } = await h.admin.calls();
    const seen = new Map<string, Set<number>>();
    for (const e of log) seen.set(e.endpoint, (seen.get(e.endpoint) ?? new Set()).add(e.status));
    for (const [endpoint, status] of Object.entries(documented)) {
      assert.deepEqual(seen.get(endpoint), new Set([status]), `${endpoint} answers ${status}`);
    }
  });

  it('startMultipartUpload also answers a Location header naming the session', async () => {
    const { id: batchId } = await h.client.createBatch({ name: 'location' });
    const response = await fetch(`${h.emulator.url}/v2/batches/multipart-upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${EMULATOR_DEFAULT_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ batch_id: batchId, filename: 'x.bin', file_size: 3 }),
    });
    assert.equal(response.status, 201);
    const { session_id } = (await response.json()) as { session_id: string };
    assert.match(response.headers.get('location') ?? '', new RegExp(`/sessions/${session_id}$`));
    await h.client.finishMultipartUpload(session_id, { action: 'abort' });
  });
});
