/**
 * Results delivered to an S3-compatible store: `hubrun worker` processes configured only through
 * the environment (`HUBRUN_RESULTS_URL=s3://...`, the AWS SDK's endpoint and credentials
 * variables), pipelines started and read back through the CLI, against a Temporal dev server,
 * the emulator and a real S3 server (moto). The objects must be byte for byte what a `file://`
 * worker writes, and the manifest must describe them.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunSummary } from '../../src/cli/run-command';
import type { Manifest } from '../../src/activities/results-sink';
import { sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { runCli } from '../helpers/cli';
import { startPipelineEnv, uniqueId } from '../helpers/pipeline-env';
import type { PipelineEnv } from '../helpers/pipeline-env';
import { startWorkerProcess, stopStartedProcesses } from '../helpers/processes';
import { s3WorkerEnv, startFlakyS3Proxy, startS3Server } from '../helpers/s3-server';
import type { FlakyS3Proxy, S3Server } from '../helpers/s3-server';

const bucket = 'hubrun-results';

/** Manifest fields that name the execution or the moment rather than the results. */
const perExecution = ['workflowId', 'runId', 'startTimestamp', 'finishTimestamp', 'writtenAt'] as const;

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function withoutExecution(manifest: Manifest): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...manifest };
  for (const key of perExecution) delete rest[key];
  return rest;
}

describe('results delivered to s3:// match a file:// run byte for byte', () => {
  let env: PipelineEnv;
  let s3: S3Server;
  let flaky: FlakyS3Proxy;
  const queues = {
    file: `file-${uniqueId('q')}`,
    s3: `s3-${uniqueId('q')}`,
    flaky: `flaky-${uniqueId('q')}`,
  };

  before(async () => {
    [env, s3] = await Promise.all([startPipelineEnv({ emulator: { pageSize: 2 } }), startS3Server()]);
    await s3.createBucket(bucket);
    flaky = await startFlakyS3Proxy(s3.endpoint);
    const common = {
      temporalAddress: env.temporal.address,
      apiRoot: env.emulator.url,
      outputDir: env.outputDir,
    };
    await Promise.all([
      startWorkerProcess({ ...common, taskQueue: queues.file }),
      startWorkerProcess({
        ...common,
        taskQueue: queues.s3,
        env: { ...s3WorkerEnv(s3.endpoint), HUBRUN_RESULTS_URL: `s3://${bucket}/nightly` },
      }),
      startWorkerProcess({
        ...common,
        taskQueue: queues.flaky,
        env: { ...s3WorkerEnv(flaky.endpoint), HUBRUN_RESULTS_URL: `s3://${bucket}/flaky` },
      }),
    ]);
  });
  after(async () => {
    await stopStartedProcesses();
    await flaky?.close();
    await s3?.close();
    await env?.close();
  });

  /** `hubrun run --wait --json` on `queue`; the one JSON object it printed. */
  async function runOn(queue: string, args: string[]): Promise<RunSummary> {
    const cliEnv = { TEMPORAL_ADDRESS: env.temporal.address, HUBRUN_TASK_QUEUE: queue };
    const { code, stdout, stderr } = await runCli(['run', ...args, '--wait', '--json'], cliEnv);
    assert.equal(code, 0, stderr);
    return JSON.parse(stdout.trim()) as RunSummary;
  }

  /** `hubrun results ID` (people's output) on `queue`'s Temporal. */
  async function resultsText(id: string): Promise<string> {
    const { code, stdout, stderr } = await runCli(['results', id], {
      TEMPORAL_ADDRESS: env.temporal.address,
    });
    assert.equal(code, 0, stderr);
    return stdout;
  }

  /** The bucket key of an `s3://hubrun-results/...` URL. */
  function keyOf(url: string): string {
    const prefix = `s3://${bucket}/`;
    assert.ok(url.startsWith(prefix), `an s3 URL in the results bucket: ${url}`);
    return url.slice(prefix.length);
  }

  async function assertMatchesFileRun(
    summary: RunSummary,
    reference: RunSummary,
    prefix: string,
  ): Promise<void> {
    const fileBytes = await readFile(reference.resultsPath ?? '');
    const fileManifest = JSON.parse(
      await readFile(join(reference.resultsPath ?? '', '..', 'manifest.json'), 'utf8'),
    ) as Manifest;
    const key = keyOf(summary.resultsPath ?? '');
    assert.match(key, new RegExp(`^${prefix}/${summary.workflowId}/[^/]+/results\\.jsonl$`));
    const s3Bytes = await s3.getBytes(bucket, key);
    assert.ok(s3Bytes !== null, 'results.jsonl is in the bucket');
    assert.equal(sha256(s3Bytes), sha256(fileBytes), 'results.jsonl holds the file run’s bytes');
    assert.equal(s3Bytes.length, fileBytes.length);

    const folder = key.slice(0, -'results.jsonl'.length);
    const manifestBytes = await s3.getBytes(bucket, `${folder}manifest.json`);
    assert.ok(manifestBytes !== null, 'manifest.json is in the bucket');
    const manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
    assert.equal(manifest.resultsSha256, sha256(s3Bytes), 'the manifest names the stored object’s sha256');
    assert.deepEqual(withoutExecution(manifest), withoutExecution(fileManifest), 'the manifests agree');
    assert.equal(manifest.workflowId, summary.workflowId);
    assert.deepEqual(
      (await s3.listKeys(bucket, folder)).sort(),
      [`${folder}manifest.json`, `${folder}results.jsonl`],
      'only the results and the manifest remain: the page objects are gone',
    );
    const text = await resultsText(summary.workflowId);
    assert.ok(text.includes(summary.resultsPath ?? '?'), `hubrun results shows the URL:\n${text}`);
  }

  it('a pipeline delivering to s3:// writes the objects and manifest a file:// run writes', async () => {
    const batchId = await seedBatch(env.emulator, sampleInvoices(7));
    const base = ['--app', 'invoices', '--batch-id', String(batchId)];
    const reference = await runOn(queues.file, [...base, '--id', uniqueId('file')]);
    assert.ok(reference.resultsPath?.startsWith(env.outputDir), 'the file worker writes to its folder');
    const summary = await runOn(queues.s3, [...base, '--id', uniqueId('s3')]);
    assert.equal(summary.status, 'COMPLETED');
    assert.equal(summary.files, 7);
    await assertMatchesFileRun(summary, reference, 'nightly');
  });

  it('a store that answers 503 now and then still gets one complete, identical result', async () => {
    const batchId = await seedBatch(env.emulator, sampleInvoices(12));
    const base = ['--app', 'invoices', '--batch-id', String(batchId)];
    const reference = await runOn(queues.file, [...base, '--id', uniqueId('file')]);
    const summary = await runOn(queues.flaky, [...base, '--id', uniqueId('flaky')]);
    assert.equal(summary.files, 12);
    const { unavailable } = flaky.counts();
    assert.ok(unavailable >= 3, `the store answered 503 (${unavailable} times) and the delivery got through`);
    await assertMatchesFileRun(summary, reference, 'flaky');
  });
});
