/**
 * The CLI talks only to Temporal, so it never reads the AI Hub token or the PDF passwords: with
 * `AIHUB_API_TOKEN_FILE` and `AIHUB_PDF_PASSWORDS_FILE` naming files nobody can read, every
 * Temporal-only command still works, while a worker given the same environment refuses to start.
 */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { RunSummary } from '../../src/cli/run-command';
import { sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { runCli, useCliStack } from '../helpers/cli';
import { uniqueId } from '../helpers/pipeline-env';

describe('the CLI without access to the AI Hub secrets', () => {
  const stack = useCliStack();
  let cliEnv: Record<string, string>;

  before(async () => {
    const missing = join(await mkdtemp(join(tmpdir(), 'hubrun-no-secrets-')), 'missing');
    cliEnv = {
      ...stack.cliEnv,
      AIHUB_API_ROOT: 'https://aihub.example.com/api',
      // A file that does not exist and a folder: reading either fails.
      AIHUB_API_TOKEN_FILE: join(missing, 'aihub-api-token'),
      AIHUB_PDF_PASSWORDS_FILE: tmpdir(),
    };
  });

  it('a worker given the same environment refuses it, naming both files (control)', async () => {
    const { code, stderr } = await runCli(['worker'], cliEnv);
    assert.notEqual(code, 0);
    assert.match(stderr, /AIHUB_API_TOKEN_FILE: cannot read/);
    assert.match(stderr, /AIHUB_PDF_PASSWORDS_FILE: cannot read/);
  });

  it('run --wait --json, status, results, list and schedule list work', async () => {
    const id = uniqueId('cli-no-secrets');
    const batchId = await seedBatch(stack.env.emulator, sampleInvoices(2));
    const started = await runCli(
      ['run', '--app', 'invoices', '--batch-id', String(batchId), '--id', id, '--wait', '--json'],
      cliEnv,
    );
    assert.equal(started.code, 0, started.stderr);
    const summary = JSON.parse(started.stdout) as RunSummary;
    assert.equal(summary.status, 'COMPLETED');
    assert.equal(summary.files, 2);

    for (const args of [
      ['status', id, '--json'],
      ['results', id, '--json'],
      ['list', '--json'],
      ['schedule', 'list', '--json'],
    ]) {
      const { code, stdout, stderr } = await runCli(args, cliEnv);
      assert.equal(code, 0, `hubrun ${args.join(' ')}: ${stderr}`);
      assert.doesNotMatch(stderr, /AIHUB_/, `hubrun ${args.join(' ')} says nothing of AI Hub settings`);
      if (args[0] !== 'schedule') assert.ok(stdout.includes(id), `hubrun ${args.join(' ')} names ${id}`);
    }
  });
});
