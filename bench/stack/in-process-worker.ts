/**
 * hubrun's worker inside the benchmark process (`createHubrunWorker`), for the comparisons that
 * run it next to the baseline's: wired to the emulator, writing to the run's scratch folder and
 * loading the workflow bundle built once per run.
 */
import type { NativeConnection, Worker } from '@temporalio/worker';
import { EMULATOR_DEFAULT_TOKEN } from '../../src/emulator';
import { createHubrunWorker } from '../../src/worker';
import type { BenchContext } from '../context';

/** Where an in-process hubrun worker connects and what it serves. */
export interface InProcessWorkerOptions {
  /** A connection to the Temporal server, in this process. */
  connection: NativeConnection;
  taskQueue: string;
  /** API root of the emulator, as its `url`. */
  emulatorUrl: string;
}

/** A hubrun worker in this process against the emulator, in the `default` namespace, on the run's bundle. */
export function createInProcessHubrunWorker(
  ctx: Pick<BenchContext, 'workDir' | 'hubrunBundle'>,
  options: InProcessWorkerOptions,
): Promise<Worker> {
  return createHubrunWorker({
    connection: options.connection,
    namespace: 'default',
    taskQueue: options.taskQueue,
    aihub: {
      apiRoot: options.emulatorUrl,
      token: EMULATOR_DEFAULT_TOKEN,
      ibContext: undefined,
      requestTimeoutMs: 10_000,
    },
    outputDir: ctx.workDir,
    workflowBundlePath: ctx.hubrunBundle,
  });
}
