/** Runs the `hubrun` command line as a subprocess, as a user would (`bin/hubrun.js`). */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';

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
