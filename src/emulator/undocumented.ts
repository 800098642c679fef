/**
 * Every choice the emulator makes where `aihub-api.md` says **undocumented** or is silent, in one
 * place, so each can change when the real service is observed.
 */

/** Status codes of answers whose code AI Hub does not document. */
export const undocumentedStatus = {
  /** A body or query that fails its schema (missing app, both inputs, ...); the message names the field. */
  validation: 400,
  /** `GET /v2/apps/runs/{id}` (and results, delete) of an unknown run. */
  unknownRun: 404,
  /** Results of a run that is not COMPLETE. */
  resultsNotReady: 409,
  /** An `input_dir` that does not exist or holds no file, or a batch without files. */
  emptyInput: 400,
} as const;

/** Defaults of list calls and paging. */
export const listDefaults = {
  /** Files per results page. */
  resultsPageSize: 20,
  /** `limit` of list runs. */
  runsLimit: 100,
  /** `order` of list runs (newest first). */
  runsOrder: 'DESCENDING',
  /** List runs answers runs that started in the last this-many seconds unless `from_timestamp` is given (documented: 24 h). */
  runsWindowSeconds: 24 * 3600,
  /** `limit` of list batches. */
  batchesLimit: 100,
  /** `page_size` of list batch files. */
  batchFilesPageSize: 100,
} as const;

/** A deletion job moves one state (PENDING -> RUNNING -> COMPLETE) per poll, or per this many ms. */
export const JOB_MS_PER_STATE = 100;

/** The user every token acts as: `batch_owner` of batches and the user who starts every run (list runs' `username`). */
export const EMULATOR_USER = 'emulator-user';

/** The workspace of a batch created without `workspace`, and of a run's output without `output_workspace` or `output_dir` (the caller's personal workspace at AI Hub). */
export const DEFAULT_WORKSPACE = 'personal';

/** The built-in drive (documented name), used as the `mount_point` of batches. */
export const BUILTIN_DRIVE = 'Instabase Drive';

/**
 * Where a batch's files live, as answered in `full_path` and in results' `input_file_path`:
 * `<repo_owner>/<workspace>/fs/Instabase Drive/batches/<id>/<file>` (the layout is our choice).
 */
export function batchPathSuffix(batchId: number): string {
  return `batches/${batchId}`;
}

/**
 * An `input_dir` run processes the regular files directly inside the folder, in name order;
 * sub-folders are not descended into.
 */
export const INPUT_DIR_RECURSIVE = false;

/** Width and height of every page in results' `page_layouts` (US Letter, in points). */
export const PAGE_POINTS = { width: 612, height: 792 } as const;

/** `msg` of a run waiting at the review checkpoint. */
export const REVIEW_WAIT_MSG = 'waiting for human review';

/** `msg` of a run cancelled "by a user in AI Hub". */
export const CANCELLED_MSG = 'run cancelled by a user';

/** The `error_msg` of a field whose extraction failed. */
export function fieldErrorMessage(fieldName: string): string {
  return `could not extract '${fieldName}' from the document`;
}
