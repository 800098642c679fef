/**
 * A real HTTP receiver of hubrun's notifications for tests: it records every request, answers
 * 500 to the first `failFirst` ones, and checks each delivery's signature and CloudEvent shape.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTP } from 'cloudevents';
import type { CloudEventV1 } from 'cloudevents';
import { SIGNATURE_HEADER } from '../../src/notifications';

/** One request the receiver got, and what it answered. */
export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

/** A running receiver. */
export interface NotifyReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** The requests answered 2xx. */
  accepted(): ReceivedRequest[];
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 that answers 500 to its first `failFirst` requests, 204 afterwards. */
export async function startNotifyReceiver(options: { failFirst?: number } = {}): Promise<NotifyReceiver> {
  const requests: ReceivedRequest[] = [];
  let failures = options.failFirst ?? 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const status = failures-- > 0 ? 500 : 204;
      requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hubrun-events`,
    requests,
    accepted: () => requests.filter((r) => r.status >= 200 && r.status < 300),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Whether the request's `x-hubrun-signature` is the HMAC-SHA256 of its body under `secret`. */
export function isSignedWith(request: ReceivedRequest, secret: string): boolean {
  const header = request.headers[SIGNATURE_HEADER];
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const expected = createHmac('sha256', secret).update(request.body, 'utf8').digest();
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The request read as a CloudEvent by the `cloudevents` package (throws when it is none). */
export function cloudEventOf(request: ReceivedRequest): CloudEventV1<Record<string, unknown>> {
  const event = HTTP.toEvent<Record<string, unknown>>({ headers: request.headers, body: request.body });
  if (Array.isArray(event)) throw new Error('a batch of events, expected one');
  return event;
}

/** A port on 127.0.0.1 where nothing listens (it was bound and closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
