/**
 * hubrun's moving parts as separate processes, for fault tests that kill them with SIGKILL and
 * start them again: the worker (`hubrun worker`), the AI Hub emulator (`hubrun emulator`) and
 * the Temporal dev server on a SQLite file. Every process started here is tracked, so a suite's
 * `after` hook can stop whatever a failed test left running ({@link stopStartedProcesses}).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { EMULATOR_DEFAULT_TOKEN, EmulatorAdmin } from '../../src/emulator';
import { temporalCliPath } from '../../src/dev/temporal-binaries';
import { searchAttributeKeys } from '../../src/search-attributes';
import { workflowBundle } from './pipeline-env';
import { pollUntil } from './waiting';

const root = join(__dirname, '..', '..');
const hubrunBin = join(root, 'bin', 'hubrun.js');

/** Characters of a process's output kept for failure messages (the tail). */
const OUTPUT_TAIL_CHARS = 64_000;

const started = new Set<ManagedProcess>();

/** A free TCP port on 127.0.0.1 (free when asked; the caller binds it soon after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A child process this test started: its output tail, its exit, and a way to kill it. */
export class ManagedProcess {
  private tail = '';
  /** Resolves with the exit code (null when a signal ended it) once the process has exited. */
  readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer): void => {
      this.tail = (this.tail + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
      else child.once('exit', (code) => resolve(code));
    });
    void this.exited.then(() => started.delete(this));
    started.add(this);
  }

  /** The process id. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True until the process has exited. */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last {@link OUTPUT_TAIL_CHARS} characters it wrote to stdout and stderr. */
  output(): string {
    return this.tail;
  }

  /** Sends `signal` (SIGKILL unless told) unless it has exited, and resolves once it has. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.running) this.child.kill(signal);
    await this.exited;
  }

  /** Resolves once `text` appears in its output; fails when it exits first or after `timeoutMs`. */
  async waitForOutput(text: string, timeoutMs = 60_000): Promise<void> {
    await pollUntil(
      `${this.name} to print ${JSON.stringify(text)}`,
      () => {
        if (this.tail.includes(text)) return Promise.resolve(true);
        if (!this.running) throw new Error(`${this.name} exited before it was ready:\n${this.tail}`);
        return Promise.resolve(undefined);
      },
      { timeoutMs, intervalMs: 50 },
    );
  }
}

/** Stops (SIGKILL) every process started through this module that is still running. */
export async function stopStartedProcesses(): Promise<void> {
  await Promise.all([...started].map((p) => p.kill('SIGKILL')));
}

/** The environment of a child: this one's, minus every setting hubrun or Temporal would read, plus `vars`. */
function childEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(AIHUB_|HUBRUN_|TEMPORAL_)/.test(key)),
  );
  return { ...env, ...vars };
}

function spawnManaged(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): ManagedProcess {
  const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new ManagedProcess(name, child);
}

/** Where a worker process connects and what it serves. */
export interface WorkerProcessOptions {
  /** `host:port` of the Temporal frontend. */
  temporalAddress: string;
  /** The AI Hub API root, e.g. an emulator's `url`. */
  apiRoot: string;
  taskQueue: string;
  outputDir: string;
  /** @default EMULATOR_DEFAULT_TOKEN */
  token?: string;
  /** Further settings of the worker's environment (they win over the ones above). */
  env?: Record<string, string>;
}

/**
 * Starts `hubrun worker` as its own process, configured only through the environment (as in
 * production), with a prebuilt workflow bundle and metrics off; resolves once it polls.
 */
export async function startWorkerProcess(options: WorkerProcessOptions): Promise<ManagedProcess> {
  const worker = spawnManaged(
    'hubrun worker',
    process.execPath,
    [hubrunBin, 'worker'],
    childEnv({
      AIHUB_API_ROOT: options.apiRoot,
      AIHUB_API_TOKEN: options.token ?? EMULATOR_DEFAULT_TOKEN,
      TEMPORAL_ADDRESS: options.temporalAddress,
      HUBRUN_TASK_QUEUE: options.taskQueue,
      HUBRUN_OUTPUT_DIR: options.outputDir,
      // Test files are written to fresh temp folders (writeLocalFiles), so workers read from there.
      HUBRUN_FILES_ROOTS: tmpdir(),
      HUBRUN_METRICS_ADDRESS: 'off',
      HUBRUN_WORKFLOW_BUNDLE: await workflowBundle(),
      HUBRUN_LOG_LEVEL: 'INFO',
      ...options.env,
    }),
  );
  await worker.waitForOutput('hubrun worker started');
  return worker;
}

/** An emulator running as its own process. */
export interface EmulatorProcess {
  process: ManagedProcess;
  /** API root, `http://127.0.0.1:<port>/api`. */
  url: string;
  adminUrl: string;
  admin: EmulatorAdmin;
}

/** Options of {@link startEmulatorProcess}. */
export interface EmulatorProcessOptions {
  port: number;
  /** JSON state file, reloaded on start. */
  stateFile: string;
  pageSize?: number;
}

/** Starts `hubrun emulator --port P --state FILE` and resolves once it listens. */
export async function startEmulatorProcess(options: EmulatorProcessOptions): Promise<EmulatorProcess> {
  const args = [hubrunBin, 'emulator', '--port', String(options.port), '--state', options.stateFile];
  if (options.pageSize !== undefined) args.push('--page-size', String(options.pageSize));
  const emulator = spawnManaged('hubrun emulator', process.execPath, args, childEnv({}));
  await emulator.waitForOutput('AI Hub emulator listening on');
  const origin = `http://127.0.0.1:${options.port}`;
  const adminUrl = `${origin}/_emulator`;
  return { process: emulator, url: `${origin}/api`, adminUrl, admin: new EmulatorAdmin(adminUrl) };
}

/** Options of {@link startTemporalProcess}. */
export interface TemporalProcessOptions {
  /** SQLite file holding the server's state across restarts; unset: in memory. */
  dbFile?: string;
  port: number;
}

/**
 * Starts the Temporal CLI's dev server on `127.0.0.1:<port>`, headless, with hubrun's search
 * attributes (as `hubrun dev` does), its log kept in the process's output rather than the
 * test's; resolves once its frontend answers.
 */
export async function startTemporalProcess(options: TemporalProcessOptions): Promise<ManagedProcess> {
  const args = [
    'server',
    'start-dev',
    ...(options.dbFile !== undefined ? ['--db-filename', options.dbFile] : []),
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--headless',
    '--log-level',
    'error',
    ...searchAttributeKeys.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]),
  ];
  const server = spawnManaged('temporal dev server', temporalCliPath(), args, childEnv({}));
  const address = `127.0.0.1:${options.port}`;
  await pollUntil(
    `the Temporal dev server on ${address}`,
    async () => {
      if (!server.running) throw new Error(`the Temporal dev server exited:\n${server.output()}`);
      let connection: Connection | undefined;
      try {
        connection = await Connection.connect({ address, connectTimeout: 1000 });
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        return true;
      } catch {
        return undefined;
      } finally {
        await connection?.close();
      }
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
  return server;
}
