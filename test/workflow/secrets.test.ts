import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import type { AihubSettings } from '../../src/config';
import { EMULATOR_DEFAULT_TOKEN } from '../../src/emulator';
import { failureTypes } from '../../src/failure-types';
import { quickWait, sampleInvoices, writeLocalFiles } from '../helpers/aihub-fixtures';
import { causeChain, failureTypeOf, rejectionOf } from '../helpers/failures';
import { uniqueId } from '../helpers/pipeline-env';
import type { PipelineEnv } from '../helpers/pipeline-env';
import { assertNoSecret as assertNoSecretIn, historyText } from '../helpers/secret-scan';
import { within } from '../helpers/waiting';
import { useTemporal, withPipelineEnv } from './support';

const TOKEN = 'tok-SECRET-9f8e7d';
const WRONG_TOKEN = 'tok-WRONG-5a4b3c';
const secrets = [TOKEN, WRONG_TOKEN];

function assertNoSecret(text: string, where: string): void {
  assertNoSecretIn(text, where, secrets);
}

function aihubWith(env: PipelineEnv, token: string): AihubSettings {
  return { apiRoot: env.emulator.url, token, ibContext: undefined, requestTimeoutMs: 10_000 };
}

describe('the AI Hub token never leaves the worker', () => {
  const temporal = useTemporal();

  it('a successful pipeline keeps the token out of its history and results', async () => {
    await withPipelineEnv(temporal(), { tokens: [TOKEN] }, async (env) => {
      const files = await writeLocalFiles(sampleInvoices(2));
      const { handle, result } = await env.withWorker(
        async () => {
          const handle = await env.start({
            workflowId: uniqueId('secrets-ok'),
            appName: 'invoices',
            files,
            cleanup: 'all',
            wait: quickWait,
          });
          return { handle, result: await within(60_000, 'the pipeline completing', handle.result()) };
        },
        { aihub: aihubWith(env, TOKEN) },
      );
      assert.equal(result.status, 'COMPLETED');
      const history = await historyText(handle);
      assert.ok(
        history.includes(result.resultsPath),
        'payloads are read as text (the result is in the history)',
      );
      assertNoSecret(history, 'the history');
      assertNoSecret(JSON.stringify(result), 'the result');
      assertNoSecret(await readFile(result.resultsPath, 'utf8'), 'results.jsonl');
      assertNoSecret(await readFile(result.manifestPath, 'utf8'), 'manifest.json');
    });
  });

  it('a pipeline failing with 401 keeps the wrong token out of its history and errors', async () => {
    await withPipelineEnv(temporal(), { tokens: [TOKEN] }, async (env) => {
      const folder = `acme/Claims/fs/Instabase Drive/inbox/${uniqueId('day')}`;
      for (const [name, text] of Object.entries(sampleInvoices(2))) {
        await env.admin.putDriveFile(`${folder}/${name}`, text);
      }
      const { handle, err } = await env.withWorker(
        async () => {
          const handle = await env.start({
            workflowId: uniqueId('secrets-401'),
            appName: 'invoices',
            inputDir: folder,
            wait: quickWait,
          });
          return { handle, err: await within(30_000, 'the pipeline failing', rejectionOf(handle.result())) };
        },
        { aihub: aihubWith(env, WRONG_TOKEN) },
      );
      assert.equal(failureTypeOf(err), failureTypes.auth);
      const history = await historyText(handle);
      assert.ok(history.includes(folder), 'payloads are read as text (the input is in the history)');
      assertNoSecret(history, 'the history');
      for (const [i, cause] of causeChain(err).entries()) {
        assert.ok(cause instanceof Error);
        assertNoSecret(`${cause.message}\n${cause.stack ?? ''}`, `error ${i} of the cause chain`);
      }
    });
  });

  it('PDF passwords held by the worker reach AI Hub and stay out of the pipeline', async () => {
    const PASSWORD = 'pdf-PASSWORD-31c4b2';
    await withPipelineEnv(temporal(), {}, async (env) => {
      const files = await writeLocalFiles(sampleInvoices(2));
      const { handle, result } = await env.withWorker(
        async () => {
          const handle = await env.start({
            workflowId: uniqueId('secrets-pdf'),
            appName: 'invoices',
            files,
            wait: quickWait,
          });
          return { handle, result: await within(60_000, 'the pipeline completing', handle.result()) };
        },
        {
          aihub: { ...aihubWith(env, EMULATOR_DEFAULT_TOKEN), pdfPasswords: { 'invoice-001.txt': PASSWORD } },
        },
      );
      const run = (await env.admin.runs()).find((r) => r.id === result.runId);
      assert.deepEqual(run?.pdfPasswordFiles, ['invoice-001.txt'], 'AI Hub was given the password');
      assertNoSecretIn(await historyText(handle), 'the history', [PASSWORD]);
      assertNoSecretIn(JSON.stringify(result), 'the result', [PASSWORD]);
    });
  });

  it('a pipeline input carrying PDF passwords is refused, naming the field', async () => {
    await withPipelineEnv(temporal(), {}, async (env) => {
      await assert.rejects(
        env.start({
          appName: 'invoices',
          batchId: 1,
          settings: { runtime_config: { instabase: { pdf: { passwords: { 'a.pdf': 'x' } } } } },
        }),
        /settings\.runtime_config\.instabase\.pdf\.passwords: PDF passwords are secrets/,
      );
    });
  });
});
