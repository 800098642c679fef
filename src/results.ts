/** What pipelines and fan-outs return: result counts, the pipeline's summary and each child's outcome. */

/** Counts over a run's results, as written to `manifest.json` and returned in the summary. */
export interface ResultCounts {
  files: number;
  documents: number;
  fields: number;
  fieldErrors: number;
}

/**
 * hubrun's one word for a pipeline, fan-out or child that completed: a participle like `FAILED`
 * and `CANCELLED`, and Temporal's word for a closed workflow.
 */
export const COMPLETED = 'COMPLETED';

/**
 * The word a completed pipeline's result said before hubrun settled on {@link COMPLETED}: the
 * results of pipelines closed by earlier workers, and the child results in their fan-outs'
 * histories, still say it.
 */
export type LegacyCompleteStatus = 'COMPLETE';
const LEGACY_COMPLETE: LegacyCompleteStatus = 'COMPLETE';

/**
 * Whether an outcome word says completed. `COMPLETE` counts too, because results written by
 * earlier workers (closed pipelines read back from Temporal, children's results replayed from a
 * fan-out's history) say it; this is the one place that accepts it.
 */
export function isCompleted(status: string): status is typeof COMPLETED | LegacyCompleteStatus {
  return status === COMPLETED || status === LEGACY_COMPLETE;
}

/** What a completed pipeline returns: a small summary, never the results themselves. */
export interface PipelineResult extends ResultCounts {
  workflowId: string;
  runId: string;
  status: typeof COMPLETED;
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

/**
 * A completed pipeline's result as read back (a handle's `result()`, a child's result in a
 * fan-out): pipelines closed by earlier workers say {@link LegacyCompleteStatus}.
 */
export interface StoredPipelineResult extends Omit<PipelineResult, 'status'> {
  status: PipelineResult['status'] | LegacyCompleteStatus;
}

/** A result read back, in the current vocabulary: whichever worker wrote it, it says {@link COMPLETED}. */
export function currentPipelineResult(result: StoredPipelineResult): PipelineResult {
  return { ...result, status: COMPLETED };
}

/** Longest failure message kept in a child's outcome. */
export const MAX_OUTCOME_MESSAGE_CHARS = 300;

/** What a finished child left behind, as the fan-out reports it. */
export interface ChildOutcome {
  /** Position of the child's input in the fan-out's `inputs`. */
  index: number;
  workflowId: string;
  status: typeof COMPLETED | 'FAILED' | 'CANCELLED';
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
