/** A worker hosting the baseline workflow with hubrun's activities plus the baseline's status check. */
import { Worker } from '@temporalio/worker';
import type { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { AihubClient } from '../../src/aihub';
import { EMULATOR_DEFAULT_TOKEN } from '../../src/emulator';
import { createBaselineActivities } from './activities';

/** Options of {@link createBaselineWorker}. */
export interface BaselineWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  emulatorUrl: string;
  outputDir: string;
  /** The bundle written by `bundleBaselineWorkflows`. */
  workflowBundlePath: string;
}

/** The baseline worker, wired to the emulator like hubrun's. */
export function createBaselineWorker(options: BaselineWorkerOptions): Promise<Worker> {
  const aihub = new AihubClient({
    apiRoot: options.emulatorUrl,
    token: EMULATOR_DEFAULT_TOKEN,
    timeoutMs: 10_000,
  });
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue,
    workflowBundle: { codePath: options.workflowBundlePath },
    activities: {
      ...createActivities({
        aihub,
        apiRoot: options.emulatorUrl,
        ibContext: undefined,
        outputDir: options.outputDir,
        // The baseline never uploads local files.
        filesRoots: [],
        secretFiles: [],
      }),
      ...createBaselineActivities(aihub),
    },
  });
}
