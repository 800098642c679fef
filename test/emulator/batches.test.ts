import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type {
  BatchInfo,
  CreateBatchResponse,
  DeleteBatchResponse,
  DeleteRunResponse,
  Job,
  ListBatchesResponse,
  ListBatchFilesResponse,
  MultipartPartResponse,
  Run,
  RunResultsPage,
  StartMultipartUploadResponse,
} from '../../src/aihub/schemas';
import { checksApp, harness } from './support';
import type { Harness } from './support';

describe('emulator batches, uploads and deletion jobs', () => {
  let h: Harness;
  before(async () => {
    h = await harness({ multipartPartSize: 1024, apps: [checksApp('app-quick', 1)] });
  });
  after(() => h.close());

  async function pollJob(path: string): Promise<string[]> {
    const states: string[] = [];
    for (let i = 0; i < 5; i++) {
      const answer = await h.api.get<Job>(path);
      assert.equal(answer.status, 200, answer.text);
      states.push(answer.json.state);
      if (answer.json.state === 'COMPLETE') break;
    }
    return states;
  }

  it('creates, describes, lists and deletes a batch', async () => {
    const created = await h.api.post<CreateBatchResponse>('/v2/batches', {
      name: 'nightly',
      workspace: 'Claims',
    });
    assert.equal(created.status, 200);
    const id = created.json.id;
    assert.equal(typeof id, 'number');
    const info = await h.api.get<BatchInfo>(`/v2/batches/${id}`);
    assert.equal(info.status, 200);
    assert.deepEqual(Object.keys(info.json).sort(), [
      'batch_owner',
      'created_at_ms',
      'id',
      'mount_point',
      'name',
      'path_suffix',
      'repo_owner',
      'updated_at_ms',
      'workspace',
    ]);
    assert.equal(info.json.name, 'nightly');
    assert.equal(info.json.workspace, 'Claims');
    assert.ok(Math.abs(info.json.created_at_ms! - Date.now()) < 10_000, 'milliseconds');
    const listed = await h.api.get<ListBatchesResponse>('/v2/batches?workspace=Claims');
    assert.deepEqual(
      listed.json.batches.map((b) => b.id),
      [id],
    );

    const deleted = await h.api.delete<DeleteBatchResponse>(`/v2/batches/${id}`);
    assert.equal(deleted.status, 202);
    assert.equal(typeof deleted.json.job_id, 'string');
    assert.equal((await h.api.get(`/v2/batches/${id}`)).status, 404);
    assert.deepEqual(await pollJob(`/v2/jobs/${deleted.json.job_id}`), ['PENDING', 'RUNNING', 'COMPLETE']);
    assert.equal((await h.api.get<Job>(`/v2/batches/jobs/${deleted.json.job_id}`)).json.state, 'COMPLETE');
  });

  it('uploads raw bytes (same name overwrites), lists files with page tokens and deletes a file', async () => {
    const id = await h.api.batchWith({ 'a.txt': 'first', 'b c.txt': 'B', 'ü.txt': 'U' });
    assert.equal((await h.api.put(`/v2/batches/${id}/files/a.txt`, 'second version')).status, 204);
    const page1 = await h.api.get<ListBatchFilesResponse>(`/v2/batches/${id}/files?page_size=2`);
    assert.equal(page1.json.has_more, true);
    const page2 = await h.api.get<ListBatchFilesResponse>(
      `/v2/batches/${id}/files?page_size=2&start_token=${page1.json.next_page_token}`,
    );
    assert.equal(page2.json.has_more, false);
    assert.ok(
      !('next_page_token' in page2.json),
      'the last page leaves next_page_token out (a string in the spec)',
    );
    const nodes = [...page1.json.nodes, ...page2.json.nodes];
    assert.deepEqual(
      nodes.map((n) => [n.name, n.metadata?.size, n.metadata?.node_type]),
      [
        ['a.txt', 14, 'file'],
        ['b c.txt', 1, 'file'],
        ['ü.txt', 1, 'file'],
      ],
    );
    assert.ok(nodes.every((n) => n.full_path?.endsWith(`/batches/${id}/${n.name}`)));
    assert.ok(Math.abs(nodes[0]!.metadata!.modified_timestamp! - Date.now() / 1000) < 10, 'seconds');

    assert.equal((await h.api.delete(`/v2/batches/${id}/files/b%20c.txt`)).status, 202);
    assert.equal((await h.api.delete(`/v2/batches/${id}/files/b%20c.txt`)).status, 404);
    assert.equal((await h.api.get<ListBatchFilesResponse>(`/v2/batches/${id}/files`)).json.nodes.length, 2);
    assert.equal((await h.api.put(`/v2/batches/${id}/files/a%2Fb`, 'x')).status, 400, 'no / in a name');
  });

  it('uploads through a multipart session: exact part sizes, commit, abort', async () => {
    const bytes = Buffer.alloc(2500);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) % 251;
    const id = await h.api.batchWith({});
    const started = await h.api.post<StartMultipartUploadResponse>('/v2/batches/multipart-upload', {
      batch_id: id,
      filename: 'big.bin',
      file_size: 2500,
    });
    assert.equal(started.status, 201);
    assert.equal(started.json.part_size, 1024);
    const session = started.json.session_id;
    assert.equal(started.headers.get('location'), `/api/v2/batches/multipart-upload/sessions/${session}`);
    const base = `/v2/batches/multipart-upload/sessions/${session}`;

    assert.equal(
      (await h.api.put(`${base}/parts/1`, bytes.subarray(0, 1000))).status,
      400,
      'short middle part',
    );
    assert.equal((await h.api.put(`${base}/parts/4`, bytes.subarray(0, 1))).status, 400, 'no part 4');
    const parts = [];
    for (const [n, from, to] of [
      [1, 0, 1024],
      [2, 1024, 2048],
      [3, 2048, 2500],
    ] as const) {
      const answer = await h.api.put<MultipartPartResponse>(`${base}/parts/${n}`, bytes.subarray(from, to));
      assert.equal(answer.status, 201, answer.text);
      assert.equal(answer.json.part_num, n);
      parts.push({ part_num: n, part_id: answer.json.part_id });
    }
    assert.equal((await h.api.post(base, { action: 'commit', parts: parts.slice(0, 2) })).status, 400);
    const committed = await h.api.post(base, { action: 'commit', parts });
    assert.equal(committed.status, 201, committed.text);
    assert.equal((await h.api.post(base, { action: 'abort' })).status, 404, 'the session is gone');
    const files = await h.api.get<ListBatchFilesResponse>(`/v2/batches/${id}/files`);
    assert.deepEqual(
      files.json.nodes.map((n) => [n.name, n.metadata?.size]),
      [['big.bin', 2500]],
    );

    // The committed bytes equal the original: results match a plain upload of the same bytes.
    const viaParts = await h.api.post<Run>('/v2/apps/runs', { app_id: 'app-quick', batch_id: id });
    const plain = await h.api.runOver('app-quick', { 'big.bin': bytes });
    const results = [];
    for (const runId of [viaParts.json.id, plain.id]) {
      await h.api.get(`/v2/apps/runs/${runId}`);
      results.push(
        (await h.api.get<RunResultsPage>(`/v2/apps/runs/${runId}/results`)).json.files[0]!.documents,
      );
    }
    assert.deepEqual(results[0], results[1]);

    const other = await h.api.post<StartMultipartUploadResponse>('/v2/batches/multipart-upload', {
      batch_id: id,
      filename: 'x.bin',
      file_size: 10,
    });
    const aborted = await h.api.post(`/v2/batches/multipart-upload/sessions/${other.json.session_id}`, {
      action: 'abort',
    });
    assert.equal(aborted.status, 201);
    const tooBig = await h.api.post('/v2/batches/multipart-upload', {
      batch_id: id,
      filename: 'x',
      file_size: 50 * 1024 * 1024 + 1,
    });
    assert.equal(tooBig.status, 400);
    assert.match(tooBig.json.message, /^file_size: /);
  });

  it('deleting a run answers 202 with job ids, removes the run and (by default) its batch', async () => {
    const run = await h.api.runOver('app-quick', { 'a.txt': 'A' });
    const answer = await h.api.delete<DeleteRunResponse>(`/v2/apps/runs/${run.id}`);
    assert.equal(answer.status, 202);
    for (const key of [
      'delete_input_dir_job_id',
      'delete_output_dir_job_id',
      'delete_log_dir_job_id',
    ] as const) {
      assert.equal(typeof answer.json[key], 'string', key);
    }
    assert.equal((await h.api.get(`/v2/apps/runs/${run.id}`)).status, 404);
    assert.equal((await h.api.get(`/v2/batches/${run.batch_id}`)).status, 404);
    assert.deepEqual(await pollJob(`/v2/jobs/${answer.json.delete_input_dir_job_id}`), [
      'PENDING',
      'RUNNING',
      'COMPLETE',
    ]);

    const kept = await h.api.runOver('app-quick', { 'a.txt': 'A' });
    const partial = await h.api.delete<DeleteRunResponse>(
      `/v2/apps/runs/${kept.id}?delete_input=false&delete_logs=false`,
    );
    assert.equal(partial.status, 202);
    assert.equal(partial.json.delete_input_dir_job_id, null);
    assert.equal(partial.json.delete_log_dir_job_id, null);
    assert.equal(typeof partial.json.delete_output_dir_job_id, 'string');
    assert.equal((await h.api.get(`/v2/batches/${kept.batch_id}`)).status, 200);
  });

  it('jobs also complete on the clock (~200 ms) without polls', async () => {
    const id = await h.api.batchWith({});
    const { json } = await h.api.delete<DeleteBatchResponse>(`/v2/batches/${id}`);
    await new Promise((resolve) => setTimeout(resolve, 220));
    assert.equal((await h.api.get<Job>(`/v2/jobs/${json.job_id}`)).json.state, 'COMPLETE');
  });
});
