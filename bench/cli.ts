/**
 * Section `cli`: how long the `hubrun` command line takes to answer, timed from outside (spawn to
 * exit) as a shell or a script sees it. Side by side, interleaved run by run so machine noise
 * falls on all alike: a bare `node -e 0` (the floor), the compiled CLI (`bin/hubrun.js`: the
 * bundle in dist/ with its code cache, and without one), and the path every command took before
 * it was compiled by default: the TypeScript sources through tsx, with the modules the entry
 * loaded up front then (configuration, run, inspect and schedule commands). Beside them, what a
 * plain `require('@temporalio/client')` costs, and the same commands on Node.js 24 where `.ci/run`
 * installed it.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getPipeline, getProgress, startPipeline } from '../src/client';
import { phases } from '../src/progress';
import type { BenchContext } from './context';
import { startLocalStack } from './stack/local-stack';
import { atLeast, atMost, fmt } from './report';
import type { Check, SectionResult, Table } from './report';
import { percentile } from './stats';

const root = join(__dirname, '..');

const NODE = 'node -e 0';
const COMPILED = 'hubrun (compiled)';
const COMPILED_NO_CACHE = 'hubrun, no code cache';
const TSX = 'tsx path (before)';
const TSX_COLD = 'tsx path, cold cache';
const CLIENT_LOAD = 'node -e "require(\'@temporalio/client\')"';

/** Node.js 24 as .ci/run installs it. */
const NODE24 = join(root, '.tools', 'node24', 'bin', 'node');

/** An app whose run stays RUNNING for the whole section: `status` always finds a waiting pipeline. */
const SLOW_APP = 'bench-cli-slow';

/** Today's tsx launcher, as bin/hubrun.js was: tsx's CommonJS hook, then the CLI's sources. */
function tsxLauncher(): string {
  const eager = [
    'src/config.ts',
    'src/cli/run-command.ts',
    'src/cli/inspect-commands.ts',
    'src/cli/schedule-command.ts',
  ];
  return [
    `require(${JSON.stringify(require.resolve('tsx/cjs'))});`,
    `for (const m of ${JSON.stringify(eager)}) require(${JSON.stringify(root)} + '/' + m);`,
    `require(${JSON.stringify(join(root, 'src', 'cli', 'main.ts'))}).run(process.argv);`,
  ].join('\n');
}

interface Variant {
  name: string;
  argv: (args: string[]) => string[];
  env?: Record<string, string>;
}

/** A command the section times, as `hubrun <args>`. */
interface CliCommand {
  label: string;
  args: string[];
}

/** Wall-clock milliseconds from spawn to exit; fails unless the exit code is 0. */
function timeOnce(node: string, argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(node, argv, { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code === 0) resolve(ms);
      else reject(new Error(`${node} ${argv.join(' ')} exited ${code}: ${stderr}`));
    });
  });
}

/** Times of each command and variant on one Node binary. */
class Timings {
  private readonly times = new Map<string, number[]>();

  private static key(command: string, variant: string): string {
    return `${command}\u0000${variant}`;
  }

  add(command: string, variant: string, ms: number): void {
    const key = Timings.key(command, variant);
    this.times.set(key, [...(this.times.get(key) ?? []), ms]);
  }

  median(command: string, variant: string): number {
    return percentile(this.times.get(Timings.key(command, variant)) ?? [], 50);
  }

  p90(command: string, variant: string): number {
    return percentile(this.times.get(Timings.key(command, variant)) ?? [], 90);
  }

  ratio(command: string, over: string, under: string): number {
    return this.median(command, over) / this.median(command, under);
  }

  /** Every time, keyed `command | variant`, for results.json. */
  data(): Record<string, number[]> {
    return Object.fromEntries([...this.times].map(([k, v]) => [k.replace('\u0000', ' | '), v]));
  }
}

/**
 * Each command `runs` times under each variant, interleaved run by run so machine noise falls on
 * all alike, after one warm-up each.
 */
async function timeCommands(
  ctx: BenchContext,
  node: string,
  commands: readonly CliCommand[],
  variants: readonly Variant[],
  runs: number,
  env: NodeJS.ProcessEnv,
): Promise<Timings> {
  const timings = new Timings();
  for (const command of commands) {
    ctx.log(`cli: ${command.label} on ${node}, ${runs} runs per variant (after one warm-up each)`);
    for (const variant of variants)
      await timeOnce(node, variant.argv(command.args), { ...env, ...variant.env });
    for (let i = 0; i < runs; i++) {
      for (const variant of variants) {
        timings.add(
          command.label,
          variant.name,
          await timeOnce(node, variant.argv(command.args), { ...env, ...variant.env }),
        );
      }
    }
  }
  return timings;
}

/** The table of `timings`: a median (p90) cell per variant, then ratios of the tsx paths and Node to the compiled CLI. */
function timingsTable(
  title: string,
  timings: Timings,
  commands: readonly CliCommand[],
  variants: readonly Variant[],
): Table {
  const names = variants.map((v) => v.name);
  const ratios: [string, string, string][] = [
    ['tsx / compiled', TSX, COMPILED],
    ['tsx cold / compiled', TSX_COLD, COMPILED],
    ['compiled / node -e 0', COMPILED, NODE],
  ];
  const shown = ratios.filter(([, over, under]) => names.includes(over) && names.includes(under));
  return {
    title,
    headers: ['command', ...names, ...shown.map(([header]) => header)],
    rows: commands.map(({ label }) => [
      `\`hubrun ${label}\``,
      ...names.map((name) => `${fmt(timings.median(label, name))} ms (${fmt(timings.p90(label, name))})`),
      ...shown.map(([, over, under]) => `${fmt(timings.ratio(label, over, under))}×`),
    ]),
  };
}

/** Runs the section. */
export async function runCli(ctx: BenchContext): Promise<SectionResult> {
  const runs = ctx.quick ? 5 : 20;
  const launcher = join(ctx.workDir, 'hubrun-tsx.js');
  await writeFile(launcher, tsxLauncher());

  const stack = await startLocalStack(ctx, {
    bundle: ctx.hubrunBundle,
    name: 'cli',
    apps: [{ id: SLOW_APP, name: SLOW_APP, fields: ['total'], msPerFile: 24 * 3_600_000 }],
  });
  try {
    const workflowId = `bench-cli-${Date.now()}`;
    await startPipeline(
      stack.server.client,
      { workflowId, appId: SLOW_APP, batchId: stack.batchId },
      { taskQueue: stack.taskQueue },
    );
    const env: NodeJS.ProcessEnv = {
      ...Object.fromEntries(
        Object.entries(process.env).filter(([k]) => !/^(AIHUB_|HUBRUN_|TEMPORAL_)/.test(k)),
      ),
      TEMPORAL_ADDRESS: stack.server.address,
      HUBRUN_TASK_QUEUE: stack.taskQueue,
    };
    // Wait until the pipeline reports WAITING, so every `status` below answers the same question.
    for (;;) {
      const progress = await getProgress(getPipeline(stack.server.client, workflowId));
      if (progress.phase === phases.waiting) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    const variants: Variant[] = [
      { name: NODE, argv: () => ['-e', '0'] },
      { name: COMPILED, argv: (args) => [join(root, 'bin', 'hubrun.js'), ...args] },
      { name: TSX, argv: (args) => [launcher, ...args] },
      // A first run, or the first after a source changed: tsx compiles every file again.
      {
        name: TSX_COLD,
        argv: (args) => [launcher, ...args],
        env: { TSX_DISABLE_CACHE: '1' },
      },
      // A command's first run: no code cache to read (bin/code-cache.js finds no folder to keep one in).
      {
        name: COMPILED_NO_CACHE,
        argv: (args) => [join(root, 'bin', 'hubrun.js'), ...args],
        env: { TMPDIR: '/dev/null/no-code-cache' },
      },
    ];
    const status = 'status <running pipeline>';
    const commands: CliCommand[] = [
      { label: '--help', args: ['--help'] },
      { label: status, args: ['status', workflowId] },
      { label: 'list', args: ['list', '--limit', '5'] },
    ];
    const timings = await timeCommands(ctx, process.execPath, commands, variants, runs, env);
    // What loading the Temporal client costs a plain require: unbundled, no code cache.
    const clientLoad = await timeCommands(
      ctx,
      process.execPath,
      [{ label: CLIENT_LOAD, args: [] }],
      [{ name: CLIENT_LOAD, argv: () => ['-e', "require('@temporalio/client')"] }],
      runs,
      env,
    );
    const clientLoadMs = clientLoad.median(CLIENT_LOAD, CLIENT_LOAD) - timings.median('--help', NODE);

    const tables = [
      timingsTable(
        `Wall-clock time per invocation, median (p90) of ${runs} runs`,
        timings,
        commands,
        variants,
      ),
    ];
    let node24: Timings | undefined;
    if (existsSync(NODE24)) {
      // The current LTS line as CI installs it (.ci/run).
      const node24Commands = commands.slice(0, 2);
      const node24Variants = variants.slice(0, 3);
      node24 = await timeCommands(ctx, NODE24, node24Commands, node24Variants, Math.ceil(runs / 2), env);
      tables.push(
        timingsTable(
          `The same on Node.js 24 (${NODE24}), median (p90) of ${Math.ceil(runs / 2)} runs`,
          node24,
          node24Commands,
          node24Variants,
        ),
      );
    }
    const checks: Check[] = [
      atLeast('`--help`: tsx path / compiled', timings.ratio('--help', TSX, COMPILED), '×', 5),
      atMost('`--help`: compiled / `node -e 0`', timings.ratio('--help', COMPILED, NODE), '×', 3),
      atLeast('`status`: tsx path / compiled', timings.ratio(status, TSX, COMPILED), '×', 3),
      ...(node24
        ? [
            atLeast(
              '`status` on Node.js 24: tsx path / compiled',
              node24.ratio(status, TSX, COMPILED),
              '×',
              3,
            ),
          ]
        : []),
    ];
    const statusMs = timings.median(status, COMPILED);
    const nodeMs = timings.median('--help', NODE);
    return {
      id: 'cli',
      title: 'CLI response time: compiled vs the tsx path vs bare Node',
      method:
        `Each command spawned as its own process from the bench (\`${process.execPath} ...\`, cwd the checkout), timed ` +
        'from spawn to exit, its output discarded; the variants run in turn, one warm-up each, so the tsx path answers ' +
        "from its transform cache as it does on a developer's second run (the targets are set against it); the cold " +
        'column (TSX_DISABLE_CACHE=1) is a first run, or the first after the sources changed. `status` asks a pipeline that waits for a ' +
        'day-long run (on a fresh Temporal dev server with the emulator and a `hubrun worker`), `list` the same ' +
        'server. The compiled CLI is the bundle bin/hubrun.js runs (dist/cli/hubrun.js) with the code cache of the ' +
        "command, which the warm-up run makes as a user's first run does; the no-code-cache column is every run " +
        'without it (TMPDIR unusable). Both include bin/hubrun.js checking, in a checkout, that dist/ is not older ' +
        'than src/. The tsx variant loads what the entry loaded before commands loaded lazily; its Node is the same ' +
        'binary. ' +
        `Beside them, a plain \`node -e "require('@temporalio/client')"\` (unbundled, no cache), ${runs} runs.` +
        (node24
          ? ' Node.js 24 where CI installs it (.tools/node24), with fewer runs and no cold columns.'
          : ''),
      tables,
      checks,
      notes: [
        '`--help` loads commander and the command table only: ' +
          `${fmt(timings.median('--help', COMPILED) - timings.median('--help', NODE))} ms above Node itself. ` +
          "`status`, `list`, `results` and `cancel` load the Temporal client, `@temporalio/envconfig` and hubrun's " +
          'small name, progress and handle modules: no zod, no configuration or input schema.',
        `\`status\` takes ${fmt(statusMs)} ms with its code cache and ` +
          `${fmt(timings.median(status, COMPILED_NO_CACHE))} ms without: Node itself ${fmt(nodeMs)} ms; a plain ` +
          `\`require('@temporalio/client')\` costs ${fmt(clientLoadMs)} ms on top of Node (reading and compiling ` +
          'the gRPC and SDK modules, then building the protobuf definitions of the whole Temporal API from JSON), ' +
          'which the bundle and the code cache cut to what building those definitions takes; then connecting (one ' +
          'GetSystemInfo call), one describe and one query, whose first messages also build their protobuf codecs. ' +
          `The 3× target needs \`status\` under ${fmt(timings.median(status, TSX) / 3)} ms.`,
        'Tried and not taken: the v8-compile-cache package, and Node’s own compile cache for the bundle: both keep ' +
          'the cache V8 makes before the code runs, which holds little more than the top level.' +
          (node24
            ? ` On Node.js 24, Node itself starts in ${fmt(node24.median('--help', NODE))} ms and \`status\` takes ` +
              `${fmt(node24.median(status, COMPILED))} ms (tsx path ${fmt(node24.ratio(status, TSX, COMPILED))}× slower).`
            : ''),
      ],
      data: {
        machineNode: timings.data(),
        clientLoad: clientLoad.data(),
        ...(node24 ? { node24: node24.data() } : {}),
      },
    };
  } finally {
    await stack.close();
  }
}
