/**
 * A faithful local AI Hub: every endpoint of `aihub-api.md` under `/api`, state kept across its
 * own restarts, app behaviours, fault injection and an admin surface under `/_emulator`. The
 * default backend of `hubrun dev`/demo and the service every test talks to.
 */
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppRegistry } from './app-registry';
import { CallLog } from './call-log';
import {
  EMULATOR_DEFAULT_CONTEXT,
  EMULATOR_DEFAULT_TOKEN,
  defaultApps,
  defaultDeployments,
} from './catalogue';
import type { EmulatorContext } from './context';
import { FaultInjector } from './faults';
import { FileStore } from './file-store';
import { PendingRuns } from './pending-runs';
import { RunEngine } from './run-engine';
import { sendFinishNotification } from './run-history';
import { buildServer } from './server';
import { StateStore } from './state-store';
import type { Emulator, EmulatorOptions } from './types';
import { listDefaults } from './undocumented';

export {
  EMULATOR_DEFAULT_CONTEXT,
  EMULATOR_DEFAULT_PORT,
  EMULATOR_DEFAULT_TOKEN,
  defaultApps,
  defaultDeployments,
} from './catalogue';
export type {
  AppBehaviour,
  DeploymentBehaviour,
  Emulator,
  EmulatorOptions,
  FaultKind,
  FaultRule,
  ResultsShape,
} from './types';
export { EmulatorAdmin } from './admin-client';
export type { CallLogEntry, CallsSnapshot } from './call-log';
export type { EmulatorStats, RunDetails } from './run-engine';
export type { PendingRunInfo } from './pending-runs';

/** `part_size` of multipart sessions unless configured. */
const DEFAULT_PART_SIZE = 5 * 1024 * 1024;

/** Starts an emulator; with `stateFile`, it first reloads the runs, batches and jobs kept there. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const now = options.now ?? Date.now;
  const host = options.host ?? '127.0.0.1';
  const pageSize = options.pageSize ?? listDefaults.resultsPageSize;
  if (!Number.isInteger(pageSize) || pageSize < 1)
    throw new Error(`pageSize must be a positive integer, not ${pageSize}`);

  const store = await StateStore.open(options.stateFile);
  let tempDataDir: string | undefined;
  let dataDir =
    options.dataDir ?? (options.stateFile === undefined ? undefined : `${options.stateFile}.data`);
  if (dataDir === undefined) {
    tempDataDir = await mkdtemp(join(tmpdir(), 'aihub-emulator-'));
    dataDir = tempDataDir;
  }
  await mkdir(dataDir, { recursive: true });

  const engine = new RunEngine(store, now, (run) => sendFinishNotification(run, run.outputDir));
  const ctx: EmulatorContext = {
    settings: {
      tokens: new Set(options.tokens ?? [EMULATOR_DEFAULT_TOKEN]),
      contexts: new Set(options.contexts ?? [EMULATOR_DEFAULT_CONTEXT]),
      pageSize,
      multipartPartSize: options.multipartPartSize ?? DEFAULT_PART_SIZE,
      now,
      adminPublic: options.adminPublic ?? false,
    },
    store,
    files: new FileStore(dataDir),
    engine,
    registry: new AppRegistry(
      structuredClone(options.apps ?? defaultApps),
      structuredClone(options.deployments ?? defaultDeployments),
      store.state,
    ),
    faults: new FaultInjector(options.faults ?? []),
    calls: new CallLog(),
    pending: new PendingRuns(store, engine, now),
    decided: new WeakMap(),
  };

  const app = await buildServer(ctx, options.log ?? false);
  try {
    await app.listen({ port: options.port ?? 0, host });
  } catch (err) {
    await app.close();
    await store.close();
    if (tempDataDir !== undefined) await rm(tempDataDir, { recursive: true, force: true });
    throw err;
  }
  engine.start();
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? 0);
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const origin = `http://${urlHost}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url: `${origin}/api`,
    port,
    adminUrl: `${origin}/_emulator`,
    close(): Promise<void> {
      closing ??= (async () => {
        engine.stop();
        ctx.pending.close();
        await app.close();
        await store.close();
        if (tempDataDir !== undefined) await rm(tempDataDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
