/**
 * The AI Hub token as production gives it: a secret file named by `AIHUB_API_TOKEN_FILE`, read by
 * `hubrun worker` running as a separate process. After a full pipeline and a 401 failure, the
 * token is nowhere in the histories, descriptions, worker logs, errors or results.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startPipeline } from '../../src/client';
import type { PipelineHandle } from '../../src/client';
import { EmulatorAdmin, startEmulator } from '../../src/emulator';
import type { Emulator } from '../../src/emulator';
import { failureTypes } from '../../src/failure-types';
import { quickWait, sampleInvoices, writeLocalFiles } from '../helpers/aihub-fixtures';
import { causeChain, failureTypeOf, rejectionOf } from '../helpers/failures';
import { uniqueId } from '../helpers/pipeline-env';
import { assertNoSecret, historyText, readable, secretsIn } from '../helpers/secret-scan';
import { startDevServer } from '../helpers/temporal';
import { within } from '../helpers/waiting';

const root = join(__dirname, '..', '..');

/** A token shaped like a real one, fresh per run, so no fixture can contain it by chance. */
function secretToken(): string {
  return `aihub_sk_live_${randomBytes(24).toString('base64url')}`;
}

const TOKEN = secretToken();
const WRONG_TOKEN = secretToken();
const secrets = [TOKEN, WRONG_TOKEN];

let temporal: TestWorkflowEnvironment;
let emulator: Emulator;

before(async () => {
  temporal = await startDevServer();
  emulator = await startEmulator({ tokens: [TOKEN] });
});
after(async () => {
  await emulator.close();
  await temporal.teardown();
});

/** Writes `token` to a fresh secret file (as a mounted secret would be: owner-only, newline-terminated). */
async function tokenFile(token: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'hubrun-secret-')), 'aihub-api-token');
  await writeFile(path, `${token}\n`, { mode: 0o600 });
  return path;
}

/** `hubrun worker` as a child process; `stop()` sends SIGTERM and answers the exit code. */
interface WorkerProcess {
  output(): string;
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

/** The environment of a child `hubrun` process: ours without any AI Hub token, plus `settings`. */
function childEnv(settings: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...settings };
  if (!('AIHUB_API_TOKEN' in settings)) delete env.AIHUB_API_TOKEN;
  if (!('AIHUB_API_TOKEN_FILE' in settings)) delete env.AIHUB_API_TOKEN_FILE;
  return env;
}

function spawnHubrun(settings: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, [join(root, 'bin', 'hubrun.js'), 'worker'], {
    cwd: root,
    env: childEnv(settings),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return {
    output: () => output,
    exited,
    async stop() {
      child.kill('SIGTERM');
      return within(60_000, 'the worker stopping', exited);
    },
  };
}

function startWorker(tokenPath: string, taskQueue: string, outputDir: string): WorkerProcess {
  return spawnHubrun({
    AIHUB_API_ROOT: emulator.url,
    AIHUB_API_TOKEN_FILE: tokenPath,
    TEMPORAL_ADDRESS: temporal.address,
    HUBRUN_TASK_QUEUE: taskQueue,
    HUBRUN_OUTPUT_DIR: outputDir,
    // The test files and the token file both lie in the temp folder: the token is still never read as a file.
    HUBRUN_FILES_ROOTS: tmpdir(),
    HUBRUN_METRICS_ADDRESS: 'off',
    // The most talkative level, so the scan sees every log line the worker can write.
    HUBRUN_LOG_LEVEL: 'TRACE',
  });
}

/** The text of every file under `dir`. */
async function filesUnder(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath ?? entry.path, entry.name);
      files.set(path, await readFile(path, 'utf8'));
    }
  }
  return files;
}

/** History, description and progress of a pipeline, as text. */
async function workflowText(handle: PipelineHandle): Promise<string> {
  const description = await handle.describe();
  return `${await historyText(handle)}\n${JSON.stringify(readable(description))}`;
}

void describe('a worker given its token through AIHUB_API_TOKEN_FILE', () => {
  void it('the scan finds a token in plain text and inside payload bytes (control)', () => {
    assert.deepEqual(secretsIn(`log line ${TOKEN} end`, secrets), [TOKEN]);
    const payload = {
      metadata: { encoding: Buffer.from('json/plain') },
      data: Buffer.from(`{"t":"${WRONG_TOKEN}"}`),
    };
    assert.deepEqual(secretsIn(JSON.stringify(readable({ events: [{ payload }] })), secrets), [WRONG_TOKEN]);
    assert.deepEqual(
      secretsIn(JSON.stringify({ events: [{ payload }] }), secrets),
      [],
      'raw JSON would miss it',
    );
    assert.throws(() => assertNoSecret(`Bearer ${TOKEN}`, 'a control string', secrets));
  });

  void it('runs a pipeline and fails one with 401, leaving the token nowhere', async () => {
    const goodOutput = await mkdtemp(join(tmpdir(), 'hubrun-results-'));
    const badOutput = await mkdtemp(join(tmpdir(), 'hubrun-results-'));
    const goodQueue = uniqueId('secrets-ok');
    const badQueue = uniqueId('secrets-401');
    const good = startWorker(await tokenFile(TOKEN), goodQueue, goodOutput);
    const bad = startWorker(await tokenFile(WRONG_TOKEN), badQueue, badOutput);

    let okHandle: PipelineHandle;
    let failedHandle: PipelineHandle;
    let failure: unknown;
    try {
      okHandle = await startPipeline(
        temporal.client,
        {
          workflowId: uniqueId('secrets-ok'),
          appName: 'invoices',
          files: await writeLocalFiles(sampleInvoices(3)),
          cleanup: 'all',
          wait: quickWait,
        },
        { taskQueue: goodQueue },
      );
      failedHandle = await startPipeline(
        temporal.client,
        {
          workflowId: uniqueId('secrets-401'),
          appName: 'invoices',
          files: await writeLocalFiles(sampleInvoices(2)),
          wait: quickWait,
        },
        { taskQueue: badQueue },
      );
      const result = await within(120_000, 'the pipeline completing', okHandle.result());
      assert.equal(result.status, 'COMPLETED');
      assert.equal(result.files, 3);
      failure = await within(120_000, 'the pipeline failing', rejectionOf(failedHandle.result()));
    } finally {
      assert.equal(await good.stop(), 0, good.output());
      assert.equal(await bad.stop(), 0, bad.output());
    }
    assert.equal(failureTypeOf(failure), failureTypes.auth, 'the wrong token fails the pipeline with 401');
    const calls = await new EmulatorAdmin(emulator.adminUrl).calls();
    assert.ok(
      Object.values(calls.counts).some((n) => n > 0),
      'the worker reached AI Hub with the file token',
    );

    // Histories and descriptions of both workflows, every event decoded.
    const okText = await workflowText(okHandle);
    const failedText = await workflowText(failedHandle);
    assert.ok(okText.includes('invoice-003.txt'), 'payloads are read as text (the input is there)');
    assert.ok(failedText.includes(failureTypes.auth), 'the failure details are in the scanned history');
    assertNoSecret(okText, 'the successful history', secrets);
    assertNoSecret(failedText, 'the failed history', secrets);

    // The failure as the caller sees it: every message and stack of the cause chain.
    for (const [i, cause] of causeChain(failure).entries()) {
      assert.ok(cause instanceof Error);
      assertNoSecret(`${cause.message}\n${cause.stack ?? ''}`, `error ${i} of the cause chain`, secrets);
    }

    // Everything both worker processes printed.
    for (const [name, worker] of [
      ['good', good],
      ['bad', bad],
    ] as const) {
      assert.match(worker.output(), /hubrun worker started/, `the ${name} worker's log was captured`);
      assertNoSecret(worker.output(), `the ${name} worker's output`, secrets);
    }

    // Every file the workers wrote: results.jsonl, manifest.json, anything else.
    const written = new Map([...(await filesUnder(goodOutput)), ...(await filesUnder(badOutput))]);
    const names = [...written.keys()].map((path) => path.slice(path.lastIndexOf('/') + 1));
    assert.ok(names.includes('results.jsonl') && names.includes('manifest.json'), names.join(', '));
    for (const [path, text] of written) assertNoSecret(text, path, secrets);
  });

  void it('refuses a token file it cannot use, naming the variable and never the token', async () => {
    const emptyFile = await tokenFile('');
    const cases: { what: string; settings: Record<string, string>; expected: RegExp }[] = [
      {
        what: 'a token file and an inline token',
        settings: { AIHUB_API_TOKEN: TOKEN, AIHUB_API_TOKEN_FILE: await tokenFile(TOKEN) },
        expected: /AIHUB_API_TOKEN, AIHUB_API_TOKEN_FILE: give one or the other/,
      },
      {
        what: 'an empty token file',
        settings: { AIHUB_API_TOKEN_FILE: emptyFile },
        expected: /AIHUB_API_TOKEN_FILE: .* is empty/,
      },
      {
        what: 'a token file that does not exist',
        settings: { AIHUB_API_TOKEN_FILE: join(tmpdir(), `${uniqueId('missing')}/aihub-api-token`) },
        expected: /AIHUB_API_TOKEN_FILE: cannot read .*ENOENT/,
      },
    ];
    for (const { what, settings, expected } of cases) {
      const worker = spawnHubrun({
        AIHUB_API_ROOT: emulator.url,
        TEMPORAL_ADDRESS: temporal.address,
        HUBRUN_METRICS_ADDRESS: 'off',
        ...settings,
      });
      const code = await within(60_000, `the worker refusing ${what}`, worker.exited);
      assert.ok(code !== 0 && code !== null, `the worker exits with an error for ${what}`);
      assert.match(worker.output(), expected, what);
      assert.doesNotMatch(
        worker.output(),
        /AIHUB_API_TOKEN: required/,
        `${what} is not reported as a missing token`,
      );
      assertNoSecret(worker.output(), `the output for ${what}`, secrets);
    }
  });
});
