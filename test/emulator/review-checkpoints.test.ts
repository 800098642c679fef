import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checksApp, harness } from './support';
import type { Harness } from './support';

const invoice = 'Invoice Number: INV-1\nVendor: Globex\n';

describe('emulator review checkpoints', () => {
  let h: Harness;
  let nowMs = 1_000_000;
  before(async () => {
    h = await harness({
      now: () => nowMs,
      apps: [
        checksApp('app-two-checkpoints', 1, {
          review: { autoCompleteMs: 1_000, afterReviewMs: 500, checkpoints: 2 },
        }),
        checksApp('app-resumes', 1, { review: { afterReviewMs: 500 } }),
      ],
    });
  });
  after(() => h.close());

  it('a run with two checkpoints stops at each, runs between and after them, then completes', async () => {
    const run = await h.api.runOver('app-two-checkpoints', { 'a.txt': invoice });
    const seen: string[] = [];
    // Processing ends at the first check; each checkpoint lasts 1 s, each stretch after it 0.5 s.
    for (const step of [0, 500, 600, 400, 500, 600, 400]) {
      nowMs += step;
      seen.push((await h.api.status(run.id)).status);
    }
    assert.deepEqual(seen, [
      'STOPPED_AT_CHECKPOINT',
      'STOPPED_AT_CHECKPOINT',
      'RUNNING',
      'STOPPED_AT_CHECKPOINT',
      'STOPPED_AT_CHECKPOINT',
      'RUNNING',
      'COMPLETE',
    ]);
  });

  it('a review completed through the admin surface lets the run resume before it completes', async () => {
    const run = await h.api.runOver('app-resumes', { 'a.txt': invoice });
    assert.equal((await h.api.status(run.id)).status, 'STOPPED_AT_CHECKPOINT');
    nowMs += 10_000;
    assert.equal((await h.api.status(run.id)).status, 'STOPPED_AT_CHECKPOINT', 'no auto-completion');
    await h.admin.completeReview(run.id);
    assert.equal((await h.api.status(run.id)).status, 'RUNNING');
    nowMs += 500;
    assert.equal((await h.api.status(run.id)).status, 'COMPLETE');
  });
});
