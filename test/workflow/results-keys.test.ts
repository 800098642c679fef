import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { parseLosslessJson } from '../../src/aihub/lossless-json';
import { completeResults } from '../../src/activities/fetch-results';
import { EMULATOR_DEFAULT_TOKEN } from '../../src/emulator';
import { quickWait, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { startPipelineEnv, uniqueId } from '../helpers/pipeline-env';
import type { PipelineEnv } from '../helpers/pipeline-env';

interface RawPage {
  text: string;
  body: { files: unknown[]; has_more?: boolean };
}

describe('results.jsonl holds every key AI Hub sent', () => {
  let env: PipelineEnv;
  before(async () => {
    env = await startPipelineEnv({ emulator: { pageSize: 2 } });
  });
  after(() => env.close());

  /** A results page as AI Hub sends it, fetched over plain HTTP. */
  async function rawPage(runId: string, fileOffset: number): Promise<RawPage> {
    const query = new URLSearchParams({ file_offset: String(fileOffset) });
    for (const [flag, value] of Object.entries(completeResults)) query.set(flag, String(value));
    const url = `${env.emulator.url}/v2/apps/runs/${encodeURIComponent(runId)}/results?${query.toString()}`;
    const response = await fetch(url, { headers: { authorization: `Bearer ${EMULATOR_DEFAULT_TOKEN}` } });
    assert.equal(response.status, 200);
    const text = await response.text();
    return { text, body: parseLosslessJson(text) as RawPage['body'] };
  }

  it('keys no schema names, at every depth, reach the results file as they were sent', async () => {
    const batchId = await seedBatch(env.emulator, sampleInvoices(5));
    await env.admin.setFaults([{ endpoint: 'getRunResults', kind: 'results-shape', shape: 'unknown-keys' }]);
    const result = await env.withWorker(async () => {
      const handle = await env.start({
        workflowId: uniqueId('unknown-keys'),
        appName: 'invoices',
        batchId,
        wait: quickWait,
      });
      return handle.result();
    });

    const pages: RawPage[] = [];
    for (let offset = 0; ;) {
      const page = await rawPage(result.runId, offset);
      pages.push(page);
      offset += page.body.files.length;
      if (page.body.has_more !== true) break;
    }
    const sent = pages.flatMap((p) => p.body.files);
    assert.equal(sent.length, 5);
    // The shape really added keys at the file, document, field and alert depths.
    for (const key of ['"file_metadata"', '"layout_info"', '"extraction_engine"', '"locations"']) {
      assert.ok(pages[0]?.text.includes(key), `the raw page holds ${key}`);
    }
    // And hubrun asked for every optional part: confidence, validations, review and source info.
    for (const key of ['"confidence"', '"validations"', '"edit_history"', '"source_coordinates"']) {
      assert.ok(pages[0]?.text.includes(key), `the raw page holds ${key}`);
    }

    const lines = (await readFile(result.resultsPath, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => parseLosslessJson(line));
    assert.deepEqual(lines, sent);

    // The run's nanosecond timestamps are 19-digit integers a double cannot hold; the manifest keeps them exact.
    const manifest = JSON.parse(await readFile(result.manifestPath, 'utf8')) as Record<string, unknown>;
    for (const key of ['start_timestamp', 'finish_timestamp'] as const) {
      const digits = new RegExp(`"${key}":\\s*(\\d+)`).exec(pages[0]?.text ?? '')?.[1];
      assert.ok(digits !== undefined && digits.length === 19, `the raw page has a 19-digit ${key}`);
      assert.ok(!Number.isSafeInteger(Number(digits)));
      const field = key === 'start_timestamp' ? 'startTimestamp' : 'finishTimestamp';
      assert.equal(manifest[field], digits);
    }
  });
});
