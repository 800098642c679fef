import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ListBatchFilesResponse, Run, RunResultsPage } from '../../src/aihub/schemas';
import { checksApp, harness, tempDir } from './support';

describe('emulator persistence', () => {
  it('a restart on the same state file keeps runs, batches, file bytes and check counts', async () => {
    const { dir, cleanup } = await tempDir();
    const stateFile = join(dir, 'state.json');
    const apps = [checksApp('app-three-checks', 3)];
    try {
      const first = await harness({ stateFile, apps });
      const bytes = 'Invoice Number: INV-9\nTotal: 12.50\n';
      const run = await first.api.runOver('app-three-checks', { 'a.txt': bytes }, ['orch:persist']);
      assert.equal((await first.api.status(run.id)).status, 'RUNNING'); // check 1
      const startText = /"start_timestamp":(\d{19})/.exec(
        (await first.api.get(`/v2/apps/runs/${run.id}`)).text,
      )?.[1]; // check 2
      await first.close();
      assert.ok(JSON.parse(await readFile(stateFile, 'utf8')).runs[run.id], 'the run is in the state file');

      const second = await harness({ stateFile, apps });
      try {
        const again = await second.api.get<Run>(`/v2/apps/runs/${run.id}`); // check 3
        assert.equal(again.json.status, 'COMPLETE', 'progress continued where it stopped');
        assert.equal(/"start_timestamp":(\d{19})/.exec(again.text)?.[1], startText);
        assert.deepEqual(again.json.tags, ['orch:persist']);

        const files = await second.api.get<ListBatchFilesResponse>(`/v2/batches/${run.batch_id}/files`);
        assert.deepEqual(
          files.json.nodes.map((n) => [n.name, n.metadata?.size]),
          [['a.txt', Buffer.byteLength(bytes)]],
        );
        const results = await second.api.get<RunResultsPage>(`/v2/apps/runs/${run.id}/results`);
        const values = results.json.files[0]!.documents[0]!.fields.map((f) => [f.field_name, f.value]);
        assert.deepEqual(values.slice(0, 1), [['invoice_number', 'INV-9']]);

        // The bytes on disk are intact: a new run over the same batch gives the same results.
        const rerun = await second.api.post<Run>('/v2/apps/runs', {
          app_id: 'app-three-checks',
          batch_id: run.batch_id,
        });
        for (let i = 0; i < 3; i++) await second.api.get(`/v2/apps/runs/${rerun.json.id}`);
        const rerunResults = await second.api.get<RunResultsPage>(`/v2/apps/runs/${rerun.json.id}/results`);
        assert.deepEqual(rerunResults.json.files, results.json.files);

        // Batch ids keep counting after a restart.
        const next = await second.api.post<{ id: number }>('/v2/batches', { name: 'after restart' });
        assert.ok(next.json.id > run.batch_id!);
      } finally {
        await second.close();
      }
    } finally {
      await cleanup();
    }
  });

  it('keeps apps, deployments and quota set through the admin surface, and review completion', async () => {
    const { dir, cleanup } = await tempDir();
    const stateFile = join(dir, 'nested', 'state.json');
    try {
      const first = await harness({ stateFile });
      await first.admin.putApp(checksApp('app-admin', 1, { review: {} }));
      await first.admin.putDeployment({ id: 'dep-admin', appId: 'app-admin' });
      await first.admin.setQuota(5);
      const batchId = await first.api.batchWith({ 'a.txt': 'A' });
      const run = await first.api.post<Run>('/v2/apps/deployments/dep-admin/runs', { batch_id: batchId });
      assert.equal(run.status, 202);
      assert.equal((await first.api.status(run.json.id)).status, 'STOPPED_AT_CHECKPOINT');
      await first.admin.completeReview(run.json.id);
      await first.close();

      const second = await harness({ stateFile });
      try {
        assert.equal((await second.api.status(run.json.id)).status, 'COMPLETE');
        const another = await second.api.post('/v2/apps/deployments/dep-admin/runs', { batch_id: batchId });
        assert.equal(another.status, 202);
        assert.equal((await second.admin.stats()).runsTotal, 2);
        const quota: unknown = await fetch(`${second.emulator.adminUrl}/quota`).then((r) => r.json());
        assert.deepEqual(quota, { remainingUnits: 3 });
      } finally {
        await second.close();
      }
    } finally {
      await cleanup();
    }
  });
});
