import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { AihubClient } from '../../src/aihub/client';
import { MULTIPART_THRESHOLD_BYTES } from '../../src/aihub/endpoints';
import { AihubHttpError } from '../../src/aihub/errors';

const PART_SIZE = 5 * 1024 * 1024;

interface Upload {
  filename: string;
  size: number;
  parts: Map<number, Buffer>;
  finished?: 'commit' | 'abort';
  committed?: Buffer;
}

/** A tiny server implementing the raw PUT and the three multipart endpoints, keeping what arrives. */
let server: Server;
let client: AihubClient;
let dir: string;
let files: Map<string, { contentType: string | undefined; contentLength: string | undefined; body: Buffer }>;
let sessions: Map<string, Upload>;
let failPart: number | undefined;
let requests: string[];

function json(res: ServerResponse, status: number, body?: unknown): void {
  res.writeHead(status, body === undefined ? {} : { 'Content-Type': 'application/json' });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

function handle(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
  const url = req.url ?? '';
  requests.push(`${req.method} ${url}`);
  let m: RegExpMatchArray | null;
  if (req.method === 'PUT' && (m = url.match(/^\/v2\/batches\/(\d+)\/files\/(.+)$/))) {
    files.set(decodeURIComponent(m[2]!), {
      contentType: req.headers['content-type'],
      contentLength: req.headers['content-length'],
      body,
    });
    return json(res, 204);
  }
  if (req.method === 'POST' && url === '/v2/batches/multipart-upload') {
    const { filename, file_size } = JSON.parse(body.toString()) as { filename: string; file_size: number };
    const id = `s${sessions.size + 1}`;
    sessions.set(id, { filename, size: file_size, parts: new Map() });
    return json(res, 201, { session_id: id, part_size: PART_SIZE });
  }
  if (
    req.method === 'PUT' &&
    (m = url.match(/^\/v2\/batches\/multipart-upload\/sessions\/(\w+)\/parts\/(\d+)$/))
  ) {
    const session = sessions.get(m[1]!)!;
    const partNum = Number(m[2]);
    if (partNum === failPart) return json(res, 500, { message: 'disk full' });
    session.parts.set(partNum, body);
    return json(res, 201, { part_id: `p${partNum}-${body.length}`, part_num: partNum });
  }
  if (req.method === 'POST' && (m = url.match(/^\/v2\/batches\/multipart-upload\/sessions\/(\w+)$/))) {
    const session = sessions.get(m[1]!)!;
    const finish = JSON.parse(body.toString()) as {
      action: 'commit' | 'abort';
      parts?: { part_num: number; part_id: string }[];
    };
    session.finished = finish.action;
    if (finish.action === 'commit') {
      const ordered = (finish.parts ?? []).map((p) => {
        const part = session.parts.get(p.part_num)!;
        assert.equal(p.part_id, `p${p.part_num}-${part.length}`);
        return part;
      });
      session.committed = Buffer.concat(ordered);
    }
    return json(res, 201, {});
  }
  json(res, 404, { message: `no route ${url}` });
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, Buffer.concat(chunks), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new AihubClient({
    apiRoot: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token: 't',
  });
  dir = await mkdtemp(join(tmpdir(), 'hubrun-upload-'));
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  files = new Map();
  sessions = new Map();
  failPart = undefined;
  requests = [];
});

void describe('uploadFile', () => {
  void it('sends a small file by a single raw PUT with its Content-Length, under a percent-encoded name', async () => {
    const data = randomBytes(100_000);
    const path = join(dir, 'small.pdf');
    await writeFile(path, data);
    const result = await client.uploadFile(7, 'scan #1 (copy).pdf', path);
    assert.deepEqual(result, { bytes: data.length, multipart: false });
    assert.deepEqual(requests, ['PUT /v2/batches/7/files/scan%20%231%20(copy).pdf']);
    const stored = files.get('scan #1 (copy).pdf');
    assert.equal(stored?.contentType, 'application/octet-stream');
    assert.equal(stored?.contentLength, String(data.length));
    assert.equal(sha256(stored?.body ?? Buffer.alloc(1)), sha256(data));
  });

  void it('sends an empty file as an empty PUT', async () => {
    const path = join(dir, 'empty.txt');
    await writeFile(path, '');
    assert.deepEqual(await client.uploadFile(7, 'empty.txt', path), { bytes: 0, multipart: false });
    assert.equal(files.get('empty.txt')?.body.length, 0);
  });

  void it('streams an 11 MB file through a multipart session and it arrives intact', async () => {
    const data = randomBytes(11 * 1024 * 1024 + 123);
    assert.ok(data.length > MULTIPART_THRESHOLD_BYTES);
    const path = join(dir, 'big.bin');
    await writeFile(path, data);
    const progress: number[] = [];
    const result = await client.uploadFile(7, 'big.bin', path, { onProgress: (sent) => progress.push(sent) });

    assert.deepEqual(result, { bytes: data.length, multipart: true });
    assert.deepEqual(requests, [
      'POST /v2/batches/multipart-upload',
      'PUT /v2/batches/multipart-upload/sessions/s1/parts/1',
      'PUT /v2/batches/multipart-upload/sessions/s1/parts/2',
      'PUT /v2/batches/multipart-upload/sessions/s1/parts/3',
      'POST /v2/batches/multipart-upload/sessions/s1',
    ]);
    const session = sessions.get('s1')!;
    assert.equal(session.size, data.length);
    assert.deepEqual(
      [...session.parts.values()].map((p) => p.length),
      [PART_SIZE, PART_SIZE, data.length - 2 * PART_SIZE],
    );
    assert.equal(session.finished, 'commit');
    assert.equal(sha256(session.committed!), sha256(data));
    assert.equal(progress.at(-1), data.length);
    assert.ok(progress.every((n, i) => i === 0 || n >= progress[i - 1]!));
  });

  void it('aborts the session when a part fails and rethrows the original error', async () => {
    const path = join(dir, 'big-fail.bin');
    await writeFile(path, randomBytes(11 * 1024 * 1024));
    failPart = 2;
    await assert.rejects(client.uploadFile(7, 'big-fail.bin', path), (err: unknown) => {
      assert.ok(err instanceof AihubHttpError);
      assert.equal(err.endpoint, 'putMultipartPart');
      assert.equal(err.status, 500);
      return true;
    });
    assert.equal(sessions.get('s1')?.finished, 'abort');
    assert.equal(requests.at(-1), 'POST /v2/batches/multipart-upload/sessions/s1');
  });

  void it('overwrites the same name when an upload is retried', async () => {
    const path = join(dir, 'again.txt');
    await writeFile(path, 'first');
    await client.uploadFile(7, 'again.txt', path);
    await writeFile(path, 'second');
    await client.uploadFile(7, 'again.txt', path);
    assert.equal(files.get('again.txt')?.body.toString(), 'second');
    assert.deepEqual(requests, ['PUT /v2/batches/7/files/again.txt', 'PUT /v2/batches/7/files/again.txt']);
  });
});
