/**
 * The `hubrun` command line. Each command has `--help`; errors go to stderr with a non-zero
 * exit (2 for bad usage), and nothing is started when the input is wrong.
 *
 * A command's module loads only when that command runs: `hubrun --help` and `--version` load
 * commander and nothing else; `status`, `list`, `results` and `cancel` load the Temporal client
 * but neither zod, the input schemas nor the worker's native bridge; only `emulator`, `dev` and
 * `demo` load fastify. The others appear in the command list by name and summary alone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import type * as ClientConfigModule from '../client-config';
import type * as AuditModule from './audit-command';
import type * as EmulatorModule from '../emulator/main';
import type * as WorkerModule from '../worker';
import type * as DemoModule from './demo';
import type * as HookModule from './hook-command';
import type * as InspectModule from './inspect-commands';
import type * as RetryModule from './retry-command';
import type * as RunModule from './run-command';
import type * as ScheduleModule from './schedule-command';
import { UsageError } from './usage-error';

/** One row of the command table: the commands one module adds, and how to add them. */
interface CommandGroup {
  /** Command names with the one-line summary `hubrun --help` lists. */
  commands: Readonly<Record<string, string>>;
  /** Loads the module and adds its commands in full (options, arguments, action). */
  add(cli: Command): void;
  /** False where the group's code is not installed (the emulator and dev stack outside a checkout). */
  available?: () => boolean;
}

/*
 * `require`, not `import()`: from source, tests load TypeScript through tsx's CommonJS hook,
 * which dynamic imports bypass.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const load = {
  run: (): typeof RunModule => require('./run-command') as typeof RunModule,
  retry: (): typeof RetryModule => require('./retry-command') as typeof RetryModule,
  audit: (): typeof AuditModule => require('./audit-command') as typeof AuditModule,
  inspect: (): typeof InspectModule => require('./inspect-commands') as typeof InspectModule,
  schedule: (): typeof ScheduleModule => require('./schedule-command') as typeof ScheduleModule,
  worker: (): typeof WorkerModule => require('../worker') as typeof WorkerModule,
  emulator: (): typeof EmulatorModule => require('../emulator/main') as typeof EmulatorModule,
  demo: (): typeof DemoModule => require('./demo') as typeof DemoModule,
  hook: (): typeof HookModule => require('./hook-command') as typeof HookModule,
  clientConfig: (): typeof ClientConfigModule => require('../client-config') as typeof ClientConfigModule,
};
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * The emulator and the local stack are development tools: the published package leaves their
 * code out (package.json `files`) and a production install lacks fastify, so their commands
 * exist only where both resolve.
 */
function devToolsInstalled(): boolean {
  try {
    require.resolve('../emulator/main');
    require.resolve('fastify');
    return true;
  } catch {
    return false;
  }
}

const commandTable: readonly CommandGroup[] = [
  {
    commands: { run: 'start a pipeline or a fan-out' },
    add: (cli) => load.run().addRunCommand(cli),
  },
  {
    commands: { retry: "run a failed pipeline (or a fan-out's failed children) again" },
    add: (cli) => load.retry().addRetryCommand(cli),
  },
  {
    commands: { audit: "AI Hub runs with hubrun's tag: owned, delivered or orphaned" },
    add: (cli) => load.audit().addAuditCommand(cli),
  },
  {
    commands: {
      status: "a pipeline's or fan-out's progress",
      results: "a finished pipeline's or fan-out's summary",
      cancel: 'cancel a pipeline or fan-out',
      list: 'pipelines and fan-outs, newest first',
    },
    add: (cli) => load.inspect().addInspectCommands(cli),
  },
  {
    commands: { schedule: 'Temporal Schedules declared in a YAML file' },
    add: (cli) => void load.schedule().addScheduleCommands(cli),
  },
  {
    commands: { worker: 'run a worker against the configured Temporal and AI Hub' },
    add: (cli) => {
      cli
        .command('worker')
        .description(
          'run a worker against the configured Temporal and AI Hub (see the environment table in README.md)',
        )
        .action(() => load.worker().main());
    },
  },
  {
    commands: { hook: "the run-finished hook: AI Hub's notifications signal pipelines checkNow" },
    add: (cli) => load.hook().addHookCommand(cli),
  },
  {
    commands: { emulator: 'the local AI Hub emulator alone' },
    available: devToolsInstalled,
    add: (cli) => {
      cli
        .command('emulator')
        .description('run the local AI Hub emulator alone (hubrun emulator --help for its options)')
        .helpOption(false)
        .allowUnknownOption()
        .allowExcessArguments()
        .action((_opts: unknown, command: Command) =>
          load.emulator().main(['node', 'hubrun emulator', ...command.args]),
        );
    },
  },
  {
    commands: {
      dev: 'the local stack (Temporal dev server, emulator, worker) until Ctrl-C',
      demo: 'the local stack plus one pipeline over examples/invoices',
    },
    available: devToolsInstalled,
    add: (cli) => {
      cli
        .command('dev')
        .description(
          'start the local stack: Temporal dev server (UI on :8233), the AI Hub emulator unless AIHUB_API_ROOT is set, and a worker',
        )
        .action(() => load.demo().runDev());
      cli
        .command('demo')
        .description(
          'the local stack plus one pipeline over examples/invoices, with live progress and the summary',
        )
        .action(() => load.demo().runDemo());
    },
  },
];

/** `hubrun <version> (Temporal TypeScript SDK <version>, Node.js <version>)`. */
export function versionLine(): string {
  const versionOf = (packageJson: string): string =>
    (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
  const own = versionOf(join(__dirname, '..', '..', 'package.json'));
  // Required, not read: in the bundled CLI (scripts/bundle-cli.mjs) it is the SDK bundled with it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = (require('@temporalio/client/package.json') as { version: string }).version;
  return `hubrun ${own} (Temporal TypeScript SDK ${sdk}, Node.js ${process.version})`;
}

/** The command `argv` names (`hubrun help X` names X), if any. */
function commandNamed(argv: readonly string[]): string | undefined {
  const [first, second] = argv.slice(2).filter((arg) => !arg.startsWith('-'));
  return first === 'help' ? second : first;
}

/** The program, with the named command's group added in full and the others listed by summary. */
function program(argv: readonly string[]): Command {
  const cli = new Command('hubrun')
    .description('Durable orchestrator for Instabase AI Hub batch runs, on Temporal')
    .version(versionLine(), '-V, --version', 'print the versions of hubrun, the Temporal SDK and Node.js')
    .exitOverride();
  const named = commandNamed(argv);
  for (const group of commandTable) {
    if (group.available !== undefined && !group.available()) continue;
    if (named !== undefined && named in group.commands) {
      group.add(cli);
      continue;
    }
    for (const [name, summary] of Object.entries(group.commands)) {
      cli.command(name).description(summary);
    }
  }
  return cli;
}

/** Parses `argv` (node-style) and runs the command; sets the exit code on failure. */
export async function run(argv: string[]): Promise<void> {
  try {
    await program(argv).parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    // A ConfigError means a command has loaded the configuration, so this costs nothing then.
    if (err instanceof UsageError || err instanceof load.clientConfig().ConfigError) {
      console.error(`hubrun: ${err.message}`);
      process.exitCode = 2;
      return;
    }
    console.error(`hubrun: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}

if (require.main === module) void run(process.argv);
