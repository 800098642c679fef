import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { getFanOutProgress, PipelineInputError, startFanOut } from '../../src/client';
import type { FanOutInputDraft } from '../../src/fan-out-input';
import { quickWait, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { startPipelineEnv, uniqueId } from '../helpers/pipeline-env';
import type { PipelineEnv } from '../helpers/pipeline-env';
import { pollUntil } from '../helpers/waiting';
import { totalCalls } from './support';

describe('a fan-out runs many pipelines as children, a few at a time', () => {
  let env: PipelineEnv;

  before(async () => {
    env = await startPipelineEnv();
  });
  after(() => env.close());

  const start = (draft: FanOutInputDraft) => startFanOut(env.client, draft, { taskQueue: env.taskQueue });

  it('completes 50 inputs with at most 5 AI Hub runs at once, continuing as new on the way', async () => {
    const batchIds: number[] = [];
    for (let i = 0; i < 50; i++) batchIds.push(await seedBatch(env.emulator, sampleInvoices(1)));
    const workflowId = uniqueId('fan-out');
    const result = await env.withWorker(async () => {
      const handle = await start({
        workflowId,
        template: { appName: 'invoices', wait: quickWait },
        inputs: batchIds.map((batchId) => ({ batchId })),
        concurrency: 5,
        childrenPerRun: 20,
      });
      const first = await env.client.workflow.getHandle(workflowId, handle.firstExecutionRunId).describe();
      const result = await handle.result();
      const firstAfter = await env.client.workflow.getHandle(workflowId, first.runId).describe();
      assert.equal(firstAfter.status.name, 'CONTINUED_AS_NEW', 'the first run continued as new');
      return result;
    });

    assert.equal(result.total, 50);
    assert.equal(result.completed, 50);
    assert.equal(result.failed, 0);
    assert.deepEqual(
      result.outcomes.map((o) => o.index),
      Array.from({ length: 50 }, (_, i) => i),
    );
    assert.deepEqual(
      result.outcomes.map((o) => o.workflowId),
      Array.from({ length: 50 }, (_, i) => `${workflowId}-${i + 1}`),
    );
    assert.ok(result.outcomes.every((o) => o.status === 'COMPLETED' && o.files === 1));
    const stats = await env.admin.stats();
    assert.equal(stats.runsTotal, 50, 'one AI Hub run per input');
    assert.ok(stats.maxRunsInFlight <= 5, `at most 5 runs at once, saw ${stats.maxRunsInFlight}`);
    assert.ok(stats.maxRunsInFlight > 1, `children ran side by side (saw ${stats.maxRunsInFlight})`);
  });

  it("reports each child's outcome; one failure does not stop the others", async () => {
    const good = await seedBatch(env.emulator, sampleInvoices(2));
    const result = await env.withWorker(async () => {
      const handle = await start({
        template: { appName: 'invoices', wait: quickWait },
        inputs: [{ batchId: good }, { batchId: 987_654 }, { batchId: good }],
        concurrency: 2,
      });
      return handle.result();
    });
    assert.deepEqual(
      result.outcomes.map((o) => o.status),
      ['COMPLETED', 'FAILED', 'COMPLETED'],
    );
    assert.equal(result.outcomes[1]?.failureType, 'AihubNotFound');
    assert.match(result.outcomes[1]?.message ?? '', /987654|not found/i);
    assert.equal(result.completed, 2);
    assert.equal(result.failed, 1);
  });

  it('refuses a bad input before anything starts, naming the input at fault', async () => {
    await env.admin.resetCalls();
    await assert.rejects(
      start({
        template: { appName: 'invoices' },
        inputs: [{ batchId: 1 }, { inputDir: '' }, { batchId: -4 }],
      }),
      (err: unknown) => {
        assert.ok(err instanceof PipelineInputError);
        assert.ok(
          err.problems.some((p) => p.startsWith('inputs.1.inputDir:')),
          err.message,
        );
        assert.ok(
          err.problems.some((p) => p.startsWith('inputs.2.batchId:')),
          err.message,
        );
        return true;
      },
    );
    await assert.rejects(
      start({ template: { appName: 'invoices', inputDir: 'acme/x/fs/d/in' }, inputs: [{ batchId: 1 }] }),
      /template\.inputDir/,
    );
    assert.equal(totalCalls(await env.admin.calls()), 0, 'AI Hub saw no call');
  });

  it('cancels its running children and starts no more', async () => {
    const batchId = await seedBatch(env.emulator, sampleInvoices(1));
    const runsBefore = (await env.admin.stats()).runsTotal;
    await env.withWorker(async () => {
      const handle = await start({
        workflowId: uniqueId('fan-out-cancel'),
        template: { appName: 'invoices-review', wait: quickWait },
        inputs: Array.from({ length: 4 }, () => ({ batchId })),
        concurrency: 2,
      });
      await pollUntil('two children waiting for review', async () => {
        const progress = await getFanOutProgress(handle);
        const inReview = (await env.admin.runs()).filter((r) => r.status === 'STOPPED_AT_CHECKPOINT');
        return progress.running.length === 2 && inReview.length === 2 ? progress : undefined;
      });
      await handle.cancel();
      await assert.rejects(handle.result(), (err: unknown) => {
        assert.ok(err instanceof WorkflowFailedError);
        assert.equal(err.cause?.name, 'CancelledFailure');
        return true;
      });
      const children = await Promise.all(
        [1, 2].map((n) => env.client.workflow.getHandle(`${handle.workflowId}-${n}`).describe()),
      );
      assert.deepEqual(
        children.map((c) => c.status.name),
        ['CANCELLED', 'CANCELLED'],
      );
    });
    assert.equal(
      (await env.admin.stats()).runsTotal - runsBefore,
      2,
      'no child was started after the cancel',
    );
  });
});
