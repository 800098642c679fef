/**
 * hubrun's production worker process (`node bin/hubrun.js worker`) started as a child, so that
 * its memory and CPU are its own: configured through the environment like in production, with a
 * prebuilt workflow bundle, and optionally profiled (`--cpu-prof`).
 */
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { EMULATOR_DEFAULT_TOKEN } from '../../src/emulator';
import { projectRoot } from '../../src/dev/temporal-binaries';
import { stopChild } from './dev-server';
import { freePort } from '../../test/helpers/processes';

/** A running worker process. */
export interface WorkerProcess {
  pid: number;
  /** Stops the worker with SIGTERM (graceful shutdown) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Options of {@link startWorkerProcess}. */
export interface WorkerProcessOptions {
  temporalAddress: string;
  /** Used to wait until the worker polls its task queue. */
  client: Client;
  emulatorUrl: string;
  taskQueue: string;
  outputDir: string;
  workflowBundlePath: string;
  /** stdout and stderr go to `<logDir>/worker-<taskQueue>.log`. */
  logDir: string;
  /** Write a V8 CPU profile into this folder when the worker exits. */
  cpuProfileDir?: string | undefined;
}

/** Variables of the parent that would reconfigure the child are dropped. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(AIHUB_|HUBRUN_|TEMPORAL_)/.test(key)),
  );
}

/** Starts `hubrun worker` and resolves once it polls `taskQueue`. */
export async function startWorkerProcess(options: WorkerProcessOptions): Promise<WorkerProcess> {
  const log = openSync(join(options.logDir, `worker-${options.taskQueue}.log`), 'a');
  const nodeArgs =
    options.cpuProfileDir !== undefined
      ? ['--cpu-prof', '--cpu-prof-interval=5000', `--cpu-prof-dir=${options.cpuProfileDir}`]
      : [];
  const child = spawn(process.execPath, [...nodeArgs, join(projectRoot, 'bin', 'hubrun.js'), 'worker'], {
    cwd: projectRoot,
    env: {
      ...cleanEnv(),
      AIHUB_API_ROOT: options.emulatorUrl,
      AIHUB_API_TOKEN: EMULATOR_DEFAULT_TOKEN,
      TEMPORAL_ADDRESS: options.temporalAddress,
      HUBRUN_TASK_QUEUE: options.taskQueue,
      HUBRUN_OUTPUT_DIR: options.outputDir,
      HUBRUN_WORKFLOW_BUNDLE: options.workflowBundlePath,
      HUBRUN_METRICS_ADDRESS: `127.0.0.1:${await freePort()}`,
      HUBRUN_LOG_LEVEL: 'WARN',
    },
    stdio: ['ignore', log, log],
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`hubrun worker exited with code ${code}`))),
  );
  exited.catch(() => undefined);
  const handle: WorkerProcess = { pid: child.pid!, stop: () => stopChild(child) };
  try {
    await Promise.race([waitForPollers(options.client, options.taskQueue), exited]);
    return handle;
  } catch (err) {
    await handle.stop();
    throw err;
  }
}

/** `temporal.api.enums.v1.TaskQueueType` values (the proto package is not a direct dependency). */
const TASK_QUEUE_TYPE_WORKFLOW = 1;
const TASK_QUEUE_TYPE_ACTIVITY = 2;

/** Resolves when a worker polls both the workflow and the activity side of `taskQueue`. */
async function waitForPollers(client: Client, taskQueue: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const types = [TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY];
  for (;;) {
    const polled = await Promise.all(
      types.map(async (taskQueueType) => {
        const answer = await client.workflowService.describeTaskQueue({
          namespace: client.options.namespace,
          taskQueue: { name: taskQueue },
          taskQueueType,
        });
        return (answer.pollers?.length ?? 0) > 0;
      }),
    );
    if (polled.every(Boolean)) return;
    if (Date.now() > deadline) throw new Error(`no worker polled ${taskQueue} within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
