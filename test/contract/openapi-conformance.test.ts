/**
 * Contract: hubrun's client and the emulator speak AI Hub as Instabase's own OpenAPI spec
 * describes it. A recording proxy on 127.0.0.1 sits between `AihubClient` and the emulator
 * through a realistic session (batches, single and multipart uploads, runs of an app by name and
 * by id and of a deployment, status, list filters, paged results with every include flag,
 * deletions and their jobs); then every recorded request is checked against the spec's request
 * schemas (path, query, headers, body) and every answer against its response schemas, with
 * openapi-backend. Without the spec (`../shared/reference/aihub-openapi/openapi.yaml` beside the
 * repository, or `AIHUB_OPENAPI_SPEC`) the tests skip and say so.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { AihubClient } from '../../src/aihub/client';
import { endpoints, type EndpointName } from '../../src/aihub/endpoints';
import type { Run } from '../../src/aihub/schemas';
import {
  EMULATOR_DEFAULT_CONTEXT,
  EMULATOR_DEFAULT_TOKEN,
  EmulatorAdmin,
  startEmulator,
} from '../../src/emulator';
import type { Emulator } from '../../src/emulator';
import { checkExchange, findSpec, loadSpec, specProblems, SPEC_ENV, type LoadedSpec } from './openapi-spec';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy';
import { INVOICE_FIELDS, pseudoRandomBytes, quickApp, tempDir, waitForJob, waitForRun } from './support';

const MiB = 1024 * 1024;
const specFile = findSpec();
const skipMessage = `Instabase's OpenAPI spec not found (../shared/reference/aihub-openapi/openapi.yaml beside the repository, or ${SPEC_ENV}): conformance not checked`;

/** Skips the test, saying why, when the spec is not there; answers whether to go on. */
function haveSpec(t: TestContext): boolean {
  if (specFile !== null) return true;
  t.skip(skipMessage);
  return false;
}

/**
 * The OpenAPI 3.0 schema's findings in the spec itself that are known and harmless here: a
 * `$ref` with sibling keys (`description`, `nullable`), which OpenAPI 3.0 does not allow (the
 * siblings are ignored). openapi.yaml line 4113 (resultsResponse.case_info) and line 4430
 * (caseInfoField.chosen_field, whose `nullable: true` is therefore void).
 */
const knownSpecProblems = ['/components/schemas/resultsResponse', '/components/schemas/caseInfoField'];

describe('contract: the client and the emulator conform to the AI Hub OpenAPI spec', () => {
  let spec: LoadedSpec;
  let emulator: Emulator;
  let proxy: RecordingProxy;
  let client: AihubClient;
  let admin: EmulatorAdmin;
  let dir: string;
  let cleanup: () => Promise<void> = () => Promise.resolve();

  before(async () => {
    if (specFile === null) return;
    spec = await loadSpec(specFile);
    ({ dir, cleanup } = await tempDir());
    emulator = await startEmulator({
      pageSize: 2,
      multipartPartSize: 4 * MiB,
      apps: [
        quickApp('app-invoices', 'invoices'),
        quickApp('app-noisy', 'noisy', 1, { errorFieldRatio: 0.5 }),
        quickApp('app-reviewed', 'reviewed', 1, { review: {} }),
      ],
      deployments: [{ id: 'dep-noisy', appId: 'app-noisy' }],
    });
    admin = new EmulatorAdmin(emulator.adminUrl);
    proxy = await startRecordingProxy(new URL(emulator.url).origin);
    client = new AihubClient({
      apiRoot: `${proxy.origin}/api`,
      token: EMULATOR_DEFAULT_TOKEN,
      ibContext: EMULATOR_DEFAULT_CONTEXT,
      timeoutMs: 30_000,
    });
  });
  after(async () => {
    await proxy?.close();
    await emulator?.close();
    await cleanup();
  });

  it('the spec is valid OpenAPI 3.0 but for the $ref siblings it is known to have', (t) => {
    if (!haveSpec(t)) return;
    const unexpected = specProblems(spec.document).filter(
      (p) => !knownSpecProblems.some((known) => p.startsWith(known)),
    );
    assert.deepEqual(unexpected, []);
  });

  it("the spec's own response examples validate against its schemas (with the documented exceptions)", (t) => {
    if (!haveSpec(t)) return;
    const problems: string[] = [];
    let examples = 0;
    for (const [path, item] of Object.entries(
      spec.document.paths as Record<string, Record<string, unknown>>,
    )) {
      for (const [method, value] of Object.entries(item)) {
        const op = value as {
          operationId: string;
          responses?: Record<string, { content?: Record<string, { example?: unknown }> }>;
          'x-fern-examples'?: { response?: { body?: unknown } }[];
        };
        const success = Object.keys(op.responses ?? {}).find((code) => code.startsWith('2'));
        const bodies: [string, unknown][] = (op['x-fern-examples'] ?? [])
          .filter((ex) => ex.response?.body !== undefined)
          .map((ex) => [success ?? '200', ex.response?.body]);
        for (const [code, response] of Object.entries(op.responses ?? {})) {
          for (const content of Object.values(response.content ?? {})) {
            if (content.example !== undefined) bodies.push([code, content.example]);
          }
        }
        for (const [code, body] of bodies) {
          examples += 1;
          const result = spec.api.validateResponse(body, op.operationId, Number(code));
          if (!result.valid)
            problems.push(`${method.toUpperCase()} ${path} ${code}: ${JSON.stringify(result.errors)}`);
        }
      }
    }
    assert.ok(examples >= 2, `found ${examples} response examples in the spec`);
    assert.deepEqual(problems, []);
  });

  it('every endpoint hubrun names is an operation of the spec, with the same method', (t) => {
    if (!haveSpec(t)) return;
    const missing = Object.entries(endpoints).filter(([, { method, path }]) => {
      const sample = path.replace(/:(\w+)/g, (_, name: string) =>
        name === 'batchId' || name === 'partNum' ? '7' : 'x',
      );
      return spec.api.router.matchOperation({ method, path: sample, headers: {} }) === undefined;
    });
    assert.deepEqual(missing, []);
  });

  it("a realistic session: the client's requests and the emulator's answers all conform", async (t) => {
    if (!haveSpec(t)) return;
    // Batches and uploads: one PUT each for small files, a multipart session for a big one, and
    // an aborted session.
    const { id: batchId } = await client.createBatch({ name: 'conformance', workspace: 'Claims' });
    const files: Record<string, string> = {
      'invoice 1.txt': 'invoice number: INV-1\nvendor: Globex\n',
      'facture é 2.txt': 'invoice number: INV-2\ntotal: 12.50\n',
      'scan 3.txt': 'due date: 2026-12-31\f page two\n',
    };
    for (const [name, text] of Object.entries(files)) {
      await client.putBatchFile(batchId, name, Buffer.from(text), Buffer.byteLength(text));
    }
    const big = join(dir, 'big.bin');
    await writeFile(big, pseudoRandomBytes(10 * MiB + 321));
    assert.deepEqual(await client.uploadFile(batchId, 'big scan.pdf', big), {
      bytes: 10 * MiB + 321,
      multipart: true,
    });
    const session = await client.startMultipartUpload({
      batch_id: batchId,
      filename: 'dropped.pdf',
      file_size: 10,
    });
    await client.putMultipartPart(session.session_id, 1, Buffer.from('0123456789'), 10);
    await client.finishMultipartUpload(session.session_id, { action: 'abort' });
    await client.putBatchFile(batchId, 'stray.txt', Buffer.from('x'), 1);
    await client.deleteBatchFile(batchId, 'stray.txt');

    assert.ok(
      (await client.listBatches({ workspace: 'Claims', username: 'emulator-user', limit: 10, offset: 0 }))
        .length > 0,
    );
    assert.equal((await client.getBatch(batchId)).name, 'conformance');
    const names: (string | undefined)[] = [];
    for (let token: string | undefined, more = true; more;) {
      const page = await client.listBatchFiles(batchId, {
        page_size: 2,
        ...(token ? { start_token: token } : {}),
      });
      names.push(...page.nodes.map((n) => n.name));
      token = page.next_page_token ?? undefined;
      more = page.has_more === true;
    }
    assert.equal(names.length, 4);

    // Runs: an app by name (every request field), an app by id over a drive folder, a deployment
    // over a batch and over its upstream integration.
    const settings = {
      keys: { custom: { region: 'eu', threshold: 0.5 }, secret: { erp: 'erp-token-alias' } },
      runtime_config: { generate_post_process_pdf: true },
      tags: ['conformance', 'orch:session'],
    };
    const byName = await client.runApp({
      app_name: 'invoices',
      owner: 'acme',
      version: '1.0.0',
      batch_id: batchId,
      output_workspace: 'Claims',
      settings,
    });
    await admin.putDriveFile('acme/Claims/fs/Instabase Drive/inbox/a.txt', 'invoice number: INV-9\n');
    const byId = await client.runApp({
      app_id: 'app-reviewed',
      input_dir: 'acme/Claims/fs/Instabase Drive/inbox',
      output_dir: 'acme/Claims/fs/Instabase Drive/out',
    });
    const { id: batch2 } = await client.createBatch({ name: 'deployment input' });
    for (const [name, text] of Object.entries(files)) {
      await client.putBatchFile(batch2, name, Buffer.from(text), Buffer.byteLength(text));
    }
    const deployed = await client.runDeployment('dep-noisy', {
      batch_id: batch2,
      settings: { tags: ['deployed'] },
    });
    const upstream = await client.runDeployment('dep-noisy', {
      manual_upstream_integration: true,
      from_timestamp: 1764547200000.5,
      to_timestamp: 1764633600000,
    });

    const complete = async (run: Run): Promise<void> => {
      let state = await waitForRun(client, run.id);
      if (state.status === 'STOPPED_AT_CHECKPOINT') {
        await admin.completeReview(run.id);
        state = await client.getRun(run.id);
      }
      assert.equal(state.status, 'COMPLETE', `${run.id}: ${state.msg ?? ''}`);
    };
    for (const run of [byName, byId, deployed, upstream]) await complete(run);

    const nowS = Math.floor(Date.now() / 1000);
    const listed = await client.listRuns({
      app_name: 'invoices',
      username: 'emulator-user',
      status: ['COMPLETE', 'RUNNING'],
      output_workspaces: ['Claims'],
      from_timestamp: nowS - 3600,
      to_timestamp: nowS + 3600,
      limit: 2,
      offset: 0,
      sort_by: 'start_timestamp',
      order: 'ASCENDING',
    });
    assert.deepEqual(
      listed.map((r) => r.id),
      [byName.id],
    );
    assert.equal((await client.listRuns({ app_id: 'app-reviewed', status: ['COMPLETE'] })).length, 1);
    assert.equal((await client.listRuns({ deployment_id: 'dep-noisy', sort_by: 'status' })).length, 2);
    assert.equal((await client.listRuns({ run_id: deployed.id })).length, 1);
    const pagedOneByOne: string[] = [];
    for await (const run of client.listAllRuns({ limit: 1 })) pagedOneByOne.push(run.id);
    assert.equal(new Set(pagedOneByOne).size, 4);

    // Results: every page with every include flag, and a first page with none.
    const include = {
      include_review_results: true,
      include_confidence_scores: true,
      include_validation_results: true,
      include_source_info: true,
    };
    for (const run of [byName, byId, deployed]) {
      for (let offset = 0, more = true; more;) {
        const page = await client.getRunResults(run.id, { file_offset: offset, ...include });
        offset += page.files.length;
        more = page.has_more === true && page.files.length > 0;
      }
      await client.getRunResults(run.id);
    }
    const fields = (
      await client.getRunResults(deployed.id, { include_validation_results: true })
    ).files.flatMap((f) => f.documents.flatMap((d) => d.fields));
    assert.equal(fields.length, 2 * INVOICE_FIELDS.length);

    // Deletions and their jobs; the older job alias; an unknown run.
    const deletion = await client.deleteRun(byName.id, {
      delete_db_data: true,
      delete_input: false,
      delete_output: true,
      delete_logs: true,
    });
    for (const job of [deletion.delete_output_dir_job_id, deletion.delete_log_dir_job_id]) {
      assert.ok(job);
      assert.equal((await waitForJob(client, job)).state, 'COMPLETE');
    }
    const defaults = await client.deleteRun(deployed.id);
    assert.ok(defaults.delete_input_dir_job_id);
    const { job_id: batchJob } = await client.deleteBatch(batchId);
    assert.equal((await waitForJob(client, batchJob)).state, 'COMPLETE');
    const alias = await fetch(`${proxy.origin}/api/v2/batches/jobs/${batchJob}`, {
      headers: { authorization: `Bearer ${EMULATOR_DEFAULT_TOKEN}`, 'ib-context': EMULATOR_DEFAULT_CONTEXT },
    });
    assert.equal(alias.status, 200);
    await alias.arrayBuffer();
    await assert.rejects(client.getRun('run-unknown'));

    // Every exchange against the spec.
    const basePath = new URL(emulator.url).pathname;
    const checks = proxy.exchanges.map((exchange) => ({
      exchange,
      ...checkExchange(spec, exchange, basePath),
    }));
    const problems = checks.flatMap(({ exchange, problems: found }) =>
      found.map((p) => `${exchange.method} ${exchange.url} -> ${exchange.status}: ${p}`),
    );
    assert.deepEqual(problems, []);

    // Every endpoint hubrun names was exercised.
    const exercised = new Set(checks.map((c) => c.operationId));
    const unexercised = (Object.keys(endpoints) as EndpointName[]).filter((name) => {
      const { method, path } = endpoints[name];
      const sample = path.replace(/:(\w+)/g, (_, p: string) =>
        p === 'batchId' || p === 'partNum' ? '7' : 'x',
      );
      const operation = spec.api.router.matchOperation({ method, path: sample, headers: {} });
      return !exercised.has(operation?.operationId ?? null);
    });
    assert.deepEqual(unexercised, []);
  });
});
