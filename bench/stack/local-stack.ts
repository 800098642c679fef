/**
 * The local stack one benchmark measurement runs on: a fresh Temporal dev server, a fresh AI Hub
 * emulator with the apps the measurement needs and a one-file batch, and one `hubrun worker`
 * process hosting the given workflow bundle on its own task queue.
 */
import { randomUUID } from 'node:crypto';
import { EmulatorAdmin, startEmulator } from '../../src/emulator';
import type { AppBehaviour, Emulator } from '../../src/emulator';
import type { BenchContext } from '../context';
import { seedBatch } from '../context';
import { startDevServer } from './dev-server';
import type { DevServer } from './dev-server';
import { startWorkerProcess } from './worker-process';
import type { WorkerProcess } from './worker-process';

/** A running stack. */
export interface LocalStack {
  server: DevServer;
  emulator: Emulator;
  admin: EmulatorAdmin;
  worker: WorkerProcess;
  taskQueue: string;
  /** A batch of one small file, the input of every pipeline. */
  batchId: number;
  close(): Promise<void>;
}

/** Options of {@link startLocalStack}. */
export interface LocalStackOptions {
  /** Workflow bundle the worker loads. */
  bundle: string;
  /** Names the task queue and the worker's log. */
  name: string;
  apps: AppBehaviour[];
  /** CPU-profile the worker into this folder. */
  profileDir?: string | undefined;
}

/** Starts a dev server, an emulator and a worker process. */
export async function startLocalStack(ctx: BenchContext, options: LocalStackOptions): Promise<LocalStack> {
  const server = await startDevServer(ctx.logDir);
  let emulator: Emulator | undefined;
  try {
    emulator = await startEmulator();
    const admin = new EmulatorAdmin(emulator.adminUrl);
    for (const app of options.apps) await admin.putApp(app);
    const batchId = await seedBatch(emulator);
    const taskQueue = `bench-${options.name}-${randomUUID().slice(0, 8)}`;
    const worker = await startWorkerProcess({
      temporalAddress: server.address,
      client: server.client,
      emulatorUrl: emulator.url,
      taskQueue,
      outputDir: ctx.workDir,
      workflowBundlePath: options.bundle,
      logDir: ctx.logDir,
      cpuProfileDir: options.profileDir,
    });
    const started = emulator;
    return {
      server,
      emulator,
      admin,
      worker,
      taskQueue,
      batchId,
      async close() {
        await worker.stop();
        await server.close();
        await started.close();
      },
    };
  } catch (err) {
    await emulator?.close();
    await server.close();
    throw err;
  }
}
