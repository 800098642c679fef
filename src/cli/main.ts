/**
 * The `hubrun` command line. Each command has `--help`; errors go to stderr with a non-zero
 * exit (2 for bad usage), and nothing is started when the input is wrong.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config';
import type * as EmulatorModule from '../emulator/main';
import type * as WorkerModule from '../worker';
import type * as DemoModule from './demo';
import { addInspectCommands } from './inspect-commands';
import { addRunCommand } from './run-command';
import { addScheduleCommands } from './schedule-command';
import { UsageError } from './usage-error';

/*
 * The worker, the emulator and the local stack load only when their command runs: they pull in
 * the Temporal worker's native bridge and fastify, which `run`, `status` and the others never
 * need. `require`, not `import()`: from source, bin/hubrun.js loads TypeScript through tsx's
 * CommonJS hook, which dynamic imports bypass.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const worker = (): typeof WorkerModule => require('../worker') as typeof WorkerModule;
const emulator = (): typeof EmulatorModule => require('../emulator/main') as typeof EmulatorModule;
const demo = (): typeof DemoModule => require('./demo') as typeof DemoModule;
/* eslint-enable @typescript-eslint/no-require-imports */

function program(): Command {
  const cli = new Command('hubrun')
    .description('Durable orchestrator for Instabase AI Hub batch runs, on Temporal')
    .exitOverride();
  addRunCommand(cli);
  addInspectCommands(cli);
  addScheduleCommands(cli);

  cli
    .command('worker')
    .description(
      'run a worker against the configured Temporal and AI Hub (see the environment table in README.md)',
    )
    .action(() => worker().main());

  cli
    .command('emulator')
    .description('run the local AI Hub emulator alone (hubrun emulator --help for its options)')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .action((_opts: unknown, command: Command) =>
      emulator().main(['node', 'hubrun emulator', ...command.args]),
    );

  cli
    .command('dev')
    .description(
      'start the local stack: Temporal dev server (UI on :8233), the AI Hub emulator unless AIHUB_API_ROOT is set, and a worker',
    )
    .action(() => demo().runDev());

  cli
    .command('demo')
    .description(
      'the local stack plus one pipeline over examples/invoices, with live progress and the summary',
    )
    .action(() => demo().runDemo());
  return cli;
}

/** Parses `argv` (node-style) and runs the command; sets the exit code on failure. */
export async function run(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    if (err instanceof UsageError || err instanceof ConfigError) {
      console.error(`hubrun: ${err.message}`);
      process.exitCode = 2;
      return;
    }
    console.error(`hubrun: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}

if (require.main === module) void run(process.argv);
