/**
 * Small HTTP helpers shared by the emulator's routes: an error that carries its status, request
 * validation with the shared zod schemas (messages name the field), query normalisation and JSON
 * answers that put nanosecond timestamps on the wire as bare numbers.
 */
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import { nanosecondKeys } from '../aihub/schemas';
import { stringifyWithRawIntegers } from '../aihub/lossless-json';
import { undocumentedStatus } from './undocumented';

/** An answer other than success: `status` with body `{message}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** A 400 naming the field, as the emulator answers validation errors. */
export function badRequest(field: string, message: string): HttpError {
  return new HttpError(undocumentedStatus.validation, `${field}: ${message}`);
}

/** `field: message; field: message` for every issue of a zod error (`body` when the issue has no path). */
export function describeIssues(error: z.ZodError, root = 'body'): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : root}: ${issue.message}`)
    .join('; ');
}

/** Parses `input` with `schema`, or throws a 400 whose message names the failing fields. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, root = 'body'): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new HttpError(undocumentedStatus.validation, describeIssues(result.error, root));
  return result.data;
}

/**
 * Turns a parsed query string into what the schemas expect: `true`/`false` (in any case, as
 * Python's `requests` writes `True`; also `1`/`0`) into booleans for the named keys, and single
 * values into one-element arrays for repeatable keys (`status=A&status=B`). Other text is left
 * as it is, for the schema to refuse.
 */
export function normaliseQuery(
  query: unknown,
  spec: { booleans?: readonly string[]; arrays?: readonly string[] },
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(query as Record<string, unknown>) };
  for (const key of spec.booleans ?? []) {
    const v = typeof out[key] === 'string' ? out[key].toLowerCase() : out[key];
    if (v === 'true' || v === '1' || v === '') out[key] = true;
    else if (v === 'false' || v === '0') out[key] = false;
  }
  for (const key of spec.arrays ?? []) {
    const v = out[key];
    if (v !== undefined && !Array.isArray(v)) out[key] = [v];
  }
  return out;
}

/** Sends `body` as JSON with `status`; nanosecond keys holding decimal strings go out as bare numbers. */
export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send(stringifyWithRawIntegers(body, nanosecondKeys));
}

/** Sends `{message}` with `status`. */
export function sendError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return sendJson(reply, status, { message });
}

/** Parses a positive integer path parameter, or answers null. */
export function positiveInt(text: string): number | null {
  return /^[1-9]\d{0,14}$/.test(text) ? Number(text) : null;
}
