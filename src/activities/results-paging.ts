/**
 * What every results sink shares: the `fetchResults` input and answer, the paging loop itself
 * (`file_offset` / `has_more`, a heartbeat of the checkpoint in `paging-checkpoint.ts` after each
 * page is in the sink) and the manifest of a finished paging.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { RunResultsPage, RunResultsQuery } from '../aihub';
import { retryableFailureTypes } from '../failure-types';
import type { ResultCounts } from '../results';
import type { ActivityDeps } from './deps';
import { aihubCall } from './failures';
import { withKeepAlive } from './keep-alive';
import { addCounts, countFile, resultFileNames } from './results-sink';
import type { Manifest } from './results-sink';
import type { PagingCheckpoint } from './paging-checkpoint';

/** Input of the `fetchResults` activity. */
export interface FetchResultsInput {
  workflowId: string;
  runId: string;
  appId: string | null;
  /** Results root on the worker's machine; `HUBRUN_OUTPUT_DIR` when null. */
  resultsDir: string | null;
  /** The pipeline's results URL (`file:` or `s3:`), within what the worker allows; absent or null: the worker's. */
  resultsUrl?: string | null;
}

/** What `fetchResults` returns: counts and where the results are, never the results. */
export interface FetchedResults extends ResultCounts {
  /** The local path of `results.jsonl` (file sinks), or its `s3://` URL. */
  resultsPath: string;
  /** The local path of `manifest.json` (file sinks), or its `s3://` URL. */
  manifestPath: string;
  /** Where the results are, as a URL: `file:///.../results.jsonl` or `s3://bucket/.../results.jsonl`. */
  resultsUrl: string;
  /** Size of `results.jsonl` in bytes. */
  resultsBytes: number;
  resultsSha256: string;
  errorRatio: number;
}

/**
 * The `include_*` flags of every results page: AI Hub leaves confidence scores, validations,
 * review details and source information out unless asked (each defaults to false in its spec),
 * and hubrun delivers results whole.
 */
export const completeResults = {
  include_review_results: true,
  include_confidence_scores: true,
  include_validation_results: true,
  include_source_info: true,
} as const satisfies RunResultsQuery;

/**
 * Pages from `state` until the last page, handing each page's files to `write` before the new
 * offset is heartbeated with what `write` answers (the sink's own part of the checkpoint).
 */
export async function pageInto(
  deps: ActivityDeps,
  runId: string,
  start: PagingCheckpoint,
  write: (files: RunResultsPage['files'], state: PagingCheckpoint) => Promise<Partial<PagingCheckpoint>>,
): Promise<PagingCheckpoint> {
  const ctx = Context.current();
  const { attempt } = ctx.info;
  let state = start;
  // No heartbeat before the first page: the SDK sends the first one at once and throttles the
  // rest, so a checkpoint taken before any page would be all the server holds for the next
  // seconds, and a retry after a crash then would start over instead of resuming.
  await withKeepAlive(
    () => state,
    async () => {
      while (state.hasMore) {
        const page: RunResultsPage = await aihubCall(() =>
          deps.aihub.getRunResults(
            runId,
            { file_offset: state.fileOffset, ...completeResults },
            { signal: ctx.cancellationSignal },
          ),
        );
        if (page.files.length === 0 && page.has_more === true) {
          // Nothing to advance the offset by: a retry asks again from the checkpoint.
          throw ApplicationFailure.create({
            type: retryableFailureTypes.unavailable,
            message: `AI Hub answered a results page with no files but has_more at file_offset ${state.fileOffset}`,
            nonRetryable: false,
          });
        }
        const written = await write(page.files, state);
        state = {
          ...state,
          fileOffset: state.fileOffset + page.files.length,
          ...written,
          pages: state.pages + 1,
          counts: page.files.map(countFile).reduce(addCounts, state.counts),
          // Without has_more, the page with no files is the last one.
          hasMore: page.has_more ?? page.files.length > 0,
          run: {
            startTimestamp: page.start_timestamp ?? null,
            finishTimestamp: page.finish_timestamp ?? null,
            batchId: page.batch_id === null || page.batch_id === undefined ? null : String(page.batch_id),
          },
          attempt,
        };
        ctx.heartbeat(state);
      }
    },
  );
  return state;
}

/** The manifest of a finished paging. */
export function manifestOf(
  deps: ActivityDeps,
  args: FetchResultsInput,
  state: PagingCheckpoint,
  counts: ResultCounts,
  published: { bytes: number; sha256: string },
): Manifest {
  return {
    workflowId: args.workflowId,
    runId: args.runId,
    appId: args.appId,
    batchId: state.run.batchId,
    startTimestamp: state.run.startTimestamp,
    finishTimestamp: state.run.finishTimestamp,
    ...counts,
    errorRatio: errorRatioOf(counts),
    resultsFile: resultFileNames.results,
    resultsBytes: published.bytes,
    resultsSha256: published.sha256,
    pages: state.pages,
    writtenAt: new Date((deps.now ?? Date.now)()).toISOString(),
  };
}

/** `fieldErrors / fields`, 0 without fields. */
export function errorRatioOf(counts: ResultCounts): number {
  return counts.fields === 0 ? 0 : counts.fieldErrors / counts.fields;
}

/** What `fetchResults` answers for a complete manifest at `location`. */
export function summaryOf(
  location: Pick<FetchedResults, 'resultsPath' | 'manifestPath' | 'resultsUrl'>,
  manifest: Pick<Manifest, keyof ResultCounts | 'resultsBytes' | 'resultsSha256'>,
): FetchedResults {
  const counts = {
    files: manifest.files,
    documents: manifest.documents,
    fields: manifest.fields,
    fieldErrors: manifest.fieldErrors,
  };
  return {
    ...counts,
    ...location,
    resultsBytes: manifest.resultsBytes,
    resultsSha256: manifest.resultsSha256,
    errorRatio: errorRatioOf(counts),
  };
}
