/**
 * hubrun's shared names: the task queue, failure type strings, search attribute keys and the
 * pipeline's result and progress types. Workflows, activities, the worker, the client helpers and
 * the CLI all import them from here, so no string is spelled twice.
 */
import { ApplicationFailure, defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Task queue the worker polls and pipelines are started on. @default 'aihub-runs' (env `HUBRUN_TASK_QUEUE`) */
export const DEFAULT_TASK_QUEUE = 'aihub-runs';

/** Workflow type names, for services that start pipelines without importing hubrun's code. */
export const workflowTypes = {
  pipeline: 'aihubRunPipeline',
  fanOut: 'aihubFanOut',
  audit: 'aihubAudit',
} as const;

/**
 * Stable `ApplicationFailure.type` strings. Everything but {@link retryableFailureTypes} is
 * listed in the activities' `nonRetryableErrorTypes`, so retrying cannot hide it.
 */
export const failureTypes = {
  /** The pipeline input is invalid; nothing was sent to AI Hub. */
  badInput: 'HubrunBadInput',
  /** AI Hub answered 401: bad token, bad `IB-Context` or no permission. */
  auth: 'AihubUnauthorized',
  /** AI Hub answered 403: out of consumption units or an ended trial. */
  forbidden: 'AihubForbidden',
  /** AI Hub answered 404: an unknown app, deployment, batch or run, or no access to it. */
  notFound: 'AihubNotFound',
  /** AI Hub refused the request as malformed (400) or in conflict with its state (409). */
  rejected: 'AihubRejected',
  /** The AI Hub run ended FAILED. */
  remoteRunFailed: 'AihubRunFailed',
  /** The AI Hub run was cancelled by a user in AI Hub. */
  remoteRunCancelled: 'AihubRunCancelled',
  /** The run completed, but its share of `ERROR` fields exceeds the pipeline's `maxErrorRatio`. */
  partialResults: 'HubrunPartialResults',
  /** The run did not finish (or leave review) before the pipeline's deadline. */
  deadlineExceeded: 'HubrunDeadlineExceeded',
  /** An AI Hub answer did not match the documented schema. */
  schemaMismatch: 'AihubSchemaMismatch',
  /** AI Hub answered 1xx or 3xx, which the client does not follow: a login redirect or a wrong API root. */
  unexpectedAnswer: 'AihubUnexpectedAnswer',
  /** A notification receiver refused the event (4xx, a redirect), or the worker has no receiver or secret; never fails a pipeline. */
  notificationRefused: 'HubrunNotificationRefused',
} as const;
export type FailureType = (typeof failureTypes)[keyof typeof failureTypes];

/** Failure types Temporal retries: transient AI Hub trouble, and the wait's "not finished yet". */
export const retryableFailureTypes = {
  /** Network error, timeout, 408, 429 or 5xx from AI Hub. */
  unavailable: 'AihubUnavailable',
  /** The run has not reached a state that matters yet; the wait activity's retry is the poll loop (BENIGN). */
  notFinished: 'HubrunRunNotFinished',
  /** A notification receiver could not be reached or answered 408, 429 or 5xx. */
  notificationUndelivered: 'HubrunNotificationUndelivered',
} as const;

/**
 * What failed a pipeline, read from a failure's cause chain (`ChildWorkflowFailure` or
 * `WorkflowFailedError` → `ActivityFailure` → `ApplicationFailure`): the first typed
 * `ApplicationFailure`'s type and message, else the innermost message.
 */
export function failureOf(err: unknown): { type: string | undefined; message: string } {
  let current: unknown = err;
  let message = err instanceof Error ? err.message : String(err);
  for (let depth = 0; current instanceof Error && depth < 20; depth++) {
    message = current.message || message;
    if (current instanceof ApplicationFailure && current.type) return { type: current.type, message };
    current = current.cause;
  }
  return { type: undefined, message };
}

/** Every failure type a pipeline's activities must not retry. */
export const nonRetryableFailureTypes: string[] = Object.values(failureTypes);

/** Search attribute keys the pipeline upserts as it moves; registered by the dev and compose stacks. */
export const searchAttributes = {
  runId: defineSearchAttributeKey('AihubRunId', SearchAttributeType.KEYWORD),
  runStatus: defineSearchAttributeKey('AihubRunStatus', SearchAttributeType.KEYWORD),
  app: defineSearchAttributeKey('AihubApp', SearchAttributeType.KEYWORD),
  deploymentId: defineSearchAttributeKey('AihubDeploymentId', SearchAttributeType.KEYWORD),
  batchId: defineSearchAttributeKey('AihubBatchId', SearchAttributeType.KEYWORD),
  context: defineSearchAttributeKey('AihubContext', SearchAttributeType.KEYWORD),
  phase: defineSearchAttributeKey('HubrunPhase', SearchAttributeType.KEYWORD),
} as const;

/** The search attribute keys as a list, for registering them with a server. */
export const searchAttributeKeys = Object.values(searchAttributes);

/** Where a pipeline is; also the `HubrunPhase` search attribute. */
export const phases = {
  validating: 'VALIDATING',
  uploading: 'UPLOADING',
  starting: 'STARTING',
  waiting: 'WAITING',
  reviewing: 'IN_REVIEW',
  fetchingResults: 'FETCHING_RESULTS',
  cleaningUp: 'CLEANING_UP',
  completed: 'COMPLETED',
  failed: 'FAILED',
  cancelled: 'CANCELLED',
} as const;
export type Phase = (typeof phases)[keyof typeof phases];

/** Query name: the pipeline's {@link PipelineProgress}. */
export const PROGRESS_QUERY = 'progress';
/** Signal name: cut the current backoff short and check the run now. */
export const CHECK_NOW_SIGNAL = 'checkNow';

/** What the `progress` query answers: plain JSON, times as ISO strings. */
export interface PipelineProgress {
  phase: Phase;
  runId: string | null;
  remoteStatus: string | null;
  batchId: number | null;
  /** Status checks made so far (all activity attempts of the wait). */
  checks: number;
  /** When the next status check is due, if a wait is backing off. */
  nextCheckAt: string | null;
  /** When the pipeline started waiting for the run. */
  waitingSince: string | null;
  /**
   * How the wait places its checks: `learned from N run(s): ...`, `geometric (<why>)` or `fixed`;
   * null before the wait (and in pipelines started before plans).
   */
  plan?: string | null;
  filesUploaded: number;
  filesPaged: number;
  lastError: string | null;
  /** Outcome notifications sent and given up, with the last delivery error; only when the pipeline declares `notify`. */
  notifications?: { delivered: number; failed: number; lastError: string | null };
}

/** Progress before anything has happened, in `phase`. */
export function initialProgress(phase: Phase, batchId: number | null): PipelineProgress {
  return {
    phase,
    runId: null,
    remoteStatus: null,
    batchId,
    checks: 0,
    nextCheckAt: null,
    waitingSince: null,
    plan: null,
    filesUploaded: 0,
    filesPaged: 0,
    lastError: null,
  };
}

/** Counts over a run's results, as written to `manifest.json` and returned in the summary. */
export interface ResultCounts {
  files: number;
  documents: number;
  fields: number;
  fieldErrors: number;
}

/** What a completed pipeline returns: a small summary, never the results themselves. */
export interface PipelineResult extends ResultCounts {
  workflowId: string;
  runId: string;
  status: 'COMPLETE';
  /** `fieldErrors / fields` (0 when there are no fields). */
  errorRatio: number;
  /** `<results dir>/<workflow id>/<workflow run id>/results.jsonl` on the worker's machine. */
  resultsPath: string;
  manifestPath: string;
  /** Where the results are as a URL (`file://...` or `s3://...`); absent from pipelines of earlier workers. */
  resultsUrl?: string;
  resultsSha256: string;
  batchId: number | null;
  /** What the declared cleanup removed. */
  cleanedUp: { run: boolean; batch: boolean };
}

/** Longest failure message kept in a child's outcome. */
export const MAX_OUTCOME_MESSAGE_CHARS = 300;

/** What a finished child left behind, as the fan-out reports it. */
export interface ChildOutcome {
  /** Position of the child's input in the fan-out's `inputs`. */
  index: number;
  workflowId: string;
  status: 'COMPLETED' | 'FAILED' | 'CANCELLED';
  /** AI Hub run id, when the child completed. */
  runId?: string;
  files?: number;
  documents?: number;
  fields?: number;
  fieldErrors?: number;
  resultsPath?: string;
  /** The failure's stable type (`AihubRunFailed`, ...), when the child failed. */
  failureType?: string;
  message?: string;
}

/** What a fan-out's `progress` query answers. */
export interface FanOutProgress {
  kind: 'fan-out';
  total: number;
  /** Children started so far, over every continued-as-new run. */
  started: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** Workflow ids of the children running now. */
  running: string[];
}

/** What a fan-out returns once every child has finished, whatever each child's outcome. */
export interface FanOutResult {
  workflowId: string;
  total: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** One entry per input, in input order. */
  outcomes: ChildOutcome[];
}
