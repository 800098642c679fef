/**
 * A `hubrun worker` process, scraped over HTTP after a few pipelines, exports every metric the
 * README lists, with values that match what the pipelines did and what the emulator saw; and
 * every metric the dashboard and alert rules in deploy/ name is one it exports.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { parse } from 'yaml';
import { EmulatorAdmin, startEmulator } from '../../src/emulator';
import type { Emulator } from '../../src/emulator';
import { startPipeline } from '../../src/client';
import { statusClass } from '../../src/metrics';
import { quickWait, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { freePort, startWorkerProcess, stopStartedProcesses } from '../helpers/processes';
import { metricNamesIn, parseExposition, sumOf } from '../helpers/prometheus';
import type { Sample } from '../helpers/prometheus';
import { startDevServer } from '../helpers/temporal';
import { pollUntil, within } from '../helpers/waiting';

const root = join(__dirname, '..', '..');
let temporal: TestWorkflowEnvironment;
let emulator: Emulator;
let admin: EmulatorAdmin;
let scrape: Sample[];

before(async () => {
  temporal = await startDevServer();
  emulator = await startEmulator();
  admin = new EmulatorAdmin(emulator.adminUrl);
});
after(async () => {
  await stopStartedProcesses();
  await emulator.close();
  await temporal.teardown();
});

/** Every series name exported, with `_bucket`, `_sum` and `_count` also under the histogram's own name. */
function exportedNames(samples: readonly Sample[]): Set<string> {
  const names = new Set(samples.map((s) => s.name));
  for (const name of [...names]) names.add(name.replace(/_(bucket|sum|count)$/, ''));
  return names;
}

test('the worker exports hubrun metrics that match what its pipelines did', async () => {
  const metricsPort = await freePort();
  const taskQueue = `metrics-${Date.now()}`;
  await startWorkerProcess({
    temporalAddress: temporal.address,
    apiRoot: emulator.url,
    taskQueue,
    outputDir: await mkdtemp(join(tmpdir(), 'hubrun-metrics-')),
    env: { HUBRUN_METRICS_ADDRESS: `127.0.0.1:${metricsPort}` },
  });
  const batches = {
    plain: await seedBatch(emulator, sampleInvoices(2)),
    noisy: await seedBatch(emulator, sampleInvoices(3)),
    failing: await seedBatch(emulator, sampleInvoices(1)),
    review: await seedBatch(emulator, sampleInvoices(2)),
  };
  // Only the worker's calls from here on, two of them answered 429 (one with Retry-After) and one 503.
  await admin.resetCalls();
  await admin.setFaults([
    { endpoint: 'getRun', kind: 'error', status: 429, retryAfterSeconds: 1, times: 1 },
    { endpoint: 'getRun', kind: 'error', status: 429, times: 1 },
    { endpoint: 'getRun', kind: 'error', status: 503, times: 1 },
  ]);
  const start = (id: string, input: Record<string, unknown>): ReturnType<typeof startPipeline> =>
    startPipeline(
      temporal.client,
      { workflowId: `${taskQueue}-${id}`, wait: quickWait, ...input },
      { taskQueue },
    );

  const plain = await start('plain', { appName: 'invoices', batchId: batches.plain });
  const noisy = await start('noisy', { appName: 'invoices-noisy', batchId: batches.noisy, maxErrorRatio: 1 });
  const failing = await start('failing', { appName: 'invoices-failing', batchId: batches.failing });
  const review = await start('review', { deploymentId: 'dep-invoices-review', batchId: batches.review });
  const plainResult = await within(60_000, 'the plain pipeline', plain.result());
  const noisyResult = await within(60_000, 'the noisy pipeline', noisy.result());
  await assert.rejects(within(60_000, 'the failing pipeline', failing.result()));
  const reviewRunId = await pollUntil(
    'the review run at its checkpoint',
    async () => (await admin.runs()).find((r) => r.status === 'STOPPED_AT_CHECKPOINT')?.id,
    { timeoutMs: 30_000, intervalMs: 200 },
  );
  // Let a few review checks see the run waiting, then review it.
  await pollUntil(
    'review checks',
    async () =>
      (await admin.calls()).log.filter((c) => c.path.includes(reviewRunId)).length > 3 ? true : undefined,
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  await admin.completeReview(reviewRunId);
  const reviewResult = await within(60_000, 'the review pipeline', review.result());

  const calls = (await admin.calls()).log;
  scrape = await pollUntil(
    'a scrape counting every call and pipeline',
    async () => {
      const text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`)
        .then((r) => r.text())
        .catch(() => '');
      const samples = parseExposition(text);
      const finished = sumOf(samples, 'hubrun_pipelines_finished_total');
      return finished === 4 && sumOf(samples, 'hubrun_aihub_calls_total') === calls.length
        ? samples
        : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 200 },
  );

  // AI Hub calls by endpoint and status class: the emulator's call log, exactly.
  const expected = new Map<string, number>();
  for (const call of calls) {
    const key = `${call.endpoint} ${statusClass(call.status === 0 ? undefined : call.status)}`;
    expected.set(key, (expected.get(key) ?? 0) + 1);
  }
  const exported = new Map<string, number>();
  for (const s of scrape.filter((s) => s.name === 'hubrun_aihub_calls_total' && s.value > 0)) {
    const key = `${s.labels.endpoint} ${s.labels.status_class}`;
    exported.set(key, (exported.get(key) ?? 0) + s.value);
  }
  assert.deepEqual(Object.fromEntries([...exported].sort()), Object.fromEntries([...expected].sort()));
  assert.equal(sumOf(scrape, 'hubrun_aihub_calls_total', { endpoint: 'getRun', status_class: '5xx' }), 1);
  assert.equal(sumOf(scrape, 'hubrun_aihub_throttled_total', { endpoint: 'getRun', retry_after: 'true' }), 1);
  assert.equal(
    sumOf(scrape, 'hubrun_aihub_throttled_total', { endpoint: 'getRun', retry_after: 'false' }),
    1,
  );
  assert.equal(sumOf(scrape, 'hubrun_aihub_call_duration_seconds_count'), calls.length);

  // Pipelines by outcome, failure type, app or deployment.
  const finished = (where: Record<string, string>): number =>
    sumOf(scrape, 'hubrun_pipelines_finished_total', where);
  assert.equal(finished({ app: 'invoices', outcome: 'completed' }), 1);
  assert.equal(finished({ app: 'invoices-noisy', outcome: 'completed' }), 1);
  assert.equal(finished({ app: 'invoices-failing', outcome: 'failed', failure_type: 'AihubRunFailed' }), 1);
  assert.equal(finished({ deployment: 'dep-invoices-review', outcome: 'completed' }), 1);
  assert.equal(sumOf(scrape, 'hubrun_pipelines_started_total'), 4);
  assert.equal(
    sumOf(scrape, 'hubrun_pipeline_phase_entries_total', {
      deployment: 'dep-invoices-review',
      phase: 'IN_REVIEW',
    }),
    1,
  );

  // Status checks per pipeline: one observation each; together, every status check the wait made.
  assert.equal(sumOf(scrape, 'hubrun_pipeline_status_checks_count'), 4);
  const getRunCalls = calls.filter((c) => c.endpoint === 'getRun').length;
  assert.equal(sumOf(scrape, 'hubrun_pipeline_status_checks_sum'), getRunCalls);

  // Run durations, processing and review apart; the review backlog's ages.
  assert.equal(sumOf(scrape, 'hubrun_run_duration_seconds_count', { stage: 'processing' }), 4);
  assert.equal(
    sumOf(scrape, 'hubrun_run_duration_seconds_count', {
      stage: 'review',
      deployment: 'dep-invoices-review',
    }),
    1,
  );
  assert.ok(sumOf(scrape, 'hubrun_run_duration_seconds_sum', { stage: 'review' }) > 0);
  assert.ok(sumOf(scrape, 'hubrun_review_wait_age_seconds_count') >= 3);

  // Results delivered.
  assert.equal(sumOf(scrape, 'hubrun_result_files_total', { app: 'invoices' }), plainResult.files);
  assert.equal(
    sumOf(scrape, 'hubrun_result_bytes_total', { app: 'invoices' }),
    (await stat(plainResult.resultsPath)).size,
  );
  assert.equal(
    sumOf(scrape, 'hubrun_result_files_total', { deployment: 'dep-invoices-review' }),
    reviewResult.files,
  );
  assert.equal(sumOf(scrape, 'hubrun_result_fields_total', { app: 'invoices-noisy' }), noisyResult.fields);
  assert.ok(noisyResult.fieldErrors > 0, 'the noisy app has fields in ERROR');
  assert.equal(
    sumOf(scrape, 'hubrun_result_field_errors_total', { app: 'invoices-noisy' }),
    noisyResult.fieldErrors,
  );
  assert.equal(
    sumOf(scrape, 'hubrun_result_field_errors_total', { app: 'invoices' }),
    plainResult.fieldErrors,
  );

  // No run or workflow id in any label.
  for (const s of scrape.filter((s) => s.name.startsWith('hubrun_'))) {
    for (const value of Object.values(s.labels)) {
      assert.ok(
        !value.startsWith('run-') && !value.startsWith(`${taskQueue}-`),
        `${s.name} has label value ${value}`,
      );
    }
  }
});

test('every metric the README lists is exported', async () => {
  assert.ok(scrape, 'the scrape of the test above');
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const section = readme.split('\n### Metrics\n')[1]?.split('\n## ')[0] ?? '';
  const listed = metricNamesIn(section.replace(/`/g, ' '));
  assert.ok(listed.filter((n) => n.startsWith('hubrun_')).length >= 12, 'the README lists hubrun metrics');
  const names = exportedNames(scrape);
  assert.deepEqual(
    listed.filter((n) => !names.has(n)),
    [],
  );
});

test('every metric the alert rules and the dashboard name is exported', async () => {
  assert.ok(scrape, 'the scrape of the test above');
  const rules = parse(await readFile(join(root, 'deploy', 'prometheus', 'alerts.yml'), 'utf8')) as {
    groups: { rules: { expr: string }[] }[];
  };
  const exprs = rules.groups.flatMap((g) => g.rules.map((r) => r.expr));
  const dashboard: unknown = JSON.parse(
    await readFile(join(root, 'deploy', 'grafana', 'hubrun.json'), 'utf8'),
  );
  const collect = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(collect);
    else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'expr' && typeof value === 'string') exprs.push(value);
        else collect(value);
      }
    }
  };
  collect(dashboard);
  const named = [...new Set(exprs.flatMap(metricNamesIn))];
  assert.ok(
    named.some((n) => n.startsWith('temporal_')),
    "the dashboard shows the SDK's metrics",
  );
  const names = exportedNames(scrape);
  assert.deepEqual(
    named.filter((n) => !names.has(n)),
    [],
    `exported: ${[...names].filter((n) => n.startsWith('temporal_')).join(' ')}`,
  );
});
