/**
 * Which S3 answers end a results delivery for good, read from the AWS SDK's error shape (name
 * first, status where it is unambiguous), and what the failure says. The pipelines that prove
 * the behaviour are in test/e2e/s3-refusals.test.ts; this pins the table.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { failureTypes, nonRetryableFailureTypes } from '../../src/failure-types';
import { isAbsent, s3DeliveryError, s3Refusal } from '../../src/activities/sinks/s3-refusals';

function s3Error(name: string, status: number | undefined, message = 'S3 says so'): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: status !== undefined && status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message,
  });
}

const target = { bucket: 'acme-results', prefix: 'nightly', workflowId: 'invoices-1' };

describe('S3 answers that no retry can fix', () => {
  it('are final by their code, whatever the status', () => {
    const final: [string, number][] = [
      ['NoSuchBucket', 404],
      ['AccessDenied', 403],
      ['AllAccessDisabled', 403],
      ['InvalidAccessKeyId', 403],
      ['SignatureDoesNotMatch', 403],
      ['AccountProblem', 403],
      ['PermanentRedirect', 301],
      ['AuthorizationHeaderMalformed', 400],
      ['InvalidBucketName', 400],
    ];
    for (const [name, status] of final) assert.ok(s3Refusal(s3Error(name, status)), `${name} is final`);
  });

  it('are final by a bare 301, 403 or 404 (a HEAD answer names nothing)', () => {
    for (const [name, status] of [
      ['Unknown', 403],
      ['NotFound', 404],
      ['301', 301],
    ] as const) {
      assert.equal(s3Refusal(s3Error(name, status))?.status, status, `${name} ${status} is final`);
    }
  });

  it('leave transient answers and look-alikes retryable', () => {
    const transient: [string, number | undefined][] = [
      ['ServiceUnavailable', 503],
      ['SlowDown', 503],
      ['InternalError', 500],
      ['RequestTimeout', 400],
      ['RequestTimeTooSkewed', 403],
      ['NoSuchUpload', 404],
      ['NoSuchKey', 404],
      ['PreconditionFailed', 412],
      ['TemporaryRedirect', 307],
      ['Unknown', undefined],
    ];
    for (const [name, status] of transient) assert.equal(s3Refusal(s3Error(name, status)), undefined, name);
    const network = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    assert.equal(s3Refusal(network), undefined);
    assert.equal(s3DeliveryError(network, target), network, 'a network error passes unchanged');
  });

  it('a read’s 404 is "no such object" unless S3 says the bucket is missing', () => {
    assert.ok(isAbsent(s3Error('NoSuchKey', 404)));
    assert.ok(isAbsent(s3Error('NotFound', 404)));
    assert.ok(!isAbsent(s3Error('NoSuchBucket', 404)));
    assert.ok(!isAbsent(s3Error('AccessDenied', 403)));
  });
});

describe('the failure of a refused delivery', () => {
  it('is a non-retryable HubrunResultsStoreRefused naming the bucket, the code and the fix', () => {
    const failure = s3DeliveryError(
      s3Error('SignatureDoesNotMatch', 403, 'sig for AKIAEXAMPLE X-Amz-Signature=abc'),
      target,
    );
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, failureTypes.resultsStoreRefused);
    assert.equal(failure.nonRetryable, true);
    assert.ok(nonRetryableFailureTypes.includes(failureTypes.resultsStoreRefused));
    assert.match(failure.message, /s3:\/\/acme-results\/nightly: S3 answered 403 SignatureDoesNotMatch/);
    assert.match(failure.message, /`hubrun retry invoices-1`/);
    assert.ok(!/AKIAEXAMPLE|X-Amz-Signature/.test(failure.message), failure.message);
  });

  it('of a transient answer stays retryable and leaves S3’s text out', () => {
    const err = s3DeliveryError(s3Error('SlowDown', 503, 'slow down X-Amz-Signature=abc'), target);
    assert.ok(!(err instanceof ApplicationFailure), 'untyped, so Temporal retries it');
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'SlowDown');
    assert.ok(!err.message.includes('X-Amz-Signature'), err.message);
  });
});
