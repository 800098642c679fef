import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { AihubClient } from '../../src/aihub';
import { getPipeline, getProgress, startPipeline } from '../../src/client';
import { isListening } from '../../src/dev/ports';
import { localPorts } from '../../src/dev/stack';
import { EMULATOR_DEFAULT_TOKEN, EmulatorAdmin } from '../../src/emulator';
import { quickWait, sampleInvoices } from '../helpers/aihub-fixtures';
import { outcomeOf, spawnCli } from '../helpers/cli';
import { uniqueId } from '../helpers/pipeline-env';
import { pollUntil } from '../helpers/waiting';

const emulatorRoot = `http://127.0.0.1:${localPorts.emulator}`;

/** Starts `hubrun dev` and resolves once it says the stack is up. */
async function startDev(env: Record<string, string>) {
  const child = spawnCli(['dev'], env);
  const ended = outcomeOf(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await pollUntil(
    '`hubrun dev` to report the stack up',
    () => {
      if (child.exitCode !== null) return Promise.reject(new Error(`hubrun dev exited early: ${output}`));
      return Promise.resolve(output.includes('Ctrl-C stops') || undefined);
    },
    { timeoutMs: 120_000, intervalMs: 200 },
  );
  return { child, ended, output: () => output };
}

test('a pipeline survives Ctrl-C of `hubrun dev` and finishes once the stack is up again', async () => {
  for (const port of Object.values(localPorts)) {
    assert.equal(
      await isListening(port),
      false,
      `port ${port} must be free: stop any running hubrun dev first`,
    );
  }
  const env = { HUBRUN_OUTPUT_DIR: await mkdtemp(join(tmpdir(), 'hubrun-dev-')) };
  let dev = await startDev(env);
  const connection = await Connection.connect({ address: `localhost:${localPorts.temporal}` });
  const client = new Client({ connection });
  try {
    const aihub = new AihubClient({ apiRoot: `${emulatorRoot}/api`, token: EMULATOR_DEFAULT_TOKEN });
    const { id: batchId } = await aihub.createBatch({ name: uniqueId('dev-restart') });
    for (const [name, text] of Object.entries(sampleInvoices(2))) {
      await aihub.putBatchFile(batchId, name, Buffer.from(text), Buffer.byteLength(text));
    }
    const workflowId = uniqueId('dev-restart');
    const handle = await startPipeline(
      client,
      { workflowId, appName: 'invoices-review', batchId, wait: quickWait },
      { taskQueue: 'aihub-runs' },
    );
    const { runId } = await pollUntil('the pipeline waiting for review', async () => {
      const p = await getProgress(handle);
      return p.phase === 'IN_REVIEW' ? p : undefined;
    });

    dev.child.kill('SIGINT');
    const first = await dev.ended;
    assert.equal(first.code, 0, first.stderr);
    for (const port of Object.values(localPorts)) {
      assert.equal(await isListening(port), false, `Ctrl-C stopped what listened on ${port}`);
    }

    dev = await startDev(env);
    assert.match(dev.output(), /started: Temporal dev server/);
    await new EmulatorAdmin(`${emulatorRoot}/_emulator`).completeReview(runId ?? '');
    const result = await getPipeline(client, workflowId).result();
    assert.equal(result.runId, runId, 'the same AI Hub run, resumed');
    assert.equal(result.files, 2);
  } finally {
    await connection.close();
    dev.child.kill('SIGINT');
    await dev.ended;
  }
});
