/**
 * Helpers of the workflow suites: one Temporal dev server per file, a fresh emulator and task
 * queue per test.
 */
import { after, before } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { EmulatorOptions } from '../../src/emulator';
import type { CallsSnapshot } from '../../src/emulator/call-log';
import { startPipelineEnv } from '../helpers/pipeline-env';
import type { PipelineEnv } from '../helpers/pipeline-env';
import { startDevServer } from '../helpers/temporal';

/** Starts one Temporal dev server for the enclosing suite (before/after hooks); returns a getter. */
export function useTemporal(): () => TestWorkflowEnvironment {
  let temporal: TestWorkflowEnvironment | undefined;
  before(async () => {
    temporal = await startDevServer();
  });
  after(async () => {
    await temporal?.teardown();
  });
  return () => {
    if (temporal === undefined) throw new Error('the Temporal dev server is not started yet');
    return temporal;
  };
}

/** Runs `fn` with a fresh emulator and task queue on the shared Temporal server, then closes them. */
export async function withPipelineEnv<T>(
  temporal: TestWorkflowEnvironment,
  emulator: EmulatorOptions,
  fn: (env: PipelineEnv) => Promise<T>,
): Promise<T> {
  const env = await startPipelineEnv({ temporal, emulator });
  try {
    return await fn(env);
  } finally {
    await env.close();
  }
}

/** All API calls the emulator counted, over every endpoint. */
export function totalCalls(calls: CallsSnapshot): number {
  return Object.values(calls.counts).reduce((sum, n) => sum + n, 0);
}
