/**
 * The published package, installed the way a production host installs it: `npm pack` of this
 * checkout, then `npm install --omit=dev` of the tarball into an empty folder, with packages from
 * npm's cache (`--prefer-offline`; `npm ci` has put them there). The installed `hubrun` runs its
 * worker against a real Temporal dev server and the emulator, without the emulator's code,
 * fastify, tsx or TypeScript anywhere in the install, and trimmed as the production image trims it
 * (scripts/prune-native-binaries.js: one platform's Temporal core bridge binary).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startPipeline } from '../../src/client';
import { EMULATOR_DEFAULT_TOKEN } from '../../src/emulator';
import { quickWait, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { repoRoot } from '../helpers/cli';
import { ManagedProcess, stopStartedProcesses } from '../helpers/processes';
import { useDevServerAndEmulator } from '../helpers/temporal';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The environment of a child outside the checkout: nothing hubrun, Temporal or AI Hub would read. */
function cleanEnv(vars: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(AIHUB_|HUBRUN_|TEMPORAL_|ALLOW_STALE_)/.test(key)),
  );
  return { ...env, HUBRUN_METRICS_ADDRESS: 'off', ...vars };
}

function runOk(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, env: cleanEnv(), encoding: 'utf8' });
  assert.equal(result.status, 0, `${command} ${args.join(' ')}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

let scratch: string;
let app: string;
let installed: string;

/** Runs the installed `hubrun` (its bin link) in the install folder. */
function hubrun(args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [join(app, 'node_modules', '.bin', 'hubrun'), ...args], {
    cwd: app,
    env: cleanEnv(),
    encoding: 'utf8',
  });
}

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'hubrun-packed-'));
  // --ignore-scripts: `prepare` would rebuild dist/, which the test runner has just built.
  const packed = runOk(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], repoRoot);
  const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
  app = join(scratch, 'app');
  await mkdir(app);
  await writeFile(join(app, 'package.json'), `${JSON.stringify({ name: 'app', private: true })}\n`);
  runOk(
    npm,
    ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', join(scratch, filename)],
    app,
  );
  installed = join(app, 'node_modules', 'hubrun');
  runOk(process.execPath, [join(repoRoot, 'scripts', 'prune-native-binaries.js'), app], app);
});

after(async () => {
  await stopStartedProcesses();
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

void describe('the packed package installed with --omit=dev', () => {
  void it('holds the compiled CLI and worker, not the sources, the emulator or the dev stack', () => {
    assert.ok(existsSync(join(installed, 'dist', 'cli', 'hubrun.js')), 'the bundled CLI');
    assert.ok(existsSync(join(installed, 'dist', 'workflow-bundle.js')), 'the prebuilt workflow bundle');
    for (const path of ['src', 'test', 'bench', 'scripts', 'dist/emulator', 'dist/dev', 'dist/cli/demo.js']) {
      assert.ok(!existsSync(join(installed, path)), `${path} is not in the package`);
    }
    const modules = readdirSync(join(app, 'node_modules'));
    for (const name of ['fastify', 'tsx', 'typescript', 'openapi-backend', '@temporalio/testing']) {
      assert.ok(
        !modules.includes(name) && !existsSync(join(app, 'node_modules', name)),
        `${name} is not installed`,
      );
    }
  });

  void it("keeps the one Temporal core bridge binary this platform loads, and none of the bridge's sources", () => {
    const bridge = join(app, 'node_modules', '@temporalio', 'core-bridge');
    const releases = readdirSync(join(bridge, 'releases'));
    assert.equal(releases.length, 1, `one platform left, not ${releases.join(', ')}`);
    assert.ok(existsSync(join(bridge, 'releases', releases[0]!, 'index.node')));
    assert.ok(!existsSync(join(bridge, 'sdk-core')), 'no Rust sources');
  });

  void it('`hubrun run --help` exits 0, and the command list leaves out the development commands', () => {
    const help = hubrun(['run', '--help']);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /--app <name>/);

    const top = hubrun(['--help']);
    assert.equal(top.status, 0, top.stderr);
    assert.match(top.stdout, /\bworker\b/);
    for (const command of ['emulator', 'dev', 'demo']) {
      assert.doesNotMatch(top.stdout, new RegExp(`^\\s+${command}\\b`, 'm'), `no ${command} command`);
    }
  });

  void it('`hubrun --version` names the package and the Temporal SDK', () => {
    const version = hubrun(['--version']);
    assert.equal(version.status, 0, version.stderr);
    assert.match(version.stdout, /^hubrun 0\.\d+\.\d+ \(Temporal TypeScript SDK 1\.\d+\.\d+, Node\.js v\d+/);
  });

  void describe('`hubrun worker`', () => {
    const servers = useDevServerAndEmulator();

    void it('starts with the packaged workflow bundle, runs a pipeline and stops on SIGTERM', async () => {
      const taskQueue = `packed-install-${Date.now()}`;
      const child = spawn(process.execPath, [join(app, 'node_modules', '.bin', 'hubrun'), 'worker'], {
        cwd: app,
        env: cleanEnv({
          AIHUB_API_ROOT: servers.emulator.url,
          AIHUB_API_TOKEN: EMULATOR_DEFAULT_TOKEN,
          TEMPORAL_ADDRESS: servers.temporal.address,
          HUBRUN_TASK_QUEUE: taskQueue,
          HUBRUN_OUTPUT_DIR: join(scratch, 'output'),
          HUBRUN_WORKFLOW_BUNDLE: join(installed, 'dist', 'workflow-bundle.js'),
        }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const worker = new ManagedProcess('packed hubrun worker', child);
      await worker.waitForOutput('hubrun worker started');

      const batchId = await seedBatch(servers.emulator, sampleInvoices(2));
      const handle = await startPipeline(
        servers.temporal.client,
        { workflowId: `packed-install-${Date.now()}`, appName: 'invoices', batchId, wait: quickWait },
        { taskQueue },
      );
      assert.equal((await handle.result()).files, 2);

      await worker.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.output());
    });
  });
});
