import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AihubClient } from '../../src/aihub';
import { EMULATOR_DEFAULT_TOKEN } from '../../src/emulator';
import { retryableFailureTypes } from '../../src/failure-types';
import { quickWait, sampleInvoices } from '../helpers/aihub-fixtures';
import { uniqueId } from '../helpers/pipeline-env';
import { freePort, startEmulatorProcess } from '../helpers/processes';
import { pollUntil } from '../helpers/waiting';
import {
  assertOneRemoteRun,
  assertSameResults,
  resultOf,
  runsTagged,
  slowInvoices,
  startAndAwaitWaiting,
  useFaultStack,
} from './support';

describe('the AI Hub emulator killed with SIGKILL mid-run and restarted on its state file', () => {
  let stateFile: string;
  let port: number;
  const stack = useFaultStack({
    async emulator() {
      stateFile = join(await mkdtemp(join(tmpdir(), 'hubrun-emulator-')), 'state.json');
      port = await freePort();
      const emulator = await startEmulatorProcess({ port, stateFile });
      // Added through the admin surface, the app is kept in the state file like the runs.
      await emulator.admin.putApp(slowInvoices);
      return emulator;
    },
  });

  it('the pipeline waits through the outage and finishes on the same run: one run, identical results', async () => {
    const { emulator, rig } = stack;
    const aihub = new AihubClient({ apiRoot: emulator.url, token: EMULATOR_DEFAULT_TOKEN });
    const { id: batchId } = await aihub.createBatch({ name: uniqueId('batch') });
    for (const [name, text] of Object.entries(sampleInvoices(4))) {
      await aihub.putBatchFile(batchId, name, Buffer.from(text), Buffer.byteLength(text));
    }
    const input = { appName: slowInvoices.name, batchId, wait: quickWait };
    const reference = await rig.run({ workflowId: uniqueId('reference'), ...input });

    const { handle, tag, run } = await startAndAwaitWaiting(rig, {
      workflowId: uniqueId('emulator-killed'),
      ...input,
    });
    await emulator.process.kill('SIGKILL');

    // Status checks fail while AI Hub is away; they are retried, not fatal.
    await pollUntil(
      'a failed status check while AI Hub is down',
      async () => {
        const pending = (await handle.describe()).raw.pendingActivities?.[0];
        const type = pending?.lastFailure?.applicationFailureInfo?.type;
        return type === retryableFailureTypes.unavailable ? true : undefined;
      },
      { timeoutMs: 30_000 },
    );
    // Back on the same port and state file; the suite's after hook stops it with the other processes.
    await startEmulatorProcess({ port, stateFile });

    const result = await resultOf(handle);
    assert.equal(result.runId, run.id, 'the run survived the restart under its id');
    await assertOneRemoteRun(rig.admin, tag, result);
    assert.equal(
      (await rig.admin.stats()).runsTotal,
      2,
      'AI Hub started two runs in all: the reference and this one',
    );
    assert.equal((await runsTagged(rig.admin, tag)).length, 1);
    await assertSameResults(result, reference);
  });
});
