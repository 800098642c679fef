/**
 * Results destinations as URLs: `file:///abs/dir` (a folder on the worker's machine or a shared
 * volume, today's behaviour) or `s3://bucket/prefix` (any S3-compatible store). The worker's own
 * destination is `HUBRUN_RESULTS_URL`; a pipeline's `resultsUrl` may only name a destination at or
 * below the worker's URL or one of `HUBRUN_RESULTS_URLS`, compared segment by segment, so
 * `s3://bucket/team` allows `s3://bucket/team/nightly` but not `s3://bucket/team-b`.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Where results go: a local folder, or a bucket and key prefix (no leading or trailing `/`). */
export type ResultsLocation = { kind: 'file'; dir: string } | { kind: 's3'; bucket: string; prefix: string };

/** Thrown when a results URL is not `file:` or `s3:`, or is malformed; the message names the problem. */
export class ResultsUrlError extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'ResultsUrlError';
  }
}

/** S3's bucket naming rules (lower case, digits, dots and hyphens, 3 to 63 characters). */
const bucketPattern = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parses a results URL; throws {@link ResultsUrlError} for anything but `file:` or `s3:`. */
export function parseResultsUrl(url: string): ResultsLocation {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ResultsUrlError(
      `${JSON.stringify(url)} is not a URL (expected file:///... or s3://bucket/prefix)`,
    );
  }
  if (parsed.protocol === 'file:') {
    if (parsed.host !== '') throw new ResultsUrlError(`${url}: a file: URL names no host (file:///...)`);
    return { kind: 'file', dir: fileURLToPath(parsed) };
  }
  if (parsed.protocol === 's3:') {
    if (!bucketPattern.test(parsed.hostname)) throw new ResultsUrlError(`${url}: not a valid bucket name`);
    if (parsed.search !== '' || parsed.hash !== '' || parsed.username !== '' || parsed.password !== '') {
      throw new ResultsUrlError(`${url}: an s3: URL holds only a bucket and a prefix`);
    }
    const segments = decodeURIComponent(parsed.pathname)
      .split('/')
      .filter((s) => s !== '');
    if (segments.some((s) => s === '.' || s === '..'))
      throw new ResultsUrlError(`${url}: . and .. are not allowed`);
    return { kind: 's3', bucket: parsed.hostname, prefix: segments.join('/') };
  }
  throw new ResultsUrlError(`${url}: only file: and s3: results URLs are supported`);
}

/** The canonical URL of a location. */
export function resultsUrlOf(location: ResultsLocation): string {
  if (location.kind === 'file') return pathToFileURL(location.dir).href;
  return `s3://${location.bucket}/${location.prefix}`.replace(/\/$/, '');
}

/** The `s3://` URL of one object. */
export function objectUrl(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/** True when `inner` lies at or below `outer`: the same store and bucket, the prefix's segments first. */
export function isWithin(inner: ResultsLocation, outer: ResultsLocation): boolean {
  if (inner.kind === 'file' || outer.kind === 'file') {
    return false; // Folders are checked by real path in results-folder.ts, never by URL text.
  }
  if (inner.bucket !== outer.bucket) return false;
  if (outer.prefix === '') return true;
  return inner.prefix === outer.prefix || inner.prefix.startsWith(`${outer.prefix}/`);
}
