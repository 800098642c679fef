import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { nextCheckDelayMs } from '../../src/activities/polling-policy';
import { WaitPolicy } from '../../src/pipeline-input';
import { sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { startPipelineEnv, uniqueId } from '../helpers/pipeline-env';
import type { PipelineEnv } from '../helpers/pipeline-env';

/** Runs one pipeline over an app that completes at its Nth status check; returns history length and checks. */
async function historyLength(env: PipelineEnv, checksToComplete: number, wait: object): Promise<number> {
  const appId = `app-checks-${checksToComplete}`;
  await env.admin.putApp({ id: appId, name: appId, fields: ['total'], checksToComplete });
  const batchId = await seedBatch(env.emulator, sampleInvoices(1));
  const handle = await env.start({
    workflowId: uniqueId(`history-${checksToComplete}`),
    appId,
    batchId,
    wait,
  });
  await env.withWorker(() => handle.result());
  const run = (await env.admin.runs()).find((r) => r.appId === appId);
  assert.ok(run, 'the run exists');
  assert.ok(run.checks >= checksToComplete, `the run was checked ${run.checks} times`);
  const history = await handle.fetchHistory();
  return history.events?.length ?? 0;
}

describe('the wait adds no history events however long it lasts', () => {
  const fast = { initialIntervalSeconds: 1, maxIntervalSeconds: 1, jitter: 0 };

  describe('on the dev server', () => {
    let env: PipelineEnv;
    before(async () => {
      env = await startPipelineEnv();
    });
    after(() => env.close());

    it('a run that needs 20 status checks has exactly the history of one that needs 1', async () => {
      const one = await historyLength(env, 1, fast);
      const many = await historyLength(env, 20, fast);
      assert.equal(many, one);
      assert.ok(one <= 40, `${one} events`);
    });
  });

  describe('on the time-skipping server', () => {
    let env: PipelineEnv;
    before(async () => {
      env = await startPipelineEnv({ timeSkipping: true });
    });
    after(() => env.close());

    it('a run that needs 500 status checks has exactly the history of one that needs 1, at most 40 events', async () => {
      const one = await historyLength(env, 1, fast);
      const many = await historyLength(env, 500, fast);
      assert.equal(many, one);
      assert.ok(one <= 40, `${one} events`);
    });

    it('with the default backoff, a run that waits 24 hours completes with the same bounded history, in seconds of real time', async () => {
      const policy = WaitPolicy.parse({ jitter: 0 });
      let checks = 0;
      for (let waited = 0; waited < 24 * 3600 * 1000; checks++) {
        waited += nextCheckDelayMs(policy, 'processing', checks + 1);
      }
      assert.ok(checks > 100 && checks < 300, `${checks} checks for a day`);
      // A day of backoff only passes within the test's timeout because the server skips time.
      const events = await historyLength(env, checks, { jitter: 0 });
      assert.ok(events <= 40, `${events} events`);
    });
  });
});
