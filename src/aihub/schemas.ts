/**
 * zod schemas for every AI Hub v2 body hubrun sends or receives: the single source of truth for
 * the client (which parses responses with them) and the emulator (which validates requests and
 * builds responses with them). Each type is inferred from the schema of the same name.
 *
 * Parsing is lenient, the way a client that must outlive the server's next release does: what
 * Instabase's OpenAPI spec marks optional may be absent (or null), a run or job status outside the
 * documented enum is kept as it is, unknown keys are kept in results (which hubrun hands on) and
 * stripped elsewhere. Nanosecond timestamps are carried as decimal strings, never as rounded numbers.
 */
import { z } from 'zod';
import { aihubLimits } from './endpoints';

/** An integer that may exceed 2^53 (a nanosecond timestamp), carried as its exact decimal string. */
export const BigIntString = z
  .union([z.string().regex(/^-?\d+$/, 'expected an integer'), z.number().int()])
  .transform((v) => (typeof v === 'number' ? BigInt(v).toString() : v));

/** Keys whose values are 19-digit nanosecond timestamps on the wire. */
export const nanosecondKeys: ReadonlySet<string> = new Set(['start_timestamp', 'finish_timestamp']);

/** The six run statuses AI Hub documents; the emulator produces only these. */
export const RunStatus = z.enum([
  'RUNNING',
  'STOPPED_AT_CHECKPOINT',
  'PAUSED',
  'COMPLETE',
  'FAILED',
  'CANCELLED',
]);
export type RunStatus = z.infer<typeof RunStatus>;

/** A run status as AI Hub answers it: one of the documented six, or any status it adds later. */
export type RunStatusValue = RunStatus | (string & {});

/**
 * A run status read leniently: any non-empty string. A status AI Hub adds tomorrow must not be a
 * schema mismatch (a non-retryable failure of every waiting pipeline); hubrun reads an unknown
 * status as still in progress.
 */
export const RunStatusValue: z.ZodType<RunStatusValue, string> = z.string().min(1, 'expected a run status');

/** The error body of a non-2xx answer. */
export const ErrorBody = z.object({ message: z.string().nullish() });
export type ErrorBody = z.infer<typeof ErrorBody>;

/**
 * A run: answered by run app, run deployment, get run status, and (as items) list runs. The spec
 * requires no field; hubrun requires the two it cannot work without, `id` and `status`.
 */
export const Run = z.object({
  id: z.string(),
  status: RunStatusValue,
  start_timestamp: BigIntString.nullish(),
  finish_timestamp: BigIntString.nullish(),
  msg: z.string().nullish(),
  batch_id: z.number().int().nullish(),
  input_dir: z.string().nullish(),
  app_id: z.string().nullish(),
  deployment_id: z.string().nullish(),
  tags: z.array(z.string()).nullish(),
});
export type Run = z.infer<typeof Run>;

/** `settings` of a run request: custom keys, secret aliases, runtime config and tags. */
export const RunSettings = z.object({
  keys: z
    .object({
      custom: z.record(z.string(), z.unknown()).optional(),
      secret: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
  runtime_config: z.record(z.string(), z.unknown()).optional(),
  tags: z
    .array(z.string())
    .optional()
    .refine((tags) => (tags ?? []).join('').length <= aihubLimits.maxTagChars, {
      message: `all tags together may hold at most ${aihubLimits.maxTagChars} characters`,
    }),
});
export type RunSettings = z.infer<typeof RunSettings>;

/** Body of `POST /v2/apps/runs`: exactly one app reference and exactly one input. */
export const RunAppRequest = z
  .object({
    app_name: z.string().min(1).optional(),
    app_id: z.string().min(1).optional(),
    owner: z.string().min(1).optional(),
    version: z.string().min(1).optional(),
    batch_id: z.number().int().positive().optional(),
    input_dir: z.string().min(1).optional(),
    output_workspace: z.string().min(1).optional(),
    output_dir: z.string().min(1).optional(),
    settings: RunSettings.optional(),
  })
  .superRefine((body, ctx) => {
    if ((body.app_name === undefined) === (body.app_id === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['app_name'], message: 'give exactly one of app_name or app_id' });
    }
    if ((body.batch_id === undefined) === (body.input_dir === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['batch_id'],
        message: 'give exactly one of batch_id or input_dir',
      });
    }
  });
export type RunAppRequest = z.infer<typeof RunAppRequest>;

/** Body of `POST /v2/apps/deployments/{id}/runs`: one of batch, folder or the upstream integration. */
export const RunDeploymentRequest = z
  .object({
    batch_id: z.number().int().positive().optional(),
    input_dir: z.string().min(1).optional(),
    manual_upstream_integration: z.boolean().optional(),
    // Milliseconds; the spec types them `number`, so a decimal is valid.
    from_timestamp: z.number().optional(),
    to_timestamp: z.number().optional(),
    version: z.string().min(1).optional(),
    output_dir: z.string().min(1).optional(),
    settings: RunSettings.optional(),
  })
  .superRefine((body, ctx) => {
    const given = [body.batch_id, body.input_dir, body.manual_upstream_integration || undefined].filter(
      (v) => v !== undefined,
    );
    if (given.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['batch_id'],
        message: 'give exactly one of batch_id, input_dir or manual_upstream_integration',
      });
    }
  });
export type RunDeploymentRequest = z.infer<typeof RunDeploymentRequest>;

// Results. Every object below is a `z.looseObject`, at every depth: results are handed on to
// users as AI Hub answered them, so keys this schema does not name are kept, never dropped.
// What the spec marks optional may be missing; lists the spec marks optional read as empty.

/** An entry of an edit history (`edit_history`, `class_edit_history`): who changed what, when. */
export const ResultModification = z.looseObject({
  timestamp: z.string(),
  user_id: z.string(),
  modifications: z.array(z.looseObject({ message: z.string().nullish() })).nullish(),
});
export type ResultModification = z.infer<typeof ResultModification>;

/** One validation alert of a field; AI Hub documents `alert_level` as always `FAILURE`. */
export const ResultAlert = z.looseObject({
  alert_level: z.string().nullish(),
  msg: z.string().nullish(),
  blocked: z.boolean().nullish(),
  type: z.string().nullish(),
  locations: z.array(z.looseObject({})).nullish(),
});
export type ResultAlert = z.infer<typeof ResultAlert>;

/** Where a field was found on a page (`include_source_info`); page numbers are zero-indexed. */
export const ResultSourceCoordinates = z.looseObject({
  top_x: z.number().nullish(),
  top_y: z.number().nullish(),
  bottom_x: z.number().nullish(),
  bottom_y: z.number().nullish(),
  page_number: z.number().int().nullish(),
});
export type ResultSourceCoordinates = z.infer<typeof ResultSourceCoordinates>;

/** The size of one page of a document (`include_source_info`); `page_number` is zero-indexed. */
export const ResultPageLayout = z.looseObject({
  page_number: z.number().int(),
  width: z.number(),
  height: z.number(),
});
export type ResultPageLayout = z.infer<typeof ResultPageLayout>;

/** One extracted field of a document; `value` is the string `ERROR` when extraction failed. */
export const ResultField = z.looseObject({
  field_name: z.string().optional(),
  // The spec says string; tables and lists come as other JSON, so any value is kept.
  value: z.unknown(),
  type: z.string().nullish(),
  error_msg: z.string().nullish(),
  confidence: z.looseObject({ model: z.number().nullish(), ocr: z.number().nullish() }).nullish(),
  validations: z
    .looseObject({ valid: z.boolean().nullish(), alerts: z.array(ResultAlert).nullish() })
    .nullish(),
  source_coordinates: z.array(ResultSourceCoordinates).nullish(),
  edit_history: z.array(ResultModification).nullish(),
});
export type ResultField = z.infer<typeof ResultField>;

/** One document found in a file. */
export const ResultDocument = z.looseObject({
  class_name: z.string().nullish(),
  page_numbers: z.array(z.number().int()).nullish(),
  fields: z.array(ResultField).default([]),
  review_completed: z.boolean().nullish(),
  validations: z.looseObject({ final_result_pass: z.boolean().nullish() }).nullish(),
  classification_confidence: z.looseObject({ model: z.number().nullish() }).nullish(),
  page_layouts: z.array(ResultPageLayout).nullish(),
  post_processed_paths: z.array(z.string()).nullish(),
  post_processed_pdf_path: z.string().nullish(),
  class_edit_history: z.array(ResultModification).nullish(),
});
export type ResultDocument = z.infer<typeof ResultDocument>;

/** The results of one input file. */
export const ResultFile = z.looseObject({
  original_file_name: z.string().optional(),
  input_file_path: z.string().nullish(),
  documents: z.array(ResultDocument).default([]),
});
export type ResultFile = z.infer<typeof ResultFile>;

/** One field of a file the packet (case) level consolidates. */
export const CaseInputField = z.looseObject({
  record_index: z.number().int().nullish(),
  refined_phrase_name: z.string().nullish(),
});
export type CaseInputField = z.infer<typeof CaseInputField>;

/** One cross-class field of `case_info`. */
export const CaseInfoField = z.looseObject({
  name: z.string(),
  value: z.unknown(),
  input_fields: z.array(CaseInputField).nullish(),
  chosen_field: CaseInputField.nullish(),
  error_msg: z.string().nullish(),
  edit_history: z.array(ResultModification).nullish(),
  validations: z
    .looseObject({
      valid: z.boolean(),
      failures: z.array(z.looseObject({ type: z.string(), msg: z.string() })).nullish(),
    })
    .nullish(),
});
export type CaseInfoField = z.infer<typeof CaseInfoField>;

/** Packet-level (case-level) information of a run. */
export const CaseInfo = z.looseObject({ fields: z.array(CaseInfoField).nullish() });
export type CaseInfo = z.infer<typeof CaseInfo>;

/** The non-secret custom keys of a run, as results answer them. */
export const ResultKeys = z.looseObject({ custom: z.record(z.string(), z.unknown()).nullish() });
export type ResultKeys = z.infer<typeof ResultKeys>;

/** Query of `GET /v2/apps/runs/{id}/results`; each `include_*` flag adds its parts of the results. */
export const RunResultsQuery = z.object({
  file_offset: z.coerce.number().int().min(0).optional(),
  include_review_results: z.boolean().optional(),
  include_confidence_scores: z.boolean().optional(),
  include_validation_results: z.boolean().optional(),
  include_source_info: z.boolean().optional(),
});
export type RunResultsQuery = z.infer<typeof RunResultsQuery>;

/**
 * One page of `GET /v2/apps/runs/{id}/results`: ask again with `file_offset += files.length`
 * while `has_more`; when `has_more` is absent, until a page with no files.
 */
export const RunResultsPage = z.looseObject({
  id: z.string().optional(),
  status: RunStatusValue.optional(),
  message: z.string().nullish(),
  start_timestamp: BigIntString.nullish(),
  finish_timestamp: BigIntString.nullish(),
  // A string here (unlike the run object); a number is accepted too.
  batch_id: z.union([z.string(), z.number()]).nullish(),
  files: z.array(ResultFile).default([]),
  // The schema says an object; the spec's own example shows a list of such objects.
  keys: z.union([ResultKeys, z.array(ResultKeys)]).nullish(),
  case_info: CaseInfo.nullish(),
  review_completed: z.boolean().nullish(),
  has_more: z.boolean().optional(),
});
export type RunResultsPage = z.infer<typeof RunResultsPage>;

/** Query of `GET /v2/apps/runs` (timestamps in seconds). */
export const ListRunsQuery = z.object({
  app_id: z.string().optional(),
  app_name: z.string().optional(),
  deployment_id: z.string().optional(),
  username: z.string().optional(),
  run_id: z.string().optional(),
  // The documented statuses only: the emulator refuses a filter by a status that does not exist.
  status: z.array(RunStatus).optional(),
  output_workspaces: z.array(z.string()).optional(),
  from_timestamp: z.coerce.number().int().optional(),
  to_timestamp: z.coerce.number().int().optional(),
  limit: z.coerce.number().int().positive().optional(),
  offset: z.coerce.number().int().min(0).optional(),
  sort_by: z.enum(['start_timestamp', 'status']).optional(),
  order: z.enum(['ASCENDING', 'DESCENDING']).optional(),
});
export type ListRunsQuery = z.infer<typeof ListRunsQuery>;

/** Answer of `GET /v2/apps/runs`: one page, no total; page with `offset += limit` until a short page. */
export const ListRunsResponse = z.object({ runs: z.array(Run).default([]) });
export type ListRunsResponse = z.infer<typeof ListRunsResponse>;

/** Query of `DELETE /v2/apps/runs/{id}`; every flag defaults to true at AI Hub. */
export const DeleteRunQuery = z.object({
  delete_db_data: z.boolean().optional(),
  delete_input: z.boolean().optional(),
  delete_output: z.boolean().optional(),
  delete_logs: z.boolean().optional(),
});
export type DeleteRunQuery = z.infer<typeof DeleteRunQuery>;

/** Answer of `DELETE /v2/apps/runs/{id}`: the deletion jobs to poll (null where nothing to delete). */
export const DeleteRunResponse = z.object({
  delete_input_dir_job_id: z.string().nullish(),
  delete_output_dir_job_id: z.string().nullish(),
  delete_log_dir_job_id: z.string().nullish(),
});
export type DeleteRunResponse = z.infer<typeof DeleteRunResponse>;

/** Body of `POST /v2/batches`. */
export const CreateBatchRequest = z.object({
  name: z.string().min(1).max(aihubLimits.maxBatchNameChars),
  workspace: z.string().min(1).optional(),
});
export type CreateBatchRequest = z.infer<typeof CreateBatchRequest>;

/** Answer of `POST /v2/batches`. */
export const CreateBatchResponse = z.object({ id: z.number().int() });
export type CreateBatchResponse = z.infer<typeof CreateBatchResponse>;

/** A batch as `GET /v2/batches/{id}` describes it. */
export const BatchInfo = z.object({
  id: z.number().int(),
  name: z.string(),
  workspace: z.string().nullish(),
  mount_point: z.string().nullish(),
  repo_owner: z.string().nullish(),
  batch_owner: z.string().nullish(),
  created_at_ms: z.number().int().nullish(),
  updated_at_ms: z.number().int().nullish(),
  path_suffix: z.string().nullish(),
});
export type BatchInfo = z.infer<typeof BatchInfo>;

/** Query of `GET /v2/batches`. */
export const ListBatchesQuery = z.object({
  workspace: z.string().optional(),
  username: z.string().optional(),
  limit: z.coerce.number().int().positive().optional(),
  offset: z.coerce.number().int().min(0).optional(),
});
export type ListBatchesQuery = z.infer<typeof ListBatchesQuery>;

/** Answer of `GET /v2/batches`. */
export const ListBatchesResponse = z.object({ batches: z.array(BatchInfo).default([]) });
export type ListBatchesResponse = z.infer<typeof ListBatchesResponse>;

/** Answer of `DELETE /v2/batches/{id}`: an asynchronous job. */
export const DeleteBatchResponse = z.object({ job_id: z.string() });
export type DeleteBatchResponse = z.infer<typeof DeleteBatchResponse>;

/** Query of `GET /v2/batches/{id}/files`. */
export const ListBatchFilesQuery = z.object({
  page_size: z.coerce.number().int().positive().optional(),
  start_token: z.string().optional(),
});
export type ListBatchFilesQuery = z.infer<typeof ListBatchFilesQuery>;

/** One file of a batch. */
export const BatchFileNode = z.object({
  name: z.string().optional(),
  full_path: z.string().nullish(),
  metadata: z
    .object({
      node_type: z.string().nullish(),
      size: z.number().int().nullish(),
      modified_timestamp: z.number().nullish(),
    })
    .nullish(),
});
export type BatchFileNode = z.infer<typeof BatchFileNode>;

/** Answer of `GET /v2/batches/{id}/files`. */
export const ListBatchFilesResponse = z.object({
  nodes: z.array(BatchFileNode).default([]),
  next_page_token: z.string().nullish(),
  has_more: z.boolean().nullish(),
});
export type ListBatchFilesResponse = z.infer<typeof ListBatchFilesResponse>;

/** Body of `POST /v2/batches/multipart-upload`. */
export const StartMultipartUploadRequest = z.object({
  batch_id: z.number().int().positive(),
  filename: z.string().min(1),
  file_size: z.number().int().positive(),
});
export type StartMultipartUploadRequest = z.infer<typeof StartMultipartUploadRequest>;

/** Answer of `POST /v2/batches/multipart-upload`. */
export const StartMultipartUploadResponse = z.object({
  session_id: z.string(),
  part_size: z.number().int().positive(),
});
export type StartMultipartUploadResponse = z.infer<typeof StartMultipartUploadResponse>;

/** Answer of one part upload. */
export const MultipartPartResponse = z.object({ part_id: z.string(), part_num: z.number().int() });
export type MultipartPartResponse = z.infer<typeof MultipartPartResponse>;

/** Body of `POST /v2/batches/multipart-upload/sessions/{id}`: commit the parts, or abort. */
export const FinishMultipartUploadRequest = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('commit'),
    parts: z.array(z.object({ part_num: z.number().int().positive(), part_id: z.string() })).min(1),
  }),
  z.object({ action: z.literal('abort') }),
]);
export type FinishMultipartUploadRequest = z.infer<typeof FinishMultipartUploadRequest>;

/** The five documented states of an asynchronous job; the emulator produces only these. */
export const JobState = z.enum(['PENDING', 'RUNNING', 'COMPLETE', 'FAILED', 'CANCELLED']);
export type JobState = z.infer<typeof JobState>;

/** A job state as AI Hub answers it: a documented one, or any state it adds later. */
export type JobStateValue = JobState | (string & {});

/** A job state read leniently: any non-empty string (an unknown state reads as not finished). */
export const JobStateValue: z.ZodType<JobStateValue, string> = z.string().min(1, 'expected a job state');

/** Answer of `GET /v2/jobs/{id}`; the spec requires no field, hubrun needs `state`. */
export const Job = z.object({ state: JobStateValue, message: z.string().nullish() });
export type Job = z.infer<typeof Job>;

/**
 * A run's finish notification, as AI Hub documented the per-run `webhook_config` (dropped from
 * the current spec): `{status, msg, job_id, input_dir, output}`; a plain `{run_id}` is accepted too.
 */
export const RunNotification = z
  .object({
    run_id: z.string().min(1).max(200).optional(),
    job_id: z.string().min(1).max(200).optional(),
    status: z.string().nullish(),
    msg: z.string().nullish(),
    input_dir: z.string().nullish(),
    output: z.unknown().optional(),
  })
  .refine((n) => n.run_id !== undefined || n.job_id !== undefined, {
    message: 'give run_id or job_id',
    path: ['run_id'],
  });
export type RunNotification = z.infer<typeof RunNotification>;
