import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Run } from '../../src/aihub/schemas';
import { checksApp, harness } from './support';

describe('emulator statistics', () => {
  it('counts runs in flight and remembers the most ever in flight at once', async () => {
    const h = await harness({
      apps: [checksApp('app-two-checks', 2), checksApp('app-review', 1, { review: {} })],
    });
    try {
      const runs: Run[] = [];
      for (let i = 0; i < 3; i++) runs.push(await h.api.runOver('app-two-checks', { 'a.txt': `file ${i}` }));
      const review = await h.api.runOver('app-review', { 'a.txt': 'r' });
      assert.deepEqual(await h.admin.stats(), { runsInFlight: 4, maxRunsInFlight: 4, runsTotal: 4 });

      for (const run of runs) for (let i = 0; i < 2; i++) await h.api.get(`/v2/apps/runs/${run.id}`);
      await h.api.get(`/v2/apps/runs/${review.id}`); // at the checkpoint: still in flight
      assert.deepEqual(await h.admin.stats(), { runsInFlight: 1, maxRunsInFlight: 4, runsTotal: 4 });

      await h.api.runOver('app-two-checks', { 'a.txt': 'late' });
      assert.deepEqual(await h.admin.stats(), { runsInFlight: 2, maxRunsInFlight: 4, runsTotal: 5 });
      await h.admin.completeReview(review.id);
      await h.admin.resetStats();
      assert.deepEqual(await h.admin.stats(), { runsInFlight: 1, maxRunsInFlight: 1, runsTotal: 5 });

      const details = await h.admin.runs();
      assert.equal(details.length, 5);
      const first = details.find((d) => d.id === runs[0]!.id);
      assert.equal(first?.checks, 2);
      assert.equal(first?.fileCount, 1);
      assert.equal(first?.appId, 'app-two-checks');
    } finally {
      await h.close();
    }
  });
});
