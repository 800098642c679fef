/** Runs the `hubrun` command line as a subprocess, as a user would (`bin/hubrun.js`). */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { Worker } from '@temporalio/worker';
import type { HubrunWorkerOptions } from '../../src/worker';
import { startPipelineEnv } from './pipeline-env';
import type { PipelineEnv } from './pipeline-env';

/** The repository root. */
export const repoRoot = join(__dirname, '..', '..');

/** How a CLI run ended. */
export interface CliOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `hubrun <args>` with `env` added to this process's environment (the token variables removed). */
export function spawnCli(args: string[], env: Record<string, string> = {}): ChildProcessWithoutNullStreams {
  const inherited = { ...process.env };
  for (const name of ['AIHUB_API_ROOT', 'AIHUB_API_TOKEN', 'AIHUB_API_TOKEN_FILE']) delete inherited[name];
  return spawn(process.execPath, [join(repoRoot, 'bin', 'hubrun.js'), ...args], {
    cwd: repoRoot,
    env: { ...inherited, HUBRUN_METRICS_ADDRESS: 'off', ...env },
  });
}

/** Runs `hubrun <args>` to its end; collects stdout and stderr apart. */
export async function runCli(args: string[], env: Record<string, string> = {}): Promise<CliOutcome> {
  const child = spawnCli(args, env);
  return outcomeOf(child);
}

/** Collects a started CLI's output until it exits. */
export function outcomeOf(child: ChildProcessWithoutNullStreams): Promise<CliOutcome> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** A pipeline environment with a worker running, and the environment a CLI process needs to reach it. */
export interface CliStack {
  readonly env: PipelineEnv;
  /** `TEMPORAL_ADDRESS` and `HUBRUN_TASK_QUEUE` of the environment, for {@link runCli}. */
  readonly cliEnv: Record<string, string>;
}

/**
 * Registers the suite's hooks: before its tests, a Temporal dev server, an emulator and a worker
 * (with `overrides`) running on their task queue; after them, all of it stopped.
 */
export function useCliStack(overrides: Partial<HubrunWorkerOptions> = {}): CliStack {
  let env: PipelineEnv | undefined;
  let worker: Worker | undefined;
  let workerDone: Promise<void> | undefined;
  before(async () => {
    env = await startPipelineEnv();
    worker = await env.createWorker(overrides);
    workerDone = worker.run();
  });
  after(async () => {
    worker?.shutdown();
    await workerDone;
    await env?.close();
  });
  const started = (): PipelineEnv => {
    if (env === undefined) throw new Error('the CLI stack is not started yet: use it inside a test');
    return env;
  };
  return {
    get env() {
      return started();
    },
    get cliEnv() {
      return { TEMPORAL_ADDRESS: started().temporal.address, HUBRUN_TASK_QUEUE: started().taskQueue };
    },
  };
}
