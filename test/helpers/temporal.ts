/**
 * Starts real Temporal servers for tests, from binaries found or installed by
 * src/dev/temporal-binaries (never downloaded at test time), with hubrun's search attributes.
 */
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { TestWorkflowEnvironment } from '@temporalio/testing';
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
