import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkNow, getProgress } from '../../src/client';
import { sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { uniqueId } from '../helpers/pipeline-env';
import { pollUntil, within } from '../helpers/waiting';
import { useTemporal, withPipelineEnv } from './support';

/** A run that completes at its second status check. */
const twoChecksApp = {
  id: 'app-two-checks',
  name: 'two-checks',
  fields: ['invoice number', 'total'],
  checksToComplete: 2,
};

/** After the first check the next one is a minute away. */
const minuteWait = { initialIntervalSeconds: 60, maxIntervalSeconds: 60, jitter: 0 };

/** Well under the 60 s backoff: the test cannot pass by waiting it out. */
const COMPLETES_WITHIN_MS = 20_000;

describe('the checkNow signal cuts the backoff short', () => {
  const temporal = useTemporal();

  it('a pipeline backing off for a minute checks at once when signalled and completes', async () => {
    await withPipelineEnv(temporal(), {}, async (env) => {
      await env.admin.putApp(twoChecksApp);
      const batchId = await seedBatch(env.emulator, sampleInvoices(2));
      const result = await env.withWorker(async () => {
        const handle = await env.start({
          workflowId: uniqueId('check-now'),
          appName: twoChecksApp.name,
          batchId,
          wait: minuteWait,
        });
        // The first check has failed as "not finished" and the next one is a minute away.
        const waiting = await pollUntil('the wait to back off after its first check', async () => {
          const live = await getProgress(handle);
          return (live.currentAttempt ?? 0) >= 2 ? live : undefined;
        });
        assert.equal((await env.admin.calls()).counts.getRun, 1);
        assert.equal(waiting.lastError, null, 'a check that found the run still going is no error');

        await checkNow(handle);
        return within(COMPLETES_WITHIN_MS, 'the pipeline completing after checkNow', handle.result());
      });
      assert.equal(result.status, 'COMPLETED');
      assert.equal(result.files, 2);
      assert.equal((await env.admin.calls()).counts.getRun, 2);
    });
  });
});
