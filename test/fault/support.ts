/**
 * Helpers of the fault suites: a Temporal dev server process that can be killed and restarted, a
 * rig of one task queue, one results folder and a `hubrun worker` process that tests kill with
 * SIGKILL and start again, and the checks every fault test makes (one remote run per pipeline,
 * results identical to an undisturbed run's), and {@link useFaultStack}, which starts all of it
 * for a suite.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { startPipeline } from '../../src/client';
import type { PipelineHandle } from '../../src/client';
import { sha256File } from '../../src/activities/results-sink';
import { defaultApps, EmulatorAdmin } from '../../src/emulator';
import type { AppBehaviour, CallLogEntry, RunDetails } from '../../src/emulator';
import { exactlyOnceTag } from '../../src/pipeline-names';
import { phases } from '../../src/progress';
import { searchAttributes } from '../../src/search-attributes';
import type { StoredPipelineResult } from '../../src/results';
import { workflowBundle } from '../helpers/pipeline-env';
import {
  freePort,
  startTemporalProcess,
  startWorkerProcess,
  stopStartedProcesses,
} from '../helpers/processes';
import type { ManagedProcess } from '../helpers/processes';
import { pollUntil } from '../helpers/waiting';

/** A Temporal dev server process and a client of it. */
export interface TemporalServer {
  /** `127.0.0.1:<port>` */
  address: string;
  client: Client;
  /** The server process now (replaced by {@link TemporalServer.restart}). */
  readonly process: ManagedProcess;
  /** Starts the server again on the same port (and SQLite file, if any) after it was killed. */
  restart(): Promise<void>;
  /** Closes the client and kills the server. */
  close(): Promise<void>;
}

/** Starts a Temporal dev server process (in memory unless given `dbFile`) and connects a client. */
export async function startTemporalServer(options: { dbFile?: string } = {}): Promise<TemporalServer> {
  const port = await freePort();
  const processOptions = { port, ...options };
  let server = await startTemporalProcess(processOptions);
  const address = `127.0.0.1:${port}`;
  const connection = await Connection.connect({ address });
  return {
    address,
    client: new Client({ connection }),
    get process() {
      return server;
    },
    async restart() {
      if (server.running) throw new Error('the Temporal server is still running: kill it first');
      server = await startTemporalProcess(processOptions);
    },
    async close() {
      await connection.close();
      await server.kill('SIGKILL');
    },
  };
}

/** A task queue served by one `hubrun worker` process at a time, against one AI Hub. */
export interface FaultRig {
  client: Client;
  admin: EmulatorAdmin;
  taskQueue: string;
  outputDir: string;
  /** The worker process serving the task queue now. */
  readonly worker: ManagedProcess;
  /** Starts a pipeline on the rig's task queue. */
  start(input: Record<string, unknown>): Promise<PipelineHandle>;
  /** Starts a pipeline and waits for its result. */
  run(input: Record<string, unknown>): Promise<StoredPipelineResult>;
  /** Kills the worker process with SIGKILL: no shutdown, no last heartbeat, no answer sent. */
  killWorker(): Promise<void>;
  /** Starts a fresh worker process on the same task queue. */
  restartWorker(): Promise<void>;
  /** Kills the worker process. */
  close(): Promise<void>;
}

/** Where a {@link FaultRig} connects. */
export interface FaultRigOptions {
  client: Client;
  temporalAddress: string;
  apiRoot: string;
  admin: EmulatorAdmin;
  /** Further settings of every worker process's environment. */
  workerEnv?: Record<string, string>;
}

/** `invoices`, one second per file: a run long enough to kill a process in. */
export const slowInvoices: AppBehaviour = {
  ...(defaultApps[0] as AppBehaviour),
  id: 'app-invoices-slow',
  name: 'invoices-slow',
  msPerFile: 1000,
};

/** How long a disturbed pipeline may take (a killed start attempt alone waits out its heartbeat timeout and settle window). */
export const PIPELINE_TIMEOUT_MS = 300_000;

/** Starts a worker process on a fresh task queue and results folder. */
export async function startFaultRig(options: FaultRigOptions): Promise<FaultRig> {
  const taskQueue = `fault-${randomUUID()}`;
  const outputDir = await mkdtemp(join(tmpdir(), 'hubrun-fault-'));
  const spawnWorker = (): Promise<ManagedProcess> =>
    startWorkerProcess({
      temporalAddress: options.temporalAddress,
      apiRoot: options.apiRoot,
      taskQueue,
      outputDir,
      ...(options.workerEnv !== undefined ? { env: options.workerEnv } : {}),
    });
  let worker = await spawnWorker();
  const start = (input: Record<string, unknown>): Promise<PipelineHandle> =>
    startPipeline(options.client, input, { taskQueue });
  return {
    client: options.client,
    admin: options.admin,
    taskQueue,
    outputDir,
    get worker() {
      return worker;
    },
    start,
    async run(input) {
      return resultOf(await start(input));
    },
    async killWorker() {
      await worker.kill('SIGKILL');
    },
    async restartWorker() {
      if (worker.running) throw new Error('the worker is still running: kill it first');
      worker = await spawnWorker();
    },
    async close() {
      await worker.kill('SIGKILL');
    },
  };
}

/** A {@link FaultRig} on a started Temporal server and AI Hub. */
export function startFaultRigOn(
  temporal: TemporalServer,
  emulator: FaultEmulator,
  workerEnv?: Record<string, string>,
): Promise<FaultRig> {
  return startFaultRig({
    client: temporal.client,
    temporalAddress: temporal.address,
    apiRoot: emulator.url,
    admin: new EmulatorAdmin(emulator.adminUrl),
    ...(workerEnv !== undefined ? { workerEnv } : {}),
  });
}

/** What a fault stack needs of an AI Hub, in process (`startEmulator`) or its own process (`startEmulatorProcess`). */
export interface FaultEmulator {
  /** The API root. */
  url: string;
  adminUrl: string;
  /** Stops it; absent for a process, which the suite's `after` hook kills with the others. */
  close?(): Promise<void>;
}

/** How {@link useFaultStack} starts its Temporal server and AI Hub. */
export interface FaultStackOptions<E extends FaultEmulator> {
  /** Starts the Temporal server. @default an in-memory {@link startTemporalServer} */
  temporal?: () => Promise<TemporalServer>;
  /** Starts the AI Hub the rig's worker calls (with whatever apps, state file or faults the suite needs). */
  emulator: () => Promise<E>;
  /** Further settings of the rig's worker processes (timeouts, the start's settle window). */
  workerEnv?: Record<string, string>;
}

/** The parts of a started fault stack, readable inside the suite's tests. */
export interface FaultStack<E extends FaultEmulator> {
  readonly temporal: TemporalServer;
  readonly emulator: E;
  readonly rig: FaultRig;
}

function requireStarted<T>(part: T | undefined, name: string): T {
  if (part === undefined) throw new Error(`the fault stack's ${name} is not started: read it inside a test`);
  return part;
}

/**
 * Registers the suite's `before` and `after` hooks: a Temporal server, an AI Hub and a
 * {@link FaultRig} on them, started before the tests and closed in reverse order after them,
 * along with every process a test left running.
 */
export function useFaultStack<E extends FaultEmulator>(options: FaultStackOptions<E>): FaultStack<E> {
  let temporal: TemporalServer | undefined;
  let emulator: E | undefined;
  let rig: FaultRig | undefined;
  before(async () => {
    [temporal, emulator] = await Promise.all([
      options.temporal?.() ?? startTemporalServer(),
      options.emulator(),
      workflowBundle(),
    ]);
    rig = await startFaultRigOn(temporal, emulator, options.workerEnv);
  });
  after(async () => {
    await rig?.close();
    await emulator?.close?.();
    await temporal?.close();
    await stopStartedProcesses();
  });
  return {
    get temporal() {
      return requireStarted(temporal, 'Temporal server');
    },
    get emulator() {
      return requireStarted(emulator, 'AI Hub');
    },
    get rig() {
      return requireStarted(rig, 'rig');
    },
  };
}

/**
 * The pipeline's result, waiting through connection trouble (a Temporal server that is being
 * restarted); fails with the pipeline's own failure, or after `timeoutMs`.
 */
export async function resultOf(
  handle: PipelineHandle,
  timeoutMs: number = PIPELINE_TIMEOUT_MS,
): Promise<StoredPipelineResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await handle.result();
    } catch (err) {
      if (err instanceof WorkflowFailedError || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** The `HubrunPhase` search attribute of the pipeline: readable while no worker runs. */
export async function phaseOf(handle: PipelineHandle): Promise<string | undefined> {
  const description = await handle.describe();
  return description.typedSearchAttributes.get(searchAttributes.phase);
}

/** The exactly-once tag of a pipeline (from its first execution's run id). */
export async function tagOf(handle: PipelineHandle): Promise<string> {
  return exactlyOnceTag((await handle.describe()).runId);
}

/** The AI Hub runs carrying `tag`. */
export async function runsTagged(admin: EmulatorAdmin, tag: string): Promise<RunDetails[]> {
  return (await admin.runs()).filter((run) => run.tags.includes(tag));
}

/** Waits until AI Hub holds the pipeline's run (the start was accepted) and returns it. */
export async function waitForRemoteRun(admin: EmulatorAdmin, tag: string): Promise<RunDetails> {
  return pollUntil('AI Hub to accept the start', async () => (await runsTagged(admin, tag))[0], {
    timeoutMs: 60_000,
    intervalMs: 20,
  });
}

/** API calls whose path names `runId` (status checks and results pages of that run). */
export function callsOfRun(log: CallLogEntry[], runId: string): CallLogEntry[] {
  const prefix = `/api/v2/apps/runs/${encodeURIComponent(runId)}`;
  return log.filter(
    (e) => e.path === prefix || e.path.startsWith(`${prefix}/`) || e.path.startsWith(`${prefix}?`),
  );
}

/** Asserts the pipeline started exactly one AI Hub run, the one it reports, and returns it. */
export async function assertOneRemoteRun(
  admin: EmulatorAdmin,
  tag: string,
  result: StoredPipelineResult,
): Promise<RunDetails> {
  const runs = await runsTagged(admin, tag);
  assert.equal(runs.length, 1, `AI Hub holds ${runs.length} runs of the pipeline`);
  assert.equal(result.runId, runs[0]?.id, 'the pipeline reports the one run it started');
  assert.equal(result.status, 'COMPLETED');
  return runs[0] as RunDetails;
}

/** Asserts the results file on disk has the sha256 the summary states and the reference run's. */
export async function assertSameResults(
  result: StoredPipelineResult,
  reference: StoredPipelineResult,
): Promise<void> {
  assert.equal(result.files, reference.files);
  const sha256 = await sha256File(result.resultsPath);
  assert.equal(sha256, result.resultsSha256, 'the summary states the sha256 of the file on disk');
  assert.equal(sha256, reference.resultsSha256, 'the results file is identical to the undisturbed one');
}

/**
 * Starts a pipeline on `rig` and resolves once AI Hub has answered a status check of its run
 * while the pipeline waits: the moment to kill something mid-wait.
 */
export async function startAndAwaitWaiting(
  rig: FaultRig,
  input: Record<string, unknown>,
): Promise<{ handle: PipelineHandle; tag: string; run: RunDetails }> {
  const handle = await rig.start(input);
  const tag = await tagOf(handle);
  const run = await waitForRemoteRun(rig.admin, tag);
  await pollUntil(
    'a status check answered while the run is processing',
    async () => {
      const checks = callsOfRun((await rig.admin.calls()).log, run.id).filter(
        (e) => e.endpoint === 'getRun' && e.status === 200,
      );
      return checks.length >= 1 && (await phaseOf(handle)) === phases.waiting ? true : undefined;
    },
    { intervalMs: 20 },
  );
  return { handle, tag, run };
}

/**
 * Registers `count` deployments of the invoices app named `<prefix>-000`, ... at the emulator:
 * one per pipeline of a mass fault test, so that every call a pipeline makes (its start, its
 * reconciling list, its status checks and pages) and every run it could have made is told apart.
 */
export async function deploymentPerPipeline(
  admin: EmulatorAdmin,
  prefix: string,
  count: number,
): Promise<string[]> {
  const deployments = Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);
  for (const id of deployments) await admin.putDeployment({ id, appId: 'app-invoices' });
  return deployments;
}
