/**
 * Starts real Temporal servers for tests, from binaries found or installed by
 * src/dev/temporal-binaries (never downloaded at test time), with hubrun's search attributes.
 */
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { after, before } from 'node:test';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { startEmulator } from '../../src/emulator';
import type { Emulator } from '../../src/emulator';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { searchAttributeKeys } from '../../src/search-attributes';
import { temporalCliPath, testServerPath } from '../../src/dev/temporal-binaries';

let runtimeInstalled = false;

/** Keeps worker logs to warnings and errors, so test output shows what matters. */
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  runtimeInstalled = true;
}

/**
 * A Temporal dev server (the CLI's, in-memory) with hubrun's search attributes registered;
 * `extraArgs` go to `temporal server start-dev` (e.g. `--dynamic-config-value KEY=VALUE`).
 */
export async function startDevServer(extraArgs: string[] = []): Promise<TestWorkflowEnvironment> {
  installQuietRuntime();
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      searchAttributes: searchAttributeKeys,
      log: { format: 'pretty', level: 'error' },
      extraArgs,
    },
  });
}

/**
 * The time-skipping test server, on the quiet runtime: timers and retry backoffs pass in no real
 * time while workflows wait.
 */
export function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  installQuietRuntime();
  return startTimeSkippingServerOnCurrentRuntime();
}

/**
 * The time-skipping test server with hubrun's search attributes, on the Temporal Runtime the
 * process already has: for the benchmarks, which install their own (a Runtime installs once).
 */
export async function startTimeSkippingServerOnCurrentRuntime(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testServerPath() } },
  });
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(
      searchAttributeKeys.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type)!]),
    ),
  });
  return env;
}

/** A Temporal dev server and an AI Hub emulator, for suites that run hubrun's processes against them. */
export interface ServerPair {
  readonly temporal: TestWorkflowEnvironment;
  readonly emulator: Emulator;
}

/**
 * Registers the suite's hooks: a dev server and an emulator started before its tests and stopped
 * after them (after `beforeStop`, such as stopping the processes the tests started).
 */
export function useDevServerAndEmulator(beforeStop?: () => Promise<void>): ServerPair {
  let temporal: TestWorkflowEnvironment | undefined;
  let emulator: Emulator | undefined;
  before(async () => {
    temporal = await startDevServer();
    emulator = await startEmulator();
  });
  after(async () => {
    await beforeStop?.();
    await emulator?.close();
    await temporal?.teardown();
  });
  const started = <T>(part: T | undefined): T => {
    if (part === undefined)
      throw new Error('the dev server and emulator are not started yet: use them inside a test');
    return part;
  };
  return {
    get temporal() {
      return started(temporal);
    },
    get emulator() {
      return started(emulator);
    },
  };
}
