/**
 * The AI Hub schemas parse leniently, the way a client that must outlive the server's next
 * release does: a status nobody documented yet, fields the spec marks optional left out, the
 * spec's own results example, and results with keys hubrun has never heard of, kept intact.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLosslessJson } from '../../src/aihub/lossless-json';
import {
  BatchFileNode,
  DeleteRunResponse,
  Job,
  ListBatchesResponse,
  ListBatchFilesResponse,
  ListRunsResponse,
  ResultFile,
  Run,
  RunDeploymentRequest,
  RunResultsPage,
} from '../../src/aihub/schemas';

/**
 * The response example of `getRunResults` in Instabase's openapi.yaml (x-fern-examples of
 * `/v2/apps/runs/{run_id}/results`), as JSON text so its nanosecond timestamps stay exact.
 * Its `keys` is a list, where the spec's schema says an object.
 */
const specResultsExample = `{
  "id": "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
  "status": "COMPLETE",
  "message": "Completed single_flow",
  "start_timestamp": 1765912514238248673,
  "finish_timestamp": 1765912529614833939,
  "batch_id": "1235",
  "files": [
    {
      "original_file_name": "test.png",
      "input_file_path": "instabase-sandbox-org/test-org/fs/Instabase Drive/app-runs/a1b2c3d4-e5f6-7890-abcd-ef1234567890/input/test.png",
      "documents": [
        {
          "class_name": "Wage And Tax Statement",
          "page_numbers": [1, 2],
          "fields": [
            { "value": "123 STREET RD ANYWHERE, USA,12345", "type": "TEXT", "field_name": "employers_address_and_ZIP_code" }
          ]
        }
      ]
    },
    {
      "original_file_name": "test2.png",
      "input_file_path": "instabase-sandbox-org/test-org/fs/Instabase Drive/app-runs/a1b2c3d4-e5f6-7890-abcd-ef1234567890/input/test2.png",
      "documents": [
        {
          "class_name": "Driver License",
          "page_numbers": [1],
          "fields": [{ "value": "Male", "type": "TEXT", "field_name": "sex" }]
        }
      ]
    }
  ],
  "keys": [{ "custom": {} }],
  "case_info": {
    "fields": [
      {
        "name": "Employee_Address",
        "value": "123 STREET RD ANYWHERE, USA,12345",
        "input_fields": [{ "record_index": 0, "refined_phrase_name": "employers_address_and_ZIP_code" }],
        "chosen_field": { "record_index": 0, "refined_phrase_name": "employers_address_and_ZIP_code" },
        "edit_history": [
          {
            "timestamp": "08/27/2025 00:58:39",
            "user_id": "john.doe_instabase.com",
            "modifications": [{ "message": "Edited to \\"123 STREET RD ANYWHERE, USA,12345\\"" }]
          }
        ]
      },
      {
        "name": "Sex",
        "value": "Male",
        "input_fields": [{ "record_index": 0, "refined_phrase_name": "sex" }],
        "chosen_field": { "record_index": 0, "refined_phrase_name": "sex" }
      }
    ]
  },
  "has_more": false
}`;

/** A results file with every optional part present and unknown keys at every depth. */
function resultFileWithUnknownKeys(): Record<string, unknown> {
  return {
    original_file_name: 'claim.pdf',
    input_file_path: 'acme/Claims/fs/Instabase Drive/inbox/claim.pdf',
    file_checksum: 'sha256:abc',
    documents: [
      {
        class_name: 'Invoice',
        page_numbers: [1],
        document_id: 'doc-1',
        review_completed: true,
        validations: { final_result_pass: false, rule_count: 2 },
        classification_confidence: { model: 0.97, calibrated: 0.91 },
        page_layouts: [{ page_number: 0, width: 612, height: 792, rotation: 90 }],
        post_processed_paths: ['acme/out/claim-1.ibdoc'],
        post_processed_pdf_path: 'acme/out/claim-1.pdf',
        class_edit_history: [
          {
            timestamp: '08/27/2025 00:58:39',
            user_id: 'jo',
            modifications: [{ message: 'class set', previous: 'Receipt' }],
            source: 'review-ui',
          },
        ],
        fields: [
          {
            field_name: 'total',
            value: 'ERROR',
            type: 'TEXT',
            error_msg: 'not found',
            line_items: [{ sku: 'A-1' }],
            confidence: { model: 0.2, ocr: 0.9, layout: 0.5 },
            validations: {
              valid: false,
              rule_version: 3,
              alerts: [
                {
                  alert_level: 'FAILURE',
                  msg: 'total is missing',
                  blocked: true,
                  type: 'lambda_code',
                  locations: [{ page: 0, box: [1, 2, 3, 4] }],
                  rule_id: 'r-7',
                },
              ],
            },
            source_coordinates: [
              { top_x: 1, top_y: 2, bottom_x: 3, bottom_y: 4, page_number: 0, word_ids: [5] },
            ],
            edit_history: [{ timestamp: 't', user_id: 'jo', modifications: [], reason: 'typo' }],
          },
        ],
      },
    ],
  };
}

describe('AI Hub schemas', () => {
  it("a results page shaped as the spec's own example parses, keys list, case_info and all", () => {
    const input = parseLosslessJson(specResultsExample);
    const page = RunResultsPage.parse(input);
    assert.deepEqual(page, input);
    assert.equal(page.start_timestamp, '1765912514238248673');
    assert.deepEqual(page.keys, [{ custom: {} }]);
  });

  it('a results page whose keys is an object, as the schema says, parses too', () => {
    const page = RunResultsPage.parse({ files: [], keys: { custom: { region: 'eu' } }, has_more: false });
    assert.deepEqual(page.keys, { custom: { region: 'eu' } });
  });

  it('a run with a status AI Hub has not documented parses and keeps the status', () => {
    const run = Run.parse({ id: 'run-1', status: 'QUEUED_FOR_GPU', start_timestamp: 1 });
    assert.equal(run.status, 'QUEUED_FOR_GPU');
    const page = RunResultsPage.parse({ id: 'run-1', status: 'ARCHIVED', files: [] });
    assert.equal(page.status, 'ARCHIVED');
    const listed = ListRunsResponse.parse({ runs: [{ id: 'run-2', status: 'SUSPENDED' }] });
    assert.equal(listed.runs[0]?.status, 'SUSPENDED');
  });

  it('a run status must still be a non-empty string', () => {
    assert.equal(Run.safeParse({ id: 'run-1', status: '' }).success, false);
    assert.equal(Run.safeParse({ id: 'run-1', status: 7 }).success, false);
    assert.equal(Run.safeParse({ id: 'run-1' }).success, false, 'hubrun cannot wait without a status');
  });

  it('a results file with unknown keys at every depth parses to an object deep-equal to its input', () => {
    const input = resultFileWithUnknownKeys();
    assert.deepEqual(ResultFile.parse(structuredClone(input)), input);
    const page = { files: [input], case_info: { fields: [], case_id: 'c-1' }, has_more: false, trace: 'x' };
    assert.deepEqual(RunResultsPage.parse(structuredClone(page)), page);
  });

  it('fields the spec marks optional may be missing', () => {
    const page = RunResultsPage.parse({ files: [{ documents: [{ fields: [{ value: 'x' }] }] }] });
    assert.equal(
      page.has_more,
      undefined,
      'has_more is optional: a reader pages on until a page with no files',
    );
    assert.deepEqual(RunResultsPage.parse({}).files, []);
    assert.deepEqual(ResultFile.parse({}).documents, []);
    assert.deepEqual(ListRunsResponse.parse({}).runs, []);
    assert.deepEqual(ListBatchesResponse.parse({}).batches, []);
    assert.deepEqual(ListBatchFilesResponse.parse({}).nodes, []);
    assert.deepEqual(BatchFileNode.parse({ full_path: '/a' }), { full_path: '/a' });
    assert.deepEqual(DeleteRunResponse.parse({}), {});
    assert.deepEqual(Run.parse({ id: 'run-1', status: 'RUNNING' }), { id: 'run-1', status: 'RUNNING' });
  });

  it('a job state AI Hub has not documented parses', () => {
    assert.equal(Job.parse({ state: 'QUEUED' }).state, 'QUEUED');
    assert.equal(Job.safeParse({ state: '' }).success, false);
  });

  it('a deployment run request may carry decimal from_timestamp / to_timestamp (the spec types them number)', () => {
    const body = RunDeploymentRequest.parse({
      manual_upstream_integration: true,
      from_timestamp: 1764547200000.5,
      to_timestamp: 1764633600000.25,
    });
    assert.equal(body.from_timestamp, 1764547200000.5);
    assert.equal(RunDeploymentRequest.safeParse({ batch_id: 1, from_timestamp: 'soon' }).success, false);
  });
});
