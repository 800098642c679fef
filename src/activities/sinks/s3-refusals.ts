/**
 * Which S3 errors no retry can fix, and the failures the S3 sink throws for them. A missing
 * bucket, denied access, credentials the store rejects, a wrong region or an invalid bucket name
 * fail the results activity as non-retryable `HubrunResultsStoreRefused`, so a pipeline that can
 * never deliver fails at once instead of retrying for a day; 5xx, throttling, timeouts and network
 * errors stay retryable. The decision reads the AWS SDK v3's error shape (`S3ServiceException`:
 * its `name`, S3's error code, first; `$metadata.httpStatusCode` only where a status alone is
 * unambiguous), never message text. Failure messages name the bucket, the prefix and S3's code
 * and status, never S3's own message text, which a store may fill with a signed URL or a key id.
 */
import { S3ServiceException } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { failureTypes } from '../../failure-types';
import { resultsUrlOf } from './results-url';

/** What a final refusal means and how an operator fixes it. */
interface Refusal {
  what: string;
  fix: string;
}

const missingBucket: Refusal = {
  what: 'the bucket does not exist',
  fix: 'create the bucket or correct the results URL',
};
const denied: Refusal = {
  what: 'the worker’s credentials are not allowed to use the bucket',
  fix: 'grant the worker s3:PutObject, s3:GetObject, s3:ListBucket and s3:DeleteObject on the prefix',
};
const badCredentials: Refusal = {
  what: 'the store rejects the worker’s credentials',
  fix: 'correct the worker’s credentials (AWS_ACCESS_KEY_ID and its secret, the profile or the role)',
};
const wrongRegion: Refusal = {
  what: 'the bucket is in another region than the one the worker addresses',
  fix: 'set AWS_REGION (or AWS_ENDPOINT_URL_S3) to the bucket’s region',
};

/** S3 error codes that are final whatever the call, by the SDK's error `name`. */
const refusalsByName: Readonly<Record<string, Refusal>> = {
  NoSuchBucket: missingBucket,
  AccessDenied: denied,
  AllAccessDisabled: denied,
  AccountProblem: {
    what: 'the account that owns the credentials is blocked',
    fix: 'resolve the account problem',
  },
  InvalidAccessKeyId: badCredentials,
  SignatureDoesNotMatch: badCredentials,
  PermanentRedirect: wrongRegion,
  AuthorizationHeaderMalformed: wrongRegion,
  InvalidBucketName: { what: 'the store rejects the bucket name', fix: 'correct the results URL' },
};

/**
 * Codes that look final by their status but are not: a 403 for a skewed clock (the SDK corrects
 * its clock offset on the next call), a 404 for an object or for a multipart upload that a
 * lifecycle rule ended (a retry starts a new one).
 */
const notFinal: ReadonlySet<string> = new Set(['RequestTimeTooSkewed', 'NoSuchKey', 'NoSuchUpload']);

/**
 * Statuses final when the error's name says nothing better (a HEAD answer has no body to name
 * it, the SDK calls a bare 404 `NotFound`). A 404 reaches this only from a bucket-level call (a
 * write, a listing): the sink's reads take a 404 as "no such object" first.
 */
const refusalsByStatus: Readonly<Record<number, Refusal>> = {
  301: wrongRegion,
  403: denied,
  404: missingBucket,
};

/**
 * The refusal `err` is when no retry can fix it: an `S3ServiceException` named for a final code,
 * else one whose status is 301, 403 or 404 and whose name is not one of the transient look-alikes
 * above. Undefined for anything retryable (5xx, `SlowDown`, timeouts, network errors) and for
 * errors that are not S3's answers. The sink's own reads treat a 404 `NoSuchKey` as "not there"
 * before asking (see {@link isAbsent}).
 */
export function s3Refusal(
  err: unknown,
): (Refusal & { code: string; status: number | undefined }) | undefined {
  if (!(err instanceof S3ServiceException)) return undefined;
  const status = err.$metadata.httpStatusCode;
  const refusal =
    refusalsByName[err.name] ??
    (notFinal.has(err.name) || status === undefined ? undefined : refusalsByStatus[status]);
  return refusal === undefined ? undefined : { ...refusal, code: err.name, status };
}

/** True when a read (GetObject, HeadObject) found no object: a 404 that is not a final refusal such as `NoSuchBucket`. */
export function isAbsent(err: unknown): boolean {
  return (
    err instanceof S3ServiceException &&
    err.$metadata.httpStatusCode === 404 &&
    refusalsByName[err.name] === undefined
  );
}

/** Where a failed delivery was going, for messages. */
export interface DeliveryTarget {
  bucket: string;
  prefix: string;
  workflowId: string;
}

/**
 * What the S3 sink throws for `err`: a non-retryable `HubrunResultsStoreRefused` failure when
 * {@link s3Refusal} says no retry can fix it (the message names the bucket and prefix, S3's code
 * and status, and the fix, then `hubrun retry`); for any other S3 answer a retryable error of the
 * same name whose message leaves S3's text out; anything else (a network error, a cancellation, a
 * failure already typed) unchanged.
 */
export function s3DeliveryError(err: unknown, target: DeliveryTarget): unknown {
  if (!(err instanceof S3ServiceException)) return err;
  const url = resultsUrlOf({ kind: 's3', bucket: target.bucket, prefix: target.prefix });
  const answer = `S3 answered ${err.$metadata.httpStatusCode ?? 'without a status'} ${err.name}`;
  const refusal = s3Refusal(err);
  if (refusal === undefined) {
    const transient = new Error(`delivering results to ${url}: ${answer}; retrying`);
    transient.name = err.name;
    return transient;
  }
  return ApplicationFailure.create({
    type: failureTypes.resultsStoreRefused,
    nonRetryable: true,
    message:
      `the results store refused the delivery to ${url}: ${answer} (${refusal.what}). ` +
      `Retrying cannot help until that is fixed: ${refusal.fix}, then \`hubrun retry ${target.workflowId}\` takes over ` +
      'the finished AI Hub run and delivers its results again, without starting a second run.',
    details: [
      { bucket: target.bucket, prefix: target.prefix, code: err.name, status: refusal.status ?? null },
    ],
  });
}
