/**
 * Section `cli`: how long the `hubrun` command line takes to answer, timed from outside (spawn to
 * exit) as a shell or a script sees it. Three ways side by side, interleaved run by run so machine
 * noise falls on all alike: a bare `node -e 0` (the floor), the compiled CLI (`bin/hubrun.js`,
 * dist/), and the path every command took before it was compiled by default: the TypeScript
 * sources through tsx, with the modules the entry loaded up front then (configuration, run,
 * inspect and schedule commands).
 */
import { spawn } from 'node:child_process';
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
const TSX = 'tsx path (before)';
const TSX_COLD = 'tsx path, cold cache';

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

/** Wall-clock milliseconds from spawn to exit; fails unless the exit code is 0. */
function timeOnce(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, argv, { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code === 0) resolve(ms);
      else reject(new Error(`node ${argv.join(' ')} exited ${code}: ${stderr}`));
    });
  });
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
    ];
    const commands: { label: string; args: string[] }[] = [
      { label: '--help', args: ['--help'] },
      { label: 'status <running pipeline>', args: ['status', workflowId] },
      { label: 'list', args: ['list', '--limit', '5'] },
    ];
    const times = new Map<string, number[]>();
    const key = (command: string, variant: string): string => `${command}\u0000${variant}`;
    for (const command of commands) {
      ctx.log(`cli: ${command.label}, ${runs} runs per variant (after one warm-up each)`);
      for (const variant of variants) await timeOnce(variant.argv(command.args), { ...env, ...variant.env });
      for (let i = 0; i < runs; i++) {
        for (const variant of variants) {
          const ms = await timeOnce(variant.argv(command.args), { ...env, ...variant.env });
          const list = times.get(key(command.label, variant.name)) ?? [];
          list.push(ms);
          times.set(key(command.label, variant.name), list);
        }
      }
    }
    const median = (command: string, variant: string): number =>
      percentile(times.get(key(command, variant)) ?? [], 50);
    const p90 = (command: string, variant: string): number =>
      percentile(times.get(key(command, variant)) ?? [], 90);

    const table: Table = {
      title: `Wall-clock time per invocation, median (p90) of ${runs} runs`,
      headers: [
        'command',
        ...variants.map((v) => v.name),
        'tsx / compiled',
        'tsx cold / compiled',
        'compiled / node -e 0',
      ],
      rows: commands.map(({ label }) => [
        `\`hubrun ${label}\``,
        ...variants.map((v) => `${fmt(median(label, v.name))} ms (${fmt(p90(label, v.name))})`),
        `${fmt(median(label, TSX) / median(label, COMPILED))}×`,
        `${fmt(median(label, TSX_COLD) / median(label, COMPILED))}×`,
        `${fmt(median(label, COMPILED) / median(label, NODE))}×`,
      ]),
    };
    const ratio = (command: string, over: string, under: string): number =>
      median(command, over) / median(command, under);
    const checks: Check[] = [
      atLeast('`--help`: tsx path / compiled', ratio('--help', TSX, COMPILED), '×', 5),
      atMost('`--help`: compiled / `node -e 0`', ratio('--help', COMPILED, NODE), '×', 3),
      atLeast('`status`: tsx path / compiled', ratio('status <running pipeline>', TSX, COMPILED), '×', 3),
    ];
    return {
      id: 'cli',
      title: 'CLI response time: compiled vs the tsx path vs bare Node',
      method:
        `Each command spawned as its own process from the bench (\`${process.execPath} ...\`, cwd the checkout), timed ` +
        'from spawn to exit, its output discarded; the variants run in turn, one warm-up each, so the tsx path answers ' +
        "from its transform cache as it does on a developer's second run (the targets are set against it); the cold " +
        'column (TSX_DISABLE_CACHE=1) is a first run, or the first after the sources changed. `status` asks a pipeline that waits for a ' +
        'day-long run (on a fresh Temporal dev server with the emulator and a `hubrun worker`), `list` the same ' +
        'server. The compiled CLI includes bin/hubrun.js checking, in a checkout, that dist/ is not older than src/. ' +
        'The tsx variant loads what the entry loaded before commands loaded lazily; its Node is the same binary.',
      tables: [table],
      checks,
      notes: [
        '`--help` loads commander and the command table only: ' +
          `${fmt(median('--help', COMPILED) - median('--help', NODE))} ms above Node itself. ` +
          '`status` and `list` must load the Temporal client (gRPC, the protobuf definitions of the whole API, built ' +
          'at load) and zod with the configuration and input schemas, then make their calls: that floor is the same ' +
          "with or without tsx, so compiling removes only tsx's own share, about " +
          `${fmt(median('status <running pipeline>', TSX) - median('status <running pipeline>', COMPILED))} ms here. ` +
          'On Node 22 and later bin/hubrun.js also turns on the compile cache, which trims the load further; this ' +
          "bench runs on the machine's Node.",
      ],
      data: Object.fromEntries([...times].map(([k, v]) => [k.replace('\u0000', ' | '), v])),
    };
  } finally {
    await stack.close();
  }
}
