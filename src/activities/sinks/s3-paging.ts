/**
 * `fetchResults` into an S3 bucket: the paging loop of `fetch-results.ts` with one object per
 * page, the checkpoint naming the objects, `results.jsonl` assembled from them and
 * `manifest.json` last (see `s3-sink.ts` for why). An S3 answer no retry can fix fails it as
 * non-retryable `HubrunResultsStoreRefused` (see `s3-refusals.ts`).
 */
import { Context } from '@temporalio/activity';
import type { ActivityDeps } from '../deps';
import { freshCheckpoint } from '../paging-checkpoint';
import type { PagingCheckpoint } from '../paging-checkpoint';
import { manifestOf, pageInto, summaryOf } from '../results-paging';
import type { FetchedResults, FetchResultsInput } from '../results-paging';
import { s3DeliveryError } from './s3-refusals';
import { createS3Client, MissingPartError, S3ResultsStore } from './s3-sink';
import type { S3Part } from './s3-sink';
import type { S3Client } from '@aws-sdk/client-s3';

/**
 * Pages a run's results into `s3://<bucket>/<prefix>/<workflow id>/<workflow run id>/`; a
 * missing bucket, denied access, rejected credentials or a wrong region fail it as non-retryable
 * `HubrunResultsStoreRefused`, other S3 errors are retried.
 */
export async function pageResultsToS3(
  deps: ActivityDeps,
  args: FetchResultsInput,
  location: { bucket: string; prefix: string },
): Promise<FetchedResults> {
  try {
    return await deliver(deps, args, location);
  } catch (err) {
    throw s3DeliveryError(err, { ...location, workflowId: args.workflowId });
  }
}

async function deliver(
  deps: ActivityDeps,
  args: FetchResultsInput,
  location: { bucket: string; prefix: string },
): Promise<FetchedResults> {
  const ctx = Context.current();
  const { attempt } = ctx.info;
  const execution = ctx.info.workflowExecution;
  if (execution === undefined) throw new Error('fetchResults runs only as a workflow activity');
  const client = clientOf(deps);
  const store = new S3ResultsStore(
    client,
    location.bucket,
    location.prefix,
    args.workflowId,
    execution.runId,
    ctx.cancellationSignal,
  );

  const done = await store.readCompleteManifest();
  if (done) {
    ctx.log.info('results already complete', { attempt });
    return summaryOf(s3Location(store), done);
  }

  const recorded = ctx.info.heartbeatDetails as PagingCheckpoint | undefined;
  let state: PagingCheckpoint;
  if (recorded?.parts !== undefined && (await store.hasParts(recorded.parts))) {
    state = { ...recorded, attempt };
    ctx.log.info('resuming results paging', { fileOffset: state.fileOffset, parts: recorded.parts.length });
  } else {
    state = { ...freshCheckpoint(attempt), parts: [] };
    if (recorded) {
      ctx.log.warn(
        'results checkpoint names parts missing from the store; paging again from the first file',
        {
          recordedFileOffset: recorded.fileOffset,
        },
      );
    }
  }

  state = await pageInto(deps, args.runId, state, async (files, before) => {
    const parts: S3Part[] = [...(before.parts ?? [])];
    if (files.length > 0) parts.push(await store.putPart(before.fileOffset, attempt, files));
    return { parts, bytes: parts.reduce((sum, part) => sum + part[2], 0) };
  });

  let published;
  try {
    published = await store.publish(state.parts ?? []);
  } catch (err) {
    if (err instanceof MissingPartError) {
      // The next attempt finds the parts missing too and pages again from the first file.
      ctx.heartbeat({ ...freshCheckpoint(attempt), parts: [] });
    }
    throw err;
  }
  if (!published.ownBytes) {
    ctx.log.warn('another attempt published the results first; describing its object', { attempt });
  }
  const manifest = manifestOf(deps, args, state, published.counts ?? state.counts, published);
  await store.writeManifest(manifest);
  await store.deleteParts().catch((err: unknown) => {
    ctx.log.warn('could not delete the results parts; they are no longer needed', {
      error: err instanceof Error ? err.name : String(err),
    });
  });
  return summaryOf(s3Location(store), manifest);
}

const clients = new WeakMap<ActivityDeps, S3Client>();

/** One S3 client per set of activities, built on first use. */
function clientOf(deps: ActivityDeps): S3Client {
  let client = clients.get(deps);
  if (client === undefined) {
    client = createS3Client({ forcePathStyle: deps.s3ForcePathStyle ?? false });
    clients.set(deps, client);
  }
  return client;
}

/** Where an S3 sink's results are. */
function s3Location(
  store: S3ResultsStore,
): Pick<FetchedResults, 'resultsPath' | 'manifestPath' | 'resultsUrl'> {
  return { resultsPath: store.resultsUrl, manifestPath: store.manifestUrl, resultsUrl: store.resultsUrl };
}
