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
 * The destination is the pipeline's `resultsUrl` or `resultsDir` when given (allowed only where
 * the worker allows, else `HubrunBadInput` naming the field), else the worker's own
 * `HUBRUN_RESULTS_URL`: a folder (`file:`, above) or a bucket (`s3:`), where each page is an
 * object of its own and the checkpoint names them (see `sinks/s3-sink.ts`); in both the manifest
 * is written last, and only then is the result complete.
 *
 * A page is final when `has_more` is false, or, when AI Hub leaves `has_more` out, when it has
 * no files. An empty page that claims `has_more` cannot advance the offset: the attempt fails
 * as retryable (`AihubUnavailable`) and its retry resumes from the checkpoint, so the results
 * are never silently cut short.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { failureTypes } from '../failure-types';
import type { ActivityDeps } from './deps';
import { prepareResultsFolder, UnsafeResultsDirError } from './results-folder';
import { freshCheckpoint } from './paging-checkpoint';
import type { PagingCheckpoint } from './paging-checkpoint';
import { manifestOf, pageInto, summaryOf } from './results-paging';
import type { FetchedResults, FetchResultsInput } from './results-paging';
import { resolveDestination } from './sinks/destination';

import {
  countResultsFile,
  readCompleteManifest,
  resultFileNames,
  ResultsWriter,
  writeManifest,
} from './results-sink';

export { completeResults } from './results-paging';
export type { FetchedResults, FetchResultsInput } from './results-paging';
export type { PagingCheckpoint } from './paging-checkpoint';

/**
 * Builds the `fetchResults` activity. A results folder outside the worker's results roots, or
 * a symbolic link where a results folder or file goes, fails it as non-retryable `HubrunBadInput`.
 */
export function fetchResultsActivity(
  deps: ActivityDeps,
): (args: FetchResultsInput) => Promise<FetchedResults> {
  return async function fetchResults(args: FetchResultsInput): Promise<FetchedResults> {
    const destination = resolveDestination(deps, args);
    try {
      if (destination.kind === 's3') {
        // Loaded on first use: workers that deliver to folders never load the AWS SDK.
        const { pageResultsToS3 } = await import('./sinks/s3-paging.js');
        return await pageResultsToS3(deps, args, destination);
      }
      return await pageResults(deps, { ...args, resultsDir: destination.resultsDir });
    } catch (err) {
      throw unsafePathFailure(err, destination.field) ?? err;
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
    return summaryOf(fileLocation(folder), done);
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
    state = await pageInto(deps, args.runId, state, async (files) => ({ bytes: await writer.append(files) }));
  } finally {
    await writer.close();
  }

  const published = await writer.publish();
  if (!published.ownBytes) {
    ctx.log.warn('another attempt published the results first; describing its file', { attempt });
  }
  const counts = published.ownBytes ? state.counts : await countResultsFile(published.path);
  const manifest = manifestOf(deps, args, state, counts, published);
  await writeManifest(folder, attempt, manifest);
  return summaryOf(fileLocation(folder), manifest);
}

/** The `HubrunBadInput` failure of a results path that is outside the roots or a symbolic link. */
function unsafePathFailure(err: unknown, field: string): ApplicationFailure | undefined {
  let message: string | undefined;
  if (err instanceof UnsafeResultsDirError) message = err.message.replace(/^resultsDir: /, `${field}: `);
  else if ((err as NodeJS.ErrnoException | undefined)?.code === 'ELOOP') {
    message = `${field}: ${(err as NodeJS.ErrnoException).path ?? 'a results file'} is a symbolic link, not a file`;
  }
  return message === undefined
    ? undefined
    : ApplicationFailure.create({ type: failureTypes.badInput, message, nonRetryable: true });
}

/** Where a file sink's results are, in its execution's folder. */
function fileLocation(folder: string): Pick<FetchedResults, 'resultsPath' | 'manifestPath' | 'resultsUrl'> {
  const resultsPath = join(folder, resultFileNames.results);
  return {
    resultsPath,
    manifestPath: join(folder, resultFileNames.manifest),
    resultsUrl: pathToFileURL(resultsPath).href,
  };
}
