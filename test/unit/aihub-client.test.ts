import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { AihubClient, type AihubClientOptions } from '../../src/aihub/client';
import { AihubHttpError, AihubNetworkError, AihubSchemaError } from '../../src/aihub/errors';
import { classifyAihubError } from '../../src/aihub/retry';

const TOKEN = 'tok-SECRET-5f3a9c';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
type Handler = (req: Seen, res: ServerResponse) => void;

/** A tiny real HTTP server whose answer each test sets; it records every request. */
let server: Server;
let apiRoot: string;
let handler: Handler;
let seen: Seen[];

function reply(
  res: ServerResponse,
  status: number,
  body?: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, body === undefined ? headers : { 'Content-Type': 'application/json', ...headers });
  res.end(body);
}

function client(options: Partial<AihubClientOptions> = {}): AihubClient {
  return new AihubClient({ apiRoot, token: TOKEN, ...options });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('expected the call to fail');
}

function assertNoToken(err: unknown): void {
  const e = err as Error;
  for (const text of [
    e.message,
    e.stack ?? '',
    JSON.stringify(err),
    inspect(err, { depth: 10 }),
    String(e.cause),
  ]) {
    assert.ok(!text.includes(TOKEN), `token leaked into: ${text}`);
  }
}

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      seen.push(request);
      handler(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiRoot = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen = [];
  handler = (_req, res) => reply(res, 500, '{"message":"no handler"}');
});

const runJson =
  '{"id":"r1","status":"RUNNING","start_timestamp":1764355200123456789,"finish_timestamp":null,"extra":1}';

void describe('AihubClient requests', () => {
  void it('sends the bearer token and IB-Context when configured, under the API root', async () => {
    handler = (_req, res) => reply(res, 200, runJson);
    await client({ ibContext: 'acme' }).getRun('r1');
    const [req] = seen;
    assert.equal(req?.method, 'GET');
    assert.equal(req?.url, '/api/v2/apps/runs/r1');
    assert.equal(req?.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(req?.headers['ib-context'], 'acme');
    assert.equal(req?.headers['user-agent'], 'hubrun');
  });

  void it('omits IB-Context when none is configured', async () => {
    handler = (_req, res) => reply(res, 200, runJson);
    await client().getRun('r1');
    assert.equal(seen[0]?.headers['ib-context'], undefined);
  });

  void it('percent-encodes ids in the path', async () => {
    handler = (_req, res) => reply(res, 200, runJson);
    await client().getRun('a b/../c?d');
    assert.equal(seen[0]?.url, '/api/v2/apps/runs/a%20b%2F..%2Fc%3Fd');
  });

  void it('sends JSON bodies as application/json', async () => {
    handler = (_req, res) => reply(res, 200, runJson);
    await client().runApp({ app_name: 'invoices', batch_id: 3, settings: { tags: ['orch:x'] } });
    assert.equal(seen[0]?.method, 'POST');
    assert.equal(seen[0]?.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(seen[0]?.body ?? ''), {
      app_name: 'invoices',
      batch_id: 3,
      settings: { tags: ['orch:x'] },
    });
  });

  void it('accepts the 202 of run deployment', async () => {
    handler = (_req, res) => reply(res, 202, runJson);
    const run = await client().runDeployment('dep 1', { input_dir: 'acme/W/fs/Instabase Drive/in' });
    assert.equal(run.id, 'r1');
    assert.equal(seen[0]?.url, '/api/v2/apps/deployments/dep%201/runs');
  });

  void it('sends array filters as repeated parameters and booleans as words', async () => {
    handler = (_req, res) => reply(res, 200, '{"runs":[]}');
    await client().listRuns({ status: ['RUNNING', 'STOPPED_AT_CHECKPOINT'], app_name: 'a b', limit: 5 });
    assert.equal(
      seen[0]?.url,
      '/api/v2/apps/runs?status=RUNNING&status=STOPPED_AT_CHECKPOINT&app_name=a+b&limit=5',
    );
    handler = (_req, res) =>
      reply(res, 202, '{"delete_input_dir_job_id":"j1","delete_output_dir_job_id":null}');
    const jobs = await client().deleteRun('r1', { delete_input: false });
    assert.equal(seen[1]?.url, '/api/v2/apps/runs/r1?delete_input=false');
    assert.equal(jobs.delete_input_dir_job_id, 'j1');
  });

  void it('pages listAllRuns with offset += limit until a short page', async () => {
    const runs = Array.from({ length: 7 }, (_, i) => ({ id: `r${i}`, status: 'COMPLETE' }));
    handler = (req, res) => {
      const q = new URL(req.url, 'http://x').searchParams;
      const offset = Number(q.get('offset'));
      reply(res, 200, JSON.stringify({ runs: runs.slice(offset, offset + Number(q.get('limit'))) }));
    };
    const ids: string[] = [];
    for await (const run of client().listAllRuns({ app_id: 'a', limit: 3 })) ids.push(run.id);
    assert.deepEqual(
      ids,
      runs.map((r) => r.id),
    );
    assert.deepEqual(
      seen.map((r) => r.url),
      [
        '/api/v2/apps/runs?app_id=a&limit=3&offset=0',
        '/api/v2/apps/runs?app_id=a&limit=3&offset=3',
        '/api/v2/apps/runs?app_id=a&limit=3&offset=6',
      ],
    );
  });
});

void describe('AihubClient responses', () => {
  void it('keeps a 19-digit nanosecond start_timestamp exactly and strips unknown fields', async () => {
    handler = (_req, res) => reply(res, 200, runJson);
    const run = await client().getRun('r1');
    assert.equal(run.start_timestamp, '1764355200123456789');
    assert.equal(run.finish_timestamp, null);
    assert.ok(!('extra' in run));
  });

  void it('throws AihubSchemaError when the body does not match the schema', async () => {
    // An unknown status string is tolerated (a status AI Hub adds later); a number is not a status.
    handler = (_req, res) => reply(res, 200, '{"id":5,"status":7}');
    const err = await rejection(client().getRun('r1'));
    assert.ok(err instanceof AihubSchemaError);
    assert.equal(err.kind, 'aihub-schema');
    assert.equal(err.issues.length, 2);
    assert.match(err.issues[0] ?? '', /^id: /);
    assert.match(err.issues[1] ?? '', /^status: /);
    assert.deepEqual(classifyAihubError(err), { retryable: false, reason: 'schema' });
  });

  void it('throws AihubSchemaError, with a short excerpt, when a 2xx body is not JSON', async () => {
    handler = (_req, res) =>
      reply(res, 200, `<html>${'x'.repeat(10_000)}</html>`, { 'Content-Type': 'text/html' });
    const err = await rejection(client().getBatch(1));
    assert.ok(err instanceof AihubSchemaError);
    assert.deepEqual(err.issues, ['(root): the body is not JSON']);
    assert.ok(err.bodyExcerpt.startsWith('<html>') && err.bodyExcerpt.length <= 200);
  });

  void it('throws AihubHttpError with the message of the error body', async () => {
    handler = (_req, res) => reply(res, 404, '{"message":"run not found"}');
    const err = await rejection(client().getRun('r9'));
    assert.ok(err instanceof AihubHttpError);
    assert.equal(err.status, 404);
    assert.equal(err.bodyMessage, 'run not found');
    assert.equal(err.message, 'AI Hub getRun (GET /v2/apps/runs/{runId}) answered 404: run not found');
  });

  void it('accepts an error without a body', async () => {
    handler = (_req, res) => reply(res, 404);
    const err = await rejection(client().getBatch(4));
    assert.ok(err instanceof AihubHttpError);
    assert.equal(err.bodyMessage, undefined);
  });

  void it('reads Retry-After of a 429 and classifies it as rate-limited', async () => {
    handler = (_req, res) => reply(res, 429, '{"message":"slow down"}', { 'Retry-After': '7' });
    const err = await rejection(client().getRun('r1'));
    assert.ok(err instanceof AihubHttpError);
    assert.equal(err.retryAfterMs, 7000);
    assert.deepEqual(classifyAihubError(err), {
      retryable: true,
      reason: 'rate-limited',
      retryAfterMs: 7000,
    });
  });

  void it('treats a 503 from a proxy (HTML body) as a retryable server error', async () => {
    handler = (_req, res) =>
      reply(res, 503, '<html>Service Unavailable</html>', { 'Content-Type': 'text/html' });
    const err = await rejection(client().getRun('r1'));
    assert.ok(err instanceof AihubHttpError);
    assert.equal(err.bodyMessage, '<html>Service Unavailable</html>');
    assert.deepEqual(classifyAihubError(err), { retryable: true, reason: 'server' });
  });

  void it('does not follow redirects', async () => {
    handler = (_req, res) => reply(res, 307, undefined, { Location: 'http://127.0.0.1:1/elsewhere' });
    const err = await rejection(client().getRun('r1'));
    assert.ok(err instanceof AihubHttpError);
    assert.equal(err.status, 307);
    assert.equal(seen.length, 1);
  });
});

void describe('AihubClient failures without an answer', () => {
  void it('times out with code TIMEOUT', async () => {
    handler = () => undefined; // never answers
    const started = Date.now();
    const err = await rejection(client({ timeoutMs: 150 }).getRun('r1'));
    assert.ok(err instanceof AihubNetworkError);
    assert.equal(err.code, 'TIMEOUT');
    assert.ok(Date.now() - started < 5000);
    assert.deepEqual(classifyAihubError(err), { retryable: true, reason: 'timeout' });
  });

  void it('honours a per-call timeout over the client default', async () => {
    handler = () => undefined;
    const err = await rejection(client().getRun('r1', { timeoutMs: 100 }));
    assert.equal((err as AihubNetworkError).code, 'TIMEOUT');
  });

  void it('times out while the body is still arriving', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"id":');
    };
    const err = await rejection(client({ timeoutMs: 150 }).getRun('r1'));
    assert.equal((err as AihubNetworkError).code, 'TIMEOUT');
  });

  void it('aborts with code ABORTED when the caller signal fires', async () => {
    handler = () => undefined;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const err = await rejection(client().getRun('r1', { signal: controller.signal }));
    assert.ok(err instanceof AihubNetworkError);
    assert.equal(err.code, 'ABORTED');
  });

  void it('does not send anything when the signal has already fired', async () => {
    const err = await rejection(client().getRun('r1', { signal: AbortSignal.abort() }));
    assert.equal((err as AihubNetworkError).code, 'ABORTED');
    assert.equal(seen.length, 0);
  });

  void it('reports a refused connection with its system code', async () => {
    const err = await rejection(
      new AihubClient({ apiRoot: 'http://127.0.0.1:1', token: TOKEN }).getRun('r1'),
    );
    assert.ok(err instanceof AihubNetworkError);
    assert.equal(err.code, 'ECONNREFUSED');
    assert.deepEqual(classifyAihubError(err), { retryable: true, reason: 'network' });
  });

  void it('reports a dropped connection as a network error', async () => {
    handler = (_req, res) => res.socket?.destroy();
    const err = await rejection(client().getRun('r1'));
    assert.ok(err instanceof AihubNetworkError);
    assert.equal(err.code, 'ECONNRESET');
  });
});

void describe('the bearer token', () => {
  void it('never appears in any error, even when the server echoes it', async () => {
    const errors: unknown[] = [];
    handler = (_req, res) => reply(res, 401, JSON.stringify({ message: `token ${TOKEN} is not valid` }));
    errors.push(await rejection(client().getRun('r1')));
    handler = (_req, res) => reply(res, 502, `<p>bad gateway for Bearer ${TOKEN}</p>`);
    errors.push(await rejection(client().getRun('r1')));
    handler = (_req, res) => reply(res, 200, JSON.stringify({ id: 1, status: TOKEN }));
    errors.push(await rejection(client().getRun('r1')));
    handler = () => undefined;
    errors.push(await rejection(client({ timeoutMs: 100 }).getRun('r1')));
    errors.push(
      await rejection(new AihubClient({ apiRoot: 'http://127.0.0.1:1', token: TOKEN }).getRun('r1')),
    );
    handler = (_req, res) => res.socket?.destroy();
    errors.push(await rejection(client().getRun('r1')));

    assert.equal((errors[0] as AihubHttpError).bodyMessage, 'token [redacted] is not valid');
    errors.forEach(assertNoToken);
  });

  void it('does not show when the client is inspected or serialised', () => {
    const c = client();
    assert.ok(!inspect(c, { depth: 10, showHidden: true }).includes(TOKEN));
    assert.ok(!JSON.stringify(c).includes(TOKEN));
  });
});
