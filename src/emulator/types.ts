/**
 * The public types of the AI Hub emulator: how an app behaves, fault rules, start options and the
 * handle of a running emulator. Re-exported by `src/emulator/index.ts`.
 */
import type { EndpointName } from '../aihub/endpoints';

/** How one emulated AI Hub app processes a run. */
export interface AppBehaviour {
  /** App id, as given in `app_id` and answered in a run's `app_id`. */
  id: string;
  /** App name, as given in `app_name`. */
  name: string;
  /** Owning account (`owner` in run app); when set, a request naming another owner does not find the app. */
  owner?: string;
  /** Field names extracted per document; results rewrite them into identifiers (`due date` -> `due_date`). */
  fields: string[];
  /**
   * Clock mode: processing finishes `msPerFile * fileCount` ms after the start.
   * @default 200
   */
  msPerFile?: number;
  /** Checks mode (wins over `msPerFile`): processing finishes at the Nth `GET` status of that run. */
  checksToComplete?: number;
  /**
   * Clock mode with varying durations (wins over `msPerFile`): each run takes a lognormal draw of
   * median `medianMs` and coefficient of variation `cv`, plus `perFileMs` per file; past runs
   * seeded through the admin surface (`POST /_emulator/apps/:appId/history`) are drawn alike.
   */
  durations?: { medianMs: number; cv: number; perFileMs?: number };
  /**
   * A notification configured for the app (as AI Hub's UI configures one for a deployment): when a
   * run ends, the emulator POSTs `{status, msg, job_id, run_id, input_dir, output}` to `url` with
   * `headers`. A run request's own `webhook_config` (`{url, headers}`) wins.
   */
  webhook?: WebhookConfig;
  /**
   * Share of fields whose value is `ERROR` (with an `error_msg`), chosen deterministically from a hash
   * of the file's bytes and the field name.
   * @default 0
   */
  errorFieldRatio?: number;
  /**
   * When set, processing ends in `STOPPED_AT_CHECKPOINT` instead of `COMPLETE`; an admin call
   * (`POST /_emulator/runs/:runId/review`), or `autoCompleteMs` later, completes the review -> `COMPLETE`.
   * With `afterReviewMs` the run is RUNNING again for that long after each review, and with
   * `checkpoints` it stops at that many checkpoints in turn before it is COMPLETE.
   */
  review?: { autoCompleteMs?: number; afterReviewMs?: number; checkpoints?: number };
  /** Processing ends `FAILED` with this `msg`. */
  fail?: string;
  /** Processing ends `CANCELLED`, as if a user cancelled the run in AI Hub. */
  cancel?: boolean;
}

/** Where the emulator sends a run's finish notification. */
export interface WebhookConfig {
  url: string;
  headers?: Record<string, string>;
}

/** An emulated deployment: runs of it are runs of its app. */
export interface DeploymentBehaviour {
  id: string;
  appId: string;
}

/** The fault kinds that decide one call: delay it, refuse it, drop it or hold its answer. */
export const callFaultKinds = ['latency', 'error', 'drop', 'lose-response', 'slow-response'] as const;

/**
 * The hostile modes: AI Hub answering the call, but in a way a naive client gets wrong (a slow
 * create, a lagging list, an undocumented status, results in unexpected shapes).
 */
export const hostileModeKinds = ['slow-create', 'list-lag', 'unknown-status', 'results-shape'] as const;

/** Every fault kind. */
export type FaultKind = (typeof callFaultKinds)[number] | (typeof hostileModeKinds)[number];

/** Result-page shapes a `results-shape` rule serves. */
export const resultsShapes = ['omit-has-more', 'keys-as-list', 'unknown-keys', 'empty-has-more'] as const;

/** One result-page shape (see {@link FaultRule}). */
export type ResultsShape = (typeof resultsShapes)[number];

/**
 * One fault injected into the API surface, matched by endpoint name (`*` for all). A rule whose
 * kind does not apply to a call's endpoint (say `list-lag` on `getRun`) is inert for that call and
 * does not count it for `after`.
 *
 * Call faults:
 * - `latency`: wait `latencyMs` before handling;
 * - `error`: answer `status` (e.g. 429, 500, 503) with `{message}` and, when `retryAfterSeconds` is set,
 *   a `Retry-After` header, without handling the call;
 * - `drop`: destroy the socket before handling (no side effect);
 * - `lose-response`: handle the call fully (side effects happen: the run IS created) and then destroy
 *   the socket without answering;
 * - `slow-response`: handle the call fully (side effects happen) and then hold the answer for
 *   `latencyMs` before sending it: a caller that dies meanwhile leaves the effect behind unanswered.
 *
 * Hostile modes:
 * - `slow-create` (`runApp`, `runDeployment`): the POST is read and checked at once, but the run
 *   comes into existence only `latencyMs` after the POST arrived (until then `getRun` answers 404
 *   and `listRuns` does not show it) and the POST is answered at that moment; a caller that timed
 *   out and went away still leaves the run behind. The quota is taken when the run is created. A
 *   pending creation is kept in the state file, so it survives an emulator restart;
 * - `list-lag` (`listRuns`): a run shows in `listRuns` answers only `latencyMs` after it was
 *   created (`getRun` knows it at once);
 * - `unknown-status` (`getRun`, `listRuns`): each run's first `checks` status reads (a `getRun`
 *   answer, or the run as an item of a `listRuns` answer) answer `status: runStatus`, a status
 *   outside the documented six; later reads answer the real status. Counted per run and rule;
 *   `listRuns` filters and sorts by the real status;
 * - `results-shape` (`getRunResults`): pages in `shape`: `omit-has-more` (no `has_more` key: page
 *   on until a page with no files; a page past the end answers `files: []`), `keys-as-list`
 *   (`keys` as a list, `[{custom: {...}}]`, as the spec's own example shows), `unknown-keys` (keys
 *   no schema names at every depth: page, file, document, field, `confidence`, `validations` and
 *   each `validations.alerts[]` item, derived from the file's bytes, so the same run and offset
 *   always give the same bytes and two runs over the same files page identical files), or
 *   `empty-has-more` (`files: []` with `has_more: true`; with `times: N`, N times, then normal
 *   pages). Several firing shapes apply in rule order.
 */
export type FaultRule = {
  endpoint: EndpointName | '*';
  kind: FaultKind;
  /**
   * Chance, 0..1, that the rule fires on a matching call.
   * @default 1
   */
  rate?: number;
  /** Fire at most this many times, then the rule is inert. */
  times?: number;
  /** Let the first `after` matching calls through untouched before the rule may fire. @default 0 */
  after?: number;
  /**
   * Delay of a `latency` rule (before the call is handled), a `slow-response` rule (after), a
   * `slow-create` rule (from the POST's arrival to the run's creation) or a `list-lag` rule (from a
   * run's creation to its first `listRuns` appearance).
   * @default 0
   */
  latencyMs?: number;
  /**
   * Status answered by an `error` rule.
   * @default 500
   */
  status?: number;
  /** `Retry-After` sent with an `error` answer. */
  retryAfterSeconds?: number;
  /**
   * How `Retry-After` is written: delta seconds or an HTTP date.
   * @default 'seconds'
   */
  retryAfterFormat?: 'seconds' | 'http-date';
  /**
   * Status an `unknown-status` rule answers.
   * @default 'QUEUED'
   */
  runStatus?: string;
  /**
   * Status reads per run an `unknown-status` rule answers with `runStatus`.
   * @default 3
   */
  checks?: number;
  /** Page shape of a `results-shape` rule (required for that kind). */
  shape?: ResultsShape;
};

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /**
   * TCP port; 0 picks a free one.
   * @default 0
   */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** JSON state file, reloaded on start so runs, batches and jobs survive a restart. Unset: memory only. */
  stateFile?: string;
  /** Uploaded bytes, multipart parts and the drive. @default `<stateFile>.data`, or a fresh temp dir (removed on close) */
  dataDir?: string;
  /** Accepted bearer tokens. @default [EMULATOR_DEFAULT_TOKEN] */
  tokens?: string[];
  /** Accepted `IB-Context` values (an absent header is always fine). @default [EMULATOR_DEFAULT_CONTEXT] */
  contexts?: string[];
  /** Files per results page (works down to 1). @default 20 */
  pageSize?: number;
  /** `part_size` of multipart sessions. @default 5 MiB */
  multipartPartSize?: number;
  /** App catalogue. @default defaultApps */
  apps?: AppBehaviour[];
  /** Deployment catalogue. @default defaultDeployments */
  deployments?: DeploymentBehaviour[];
  /** Faults active from the start (changeable later through the admin surface). */
  faults?: FaultRule[];
  /** Millisecond clock, for tests. @default Date.now */
  now?: () => number;
  /** Fastify request logging. @default false */
  log?: boolean;
  /**
   * Answer `/_emulator` admin requests from any address. Off, only loopback clients (127.0.0.0/8,
   * `::1`) may use the admin surface, which matters once `host` is not a loopback address (such
   * as `0.0.0.0` in docker compose); others get a 403.
   * @default false
   */
  adminPublic?: boolean;
}

/** A running emulator. */
export interface Emulator {
  /** API root, `http://127.0.0.1:<port>/api`: the value for `AIHUB_API_ROOT`. */
  url: string;
  port: number;
  /** Admin surface root, `http://127.0.0.1:<port>/_emulator`. */
  adminUrl: string;
  /** Stops listening, flushes the state file and removes a temporary data dir. Idempotent. */
  close(): Promise<void>;
}
