import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AihubHttpError,
  AihubNetworkError,
  AihubSchemaError,
  isAihubError,
  isAihubHttpError,
  isAihubSchemaError,
} from '../../src/aihub/errors';
import { classifyAihubError, parseRetryAfter, type AihubErrorClassification } from '../../src/aihub/retry';
import { toActivityFailure } from '../../src/activities/failures';
import { failureTypes, retryableFailureTypes } from '../../src/failure-types';

const now = Date.parse('2026-11-28T12:00:00Z');

void describe('parseRetryAfter', () => {
  void it('reads delta-seconds as milliseconds', () => {
    assert.equal(parseRetryAfter('7', now), 7000);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
  });

  void it('reads an HTTP date as milliseconds from now', () => {
    assert.equal(parseRetryAfter('Sat, 28 Nov 2026 12:00:30 GMT', now), 30_000);
  });

  void it('never answers a negative delay for a date in the past', () => {
    assert.equal(parseRetryAfter('Sat, 28 Nov 2026 11:59:00 GMT', now), 0);
  });

  void it('ignores absent, empty, negative and unparseable values', () => {
    for (const header of [undefined, '', '   ', '-5', '1.5', 'soon', 'Someday, 99 Foo']) {
      assert.equal(parseRetryAfter(header, now), undefined, `header ${String(header)}`);
    }
  });
});

void describe('classifyAihubError', () => {
  const http = (status: number, retryAfterMs?: number): AihubHttpError =>
    new AihubHttpError('getRun', status, 'nope', retryAfterMs);
  const table: [string, unknown, AihubErrorClassification][] = [
    ['400', http(400), { retryable: false, reason: 'bad-request' }],
    ['401', http(401), { retryable: false, reason: 'auth' }],
    ['403 (out of consumption units)', http(403), { retryable: false, reason: 'forbidden' }],
    ['404', http(404), { retryable: false, reason: 'not-found' }],
    ['408', http(408), { retryable: true, reason: 'timeout' }],
    ['409', http(409), { retryable: false, reason: 'conflict' }],
    ['422', http(422), { retryable: false, reason: 'bad-request' }],
    [
      '429 with Retry-After',
      http(429, 7000),
      { retryable: true, reason: 'rate-limited', retryAfterMs: 7000 },
    ],
    ['429 without Retry-After', http(429), { retryable: true, reason: 'rate-limited' }],
    ['500', http(500), { retryable: true, reason: 'server' }],
    ['502', http(502), { retryable: true, reason: 'server' }],
    ['503 with Retry-After', http(503, 2000), { retryable: true, reason: 'server', retryAfterMs: 2000 }],
    ['504', http(504), { retryable: true, reason: 'server' }],
    ['404 ignores Retry-After', http(404, 5000), { retryable: false, reason: 'not-found' }],
    ['302 (redirects are not followed)', http(302), { retryable: false, reason: 'unexpected-status' }],
    ['301', http(301), { retryable: false, reason: 'unexpected-status' }],
    ['100', http(100), { retryable: false, reason: 'unexpected-status' }],
    [
      'connection reset',
      new AihubNetworkError('getRun', 'ECONNRESET', 'failed'),
      { retryable: true, reason: 'network' },
    ],
    [
      'connection refused',
      new AihubNetworkError('getRun', 'ECONNREFUSED', 'failed'),
      { retryable: true, reason: 'network' },
    ],
    [
      'our timeout',
      new AihubNetworkError('getRun', 'TIMEOUT', 'timed out'),
      { retryable: true, reason: 'timeout' },
    ],
    [
      'system timeout',
      new AihubNetworkError('getRun', 'ETIMEDOUT', 'failed'),
      { retryable: true, reason: 'timeout' },
    ],
    ['no code', new AihubNetworkError('getRun', undefined, 'failed'), { retryable: true, reason: 'network' }],
    [
      'schema mismatch',
      new AihubSchemaError('getRun', 200, ['id: bad'], '{}'),
      { retryable: false, reason: 'schema' },
    ],
    ['a plain Error', new Error('boom'), { retryable: true, reason: 'unknown' }],
    ['a thrown string', 'boom', { retryable: true, reason: 'unknown' }],
  ];
  for (const [name, err, expected] of table) {
    void it(`classifies ${name}`, () => assert.deepEqual(classifyAihubError(err), expected));
  }

  void it('recognises errors by kind, so a copy from another bundle still classifies', () => {
    const foreign = Object.assign(new Error('AI Hub getRun answered 429'), {
      kind: 'aihub-http',
      status: 429,
      retryAfterMs: 1000,
    });
    assert.deepEqual(classifyAihubError(foreign), {
      retryable: true,
      reason: 'rate-limited',
      retryAfterMs: 1000,
    });
  });
});

void describe('AI Hub errors', () => {
  void it('name the endpoint, its method and path template, the status and the body message', () => {
    const err = new AihubHttpError('getRun', 404, 'run not found', undefined);
    assert.equal(err.message, 'AI Hub getRun (GET /v2/apps/runs/{runId}) answered 404: run not found');
    assert.equal(err.kind, 'aihub-http');
    assert.equal(err.name, 'AihubHttpError');
    assert.equal(err.endpoint, 'getRun');
    assert.match(err.stack ?? '', /^AihubHttpError: AI Hub getRun/);
    assert.ok(isAihubError(err) && isAihubHttpError(err) && !isAihubSchemaError(err));
  });

  void it('omit the colon when the error body is absent', () => {
    const err = new AihubHttpError('getBatch', 404, undefined, undefined);
    assert.equal(err.message, 'AI Hub getBatch (GET /v2/batches/{batchId}) answered 404');
  });

  void it('keep schema issues and at most 200 characters of the body', () => {
    const err = new AihubSchemaError(
      'getRun',
      200,
      ['id: expected string', 'status: invalid'],
      'x'.repeat(5000),
    );
    assert.deepEqual(err.issues, ['id: expected string', 'status: invalid']);
    assert.ok(err.bodyExcerpt.length <= 200);
    assert.match(err.message, /answered 200 with an unexpected body: id: expected string; status: invalid$/);
    assert.ok(err.message.length < 300);
  });

  void it('carry no cause', () => {
    assert.equal(new AihubNetworkError('getRun', 'ECONNRESET', 'failed').cause, undefined);
  });
});

void describe('toActivityFailure', () => {
  const http = (status: number): AihubHttpError => new AihubHttpError('getRun', status, 'nope', undefined);

  void it('makes a 3xx (a redirect to a login page, a wrong API root) final, as an unexpected answer', () => {
    for (const status of [301, 302, 303, 307, 308]) {
      const failure = toActivityFailure(http(status));
      assert.equal(failure.type, failureTypes.unexpectedAnswer, `status ${status}`);
      assert.equal(failure.nonRetryable, true, `status ${status}`);
    }
  });

  void it('never lets a verdict of "not retryable" become a retryable failure, for any status', () => {
    for (let status = 100; status <= 599; status++) {
      const err = http(status);
      const failure = toActivityFailure(err);
      assert.equal(failure.nonRetryable, !classifyAihubError(err).retryable, `status ${status}`);
      if (failure.nonRetryable) assert.notEqual(failure.type, retryableFailureTypes.unavailable);
    }
  });
});
