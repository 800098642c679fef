import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ResultField, ResultFile, Run, RunResultsPage } from '../../src/aihub/schemas';
import { checksApp, harness } from './support';
import type { Harness } from './support';

const fieldCount = 4; // checksApp extracts invoice number, vendor, total, due date

describe('emulator results', () => {
  let h: Harness;
  before(async () => {
    h = await harness({
      pageSize: 1,
      apps: [
        checksApp('app-quick', 1),
        checksApp('app-noisy', 1, { errorFieldRatio: 0.4 }),
        checksApp('app-broken', 1, { errorFieldRatio: 1 }),
      ],
    });
  });
  after(() => h.close());

  async function completed(appId: string, files: Record<string, string>): Promise<string> {
    const run = await h.api.runOver(appId, files);
    assert.equal((await h.api.status(run.id)).status, 'COMPLETE');
    return run.id;
  }

  async function page(runId: string, offset: number, query = ''): Promise<RunResultsPage> {
    const answer = await h.api.get<RunResultsPage>(
      `/v2/apps/runs/${runId}/results?file_offset=${offset}${query}`,
    );
    assert.equal(answer.status, 200, answer.text);
    return answer.json;
  }

  async function allFiles(runId: string, query = ''): Promise<ResultFile[]> {
    const files: ResultFile[] = [];
    for (;;) {
      const next = await page(runId, files.length, query);
      files.push(...next.files);
      if (!next.has_more) return files;
    }
  }

  const fieldsOf = (file: ResultFile | undefined): ResultField[] => file!.documents[0]!.fields;

  it('pages results one file at a time at pageSize 1', async () => {
    const runId = await completed('app-quick', { 'a.txt': 'A', 'b.txt': 'B', 'c.txt': 'C' });
    const pages: RunResultsPage[] = [];
    for (let offset = 0; offset < 4; offset++) pages.push(await page(runId, offset));
    assert.deepEqual(
      pages.map((p) => [p.files.length, p.has_more]),
      [
        [1, true],
        [1, true],
        [1, false],
        [0, false],
      ],
    );
    assert.deepEqual(
      pages.slice(0, 3).map((p) => p.files[0]!.original_file_name),
      ['a.txt', 'b.txt', 'c.txt'],
    );
  });

  it('takes field values from `Field Name: value` lines and rewrites field names into identifiers', async () => {
    const text =
      'INVOICE\ninvoice number:  INV-2026-001 \r\nVendor: Globex\fpage two\fDue_Date: 2026-12-31\n';
    const [file] = await allFiles(await completed('app-quick', { 'inv.txt': text }));
    assert.deepEqual(file!.documents[0]!.page_numbers, [1, 2, 3]);
    const fields = fieldsOf(file);
    assert.deepEqual(
      fields.map((f) => f.field_name),
      ['invoice_number', 'vendor', 'total', 'due_date'],
    );
    const value = (name: string): unknown => fields.find((f) => f.field_name === name)?.value;
    assert.equal(value('invoice_number'), 'INV-2026-001');
    assert.equal(value('vendor'), 'Globex');
    assert.equal(value('due_date'), '2026-12-31');
    assert.match(String(value('total')), /^\d+\.\d\d$/, 'a derived amount');
    assert.ok(fields.every((f) => f.type === 'TEXT' && f.error_msg === undefined));
    assert.match(
      file!.input_file_path ?? '',
      /^acme\/personal\/fs\/Instabase Drive\/batches\/\d+\/inv\.txt$/,
    );
  });

  it('gives identical files entries for two runs over the same bytes', async () => {
    const files = { 'x.txt': 'Vendor: Initech\nsome text', 'y.bin': '\u0000\u0001binary\u00ff' };
    const first = await allFiles(await completed('app-noisy', files), '&include_confidence_scores=true');
    const second = await allFiles(await completed('app-noisy', files), '&include_confidence_scores=true');
    const withoutPath = (f: ResultFile): ResultFile => ({ ...f, input_file_path: null }); // different batches
    assert.deepEqual(first.map(withoutPath), second.map(withoutPath));
    const confidence = fieldsOf(first[0])[0]!.confidence!;
    assert.ok(
      confidence.model! >= 0 && confidence.model! < 1 && confidence.ocr! >= 0.5 && confidence.ocr! < 1,
    );
  });

  it('marks about errorFieldRatio of the fields ERROR, with an error_msg', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 25; i++) files[`f${i}.txt`] = `document ${i}`;
    const results = await allFiles(await completed('app-noisy', files), '&include_validation_results=true');
    const all = results.flatMap((f) => fieldsOf(f));
    const errors = all.filter((f) => f.value === 'ERROR');
    assert.equal(all.length, 25 * fieldCount);
    assert.ok(errors.length > 20 && errors.length < 60, `${errors.length} errors of 100`);
    assert.ok(errors.every((f) => typeof f.error_msg === 'string' && f.validations?.valid === false));

    const broken = await allFiles(await completed('app-broken', { 'a.txt': 'Vendor: Globex' }));
    assert.ok(fieldsOf(broken[0]).every((f) => f.value === 'ERROR'));
  });

  it('answers batch_id as a string in results and keeps custom keys', async () => {
    const batchId = await h.api.batchWith({ 'a.txt': 'A' });
    const run = await h.api.post<Run>('/v2/apps/runs', {
      app_id: 'app-quick',
      batch_id: batchId,
      settings: { keys: { custom: { region: 'eu' } } },
    });
    await h.api.status(run.json.id);
    const answer = await h.api.get<RunResultsPage>(`/v2/apps/runs/${run.json.id}/results`);
    assert.equal(answer.json.batch_id, String(batchId));
    assert.deepEqual(answer.json.keys, { custom: { region: 'eu' } });
    assert.match(answer.text, /"start_timestamp":\d{19},/);
    assert.match(answer.text, /"finish_timestamp":\d{19},/);
  });

  it('refuses results of a run that is not COMPLETE with 409', async () => {
    await h.admin.putApp(checksApp('app-slow', 5));
    const run = await h.api.runOver('app-slow', { 'a.txt': 'A' });
    const answer = await h.api.get(`/v2/apps/runs/${run.id}/results`);
    assert.equal(answer.status, 409);
    assert.match(answer.json.message, /RUNNING/);
  });
});
