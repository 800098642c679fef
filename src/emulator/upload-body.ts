/**
 * Raw upload bodies. The server registers a content-type parser that hands the request stream
 * through untouched (`application/octet-stream` and any type without a parser of its own), so file
 * bytes go straight to disk; this turns whatever the route received into a stream.
 */
import type { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import { badRequest } from './http-util';

/** Registers the pass-through parser on `app`. */
export function registerRawBodyParser(app: FastifyInstance): void {
  const passThrough = (
    _request: unknown,
    payload: NodeJS.ReadableStream,
    done: (err: null, body: unknown) => void,
  ): void => done(null, payload);
  app.addContentTypeParser('application/octet-stream', passThrough);
  app.addContentTypeParser('*', passThrough);
}

/** The bytes of an upload as a stream: the raw request, or (from a JSON/text parser) its text. */
export function uploadBody(body: unknown): Readable {
  if (body instanceof Readable) return body;
  if (body === undefined || body === null) return Readable.from([]);
  if (Buffer.isBuffer(body)) return Readable.from([body]);
  if (typeof body === 'string') return Readable.from([Buffer.from(body)]);
  throw badRequest('body', 'send the file bytes raw, as application/octet-stream');
}
