/**
 * The emulator as a process: `npx tsx src/emulator/main.ts [--port 7243] [--state FILE] ...`.
 * Prints one line, `AI Hub emulator listening on <url> (token: <token>)`, and on SIGINT/SIGTERM
 * closes gracefully (the state file is flushed).
 */
import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import { EMULATOR_DEFAULT_PORT, EMULATOR_DEFAULT_TOKEN } from './catalogue';
import { FaultRulesSchema } from './faults';
import { describeIssues } from './http-util';
import { startEmulator } from './index';
import type { FaultRule } from './types';

/** Where the emulator keeps its state unless given `--state` (or `--no-state`). */
export const DEFAULT_STATE_FILE = '.hubrun/emulator-state.json';

function integer(min: number): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}`);
    return n;
  };
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

async function loadFaults(file: string): Promise<FaultRule[]> {
  const parsed = FaultRulesSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${describeIssues(parsed.error, 'rules')}`);
  return parsed.data;
}

interface MainOptions {
  port: number;
  host: string;
  state: string | false;
  dataDir?: string;
  pageSize?: number;
  faults?: string;
  token?: string[];
  context?: string[];
  log?: boolean;
  adminPublic?: boolean;
}

/**
 * Runs the emulator until SIGINT/SIGTERM. `argv` is node-style: its first two entries (node and the
 * script) are skipped.
 */
export async function main(argv: string[] = process.argv): Promise<void> {
  const program = new Command('aihub-emulator')
    .description('A local AI Hub API emulator (see docs/aihub-api.md)')
    .option('--port <n>', 'TCP port (0 picks a free one)', integer(0), EMULATOR_DEFAULT_PORT)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--state <file>', 'JSON state file, reloaded on start', DEFAULT_STATE_FILE)
    .option('--no-state', 'keep state in memory only')
    .option('--data-dir <dir>', 'uploaded bytes and the drive (default: <state>.data)')
    .option('--page-size <n>', 'files per results page', integer(1))
    .option('--faults <file>', 'JSON file of fault rules ([...] or {"rules": [...]})')
    .option('--token <t>', `accepted bearer token, repeatable (default: ${EMULATOR_DEFAULT_TOKEN})`, collect)
    .option('--context <c>', 'accepted IB-Context value, repeatable (default: acme)', collect)
    .option('--log', 'log every request')
    .option(
      '--admin-public',
      'answer /_emulator admin requests from any address, not only loopback (docker compose needs it)',
    )
    .parse(argv);
  const opts = program.opts<MainOptions>();
  const tokens = opts.token ?? [EMULATOR_DEFAULT_TOKEN];

  const emulator = await startEmulator({
    port: opts.port,
    host: opts.host,
    tokens,
    log: opts.log ?? false,
    adminPublic: opts.adminPublic ?? false,
    ...(opts.state === false ? {} : { stateFile: opts.state }),
    ...(opts.dataDir === undefined ? {} : { dataDir: opts.dataDir }),
    ...(opts.pageSize === undefined ? {} : { pageSize: opts.pageSize }),
    ...(opts.context === undefined ? {} : { contexts: opts.context }),
    ...(opts.faults === undefined ? {} : { faults: await loadFaults(opts.faults) }),
  });
  console.log(`AI Hub emulator listening on ${emulator.url} (token: ${tokens[0]})`);

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await emulator.close();
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
