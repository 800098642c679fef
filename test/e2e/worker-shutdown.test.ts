/**
 * SIGTERM lets activities in flight finish: a `hubrun worker` process stopped while a results
 * page is held back by the emulator completes that attempt before it exits, instead of cancelling
 * it and leaving the work to a retry on another worker.
 */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startPipeline } from '../../src/client';
import { EmulatorAdmin } from '../../src/emulator';
import { quickWait, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { uniqueId } from '../helpers/pipeline-env';
import { startWorkerProcess, stopStartedProcesses } from '../helpers/processes';
import { useDevServerAndEmulator } from '../helpers/temporal';
import { pollUntil, within } from '../helpers/waiting';

const servers = useDevServerAndEmulator(stopStartedProcesses);

test('a worker given SIGTERM while a results page is in flight finishes that activity first', async () => {
  const admin = new EmulatorAdmin(servers.emulator.adminUrl);
  const taskQueue = uniqueId('shutdown');
  const outputDir = await mkdtemp(join(tmpdir(), 'hubrun-shutdown-'));
  const options = {
    temporalAddress: servers.temporal.address,
    apiRoot: servers.emulator.url,
    taskQueue,
    outputDir,
  };
  // The first results page answers after 5 s: long enough to stop the worker while it waits.
  await admin.setFaults([{ endpoint: 'getRunResults', kind: 'latency', latencyMs: 5_000, times: 1 }]);
  const batchId = await seedBatch(servers.emulator, sampleInvoices(2));

  const first = await startWorkerProcess(options);
  const handle = await startPipeline(
    servers.temporal.client,
    { workflowId: uniqueId('shutdown'), appName: 'invoices', batchId, wait: quickWait },
    { taskQueue },
  );
  await pollUntil(
    'the held results page to be asked for',
    async () => ((await admin.calls()).counts.getRunResults > 0 ? true : undefined),
    { timeoutMs: 60_000, intervalMs: 50 },
  );
  await first.kill('SIGTERM');
  assert.equal(await first.exited, 0, first.output());

  const second = await startWorkerProcess(options);
  const result = await within(120_000, 'the pipeline completing', handle.result());
  await second.kill('SIGTERM');
  assert.equal(result.status, 'COMPLETED');
  assert.equal(result.files, 2);

  const { events } = await handle.fetchHistory();
  const scheduled = events?.find(
    (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'fetchResults',
  );
  assert.ok(scheduled?.eventId, 'fetchResults was scheduled');
  const started = events?.find(
    (e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled.eventId),
  );
  const completed = events?.find(
    (e) => String(e.activityTaskCompletedEventAttributes?.scheduledEventId) === String(scheduled.eventId),
  );
  assert.ok(completed, 'fetchResults completed');
  assert.equal(started?.activityTaskStartedEventAttributes?.attempt, 1, 'by its first attempt, not a retry');
  assert.equal((await admin.calls()).counts.getRunResults, 1, 'the held page was the only one asked for');
});
