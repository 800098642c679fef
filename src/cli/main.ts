/**
 * The `hubrun` command line. Each command has `--help`; errors go to stderr with a non-zero
 * exit (2 for bad usage), and nothing is started when the input is wrong.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config';
import { main as emulatorMain } from '../emulator/main';
import { runDemo, runDev } from './demo';
import { addInspectCommands } from './inspect-commands';
import { addRunCommand } from './run-command';
import { addScheduleCommands } from './schedule-command';
import { UsageError } from './usage-error';
import { main as workerMain } from '../worker';

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
    .action(() => workerMain());

  cli
    .command('emulator')
    .description('run the local AI Hub emulator alone (hubrun emulator --help for its options)')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .action((_opts: unknown, command: Command) => emulatorMain(['node', 'hubrun emulator', ...command.args]));

  cli
    .command('dev')
    .description(
      'start the local stack: Temporal dev server (UI on :8233), the AI Hub emulator unless AIHUB_API_ROOT is set, and a worker',
    )
    .action(() => runDev());

  cli
    .command('demo')
    .description(
      'the local stack plus one pipeline over examples/invoices, with live progress and the summary',
    )
    .action(() => runDemo());
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
