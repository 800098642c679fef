import assert from 'node:assert/strict';
import { access, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { RunSummary } from '../../src/cli/run-command';
import type { FanOutResult } from '../../src/results';
import { quickWait, sampleInvoices, seedBatch, writeLocalFiles } from '../helpers/aihub-fixtures';
import { outcomeOf, runCli, spawnCli, useCliStack } from '../helpers/cli';
import { uniqueId } from '../helpers/pipeline-env';
import { pollUntil } from '../helpers/waiting';
import { totalCalls } from '../workflow/support';

describe('the hubrun CLI against a dev server, the emulator and a worker', () => {
  const stack = useCliStack();
  const files = sampleInvoices(3);

  const hubrun = (...args: string[]) => runCli(args, stack.cliEnv);

  /** Runs `run --wait --json ...` and returns the one JSON object it printed. */
  async function runJson(args: string[], expectedCode = 0): Promise<RunSummary> {
    const { code, stdout, stderr } = await hubrun('run', ...args, '--wait', '--json');
    assert.equal(code, expectedCode, stderr);
    const lines = stdout.trim().split('\n');
    assert.equal(lines.length, 1, `exactly one line on stdout, got: ${stdout}`);
    return JSON.parse(lines[0] ?? '') as RunSummary;
  }

  async function assertComplete(summary: RunSummary, workflowId: string): Promise<void> {
    assert.equal(summary.status, 'COMPLETED');
    assert.equal(summary.workflowId, workflowId);
    assert.match(summary.runId ?? '', /^run-/);
    assert.equal(summary.files, 3);
    assert.equal(summary.documents, 3);
    assert.equal(summary.fields, 12);
    assert.equal(summary.fieldErrors, 0);
    await access(summary.resultsPath ?? '');
  }

  it('run --wait --json over a batch', async () => {
    const id = uniqueId('cli-batch');
    const batchId = await seedBatch(stack.env.emulator, files);
    await assertComplete(await runJson(['--app', 'invoices', '--batch-id', String(batchId), '--id', id]), id);
  });

  it('run --wait --json over a drive folder, by app id', async () => {
    const id = uniqueId('cli-dir');
    const folder = `acme/Claims/fs/Instabase Drive/inbox/${id}`;
    for (const [name, text] of Object.entries(files))
      await stack.env.admin.putDriveFile(`${folder}/${name}`, text);
    await assertComplete(await runJson(['--app-id', 'app-invoices', '--input-dir', folder, '--id', id]), id);
  });

  it('run --wait --json over local files, through a deployment, with settings and tags', async () => {
    const id = uniqueId('cli-files');
    const paths = await writeLocalFiles(files);
    const settings = join(await mkdtemp(join(tmpdir(), 'hubrun-cli-')), 'settings.json');
    await writeFile(settings, JSON.stringify({ keys: { custom: { region: 'eu' } } }));
    const summary = await runJson([
      '--deployment',
      'dep-invoices',
      '--files',
      ...paths,
      '--settings',
      settings,
      '--tag',
      'nightly',
      '--tag',
      'cli',
      '--id',
      id,
    ]);
    await assertComplete(summary, id);
    const run = (await stack.env.admin.runs()).find((r) => r.id === summary.runId);
    assert.ok(run?.tags.includes('nightly') && run.tags.includes('cli'), JSON.stringify(run?.tags));
  });

  it('run --input-dirs --concurrency: a fan-out, one child per folder', async () => {
    const id = uniqueId('cli-fan-out');
    const folders = [1, 2, 3].map((n) => `acme/Claims/fs/Instabase Drive/inbox/${id}-${n}`);
    for (const folder of folders) {
      for (const [name, text] of Object.entries(files))
        await stack.env.admin.putDriveFile(`${folder}/${name}`, text);
    }
    const list = join(await mkdtemp(join(tmpdir(), 'hubrun-cli-')), 'folders.txt');
    await writeFile(list, `# tonight's folders\n${folders.join('\n')}\n\n`);
    const { code, stdout, stderr } = await hubrun(
      'run',
      '--app',
      'invoices',
      '--input-dirs',
      list,
      '--concurrency',
      '2',
      '--id',
      id,
      '--wait',
      '--json',
    );
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout) as FanOutResult & { status: string };
    assert.equal(result.status, 'COMPLETED');
    assert.equal(result.completed, 3);
    assert.deepEqual(
      result.outcomes.map((o) => o.workflowId),
      [`${id}-1`, `${id}-2`, `${id}-3`],
    );
  });

  /**
   * Starts `run --input-dirs ... --wait --json` over two folders of an app that stops for review,
   * waits until the fan-out runs its children, ends it with `end`, and answers the CLI's outcome.
   */
  async function fanOutEndedBy(end: (workflowId: string) => Promise<unknown>) {
    const id = uniqueId('cli-fan-out-ended');
    const folders = [1, 2].map((n) => `acme/Claims/fs/Instabase Drive/inbox/${id}-${n}`);
    for (const folder of folders)
      await stack.env.admin.putDriveFile(`${folder}/a.txt`, files['invoice-001.txt']!);
    const list = join(await mkdtemp(join(tmpdir(), 'hubrun-cli-')), 'folders.txt');
    await writeFile(list, folders.join('\n'));
    const cli = outcomeOf(
      spawnCli(
        ['run', '--app', 'invoices-review', '--input-dirs', list, '--id', id, '--wait', '--json'],
        stack.cliEnv,
      ),
    );
    await pollUntil('the fan-out running its children', async () => {
      const progress = await stack.env.client.workflow
        .getHandle(id)
        .query<{ running: string[] }>('progress')
        .catch(() => undefined);
      return progress !== undefined && progress.running.length === 2 ? true : undefined;
    });
    await end(id);
    const { code, stdout, stderr } = await cli;
    const lines = stdout.trim() === '' ? [] : stdout.trim().split('\n');
    assert.equal(lines.length, 1, `exactly one line on stdout, got: ${stdout}\nstderr: ${stderr}`);
    return { id, code, stderr, summary: JSON.parse(lines[0] ?? '') as RunSummary };
  }

  it('run --input-dirs --wait --json prints one FAILED summary, exit 1, when the fan-out is terminated', async () => {
    const { id, code, summary } = await fanOutEndedBy((workflowId) =>
      stack.env.client.workflow.getHandle(workflowId).terminate('operator stopped tonight’s fan-out'),
    );
    assert.equal(code, 1);
    assert.equal(summary.workflowId, id);
    assert.equal(summary.status, 'FAILED');
    assert.match(summary.error ?? '', /operator stopped tonight’s fan-out/);
    for (const key of ['runId', 'files', 'documents', 'fields', 'fieldErrors', 'resultsPath'] as const) {
      assert.ok(key in summary, `the summary holds ${key}, as a pipeline's does`);
    }
  });

  it('run --input-dirs --wait --json prints one CANCELLED summary, exit 1, when the fan-out is cancelled', async () => {
    const { id, code, summary } = await fanOutEndedBy((workflowId) =>
      stack.env.client.workflow.getHandle(workflowId).cancel(),
    );
    assert.equal(code, 1);
    assert.equal(summary.workflowId, id);
    assert.equal(summary.status, 'CANCELLED');
    assert.equal(typeof summary.error, 'string');
  });

  it('exits 1 with the failure type when the AI Hub run fails', async () => {
    const id = uniqueId('cli-failing');
    const batchId = await seedBatch(stack.env.emulator, files);
    const summary = await runJson(
      ['--app', 'invoices-failing', '--batch-id', String(batchId), '--id', id],
      1,
    );
    assert.equal(summary.status, 'FAILED');
    assert.equal(summary.failureType, 'AihubRunFailed');
    assert.match(summary.runId ?? '', /^run-/);
  });

  it('exits 2 on bad flags with one line naming the problem, and starts nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['--app', 'invoices', '--app-id', 'x', '--batch-id', '1'], /--app.*--app-id/],
      [['--app', 'invoices'], /give one of --batch-id, --input-dir, --files or --input-dirs/],
      [
        ['--app', 'invoices', '--input-dir', 'd', '--settings', '/no/such/settings.json'],
        /--settings: .*no such file/,
      ],
      [['--app', 'invoices', '--input-dir', 'd', '--id', 'bad id/../x'], /--id: /],
      [['--app', 'invoices', '--batch-id', 'twelve'], /--batch-id: expected a whole number/],
      [['--app', 'invoices', '--input-dir', 'd', '--cleanup', 'everything'], /--cleanup/],
      [['--app', 'invoices', '--input-dir', 'd', '--no-such-flag'], /unknown option '--no-such-flag'/],
    ];
    await stack.env.admin.resetCalls();
    for (const [args, message] of cases) {
      const { code, stdout, stderr } = await hubrun('run', ...args, '--wait');
      assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
      assert.equal(stdout, '');
      assert.equal(stderr.trim().split('\n').length, 1, `one line: ${stderr}`);
      assert.match(stderr, message);
    }
    assert.equal(totalCalls(await stack.env.admin.calls()), 0, 'AI Hub saw no call');
  });

  it('status, list, results and cancel work on a running pipeline another service started', async () => {
    const id = uniqueId('cli-review');
    const batchId = await seedBatch(stack.env.emulator, files);
    await stack.env.start({ workflowId: id, appName: 'invoices-review', batchId, wait: quickWait });

    const status = await pollUntil('the pipeline waiting for review', async () => {
      const { code, stdout } = await hubrun('status', id, '--json');
      const parsed = code === 0 ? (JSON.parse(stdout) as { progress: { phase: string } }) : undefined;
      return parsed?.progress.phase === 'IN_REVIEW' ? parsed : undefined;
    });
    assert.equal((status as { workflowStatus?: string }).workflowStatus, 'RUNNING');
    const human = await hubrun('status', id);
    assert.match(human.stdout, /phase\s+IN_REVIEW/);
    assert.match(human.stdout, /AI Hub run\s+run-\S+\s+STOPPED_AT_CHECKPOINT/);

    await pollUntil('the pipeline in the review list', async () => {
      const { stdout } = await hubrun('list', '--query', "AihubRunStatus='STOPPED_AT_CHECKPOINT'", '--json');
      return stdout.includes(`"workflowId":"${id}"`) || undefined;
    });

    const early = await hubrun('results', id);
    assert.equal(early.code, 1);
    assert.match(early.stderr, /still running/);

    const cancelled = await hubrun('cancel', id);
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.match(cancelled.stdout, /cancel requested/);
    await pollUntil('the pipeline cancelled', async () => {
      const { stdout } = await hubrun('status', id, '--json');
      return stdout.includes('"workflowStatus":"CANCELLED"') || undefined;
    });
    const late = await hubrun('results', id);
    assert.equal(late.code, 1);
    assert.match(late.stderr, /ended CANCELLED/);
    const again = await hubrun('cancel', id);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /not running/);
  });

  it('names an unknown workflow id', async () => {
    const { code, stderr } = await hubrun('status', 'no-such-pipeline');
    assert.equal(code, 1);
    assert.match(stderr, /no pipeline or fan-out with id no-such-pipeline/);
  });
});
