import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PipelineHandle } from '../../src/client';
import { notificationEventId } from '../../src/notifications';
import { failureTypes } from '../../src/failure-types';
import { PROGRESS_QUERY } from '../../src/names';
import type { PipelineProgress } from '../../src/progress';
import { quickWait, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { rejectionOf } from '../helpers/failures';
import { closedPort, cloudEventOf, isSignedWith, startNotifyReceiver } from '../helpers/notify-receiver';
import type { NotifyReceiver } from '../helpers/notify-receiver';
import { uniqueId } from '../helpers/pipeline-env';
import type { PipelineEnv } from '../helpers/pipeline-env';
import { pollUntil, within } from '../helpers/waiting';
import { useTemporal, withPipelineEnv } from './support';

/** The worker's notification secret: it signs every delivery and never enters a workflow. */
const SECRET = 'notify-secret-that-stays-in-the-worker';
const withSecret = { notify: { secret: SECRET } };

describe('a pipeline that declares notifications tells its receiver about its outcomes, never failing for it', () => {
  const temporal = useTemporal();

  async function withReceiver<T>(
    options: { failFirst?: number },
    fn: (receiver: NotifyReceiver) => Promise<T>,
  ): Promise<T> {
    const receiver = await startNotifyReceiver(options);
    try {
      return await fn(receiver);
    } finally {
      await receiver.close();
    }
  }

  async function eventIdOf(
    handle: PipelineHandle,
    kind: 'failed' | 'completed' | 'review-overdue',
    checkpoint?: number,
  ): Promise<string> {
    const { runId } = await handle.describe();
    return notificationEventId({ workflowId: handle.workflowId, workflowRunId: runId, kind, checkpoint });
  }

  /** The history as JSON text, to look for the secret in it. */
  async function historyText(env: PipelineEnv, handle: PipelineHandle): Promise<string> {
    const history = await env.client.workflow.getHandle(handle.workflowId).fetchHistory();
    return JSON.stringify(history);
  }

  it('a failing pipeline delivers one signed CloudEvent saying why, and the secret stays out of history', async () => {
    await withPipelineEnv(temporal(), {}, async (env) => {
      await withReceiver({}, async (receiver) => {
        const batchId = await seedBatch(env.emulator, sampleInvoices(1));
        const handle = await env.withWorker(async () => {
          const started = await env.start({
            workflowId: uniqueId('notify-failed'),
            appName: 'invoices-failing',
            batchId,
            wait: quickWait,
            notify: { url: receiver.url, on: ['failed', 'completed'] },
          });
          await within(30_000, 'the pipeline failing', rejectionOf(started.result()));
          return started;
        }, withSecret);

        assert.equal(receiver.requests.length, 1);
        const [request] = receiver.requests;
        assert.ok(request !== undefined && isSignedWith(request, SECRET), 'signed with the worker secret');
        const event = cloudEventOf(request);
        assert.equal(event.type, 'com.hubrun.pipeline.failed');
        assert.equal(event.id, await eventIdOf(handle, 'failed'));
        assert.equal(event.subject, handle.workflowId);
        assert.equal(event.data?.failureType, failureTypes.remoteRunFailed);
        assert.equal(event.data?.summary, `invoices-failing on batch ${batchId}`);
        assert.ok(!(await historyText(env, handle)).includes(SECRET), 'the secret is not in the history');
      });
    });
  });

  it('a completing pipeline delivers one signed CloudEvent with its results, in Slack form when asked', async () => {
    await withPipelineEnv(temporal(), {}, async (env) => {
      await withReceiver({}, async (receiver) => {
        const batchId = await seedBatch(env.emulator, sampleInvoices(2));
        const result = await env.withWorker(async () => {
          const handle = await env.start({
            workflowId: uniqueId('notify-completed'),
            appName: 'invoices',
            batchId,
            wait: quickWait,
            notify: { url: receiver.url, on: ['failed', 'completed'] },
          });
          const slack = await env.start({
            workflowId: uniqueId('notify-slack'),
            appName: 'invoices',
            batchId,
            wait: quickWait,
            notify: { url: receiver.url, on: ['completed'], format: 'slack' },
          });
          await within(30_000, 'the Slack pipeline completing', slack.result());
          return within(30_000, 'the pipeline completing', handle.result());
        }, withSecret);

        assert.equal(result.status, 'COMPLETED');
        assert.equal(receiver.requests.length, 2);
        assert.ok(receiver.requests.every((r) => isSignedWith(r, SECRET)));
        const cloud = receiver.requests.filter((r) => r.headers['content-type']?.includes('cloudevents'));
        assert.equal(cloud.length, 1);
        const event = cloudEventOf(cloud[0]!);
        assert.equal(event.type, 'com.hubrun.pipeline.completed');
        assert.equal(event.subject, result.workflowId);
        assert.equal(event.data?.resultsPath, result.resultsPath);
        assert.equal(event.data?.files, 2);
        const slackBody = receiver.requests.find((r) => r !== cloud[0])!.body;
        const text = (JSON.parse(slackBody) as { text: string }).text;
        assert.match(text, /completed/);
      });
    });
  });

  it('a review that waits longer than its threshold delivers one review-overdue CloudEvent', async () => {
    await withPipelineEnv(temporal(), {}, async (env) => {
      await withReceiver({}, async (receiver) => {
        const batchId = await seedBatch(env.emulator, sampleInvoices(1));
        const { handle, result } = await env.withWorker(async () => {
          const handle = await env.start({
            workflowId: uniqueId('notify-overdue'),
            appName: 'invoices-review',
            batchId,
            wait: quickWait,
            notify: { url: receiver.url, on: ['review-overdue'], reviewOverdueSeconds: 1 },
          });
          await pollUntil(
            'the review-overdue event',
            () => Promise.resolve(receiver.accepted().length > 0 ? true : undefined),
            {
              timeoutMs: 30_000,
            },
          );
          const runId = (await handle.query<PipelineProgress>(PROGRESS_QUERY)).runId;
          assert.ok(runId !== null);
          await env.admin.completeReview(runId);
          return {
            handle,
            result: await within(30_000, 'the pipeline completing after review', handle.result()),
          };
        }, withSecret);

        assert.equal(result.status, 'COMPLETED');
        assert.equal(receiver.requests.length, 1, 'only the overdue review was asked for');
        const [request] = receiver.requests;
        assert.ok(request !== undefined && isSignedWith(request, SECRET));
        const event = cloudEventOf(request);
        assert.equal(event.type, 'com.hubrun.pipeline.review-overdue');
        assert.equal(event.id, await eventIdOf(handle, 'review-overdue', 1));
        assert.equal(event.data?.checkpoint, 1);
        assert.equal(event.data?.aihubRunId, result.runId);
      });
    });
  });

  it('a receiver that answers 500 three times gets the same event again and accepts it exactly once', async () => {
    await withPipelineEnv(temporal(), {}, async (env) => {
      await withReceiver({ failFirst: 3 }, async (receiver) => {
        const batchId = await seedBatch(env.emulator, sampleInvoices(1));
        const { handle, progress } = await env.withWorker(async () => {
          const handle = await env.start({
            workflowId: uniqueId('notify-retried'),
            appName: 'invoices',
            batchId,
            wait: quickWait,
            notify: { url: receiver.url, on: ['completed'] },
          });
          await within(60_000, 'the pipeline completing', handle.result());
          return { handle, progress: await handle.query<PipelineProgress>(PROGRESS_QUERY) };
        }, withSecret);

        assert.deepEqual(
          receiver.requests.map((r) => r.status),
          [500, 500, 500, 204],
        );
        const ids = receiver.requests.map((r) => cloudEventOf(r).id);
        const eventId = await eventIdOf(handle, 'completed');
        assert.deepEqual(
          ids,
          [eventId, eventId, eventId, eventId],
          'every attempt carries the same event id',
        );
        assert.equal(new Set(receiver.requests.map((r) => r.body)).size, 1, 'and the same signed body');
        assert.equal(receiver.accepted().length, 1);
        assert.deepEqual(progress.notifications, { delivered: 1, failed: 0, lastError: null });
      });
    });
  });

  it('a receiver that cannot be reached does not fail the pipeline; progress says so', async () => {
    await withPipelineEnv(temporal(), {}, async (env) => {
      const batchId = await seedBatch(env.emulator, sampleInvoices(1));
      const url = `http://127.0.0.1:${await closedPort()}/nobody`;
      const { result, progress } = await env.withWorker(async () => {
        const handle = await env.start({
          workflowId: uniqueId('notify-unreachable'),
          appName: 'invoices',
          batchId,
          wait: quickWait,
          notify: { url, on: ['completed'], giveUpAfterSeconds: 2 },
        });
        const result = await within(60_000, 'the pipeline completing', handle.result());
        return { result, progress: await handle.query<PipelineProgress>(PROGRESS_QUERY) };
      }, withSecret);

      assert.equal(result.status, 'COMPLETED');
      assert.equal(progress.notifications?.delivered, 0);
      assert.equal(progress.notifications?.failed, 1);
      assert.match(progress.notifications?.lastError ?? '', /nobody/);
    });
  });
});
