/**
 * What Instabase's official Python SDK (`instabase-aihub` 0.14.0) found the emulator answering
 * differently from AI Hub's spec, each against the emulator over HTTP: decimal timestamps of a
 * deployment run, the `username` filter of list runs, the `FAILURE` alert level, the personal
 * workspace of a run started without `output_workspace`, and what each `include_*` results flag
 * adds (and that without it the part is left out), with the flags' query text parsed leniently.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ResultDocument, ResultField, Run, RunResultsPage } from '../../src/aihub/schemas';
import { checksApp, harness } from './support';
import type { Harness, Message } from './support';

describe('emulator: what the official SDK found', () => {
  let h: Harness;
  before(async () => {
    h = await harness({
      apps: [
        checksApp('app-quick', 1),
        checksApp('app-broken', 1, { errorFieldRatio: 1 }),
        checksApp('app-reviewed', 1, { review: { autoCompleteMs: 0 } }),
      ],
      deployments: [{ id: 'dep-quick', appId: 'app-quick' }],
    });
  });
  after(() => h.close());

  async function completed(appId: string, files: Record<string, string>): Promise<string> {
    const run = await h.api.runOver(appId, files);
    assert.equal((await h.api.status(run.id)).status, 'COMPLETE');
    return run.id;
  }

  async function firstPage(runId: string, query = ''): Promise<RunResultsPage> {
    const answer = await h.api.get<RunResultsPage>(`/v2/apps/runs/${runId}/results${query}`);
    assert.equal(answer.status, 200, answer.text);
    return answer.json;
  }

  const documentsOf = (page: RunResultsPage): ResultDocument[] => page.files.flatMap((f) => f.documents);
  const fieldsOf = (page: RunResultsPage): ResultField[] => documentsOf(page).flatMap((d) => d.fields);

  it('a deployment run accepts decimal from_timestamp / to_timestamp (the spec types them number)', async () => {
    const answer = await h.api.post<Run>('/v2/apps/deployments/dep-quick/runs', {
      manual_upstream_integration: true,
      from_timestamp: 1764547200000.5,
      to_timestamp: 1764633600000.25,
    });
    assert.equal(answer.status, 202, answer.text);
    assert.equal(answer.json.deployment_id, 'dep-quick');
  });

  it('list runs filters by username: the user who started the run', async () => {
    const run = await h.api.runOver('app-quick', { 'a.txt': 'A' });
    const listed = async (username: string): Promise<string[]> => {
      const answer = await h.api.get<{ runs: Run[] }>(
        `/v2/apps/runs?username=${encodeURIComponent(username)}`,
      );
      assert.equal(answer.status, 200, answer.text);
      return answer.json.runs.map((r) => r.id);
    };
    assert.ok((await listed('emulator-user')).includes(run.id));
    assert.deepEqual(await listed('someone.else_acme.com'), []);
  });

  it('a run started without output_workspace is in the personal workspace', async () => {
    const personal = await h.api.runOver('app-quick', { 'a.txt': 'A' });
    const batchId = await h.api.batchWith({ 'b.txt': 'B' });
    const claims = await h.api.post<Run>('/v2/apps/runs', {
      app_id: 'app-quick',
      batch_id: batchId,
      output_workspace: 'Claims',
    });
    const inWorkspace = async (workspace: string): Promise<string[]> => {
      const answer = await h.api.get<{ runs: Run[] }>(`/v2/apps/runs?output_workspaces=${workspace}`);
      assert.equal(answer.status, 200, answer.text);
      return answer.json.runs.map((r) => r.id);
    };
    const personalRuns = await inWorkspace('personal');
    assert.ok(personalRuns.includes(personal.id));
    assert.ok(!personalRuns.includes(claims.json.id));
    assert.ok((await inWorkspace('Claims')).includes(claims.json.id));
  });

  it('validation alerts have alert_level FAILURE', async () => {
    const runId = await completed('app-broken', { 'a.txt': 'nothing to find' });
    const fields = fieldsOf(await firstPage(runId, '?include_validation_results=true'));
    const alerts = fields.flatMap((f) => f.validations?.alerts ?? []);
    assert.equal(alerts.length, fields.length);
    assert.deepEqual(new Set(alerts.map((a) => a.alert_level)), new Set(['FAILURE']));
  });

  it('without include flags, results leave out review, confidence, validation and source details', async () => {
    const page = await firstPage(await completed('app-reviewed', { 'a.txt': 'Vendor: Globex' }));
    const documentKeys = [
      'review_completed',
      'class_edit_history',
      'classification_confidence',
      'validations',
    ];
    const sourceKeys = ['page_layouts', 'post_processed_paths', 'post_processed_pdf_path'];
    for (const document of documentsOf(page)) {
      for (const key of [...documentKeys, ...sourceKeys])
        assert.ok(!(key in document), `document has ${key}`);
    }
    for (const field of fieldsOf(page)) {
      for (const key of ['edit_history', 'confidence', 'validations', 'source_coordinates']) {
        assert.ok(!(key in field), `field has ${key}`);
      }
    }
  });

  it('include_review_results adds review_completed and the edit histories', async () => {
    const reviewed = await firstPage(
      await completed('app-reviewed', { 'a.txt': 'Vendor: Globex' }),
      '?include_review_results=true',
    );
    for (const document of documentsOf(reviewed)) {
      assert.equal(document.review_completed, true);
      assert.deepEqual(document.class_edit_history, []);
    }
    assert.ok(fieldsOf(reviewed).every((f) => Array.isArray(f.edit_history)));
    const unreviewed = await firstPage(
      await completed('app-quick', { 'a.txt': 'Vendor: Globex' }),
      '?include_review_results=true',
    );
    assert.ok(documentsOf(unreviewed).every((d) => d.review_completed === false));
  });

  it('include_confidence_scores adds classification_confidence to documents and confidence to fields', async () => {
    const page = await firstPage(
      await completed('app-quick', { 'a.txt': 'Vendor: Globex' }),
      '?include_confidence_scores=true',
    );
    for (const document of documentsOf(page))
      assert.ok(document.classification_confidence, 'classification_confidence');
    for (const field of fieldsOf(page)) {
      assert.equal(typeof field.confidence?.model, 'number');
      assert.equal(typeof field.confidence?.ocr, 'number');
    }
  });

  it('include_validation_results adds final_result_pass to documents and valid to fields', async () => {
    const page = await firstPage(
      await completed('app-quick', { 'a.txt': 'Vendor: Globex' }),
      '?include_validation_results=true',
    );
    assert.ok(documentsOf(page).every((d) => d.validations?.final_result_pass === true));
    assert.ok(fieldsOf(page).every((f) => f.validations?.valid === true));
  });

  it('include_source_info adds page layouts, post-processed paths and source coordinates', async () => {
    const text = 'invoice number: INV-1\fVendor: Globex\fpage three';
    const page = await firstPage(
      await completed('app-quick', { 'a.txt': text }),
      '?include_source_info=true',
    );
    const [document] = documentsOf(page);
    assert.ok(document);
    assert.deepEqual(
      document.page_layouts?.map((p) => p.page_number),
      [0, 1, 2],
      'one layout per page, zero-indexed',
    );
    assert.ok(document.page_layouts?.every((p) => p.width > 0 && p.height > 0));
    assert.ok(Array.isArray(document.post_processed_paths));
    for (const field of document.fields) {
      const [box] = field.source_coordinates ?? [];
      assert.ok(box, `${field.field_name ?? ''} has source coordinates`);
      assert.ok((box.top_x ?? 1) < (box.bottom_x ?? 0) && (box.top_y ?? 1) < (box.bottom_y ?? 0));
      assert.ok(
        (box.page_number ?? -1) >= 0 && (box.page_number ?? 3) < 3,
        'a zero-indexed page of the file',
      );
    }
  });

  it('include flags read as the query text says: true and True are true, false is false, other text is refused', async () => {
    const runId = await completed('app-quick', { 'a.txt': 'Vendor: Globex' });
    for (const text of ['true', 'True', 'TRUE', '1']) {
      const page = await firstPage(runId, `?include_confidence_scores=${text}`);
      assert.ok(
        fieldsOf(page).every((f) => f.confidence !== undefined),
        `include_confidence_scores=${text}`,
      );
    }
    for (const text of ['false', 'False', '0']) {
      const page = await firstPage(runId, `?include_confidence_scores=${text}`);
      assert.ok(
        fieldsOf(page).every((f) => f.confidence === undefined),
        `include_confidence_scores=${text}`,
      );
    }
    const refused = await h.api.get<Message>(
      `/v2/apps/runs/${runId}/results?include_confidence_scores=maybe`,
    );
    assert.equal(refused.status, 400);
    assert.match(refused.json.message, /include_confidence_scores/);
  });
});
