/**
 * Pages through a COMPLETE run's results (`file_offset` / `has_more`) into the results sink.
 * After each page is on disk the activity heartbeats its offset, byte count and counts, so a
 * retried attempt (a killed worker, a 503 mid-way) cuts the file back to the last recorded
 * length and resumes at that offset: no file is lost or written twice, and the results file is
 * byte-for-byte that of an undisturbed run.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import type { RunResultsPage } from '../aihub';
import type { ResultCounts } from '../shared';
import type { ActivityDeps } from './deps';
import { aihubCall } from './failures';
import { withKeepAlive } from './keep-alive';
import {
  addCounts,
  countFile,
  resultFileNames,
  resultsFolder,
  ResultsWriter,
  sha256File,
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
}

const noCounts: ResultCounts = { files: 0, documents: 0, fields: 0, fieldErrors: 0 };

/** Builds the `fetchResults` activity. */
export function fetchResultsActivity(
  deps: ActivityDeps,
): (args: FetchResultsInput) => Promise<FetchedResults> {
  return async function fetchResults(args: FetchResultsInput): Promise<FetchedResults> {
    const ctx = Context.current();
    const execution = ctx.info.workflowExecution;
    if (execution === undefined) throw new Error('fetchResults runs only as a workflow activity');
    const folder = resultsFolder(args.resultsDir ?? deps.outputDir, args.workflowId, execution.runId);
    const resumed = ctx.info.heartbeatDetails as PagingCheckpoint | undefined;
    let state: PagingCheckpoint = resumed ?? {
      fileOffset: 0,
      bytes: 0,
      pages: 0,
      counts: noCounts,
      hasMore: true,
      run: { startTimestamp: null, finishTimestamp: null, batchId: null },
    };
    if (resumed)
      ctx.log.info('resuming results paging', { fileOffset: resumed.fileOffset, bytes: resumed.bytes });

    const alreadyRenamed = !state.hasMore && !(await exists(join(folder, resultFileNames.partial)));
    let finished: { path: string; sha256: string };
    if (alreadyRenamed) {
      const path = join(folder, resultFileNames.results);
      finished = { path, sha256: await sha256File(path) };
    } else {
      const writer = await ResultsWriter.open(folder, state.bytes);
      await withKeepAlive(
        () => state,
        async () => {
          while (state.hasMore) {
            const page: RunResultsPage = await aihubCall(() =>
              deps.aihub.getRunResults(
                args.runId,
                { file_offset: state.fileOffset },
                { signal: ctx.cancellationSignal },
              ),
            );
            const bytes = await writer.append(page.files);
            state = {
              fileOffset: state.fileOffset + page.files.length,
              bytes,
              pages: state.pages + 1,
              counts: page.files.map(countFile).reduce(addCounts, state.counts),
              // A page with no files cannot advance the offset; stop rather than loop forever.
              hasMore: (page.has_more ?? false) && page.files.length > 0,
              run: {
                startTimestamp: page.start_timestamp ?? null,
                finishTimestamp: page.finish_timestamp ?? null,
                batchId: page.batch_id === null || page.batch_id === undefined ? null : String(page.batch_id),
              },
            };
            ctx.heartbeat(state);
          }
        },
      );
      finished = await writer.finish();
    }

    const { counts } = state;
    const errorRatio = counts.fields === 0 ? 0 : counts.fieldErrors / counts.fields;
    const manifestPath = await writeManifest(folder, {
      workflowId: args.workflowId,
      runId: args.runId,
      appId: args.appId,
      batchId: state.run.batchId,
      startTimestamp: state.run.startTimestamp,
      finishTimestamp: state.run.finishTimestamp,
      ...counts,
      errorRatio,
      resultsFile: resultFileNames.results,
      resultsBytes: state.bytes,
      resultsSha256: finished.sha256,
      pages: state.pages,
      writtenAt: new Date((deps.now ?? Date.now)()).toISOString(),
    });
    return {
      ...counts,
      resultsPath: finished.path,
      manifestPath,
      resultsSha256: finished.sha256,
      errorRatio,
    };
  };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
