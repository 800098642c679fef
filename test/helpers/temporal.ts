/**
 * Starts real Temporal servers for tests, from binaries found or installed by
 * src/dev/temporal-binaries (never downloaded at test time), with hubrun's search attributes.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { searchAttributeKeys } from '../../src/shared';
import { temporalCliPath, testServerPath } from '../../src/dev/temporal-binaries';

/** A Temporal dev server (the CLI's, in-memory) with hubrun's search attributes registered. */
export async function startDevServer(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      searchAttributes: searchAttributeKeys,
      log: { format: 'pretty', level: 'error' },
    },
  });
}

/** The time-skipping test server: timers and retry backoffs pass in no real time while workflows wait. */
export async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testServerPath() } },
  });
}
