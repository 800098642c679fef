/**
 * A complete pipeline environment for tests: a real Temporal server (dev or time-skipping), a
 * real AI Hub emulator over HTTP, and hubrun's real worker wired to both. Each call gets its own
 * task queue, results folder and emulator state.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { Worker } from '@temporalio/worker';
import { EMULATOR_DEFAULT_TOKEN, EmulatorAdmin, startEmulator } from '../../src/emulator';
import type { Emulator, EmulatorOptions } from '../../src/emulator';
import { startPipeline } from '../../src/client';
import type { PipelineHandle } from '../../src/client';
import { createHubrunWorker } from '../../src/worker';
import type { HubrunWorkerOptions } from '../../src/worker';
import { startDevServer, startTimeSkippingServer } from './temporal';

let bundlePath: Promise<string> | undefined;

/** The pipeline workflows bundled once per test process, as production loads them. */
export function workflowBundle(): Promise<string> {
  bundlePath ??= (async () => {
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve('../../src/workflows'),
      workflowInterceptorModules: [require.resolve('../../src/workflows/metrics-interceptor')],
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
    });
    const path = join(await mkdtemp(join(tmpdir(), 'hubrun-bundle-')), 'workflow-bundle.js');
    await writeFile(path, code);
    return path;
  })();
  return bundlePath;
}

/** A Temporal server, an emulator and a way to run hubrun workers against both. */
export interface PipelineEnv {
  temporal: TestWorkflowEnvironment;
  client: Client;
  emulator: Emulator;
  admin: EmulatorAdmin;
  outputDir: string;
  taskQueue: string;
  /** A worker wired to the emulator (not yet running). */
  createWorker(overrides?: Partial<HubrunWorkerOptions>): Promise<Worker>;
  /** Starts a pipeline on this environment's task queue. */
  start(input: Record<string, unknown>): Promise<PipelineHandle>;
  /** Runs `fn` while a worker runs, then shuts the worker down. */
  withWorker<T>(fn: () => Promise<T>, overrides?: Partial<HubrunWorkerOptions>): Promise<T>;
  close(): Promise<void>;
}

/** Options of {@link startPipelineEnv}. */
export interface PipelineEnvOptions {
  /** Use the time-skipping test server instead of the dev server. */
  timeSkipping?: boolean;
  emulator?: EmulatorOptions;
  /** Reuse a Temporal server instead of starting one (closed by its owner). */
  temporal?: TestWorkflowEnvironment;
}

/** Starts Temporal (unless given), an emulator and a results folder for one test. */
export async function startPipelineEnv(options: PipelineEnvOptions = {}): Promise<PipelineEnv> {
  const ownsTemporal = options.temporal === undefined;
  const temporal =
    options.temporal ?? (options.timeSkipping ? await startTimeSkippingServer() : await startDevServer());
  const emulator = await startEmulator(options.emulator);
  const admin = new EmulatorAdmin(emulator.adminUrl);
  const outputDir = await mkdtemp(join(tmpdir(), 'hubrun-results-'));
  const taskQueue = `test-${randomUUID()}`;
  const codePath = await workflowBundle();

  const createWorker = (overrides: Partial<HubrunWorkerOptions> = {}): Promise<Worker> =>
    createHubrunWorker({
      connection: temporal.nativeConnection,
      namespace: temporal.namespace ?? 'default',
      taskQueue,
      aihub: {
        apiRoot: emulator.url,
        token: EMULATOR_DEFAULT_TOKEN,
        ibContext: undefined,
        requestTimeoutMs: 10_000,
      },
      outputDir,
      // Test files are written to fresh temp folders (writeLocalFiles), so tests read from there.
      filesRoots: [tmpdir()],
      workflowBundlePath: codePath,
      ...overrides,
    });

  return {
    temporal,
    client: temporal.client,
    emulator,
    admin,
    outputDir,
    taskQueue,
    createWorker,
    start: (input) => startPipeline(temporal.client, input, { taskQueue }),
    async withWorker(fn, overrides) {
      const worker = await createWorker(overrides);
      return worker.runUntil(fn);
    },
    async close() {
      await emulator.close();
      if (ownsTemporal) await temporal.teardown();
    },
  };
}

/** A fresh workflow id for a test. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
