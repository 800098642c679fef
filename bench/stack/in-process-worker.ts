/**
 * hubrun's worker and the baseline's inside the benchmark process, for the comparisons that run
 * them side by side: wired to the emulator, writing to the run's scratch folder and loading the
 * workflow bundles built once per run.
 */
import { randomUUID } from 'node:crypto';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { EMULATOR_DEFAULT_TOKEN } from '../../src/emulator';
import { createHubrunWorker } from '../../src/worker';
import { createBaselineWorker } from '../baseline/worker';
import type { BenchContext } from '../context';

/** Where an in-process hubrun worker connects and what it serves. */
interface InProcessWorkerOptions {
  /** A connection to the Temporal server, in this process. */
  connection: NativeConnection;
  taskQueue: string;
  /** API root of the emulator, as its `url`. */
  emulatorUrl: string;
}

/** A hubrun worker in this process against the emulator, in the `default` namespace, on the run's bundle. */
function createInProcessHubrunWorker(
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

/** The task queues of a side-by-side comparison: hubrun's worker serves one, the baseline's the other. */
export interface SideBySideQueues {
  hubrun: string;
  baseline: string;
}

/**
 * Runs hubrun's worker and the baseline's (bench/baseline) in this process, each on a fresh task
 * queue against the emulator, while `fn` runs; shuts both down after it.
 */
export async function withSideBySideWorkers<T>(
  ctx: Pick<BenchContext, 'workDir' | 'hubrunBundle' | 'baselineBundle'>,
  options: Omit<InProcessWorkerOptions, 'taskQueue'> & { section: string },
  fn: (queues: SideBySideQueues) => Promise<T>,
): Promise<T> {
  const queues = {
    hubrun: `bench-${options.section}-hubrun-${randomUUID()}`,
    baseline: `bench-${options.section}-baseline-${randomUUID()}`,
  };
  const { connection, emulatorUrl } = options;
  const workers = [
    await createInProcessHubrunWorker(ctx, { connection, emulatorUrl, taskQueue: queues.hubrun }),
    await createBaselineWorker({
      connection,
      taskQueue: queues.baseline,
      emulatorUrl,
      outputDir: ctx.workDir,
      workflowBundlePath: ctx.baselineBundle,
    }),
  ];
  const running = workers.map((w) => w.run());
  try {
    return await fn(queues);
  } finally {
    workers.forEach((w) => w.shutdown());
    await Promise.all(running);
  }
}
