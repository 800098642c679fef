import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppBehaviour } from '../../src/emulator';
import { failureTypes } from '../../src/failure-types';
import { quickWait, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { failureTypeOf, rejectionOf } from '../helpers/failures';
import { uniqueId } from '../helpers/pipeline-env';
import { within } from '../helpers/waiting';
import { useTemporal, withPipelineEnv } from './support';

const fields = ['invoice number', 'vendor'];
/** Processing takes `msPerFile` for the one file each test runs on. */
const app = (id: string, msPerFile: number, review?: AppBehaviour['review']): AppBehaviour => ({
  id,
  name: id,
  fields,
  msPerFile,
  ...(review !== undefined ? { review } : {}),
});

const apps = [
  app('never-finishes', 1e9),
  app('never-reviewed', 200, {}),
  // 1.5 s processing, a 12 s review, 1.5 s processing again: 3 s of processing in 15 s.
  app('long-review', 1_500, { autoCompleteMs: 12_000, afterReviewMs: 1_500 }),
  // Two reviews of 5 s with 2.5 s of processing between them: 12.5 s since the first checkpoint.
  app('two-checkpoints', 200, { autoCompleteMs: 5_000, afterReviewMs: 2_500, checkpoints: 2 }),
];

describe('deadlines mean what they say', () => {
  const temporal = useTemporal();

  async function run(appName: string, wait: Record<string, number>): Promise<unknown> {
    return withPipelineEnv(temporal(), { apps }, async (env) => {
      const batchId = await seedBatch(env.emulator, sampleInvoices(1));
      return env.withWorker(async () => {
        const handle = await env.start({
          workflowId: uniqueId(appName),
          appName,
          batchId,
          wait: { ...quickWait, ...wait },
        });
        return within(
          60_000,
          `${appName} to end`,
          handle.result().catch((err: unknown) => err),
        );
      });
    });
  }

  it('a run that never finishes fails as HubrunDeadlineExceeded at its processing deadline', async () => {
    // Checks every 2 s against a 3 s deadline: Temporal ends the retries with retry state TIMEOUT
    // (the next check would come after the deadline) and the last "still RUNNING" failure, not
    // with a schedule-to-close timeout.
    const outcome = await run('never-finishes', {
      initialIntervalSeconds: 2,
      maxIntervalSeconds: 2,
      runDeadlineSeconds: 3,
    });
    assert.equal(failureTypeOf(outcome), failureTypes.deadlineExceeded);
  });

  it('a review that never ends fails as HubrunDeadlineExceeded at its review deadline', async () => {
    const outcome = await run('never-reviewed', { reviewDeadlineSeconds: 3 });
    assert.equal(failureTypeOf(outcome), failureTypes.deadlineExceeded);
  });

  it('time in review does not count against the processing deadline', async () => {
    const outcome = await run('long-review', { runDeadlineSeconds: 8, reviewDeadlineSeconds: 30 });
    assert.equal((outcome as { status?: string }).status, 'COMPLETED', String(outcome));
  });

  it('each review checkpoint has a review deadline of its own', async () => {
    const outcome = await run('two-checkpoints', {
      reviewInitialIntervalSeconds: 0.5,
      reviewMaxIntervalSeconds: 0.5,
      reviewDeadlineSeconds: 9,
    });
    assert.equal((outcome as { status?: string }).status, 'COMPLETED', String(outcome));
  });

  it('the deadline failure names the run and the stage', async () => {
    const err = await rejectionOf(
      run('never-finishes', { runDeadlineSeconds: 2 }).then((o) => {
        if (o instanceof Error) throw o;
        return o;
      }),
    );
    assert.equal(failureTypeOf(err), failureTypes.deadlineExceeded);
    assert.match(String((err as { cause?: Error }).cause?.message), /did not leave processing within 2 s/);
  });
});
