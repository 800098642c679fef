import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultApps, startEmulator } from '../../src/emulator';
import { quickWait, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { uniqueId } from '../helpers/pipeline-env';
import { pollUntil } from '../helpers/waiting';
import {
  assertOneRemoteRun,
  assertSameResults,
  resultOf,
  runsTagged,
  slowInvoices,
  startAndAwaitWaiting,
  startTemporalServer,
  useFaultStack,
} from './support';

describe('the Temporal server killed with SIGKILL mid-wait and restarted on its SQLite file', () => {
  const stack = useFaultStack({
    async temporal() {
      const dbFile = join(await mkdtemp(join(tmpdir(), 'hubrun-temporal-')), 'temporal.db');
      return startTemporalServer({ dbFile });
    },
    emulator: () => startEmulator({ apps: [...defaultApps, slowInvoices] }),
  });

  it('the pipeline carries on from the persisted history: one run, identical results', async () => {
    const { temporal, emulator, rig } = stack;
    const batchId = await seedBatch(emulator, sampleInvoices(4));
    const input = { appName: slowInvoices.name, batchId, wait: quickWait };
    const reference = await rig.run({ workflowId: uniqueId('reference'), ...input });

    await rig.admin.resetCalls();
    const { handle, tag } = await startAndAwaitWaiting(rig, {
      workflowId: uniqueId('temporal-killed'),
      ...input,
    });
    await temporal.process.kill('SIGKILL');
    assert.equal((await runsTagged(rig.admin, tag))[0]?.status, 'RUNNING', 'killed mid-wait');

    // The run finishes while Temporal is down; then the server comes back on the same file and port.
    await pollUntil('the run to complete in AI Hub', async () =>
      (await runsTagged(rig.admin, tag))[0]?.status === 'COMPLETE' ? true : undefined,
    );
    await temporal.restart();

    const result = await resultOf(handle);
    assert.ok(rig.worker.running, 'the same worker process rode out the outage');
    assert.equal((await rig.admin.calls()).counts.runApp, 1, 'the run was POSTed once');
    await assertOneRemoteRun(rig.admin, tag, result);
    await assertSameResults(result, reference);
  });
});
