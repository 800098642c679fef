/**
 * A tiny recording HTTP proxy for contract tests: it stands between a client and the emulator on
 * 127.0.0.1, forwards every request as it came, answers what the emulator answered, and keeps
 * both sides of each exchange, so a test can check the client's real requests and the
 * emulator's real answers against a specification.
 */
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request and its answer, as they crossed the proxy. */
export interface Exchange {
  method: string;
  /** Path and query as the client sent them (percent-encoded). */
  url: string;
  requestHeaders: IncomingHttpHeaders;
  requestBody: Buffer;
  status: number;
  responseHeaders: IncomingHttpHeaders;
  responseBody: Buffer;
}

/** A started proxy. */
export interface RecordingProxy {
  /** `http://127.0.0.1:<port>`: put it in place of the target's origin. */
  origin: string;
  /** Every completed exchange, in the order the answers came back. */
  exchanges: Exchange[];
  close(): Promise<void>;
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** Starts a proxy in front of `target` (an origin such as `http://127.0.0.1:7243`). */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const { hostname, port } = new URL(target);
  const exchanges: Exchange[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const requestBody = await readAll(req);
      const upstream = httpRequest({
        host: hostname,
        port: Number(port),
        method: req.method,
        path: req.url,
        headers: req.headers,
      });
      upstream.on('response', (answer) => {
        void readAll(answer).then((responseBody) => {
          exchanges.push({
            method: req.method ?? 'GET',
            url: req.url ?? '/',
            requestHeaders: req.headers,
            requestBody,
            status: answer.statusCode ?? 0,
            responseHeaders: answer.headers,
            responseBody,
          });
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(responseBody);
        });
      });
      upstream.on('error', () => res.destroy());
      upstream.end(requestBody);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${address.port}`,
    exchanges,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
