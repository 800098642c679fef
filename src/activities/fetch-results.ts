/**
 * Pages through a COMPLETE run's results (`file_offset` / `has_more`) into the results sink.
 * After each page is on disk the activity heartbeats its offset, byte count, counts and the
 * attempt whose file holds those bytes, so a retried attempt (a killed worker, a 503 mid-way)
 * copies that prefix into a file of its own and resumes at that offset: no file is lost or
 * written twice, and the results file is byte-for-byte that of an undisturbed run. When the
 * recorded file is missing or shorter than recorded (the retry runs on another host, or the
 * volume was lost), paging starts again from the first file. An attempt that lost its
 * heartbeat cannot disturb the attempt that replaced it (see `results-sink.ts`).
 *
 * A page is final when `has_more` is false, or, when AI Hub leaves `has_more` out, when it has
 * no files. An empty page that claims `has_more` cannot advance the offset: the attempt fails
 * as retryable (`AihubUnavailable`) and its retry resumes from the checkpoint, so the results
 * are never silently cut short.
 */
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { RunResultsPage, RunResultsQuery } from '../aihub';
import { failureTypes, retryableFailureTypes } from '../shared';
import type { ResultCounts } from '../shared';
import type { ActivityDeps } from './deps';
import { aihubCall } from './failures';
import { withKeepAlive } from './keep-alive';
import { prepareResultsFolder, UnsafeResultsDirError } from './results-folder';
import {
  addCounts,
  countFile,
  countResultsFile,
  readCompleteManifest,
  resultFileNames,
  ResultsWriter,
  writeManifest,
} from './results-sink';

/** Input of the `fetchResults` activity. */
export interface FetchResultsInput {
  workflowId: string;
  runId: string;
  appId: string | null;
  /** Results root on the worker's machine; `HUBRUN_OUTPUT_DIR` when null. */
  resultsDir: string | null;
}

/** What `fetchResults` returns: counts and where the results are, never the results. */
export interface FetchedResults extends ResultCounts {
  resultsPath: string;
  manifestPath: string;
  resultsSha256: string;
  errorRatio: number;
}

/** The heartbeat details a retried attempt resumes from. */
export interface PagingCheckpoint {
  fileOffset: number;
  bytes: number;
  pages: number;
  counts: ResultCounts;
  hasMore: boolean;
  run: { startTimestamp: string | null; finishTimestamp: string | null; batchId: string | null };
  /** The attempt whose partial file holds `bytes`; absent in checkpoints of older workers. */
  attempt?: number;
}

const noCounts: ResultCounts = { files: 0, documents: 0, fields: 0, fieldErrors: 0 };

function freshCheckpoint(attempt: number): PagingCheckpoint {
  return {
    fileOffset: 0,
    bytes: 0,
    pages: 0,
    counts: noCounts,
    hasMore: true,
    run: { startTimestamp: null, finishTimestamp: null, batchId: null },
    attempt,
  };
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
 * Builds the `fetchResults` activity. A results folder outside the worker's results roots, or
 * a symbolic link where a results folder or file goes, fails it as non-retryable `HubrunBadInput`.
 */
export function fetchResultsActivity(
  deps: ActivityDeps,
): (args: FetchResultsInput) => Promise<FetchedResults> {
  return async function fetchResults(args: FetchResultsInput): Promise<FetchedResults> {
    try {
      return await pageResults(deps, args);
    } catch (err) {
      throw unsafePathFailure(err) ?? err;
    }
  };
}

async function pageResults(deps: ActivityDeps, args: FetchResultsInput): Promise<FetchedResults> {
  const ctx = Context.current();
  const { attempt } = ctx.info;
  const execution = ctx.info.workflowExecution;
  if (execution === undefined) throw new Error('fetchResults runs only as a workflow activity');
  const folder = await prepareResultsFolder({
    resultsDir: args.resultsDir,
    outputDir: deps.outputDir,
    resultsRoots: deps.resultsRoots ?? [],
    workflowId: args.workflowId,
    workflowRunId: execution.runId,
  });

  const done = await readCompleteManifest(folder);
  if (done) {
    ctx.log.info('results already complete', { attempt });
    return summaryOf(folder, done);
  }

  const recorded = ctx.info.heartbeatDetails as PagingCheckpoint | undefined;
  const from = recorded?.attempt !== undefined ? { attempt: recorded.attempt, bytes: recorded.bytes } : null;
  const { writer, resumed } = await ResultsWriter.open(folder, attempt, from);
  let state: PagingCheckpoint;
  if (recorded && resumed) {
    state = { ...recorded, attempt };
    ctx.log.info('resuming results paging', { fileOffset: state.fileOffset, bytes: state.bytes });
  } else {
    state = freshCheckpoint(attempt);
    if (recorded) {
      ctx.log.warn('results checkpoint points beyond the local file; paging again from the first file', {
        recordedFileOffset: recorded.fileOffset,
        recordedBytes: recorded.bytes,
        recordedAttempt: recorded.attempt ?? null,
      });
    }
  }

  try {
    ctx.heartbeat(state);
    await withKeepAlive(
      () => state,
      async () => {
        while (state.hasMore) {
          const page: RunResultsPage = await aihubCall(() =>
            deps.aihub.getRunResults(
              args.runId,
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
          const bytes = await writer.append(page.files);
          state = {
            fileOffset: state.fileOffset + page.files.length,
            bytes,
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
  } finally {
    await writer.close();
  }

  const published = await writer.publish();
  if (!published.ownBytes) {
    ctx.log.warn('another attempt published the results first; describing its file', { attempt });
  }
  const counts = published.ownBytes ? state.counts : await countResultsFile(published.path);
  const manifest = {
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
  await writeManifest(folder, attempt, manifest);
  return summaryOf(folder, manifest);
}

/** The `HubrunBadInput` failure of a results path that is outside the roots or a symbolic link. */
function unsafePathFailure(err: unknown): ApplicationFailure | undefined {
  let message: string | undefined;
  if (err instanceof UnsafeResultsDirError) message = err.message;
  else if ((err as NodeJS.ErrnoException | undefined)?.code === 'ELOOP') {
    message = `resultsDir: ${(err as NodeJS.ErrnoException).path ?? 'a results file'} is a symbolic link, not a file`;
  }
  return message === undefined
    ? undefined
    : ApplicationFailure.create({ type: failureTypes.badInput, message, nonRetryable: true });
}

function errorRatioOf(counts: ResultCounts): number {
  return counts.fields === 0 ? 0 : counts.fieldErrors / counts.fields;
}

function summaryOf(folder: string, manifest: ResultCounts & { resultsSha256: string }): FetchedResults {
  const counts = {
    files: manifest.files,
    documents: manifest.documents,
    fields: manifest.fields,
    fieldErrors: manifest.fieldErrors,
  };
  return {
    ...counts,
    resultsPath: join(folder, resultFileNames.results),
    manifestPath: join(folder, resultFileNames.manifest),
    resultsSha256: manifest.resultsSha256,
    errorRatio: errorRatioOf(counts),
  };
}
