import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EMULATOR_DEFAULT_TOKEN } from '../../src/emulator';
import { startPipeline } from '../../src/client';
import { quickWait, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { useDevServerAndEmulator } from '../helpers/temporal';
import { freePort } from '../helpers/processes';
import { pollUntil } from '../helpers/waiting';

const root = join(__dirname, '..', '..');
const servers = useDevServerAndEmulator();

test('`hubrun worker` runs pipelines, serves Prometheus metrics and stops cleanly on SIGTERM', async () => {
  const metricsPort = await freePort();
  const taskQueue = `worker-process-${Date.now()}`;
  const child = spawn(process.execPath, [join(root, 'bin', 'hubrun.js'), 'worker'], {
    cwd: root,
    env: {
      ...process.env,
      AIHUB_API_ROOT: servers.emulator.url,
      AIHUB_API_TOKEN: EMULATOR_DEFAULT_TOKEN,
      TEMPORAL_ADDRESS: servers.temporal.address,
      HUBRUN_TASK_QUEUE: taskQueue,
      HUBRUN_OUTPUT_DIR: await mkdtemp(join(tmpdir(), 'hubrun-worker-')),
      HUBRUN_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    const batchId = await seedBatch(servers.emulator, sampleInvoices(2));
    const handle = await startPipeline(
      servers.temporal.client,
      { workflowId: `worker-process-${Date.now()}`, appName: 'invoices', batchId, wait: quickWait },
      { taskQueue },
    );
    const result = await handle.result();
    assert.equal(result.files, 2);

    const metrics = await pollUntil(
      'Prometheus metrics from the worker',
      async () => {
        const text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`)
          .then((r) => r.text())
          .catch(() => '');
        return text.includes('temporal_') ? text : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 200 },
    );
    assert.match(metrics, /temporal_\w+/, 'Prometheus metrics are served');
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0, output);
  assert.ok(!output.includes(EMULATOR_DEFAULT_TOKEN), 'the token is not logged');
});
