import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import type { StartRunInput } from '../../src/activities';
import { quickWait, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { uniqueId } from '../helpers/pipeline-env';
import type { PipelineEnv } from '../helpers/pipeline-env';
import { pollUntil, within } from '../helpers/waiting';
import { useTemporal, withPipelineEnv } from './support';

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

/** The `startRun` scheduling event of a run's history, and the input it was scheduled with. */
async function startScheduled(
  env: PipelineEnv,
  workflowId: string,
  runId: string,
): Promise<{ event: HistoryEvent; input: StartRunInput }> {
  const history = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
  const event = history.events?.find(
    (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'startRun',
  );
  const payload = event?.activityTaskScheduledEventAttributes?.input?.payloads?.[0];
  assert.ok(event !== undefined && payload?.data, `run ${runId} scheduled no startRun`);
  const input = JSON.parse(Buffer.from(payload.data).toString('utf8')) as StartRunInput;
  return { event, input };
}

describe('a Temporal reset to before the start adopts the run instead of POSTing again', () => {
  const temporal = useTemporal();

  it('the reset pipeline finds the run its first execution started and delivers it', async () => {
    await withPipelineEnv(temporal(), {}, async (env) => {
      const batchId = await seedBatch(env.emulator, sampleInvoices(2));
      const workflowId = uniqueId('reset');
      // Ten minutes of settling: a reset that waited out its window before looking would not finish.
      const overrides = { deps: { startSettleMs: 600_000 } };
      const { first, reset, firstRunId, resetRunId } = await env.withWorker(async () => {
        const handle = await env.start({ workflowId, appName: 'invoices', batchId, wait: quickWait });
        const first = await within(60_000, 'the first execution completing', handle.result());
        const description = await handle.describe();
        const firstRunId = description.runId;
        // A reset in a later second than the start, so a window taken from the reset would differ.
        const startSecond = Math.floor(description.startTime.getTime() / 1000);
        await pollUntil('the next second', () =>
          Promise.resolve(Math.floor(Date.now() / 1000) > startSecond ? true : undefined),
        );

        // Reset to the workflow task that scheduled the start: it runs again, as after an operator's reset.
        const { event } = await startScheduled(env, workflowId, firstRunId);
        const { runId: resetRunId } = await env.client.workflowService.resetWorkflowExecution({
          namespace: env.temporal.namespace ?? 'default',
          workflowExecution: { workflowId, runId: firstRunId },
          workflowTaskFinishEventId: event.activityTaskScheduledEventAttributes?.workflowTaskCompletedEventId,
          requestId: randomUUID(),
          reason: 'exactly-once test: reset to before the start',
        });
        assert.ok(resetRunId, 'the reset made a new run');
        const reset = await within(
          60_000,
          'the reset execution completing',
          env.client.workflow.getHandle(workflowId, resetRunId).result(),
        );
        return { first, reset, firstRunId, resetRunId };
      }, overrides);

      const { counts } = await env.admin.calls();
      assert.equal(counts.runApp, 1, 'the run was POSTed once, by the first execution');
      const runs = await env.admin.runs();
      assert.equal(runs.length, 1, `AI Hub holds ${runs.length} runs`);
      assert.equal(reset.runId, first.runId, "the reset execution adopted the first execution's run");
      assert.equal(reset.status, 'COMPLETED');

      // The list window of the reset's look starts where the first execution's did: at the
      // workflow's original start, not at the reset.
      const before = (await startScheduled(env, workflowId, firstRunId)).input;
      const after = (await startScheduled(env, workflowId, resetRunId)).input;
      assert.equal(after.notBeforeSeconds, before.notBeforeSeconds);
      assert.equal(after.tag, before.tag, 'the reset execution looks for the same tag');
      assert.equal(after.reconcileFirst, true);
      assert.equal(before.reconcileFirst, false);
    });
  });
});
