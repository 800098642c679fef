/**
 * A worker delivering to an S3-compatible store (moto, a real HTTP server) killed with SIGKILL
 * mid-paging: the retry on a fresh worker process resumes from the page objects its
 * predecessor's checkpoint names, and the pipeline ends with one complete, correct result:
 * `results.jsonl` byte for byte an undisturbed `file://` run's, a manifest naming its sha256,
 * and no page object left behind.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { startEmulator } from '../../src/emulator';
import type { Emulator } from '../../src/emulator';
import type { Manifest } from '../../src/activities/results-sink';
import { getProgress } from '../../src/client';
import { phases } from '../../src/progress';
import { quickWait, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { uniqueId, workflowBundle } from '../helpers/pipeline-env';
import { stopStartedProcesses } from '../helpers/processes';
import { s3WorkerEnv, startS3Server } from '../helpers/s3-server';
import type { S3Server } from '../helpers/s3-server';
import { pollUntil } from '../helpers/waiting';
import {
  callsOfRun,
  phaseOf,
  resultOf,
  startFaultRigOn,
  startTemporalServer,
  tagOf,
  waitForRemoteRun,
} from './support';
import type { TemporalServer } from './support';

const bucket = 'hubrun-killed';

describe('a worker killed with SIGKILL while paging results to S3', () => {
  let temporal: TemporalServer;
  let emulator: Emulator;
  let s3: S3Server;
  before(async () => {
    [temporal, emulator, s3] = await Promise.all([
      startTemporalServer(),
      startEmulator({ pageSize: 1 }),
      startS3Server(),
      workflowBundle(),
    ]);
    await s3.createBucket(bucket);
  });
  after(async () => {
    await stopStartedProcesses();
    await s3?.close();
    await emulator?.close();
    await temporal?.close();
  });

  it('resumes from the recorded page objects and ends with one complete, correct result', async () => {
    const files = 24;
    const batchId = await seedBatch(emulator, sampleInvoices(files));
    const input = { appName: 'invoices', batchId, wait: quickWait };
    const fileRig = await startFaultRigOn(temporal, emulator);
    const s3Rig = await startFaultRigOn(temporal, emulator, {
      ...s3WorkerEnv(s3.endpoint),
      HUBRUN_RESULTS_URL: `s3://${bucket}/results`,
    });
    try {
      const reference = await fileRig.run({ workflowId: uniqueId('reference'), ...input });
      const referenceBytes = await readFile(reference.resultsPath);

      await s3Rig.admin.resetCalls();
      await s3Rig.admin.setFaults([{ endpoint: 'getRunResults', kind: 'latency', latencyMs: 1000 }]);
      const handle = await s3Rig.start({ workflowId: uniqueId('killed-paging-s3'), ...input });
      const run = await waitForRemoteRun(s3Rig.admin, await tagOf(handle));
      // Killed once the server holds a checkpoint past the first page (heartbeats are throttled).
      await pollUntil(
        'a checkpoint of some, not all, pages on the server',
        async () => {
          const paged = (await getProgress(handle)).filesPaged;
          return paged > 0 && paged < files ? paged : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 100 },
      );
      await s3Rig.killWorker();
      const pagesBeforeKill = callsOfRun((await s3Rig.admin.calls()).log, run.id).filter(
        (e) => e.endpoint === 'getRunResults' && e.status === 200,
      ).length;
      const killedAt = Date.now();
      assert.equal(await phaseOf(handle), phases.fetchingResults);
      const prefix = `results/${handle.workflowId}/`;
      const partsAtKill = (await s3.listKeys(bucket, prefix)).filter((key) => key.includes('/parts/'));
      assert.ok(partsAtKill.length > 0, 'page objects were in the bucket when the worker died');

      await s3Rig.restartWorker();
      const result = await resultOf(handle);
      const resumed = callsOfRun((await s3Rig.admin.calls()).log, run.id).find(
        (e) => e.endpoint === 'getRunResults' && e.at > killedAt,
      );
      const resumedAt = Number(
        new URL(resumed?.path ?? '/', 'http://emulator').searchParams.get('file_offset'),
      );
      assert.ok(
        resumedAt > 0 && resumedAt <= pagesBeforeKill,
        `paging resumed at file ${resumedAt} (${pagesBeforeKill} pages fetched before the kill), not from the start:\n` +
          s3Rig.worker
            .output()
            .split('\n')
            .filter((line) => /results|paging/.test(line))
            .join('\n'),
      );

      assert.ok(result.resultsPath.startsWith(`s3://${bucket}/${prefix}`), result.resultsPath);
      const key = result.resultsPath.slice(`s3://${bucket}/`.length);
      const stored = await s3.getBytes(bucket, key);
      assert.ok(stored !== null, 'results.jsonl is in the bucket');
      const sha256 = createHash('sha256').update(stored).digest('hex');
      assert.equal(sha256, reference.resultsSha256, 'the results are byte for byte the undisturbed run’s');
      assert.equal(stored.length, referenceBytes.length);
      assert.equal(result.resultsSha256, sha256, 'the summary names the stored object’s sha256');
      const folder = key.slice(0, -'results.jsonl'.length);
      const manifestBytes = await s3.getBytes(bucket, `${folder}manifest.json`);
      const manifest = JSON.parse(manifestBytes?.toString('utf8') ?? '{}') as Manifest;
      assert.equal(manifest.resultsSha256, sha256, 'the manifest describes the stored object');
      assert.equal(manifest.files, files);
      assert.equal(manifest.resultsBytes, stored.length);
      assert.deepEqual(
        (await s3.listKeys(bucket, prefix)).sort(),
        [`${folder}manifest.json`, `${folder}results.jsonl`],
        'one result: no second execution folder, no page object left',
      );
    } finally {
      await Promise.all([fileRig.close(), s3Rig.close()]);
    }
  });
});
