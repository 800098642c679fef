/**
 * What the command line and client helpers need of the environment: the Temporal connection (from
 * `@temporalio/envconfig`) and the task queue. Zod-free, so the commands that only inspect
 * pipelines load no schema; `src/config.ts` reads the rest and re-exports these.
 */
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { ClientConnectConfig } from '@temporalio/envconfig';
import { DEFAULT_TASK_QUEUE } from './names';

/** Thrown by the configuration loaders; `problems` lists every invalid or missing variable at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The Temporal connection and task queue: all the command line needs. */
export interface ClientConfig {
  temporal: ClientConnectConfig & { namespace: string };
  taskQueue: string;
}

/** What a task queue name may be: word characters, `.`, `:` and `-`, at most 200 of them. */
export const TASK_QUEUE_PATTERN = /^[\w.:-]{1,200}$/;

/** `HUBRUN_TASK_QUEUE`, trimmed, or the default when unset or blank; a problem is added to `problems`. */
export function taskQueueOf(env: NodeJS.ProcessEnv, problems: string[]): string {
  const value = env.HUBRUN_TASK_QUEUE?.trim();
  if (value === undefined || value === '') return DEFAULT_TASK_QUEUE;
  if (!TASK_QUEUE_PATTERN.test(value)) {
    problems.push(`HUBRUN_TASK_QUEUE: Invalid string: must match pattern ${String(TASK_QUEUE_PATTERN)}`);
  }
  return value;
}

/** The Temporal connection as `@temporalio/envconfig` reads it; a problem is added to `problems`. */
export function loadTemporal(
  env: NodeJS.ProcessEnv,
  problems: string[],
): ClientConfig['temporal'] | undefined {
  try {
    const loaded = loadClientConnectConfig({ overrideEnvVars: definedOnly(env) });
    const temporal = { ...loaded, namespace: loaded.namespace ?? 'default' };
    temporal.connectionOptions.address ??= 'localhost:7233';
    return temporal;
  } catch (err) {
    problems.push(`TEMPORAL_*: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

/**
 * Reads the Temporal connection and task queue only (the command line's needs); never touches
 * the AI Hub variables or their files. Throws {@link ConfigError} naming every problem.
 */
export function loadClientConfig(env: NodeJS.ProcessEnv = process.env): Readonly<ClientConfig> {
  const problems: string[] = [];
  const taskQueue = taskQueueOf(env, problems);
  const temporal = loadTemporal(env, problems);
  if (problems.length > 0 || temporal === undefined) throw new ConfigError(problems);
  return Object.freeze({ temporal, taskQueue });
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}
