/**
 * Which sink one pipeline's results go to: its `resultsUrl` or `resultsDir` when given, else the
 * worker's `HUBRUN_RESULTS_URL` (or `HUBRUN_OUTPUT_DIR`). A pipeline's destination comes from
 * whoever may start workflows on the task queue, so an `s3:` one must lie at or below the worker's
 * own URL or one of `HUBRUN_RESULTS_URLS`, and a `file:` one is checked as a `resultsDir` (by real
 * path, under `HUBRUN_OUTPUT_DIR` or `HUBRUN_RESULTS_ROOTS`); anything else fails the pipeline as
 * non-retryable `HubrunBadInput` naming the field, before a byte is written.
 */
import { ApplicationFailure } from '@temporalio/common';
import { failureTypes } from '../../failure-types';
import type { ActivityDeps } from '../deps';
import { isWithin, parseResultsUrl, ResultsUrlError } from './results-url';
import type { ResultsLocation } from './results-url';

/** Where one pipeline's results go, and the input field that chose it (for messages). */
export type Destination =
  | { kind: 'file'; resultsDir: string | null; field: 'resultsDir' | 'resultsUrl' }
  | { kind: 's3'; bucket: string; prefix: string; field: 'resultsUrl' | 'HUBRUN_RESULTS_URL' };

/** The destination of a pipeline; throws a non-retryable `HubrunBadInput` failure naming the field. */
export function resolveDestination(
  deps: Pick<ActivityDeps, 'resultsUrl' | 'resultsUrls'>,
  args: { resultsDir: string | null; resultsUrl?: string | null | undefined },
): Destination {
  const requested = args.resultsUrl ?? null;
  if (requested === null) {
    if (args.resultsDir !== null) return { kind: 'file', resultsDir: args.resultsDir, field: 'resultsDir' };
    const own = deps.resultsUrl === undefined ? null : parseResultsUrl(deps.resultsUrl);
    if (own?.kind === 's3') return { ...own, field: 'HUBRUN_RESULTS_URL' };
    return { kind: 'file', resultsDir: own?.dir ?? null, field: 'resultsDir' };
  }
  let location: ResultsLocation;
  try {
    location = parseResultsUrl(requested);
  } catch (err) {
    if (err instanceof ResultsUrlError) throw badInput(`resultsUrl: ${err.message}`);
    throw err;
  }
  if (location.kind === 'file') return { kind: 'file', resultsDir: location.dir, field: 'resultsUrl' };
  const allowed = [deps.resultsUrl, ...(deps.resultsUrls ?? [])]
    .filter((url): url is string => url !== undefined)
    .map(parseResultsUrl);
  if (!allowed.some((outer) => isWithin(location, outer))) {
    throw badInput(
      `resultsUrl: ${requested} is not within the worker's results URLs (HUBRUN_RESULTS_URL, HUBRUN_RESULTS_URLS)`,
    );
  }
  return { ...location, field: 'resultsUrl' };
}

function badInput(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: failureTypes.badInput, message, nonRetryable: true });
}
