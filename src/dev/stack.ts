/**
 * The local stack behind `hubrun dev` and `hubrun demo`: a Temporal dev server (SQLite file under
 * `.hubrun/`, so pipelines survive a restart of the stack, search attributes registered, Web UI
 * on), the AI Hub emulator unless `AIHUB_API_ROOT` is set, and a worker. Whatever is already
 * listening on the stack's ports is reused; only what this process started is stopped again.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../config';
import type { AihubSettings } from '../config';
import { EMULATOR_DEFAULT_PORT, EMULATOR_DEFAULT_TOKEN, startEmulator } from '../emulator';
import type { Emulator } from '../emulator';
import { searchAttributeKeys } from '../search-attributes';
import { createConfiguredWorker } from '../worker';
import { isListening, waitForPort } from './ports';
import { projectRoot, temporalCliPath } from './temporal-binaries';

/** Ports of the local stack. */
export const localPorts = { temporal: 7233, ui: 8233, emulator: EMULATOR_DEFAULT_PORT } as const;

/** The folder holding the stack's state: Temporal's SQLite file, the emulator's state, logs. */
export const stateDir = join(projectRoot, '.hubrun');

/** A running local stack. */
export interface LocalStack {
  temporalAddress: string;
  uiUrl: string;
  aihub: AihubSettings;
  /** What this process started (and will stop), for the printout. */
  started: string[];
  /** Resolves when the worker stops; rejects if it fails. */
  workerDone: Promise<void>;
  stop(): Promise<void>;
}

/** Starts (or reuses) Temporal and the emulator and runs a worker in this process. */
export async function startLocalStack(config: Readonly<Config>): Promise<LocalStack> {
  mkdirSync(stateDir, { recursive: true });
  const started: string[] = [];
  const stops: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    for (const fn of stops.reverse()) await fn().catch(() => undefined);
    stops.length = 0;
  };
  try {
    const address = config.temporal.connectionOptions.address ?? `localhost:${localPorts.temporal}`;
    const local =
      address === `localhost:${localPorts.temporal}` || address === `127.0.0.1:${localPorts.temporal}`;
    if (local && (await isListening(localPorts.temporal))) {
      await expectTemporal(address);
    } else if (local) {
      await expectFree(localPorts.ui, 'the Temporal UI', 'stop what holds it');
      const child = startTemporalDevServer();
      stops.push(() => stopChild(child));
      started.push(
        `Temporal dev server (${join(stateDir, 'temporal.db')}, log ${join(stateDir, 'temporal.log')})`,
      );
      await Promise.race([
        waitForPort(localPorts.temporal, 60_000, 'the Temporal dev server'),
        new Promise((_, reject) =>
          child.once('exit', (code) => reject(new Error(`temporal exited with code ${code}`))),
        ),
      ]);
    }

    let aihub = config.aihub;
    if (aihub === undefined) {
      let emulatorUrl = `http://127.0.0.1:${localPorts.emulator}/api`;
      if (await isListening(localPorts.emulator)) {
        await expectEmulator(emulatorUrl);
      } else {
        const emulator: Emulator = await startEmulator({
          port: localPorts.emulator,
          stateFile: join(stateDir, 'emulator-state.json'),
        });
        stops.push(() => emulator.close());
        started.push(`AI Hub emulator (${emulator.url})`);
        emulatorUrl = emulator.url;
      }
      aihub = {
        apiRoot: emulatorUrl,
        token: EMULATOR_DEFAULT_TOKEN,
        ibContext: config.ibContext,
        requestTimeoutMs: config.requestTimeoutMs,
      };
    }

    const connection = await NativeConnection.connect(config.temporal.connectionOptions);
    stops.push(() => connection.close());
    const worker = await createConfiguredWorker(config, aihub, connection);
    const workerDone = worker.run();
    stops.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerDone;
    });
    started.push(`worker on task queue ${config.taskQueue}`);

    return {
      temporalAddress: address,
      uiUrl: `http://localhost:${localPorts.ui}`,
      aihub,
      started,
      workerDone,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function startTemporalDevServer(): ChildProcess {
  const log = openSync(join(stateDir, 'temporal.log'), 'a');
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    join(stateDir, 'temporal.db'),
    '--port',
    String(localPorts.temporal),
    '--ui-port',
    String(localPorts.ui),
    '--log-level',
    'warn',
    ...searchAttributeKeys.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]),
  ];
  return spawn(temporalCliPath(), args, { stdio: ['ignore', log, log] });
}

/** Fails with a clear message unless `port` is free. */
async function expectFree(port: number, what: string, advice: string): Promise<void> {
  if (await isListening(port)) {
    throw new Error(`port ${port} (${what}) is already in use by another program: ${advice}`);
  }
}

/** Reuses what listens on Temporal's port only if it answers as a Temporal server. */
async function expectTemporal(address: string): Promise<void> {
  const answers = await Connection.connect({ address, connectTimeout: 3_000 })
    .then(async (connection) => {
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      return true;
    })
    .catch(() => false);
  if (!answers) {
    throw new Error(
      `port ${localPorts.temporal} is in use by something that is not a Temporal server: ` +
        'stop it, or set TEMPORAL_ADDRESS to your Temporal server',
    );
  }
}

/** Reuses what listens on the emulator's port only if it answers as the AI Hub emulator. */
async function expectEmulator(apiRoot: string): Promise<void> {
  const stats = await fetch(`${apiRoot.replace(/\/api$/, '')}/_emulator/stats`, {
    signal: AbortSignal.timeout(3_000),
  }).catch(() => undefined);
  if (stats?.ok !== true) {
    throw new Error(
      `port ${localPorts.emulator} is in use by something that is not the AI Hub emulator: ` +
        'stop it, or set AIHUB_API_ROOT (and a token) to use a real AI Hub',
    );
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}
