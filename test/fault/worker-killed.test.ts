import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { defaultApps, startEmulator } from '../../src/emulator';
import type { Emulator, EmulatorOptions } from '../../src/emulator';
import { phases } from '../../src/progress';
import type { StoredPipelineResult } from '../../src/results';
import {
  emulatorClient,
  quickWait,
  sampleInvoices,
  seedBatch,
  writeLocalFiles,
} from '../helpers/aihub-fixtures';
import { uniqueId, workflowBundle } from '../helpers/pipeline-env';
import { stopStartedProcesses } from '../helpers/processes';
import { pollUntil } from '../helpers/waiting';
import {
  assertOneRemoteRun,
  assertSameResults,
  callsOfRun,
  phaseOf,
  resultOf,
  runsTagged,
  slowInvoices,
  startAndAwaitWaiting,
  startFaultRigOn,
  startTemporalServer,
  tagOf,
  waitForRemoteRun,
} from './support';
import type { FaultRig, TemporalServer } from './support';

// The four moments run side by side (each with its own emulator, task queue and worker process):
// most of each test is Temporal noticing the dead worker (activity and heartbeat timeouts).
describe(
  'a worker killed with SIGKILL and restarted loses nothing and starts nothing twice',
  { concurrency: true },
  () => {
    let temporal: TemporalServer;
    before(async () => {
      [temporal] = await Promise.all([startTemporalServer(), workflowBundle()]);
    });
    after(async () => {
      await temporal?.close();
      await stopStartedProcesses();
    });

    /** Runs `fn` with its own emulator and a worker process on its own task queue. */
    async function withRig(
      options: EmulatorOptions,
      fn: (rig: FaultRig, emulator: Emulator) => Promise<void>,
    ): Promise<void> {
      const emulator = await startEmulator(options);
      try {
        const rig = await startFaultRigOn(temporal, emulator);
        try {
          await fn(rig, emulator);
        } finally {
          await rig.close();
        }
      } finally {
        await emulator.close();
      }
    }

    it('killed after AI Hub accepted the start and before the activity completed: the run is adopted, not started again', async () => {
      await withRig({}, async (rig, emulator) => {
        const batchId = await seedBatch(emulator, sampleInvoices(3));
        const input = { appName: 'invoices', batchId, wait: quickWait };
        const reference = await rig.run({ workflowId: uniqueId('reference'), ...input });

        await rig.admin.resetCalls();
        // AI Hub creates the run at once but holds its answer back: the worker dies waiting for it.
        await rig.admin.setFaults([
          { endpoint: 'runApp', kind: 'slow-response', latencyMs: 20_000, times: 1 },
        ]);
        const handle = await rig.start({ workflowId: uniqueId('killed-starting'), ...input });
        const tag = await tagOf(handle);
        await waitForRemoteRun(rig.admin, tag);
        await rig.killWorker();
        const posted = (await rig.admin.calls()).log.filter((e) => e.endpoint === 'runApp');
        assert.deepEqual(
          posted.map((e) => e.status),
          [0],
          'AI Hub accepted the one POST and had not answered it when the worker died',
        );
        assert.equal(await phaseOf(handle), phases.starting);

        await rig.restartWorker();
        const result = await resultOf(handle);
        const { counts } = await rig.admin.calls();
        assert.equal(counts.runApp, 1, 'the run was POSTed once');
        assert.ok(counts.listRuns >= 1, 'the retried start looked for the tagged run and adopted it');
        await assertOneRemoteRun(rig.admin, tag, result);
        await assertSameResults(result, reference);
      });
    });

    it('killed while waiting: a restarted worker picks up the wait of the same run', async () => {
      await withRig({ apps: [...defaultApps, slowInvoices] }, async (rig, emulator) => {
        const batchId = await seedBatch(emulator, sampleInvoices(3));
        const input = { appName: slowInvoices.name, batchId, wait: quickWait };
        const reference = await rig.run({ workflowId: uniqueId('reference'), ...input });

        await rig.admin.resetCalls();
        const { handle, tag } = await startAndAwaitWaiting(rig, {
          workflowId: uniqueId('killed-waiting'),
          ...input,
        });
        await rig.killWorker();
        assert.equal((await runsTagged(rig.admin, tag))[0]?.status, 'RUNNING', 'killed mid-wait');

        // The run finishes while no worker is there to see it.
        await pollUntil('the run to complete in AI Hub', async () =>
          (await runsTagged(rig.admin, tag))[0]?.status === 'COMPLETE' ? true : undefined,
        );
        await rig.restartWorker();
        const result = await resultOf(handle);
        assert.equal((await rig.admin.calls()).counts.runApp, 1, 'the run was POSTed once');
        await assertOneRemoteRun(rig.admin, tag, result);
        await assertSameResults(result, reference);
      });
    });

    it('killed while paging results: the retry resumes from the last heartbeat into an identical file', async () => {
      const files = 24;
      await withRig({ pageSize: 1 }, async (rig, emulator) => {
        const batchId = await seedBatch(emulator, sampleInvoices(files));
        const input = { appName: 'invoices', batchId, wait: quickWait };
        const reference = await rig.run({ workflowId: uniqueId('reference'), ...input });

        await rig.admin.resetCalls();
        await rig.admin.setFaults([{ endpoint: 'getRunResults', kind: 'latency', latencyMs: 150 }]);
        const handle = await rig.start({ workflowId: uniqueId('killed-paging'), ...input });
        const run = await waitForRemoteRun(rig.admin, await tagOf(handle));
        const pagesBeforeKill = await pollUntil(
          'some, not all, results pages fetched',
          async () => {
            const pages = callsOfRun((await rig.admin.calls()).log, run.id).filter(
              (e) => e.endpoint === 'getRunResults' && e.status === 200,
            ).length;
            return pages >= 3 && pages < files ? pages : undefined;
          },
          { intervalMs: 20 },
        );
        await rig.killWorker();
        const killedAt = Date.now();
        assert.equal(await phaseOf(handle), phases.fetchingResults);

        await rig.restartWorker();
        const result = await resultOf(handle);
        const resumed = callsOfRun((await rig.admin.calls()).log, run.id).find(
          (e) => e.endpoint === 'getRunResults' && e.at > killedAt,
        );
        const resumedAt = Number(
          new URL(resumed?.path ?? '/', 'http://emulator').searchParams.get('file_offset'),
        );
        assert.ok(
          resumedAt > 0 && resumedAt <= pagesBeforeKill,
          `paging resumed at file ${resumedAt} (${pagesBeforeKill} pages were fetched before the kill), not from the start`,
        );
        await assertOneRemoteRun(rig.admin, await tagOf(handle), result);
        await assertSameResults(result, reference);
      });
    });

    it('killed while uploading files: one batch, every file in it, results identical but for the batch path', async () => {
      const count = 8;
      await withRig({}, async (rig, emulator) => {
        const paths = await writeLocalFiles(sampleInvoices(count));
        const input = { appName: 'invoices', files: paths, wait: quickWait };
        const reference = await rig.run({ workflowId: uniqueId('reference'), ...input });

        await rig.admin.resetCalls();
        await rig.admin.setFaults([{ endpoint: 'putBatchFile', kind: 'latency', latencyMs: 300 }]);
        const handle = await rig.start({ workflowId: uniqueId('killed-uploading'), ...input });
        await pollUntil(
          'some, not all, files uploaded',
          async () => {
            const uploaded = (await rig.admin.calls()).log.filter(
              (e) => e.endpoint === 'putBatchFile' && e.status === 204,
            ).length;
            return uploaded >= 2 && uploaded < count ? uploaded : undefined;
          },
          { intervalMs: 20 },
        );
        await rig.killWorker();
        assert.equal(await phaseOf(handle), phases.uploading);

        await rig.restartWorker();
        const result = await resultOf(handle);
        const { counts } = await rig.admin.calls();
        assert.equal(counts.createBatch, 1, 'the batch was created once');
        const batches = (await emulatorClient(emulator).listBatches()).map((b) => b.id).sort();
        assert.deepEqual(batches, [reference.batchId, result.batchId].sort(), 'no stray batch');
        const listed = await emulatorClient(emulator).listBatchFiles(result.batchId as number);
        assert.equal(listed.nodes.length, count, 'every file is in the batch once');
        const run = await assertOneRemoteRun(rig.admin, await tagOf(handle), result);
        assert.equal(run.fileCount, count);

        // Each upload makes its own batch, and AI Hub names the batch in each file's input_file_path:
        // the results are the reference's once that path segment is set aside.
        assert.equal(result.files, reference.files);
        assert.equal(
          await resultsDigest(result, result.batchId),
          await resultsDigest(reference, reference.batchId),
          'the results are identical to the undisturbed run but for the batch in input_file_path',
        );
      });
    });
  },
);

/** sha256 of a results file with its batch's path segment (`batches/<id>/`) replaced by a placeholder. */
async function resultsDigest(result: StoredPipelineResult, batchId: number | null): Promise<string> {
  const text = await readFile(result.resultsPath, 'utf8');
  const marker = `/batches/${String(batchId)}/`;
  assert.ok(text.includes(marker), `the results name the pipeline's own batch ${String(batchId)}`);
  return createHash('sha256').update(text.split(marker).join('/batches/{batch}/')).digest('hex');
}
