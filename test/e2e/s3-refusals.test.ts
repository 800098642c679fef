/**
 * A results store that refuses the delivery for good (a bucket that does not exist, credentials
 * S3 rejects) fails the pipeline on the results activity's first attempt, as
 * `HubrunResultsStoreRefused` with a message that names the bucket and what S3 said, instead of
 * retrying for a day; once the store is fixed, `hubrun retry` delivers without a second AI Hub
 * run. `hubrun worker` processes configured through the environment, a Temporal dev server, the
 * emulator, moto and a small HTTP server answering S3's 403 `AccessDenied` (moto enforces no IAM).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { RunSummary } from '../../src/cli/run-command';
import { startPipeline } from '../../src/client';
import { failureTypes } from '../../src/failure-types';
import { quickWait, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { runCli } from '../helpers/cli';
import { causeChain, failureTypeOf, rejectionOf } from '../helpers/failures';
import { startPipelineEnv, uniqueId } from '../helpers/pipeline-env';
import type { PipelineEnv } from '../helpers/pipeline-env';
import { startWorkerProcess, stopStartedProcesses } from '../helpers/processes';
import { s3WorkerEnv, startRefusingS3Server, startS3Server } from '../helpers/s3-server';
import type { RefusingS3Server, S3Server } from '../helpers/s3-server';
import { pollUntil } from '../helpers/waiting';

/** A bucket moto does not hold until the test creates it. */
const absentBucket = 'hubrun-absent';
const deniedBucket = 'hubrun-denied';
/** Attempts of the results activity after which it is plainly being retried (backoff 2 s, 4 s). */
const RETRYING_ATTEMPT = 3;
/** What the refusing server says; a signed URL's query and a secret that must not reach the failure. */
const leakyMessage =
  'Access Denied for https://127.0.0.1/x?X-Amz-Signature=deadbeefsignature&X-Amz-Credential=hubrun-test-secret';

describe('an S3 store that refuses the results fails the pipeline at once', () => {
  let env: PipelineEnv;
  let s3: S3Server;
  let refusing: RefusingS3Server;
  const queues = { absent: `absent-${uniqueId('q')}`, denied: `denied-${uniqueId('q')}` };

  before(async () => {
    [env, s3, refusing] = await Promise.all([
      startPipelineEnv(),
      startS3Server(),
      startRefusingS3Server({ status: 403, code: 'AccessDenied', messageText: leakyMessage }),
    ]);
    const common = {
      temporalAddress: env.temporal.address,
      apiRoot: env.emulator.url,
      outputDir: env.outputDir,
    };
    await Promise.all([
      startWorkerProcess({
        ...common,
        taskQueue: queues.absent,
        env: { ...s3WorkerEnv(s3.endpoint), HUBRUN_RESULTS_URL: `s3://${absentBucket}/nightly` },
      }),
      startWorkerProcess({
        ...common,
        taskQueue: queues.denied,
        env: { ...s3WorkerEnv(refusing.endpoint), HUBRUN_RESULTS_URL: `s3://${deniedBucket}/nightly` },
      }),
    ]);
  });
  after(async () => {
    await stopStartedProcesses();
    await refusing?.close();
    await s3?.close();
    await env?.close();
  });

  /**
   * The pipeline's failure once it closes; fails the test instead when its results activity
   * reaches {@link RETRYING_ATTEMPT}, the mark of a refusal retried as if it were transient.
   */
  async function failureOf(handle: WorkflowHandle): Promise<unknown> {
    await pollUntil(
      'the pipeline to close',
      async () => {
        const description = await handle.describe();
        const results = description.raw.pendingActivities?.find(
          (a) => a.activityType?.name === 'fetchResults',
        );
        if ((results?.attempt ?? 0) >= RETRYING_ATTEMPT) {
          assert.fail(
            `fetchResults is being retried (attempt ${results?.attempt}): ${results?.lastFailure?.message ?? ''}`,
          );
        }
        return description.status.name === 'RUNNING' ? undefined : true;
      },
      { timeoutMs: 120_000, intervalMs: 200 },
    );
    return rejectionOf(handle.result());
  }

  /** The attempts of the results activity the history records (the attempt of each start). */
  async function resultsAttempts(handle: WorkflowHandle): Promise<number[]> {
    const events = (await handle.fetchHistory()).events ?? [];
    const scheduled = new Set(
      events
        .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'fetchResults')
        .map((e) => Number(e.eventId)),
    );
    return events
      .filter((e) => scheduled.has(Number(e.activityTaskStartedEventAttributes?.scheduledEventId ?? -1)))
      .map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 0);
  }

  /** The typed `ApplicationFailure` of a pipeline failure. */
  function applicationFailure(err: unknown): ApplicationFailure {
    const failure = causeChain(err).find((c): c is ApplicationFailure => c instanceof ApplicationFailure);
    assert.ok(failure, `an ApplicationFailure in ${String(err)}`);
    return failure;
  }

  it('a bucket that does not exist fails it on the first attempt, and hubrun retry delivers once it exists', async () => {
    const batchId = await seedBatch(env.emulator, sampleInvoices(3));
    const id = uniqueId('absent-bucket');
    const handle = await startPipeline(
      env.client,
      { workflowId: id, appName: 'invoices', batchId, wait: quickWait },
      { taskQueue: queues.absent },
    );
    const err = await failureOf(handle);
    assert.equal(failureTypeOf(err), failureTypes.resultsStoreRefused, String(err));
    assert.deepEqual(await resultsAttempts(handle), [1], 'the results activity ran once, not retried');
    const { message } = applicationFailure(err);
    assert.ok(message.includes(`s3://${absentBucket}/nightly`), `names the bucket and prefix: ${message}`);
    assert.ok(message.includes('NoSuchBucket'), `says what S3 answered: ${message}`);
    assert.ok(message.includes(`hubrun retry ${id}`), `says how to re-deliver: ${message}`);

    await s3.createBucket(absentBucket);
    const cliEnv = { TEMPORAL_ADDRESS: env.temporal.address, HUBRUN_TASK_QUEUE: queues.absent };
    const { code, stdout, stderr } = await runCli(['retry', id, '--wait', '--json'], cliEnv);
    assert.equal(code, 0, stderr);
    const summary = JSON.parse(stdout.trim()) as RunSummary;
    assert.equal(summary.status, 'COMPLETED');
    assert.equal(summary.files, 3);
    assert.equal(summary.workflowId, `${id}-retry-1`);
    const runs = (await env.admin.runs()).filter((r) => r.batchId === batchId);
    assert.equal(runs.length, 1, 'the retry took over the finished run instead of starting another');
    assert.equal(summary.runId, runs[0]?.id);
    const keys = await s3.listKeys(absentBucket, `nightly/${id}-retry-1/`);
    assert.ok(
      keys.some((k) => k.endsWith('/manifest.json')) && keys.some((k) => k.endsWith('/results.jsonl')),
      `the results and the manifest are in the bucket: ${keys.join(', ')}`,
    );
  });

  it('a 403 AccessDenied fails it on the first attempt, naming the bucket and not what S3 echoed', async () => {
    const batchId = await seedBatch(env.emulator, sampleInvoices(2));
    const handle = await startPipeline(
      env.client,
      { workflowId: uniqueId('access-denied'), appName: 'invoices', batchId, wait: quickWait },
      { taskQueue: queues.denied },
    );
    const err = await failureOf(handle);
    assert.equal(failureTypeOf(err), failureTypes.resultsStoreRefused, String(err));
    assert.deepEqual(await resultsAttempts(handle), [1], 'the results activity ran once, not retried');
    assert.ok(refusing.requests() > 0, 'the worker asked the refusing store');
    const { message } = applicationFailure(err);
    assert.ok(message.includes(`s3://${deniedBucket}/nightly`), `names the bucket and prefix: ${message}`);
    assert.ok(message.includes('AccessDenied'), `says what S3 answered: ${message}`);
    for (const secret of [
      'X-Amz-Signature',
      'deadbeefsignature',
      s3WorkerEnv('').AWS_SECRET_ACCESS_KEY ?? '?',
    ]) {
      assert.ok(!message.includes(secret), `the failure does not repeat ${secret}: ${message}`);
    }
  });
});
