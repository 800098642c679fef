/**
 * A fan-out whose runs start with Temporal already suggesting continue-as-new still makes
 * progress: each run starts at least one child before it continues as new. The dev server is
 * told to suggest continue-as-new after a single history event, so every run (and every
 * workflow task) sees the suggestion from its very first task, as a fan-out would whose carried
 * outcomes alone approach the history size limit.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FanOutWorkflow } from '../../src/client';
import type { FanOutInputDraft } from '../../src/fan-out-input';
import { workflowTypes } from '../../src/names';
import { quickWait, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { uniqueId } from '../helpers/pipeline-env';
import { startDevServer } from '../helpers/temporal';
import { withPipelineEnv } from './support';

/** Bounds the whole chain of runs, so a fan-out that only continues as new fails instead of hanging. */
const FAN_OUT_TIMEOUT = '2 minutes';

describe('a fan-out told to continue as new from its first task still runs every child', () => {
  let temporal: TestWorkflowEnvironment;

  before(async () => {
    temporal = await startDevServer(['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=1']);
  });
  after(() => temporal.teardown());

  it('starts at least one child per run and completes all of them', async () => {
    await withPipelineEnv(temporal, {}, async (env) => {
      const batchIds: number[] = [];
      for (let i = 0; i < 3; i++) batchIds.push(await seedBatch(env.emulator, sampleInvoices(1)));
      const workflowId = uniqueId('fan-out-suggested');
      const draft: FanOutInputDraft = {
        workflowId,
        template: { appName: 'invoices', wait: quickWait },
        inputs: batchIds.map((batchId) => ({ batchId })),
        concurrency: 3,
      };
      const { result, firstRunId } = await env.withWorker(async () => {
        const handle = await env.client.workflow.start<FanOutWorkflow>(workflowTypes.fanOut, {
          taskQueue: env.taskQueue,
          workflowId,
          args: [draft],
          workflowExecutionTimeout: FAN_OUT_TIMEOUT,
        });
        return { result: await handle.result(), firstRunId: handle.firstExecutionRunId };
      });

      // The premise: the server really suggested continue-as-new in the first run's first task.
      const history = await env.client.workflow.getHandle(workflowId, firstRunId).fetchHistory();
      const firstTask = history.events?.find((e) => e.workflowTaskStartedEventAttributes);
      assert.equal(firstTask?.workflowTaskStartedEventAttributes?.suggestContinueAsNew, true);
      const first = await env.client.workflow.getHandle(workflowId, firstRunId).describe();
      assert.equal(first.status.name, 'CONTINUED_AS_NEW');

      assert.equal(result.total, 3);
      assert.equal(result.completed, 3);
      assert.deepEqual(
        result.outcomes.map((o) => [o.index, o.workflowId, o.status]),
        [0, 1, 2].map((i) => [i, `${workflowId}-${i + 1}`, 'COMPLETED']),
      );
      assert.equal((await env.admin.stats()).runsTotal, 3, 'one AI Hub run per input');
    });
  });
});
