import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPipelineInput } from '../../src/pipeline-input';

const base = { appName: 'invoices', batchId: 12 };

describe('the wait policy refuses what Temporal could never schedule', () => {
  it('a first interval above its cap is bad input naming the field', () => {
    const checked = checkPipelineInput({ ...base, wait: { initialIntervalSeconds: 900 } });
    assert.equal(checked.ok, false);
    assert.deepEqual(!checked.ok && checked.problems, [
      'wait.initialIntervalSeconds: must not exceed maxIntervalSeconds (600)',
    ]);
  });

  it('the same holds for the review intervals', () => {
    const checked = checkPipelineInput({
      ...base,
      wait: { reviewInitialIntervalSeconds: 10, reviewMaxIntervalSeconds: 5 },
    });
    assert.deepEqual(!checked.ok && checked.problems, [
      'wait.reviewInitialIntervalSeconds: must not exceed reviewMaxIntervalSeconds (5)',
    ]);
  });

  it('equal intervals are fine', () => {
    const checked = checkPipelineInput({
      ...base,
      wait: { initialIntervalSeconds: 1, maxIntervalSeconds: 1 },
    });
    assert.equal(checked.ok, true);
  });
});
