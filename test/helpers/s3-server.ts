/**
 * A real S3-compatible HTTP server for tests: moto in server mode (`moto_server`, installed from
 * PyPI into `.tools/venv` by `.ci/run`), on a free loopback port, stopped by `close()`. Also a
 * small fault proxy in front of it that answers some requests with S3's own 503
 * `ServiceUnavailable` (a deterministic pattern, with bursts long enough to exhaust the AWS SDK's
 * own retries so Temporal's retry must get through too), forwarding the rest byte for byte. And
 * a server that refuses every request with one S3 error (403 `AccessDenied`), which moto, enforcing
 * no IAM, never answers.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { freePort, ManagedProcess } from './processes';
import { pollUntil } from './waiting';

const repoRoot = join(__dirname, '..', '..');

/** Credentials the test store accepts (moto checks none); never a real secret. */
const testCredentials = { accessKeyId: 'hubrun-test', secretAccessKey: 'hubrun-test-secret' };

/** A running S3-compatible server. */
export interface S3Server {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  client: S3Client;
  createBucket(name: string): Promise<void>;
  /** The object's bytes, or null when there is none. */
  getBytes(bucket: string, key: string): Promise<Buffer | null>;
  /** Every key under `prefix`. */
  listKeys(bucket: string, prefix: string): Promise<string[]>;
  close(): Promise<void>;
}

/** The environment a hubrun worker needs to reach `endpoint` the AWS SDK's usual way, path-style. */
export function s3WorkerEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ACCESS_KEY_ID: testCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
    HUBRUN_S3_FORCE_PATH_STYLE: 'true',
  };
}

/** The `moto_server` of `.tools/venv`, or of `PATH`. */
function motoServerPath(): string {
  const local = join(repoRoot, '.tools', 'venv', 'bin', 'moto_server');
  return existsSync(local) ? local : 'moto_server';
}

/** Starts moto's S3 server on a free loopback port; resolves once it answers. */
export async function startS3Server(): Promise<S3Server> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(motoServerPath(), ['-H', '127.0.0.1', '-p', String(port)], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server = new ManagedProcess('moto_server', child);
  await pollUntil(
    'the S3 server to answer',
    async () => {
      if (!server.running) throw new Error(`moto_server exited:\n${server.output()}`);
      try {
        return (await fetch(`${endpoint}/`)).status > 0 ? true : undefined;
      } catch {
        return undefined;
      }
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: testCredentials,
  });
  return {
    endpoint,
    client,
    async createBucket(name) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    async getBytes(bucket, key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return Buffer.from(
          await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
        );
      } catch (err) {
        if ((err as { name?: string }).name === 'NoSuchKey') return null;
        throw err;
      }
    },
    async listKeys(bucket, prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const item of page.Contents ?? []) if (item.Key !== undefined) keys.push(item.Key);
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return keys;
    },
    async close() {
      client.destroy();
      await server.kill('SIGKILL');
    },
  };
}

/** A proxy in front of an S3 server that answers some requests with 503. */
export interface FlakyS3Proxy {
  endpoint: string;
  /** Requests answered 503 so far, and requests forwarded. */
  counts(): { unavailable: number; forwarded: number };
  close(): Promise<void>;
}

/**
 * Request `n` (from 1) is answered 503 when `n % 4 === 2` (the SDK's retry gets through) and, in
 * every 30 requests, three in a row (as many as the SDK's attempts: that call fails, and
 * Temporal's retry of the activity must get through).
 */
export function isUnavailable(n: number): boolean {
  return n % 4 === 2 || (n % 30 >= 10 && n % 30 < 13);
}

/** Starts a 503-answering proxy on a free loopback port in front of `target`. */
export async function startFlakyS3Proxy(target: string): Promise<FlakyS3Proxy> {
  const upstream = new URL(target);
  let seen = 0;
  let unavailable = 0;
  let forwarded = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen += 1;
    if (isUnavailable(seen)) {
      unavailable += 1;
      req.resume();
      res.writeHead(503, { 'content-type': 'application/xml' });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>ServiceUnavailable</Code>' +
          '<Message>Please reduce your request rate.</Message></Error>',
      );
      return;
    }
    forwarded += 1;
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts: () => ({ unavailable, forwarded }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A server that answers every request with one S3 error, as a store refusing the caller does. */
export interface RefusingS3Server {
  endpoint: string;
  /** Requests answered so far. */
  requests(): number;
  close(): Promise<void>;
}

/**
 * Starts a server on a free loopback port that answers every request with `status` and S3's
 * XML error `code` (e.g. 403 `AccessDenied`, which moto cannot answer: it enforces no IAM). The
 * error's message carries `messageText` as given, so a test can check hubrun does not repeat it.
 */
export async function startRefusingS3Server(options: {
  status: number;
  code: string;
  messageText: string;
}): Promise<RefusingS3Server> {
  let requests = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests += 1;
    req.resume();
    const body =
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      `<Error><Code>${options.code}</Code><Message>${options.messageText}</Message>` +
      `<RequestId>refused-${requests}</RequestId><HostId>refusing-s3</HostId></Error>`;
    res.writeHead(options.status, {
      'content-type': 'application/xml',
      'x-amz-request-id': `refused-${requests}`,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
