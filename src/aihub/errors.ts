/**
 * The errors the AI Hub client throws. Each carries a stable `kind` string, so code that handles
 * them (activities translating them into Temporal failures) never depends on class names, which do
 * not survive bundling. None of them holds the bearer token, the request headers or the axios error.
 */
import { endpoints, type EndpointName } from './endpoints';

/** The stable discriminator of every error the client throws. */
export const aihubErrorKinds = {
  http: 'aihub-http',
  network: 'aihub-network',
  schema: 'aihub-schema',
} as const;

/** One of {@link aihubErrorKinds}. */
export type AihubErrorKind = (typeof aihubErrorKinds)[keyof typeof aihubErrorKinds];

/** Longest excerpt of a response body an error may carry. */
export const MAX_BODY_EXCERPT_CHARS = 200;

/** Describes an endpoint for messages, as `GET /v2/apps/runs/{runId}` (ids are never interpolated). */
export function describeEndpoint(endpoint: EndpointName): string {
  const { method, path } = endpoints[endpoint];
  return `${method} ${path.replace(/:(\w+)/g, '{$1}')}`;
}

/** Shortens `text` to at most {@link MAX_BODY_EXCERPT_CHARS} characters, marking the cut. */
export function excerpt(text: string): string {
  const flat = text.trim();
  return flat.length <= MAX_BODY_EXCERPT_CHARS ? flat : `${flat.slice(0, MAX_BODY_EXCERPT_CHARS - 1)}…`;
}

/** The base of every AI Hub client error: names the endpoint that was being called. */
export abstract class AihubError extends Error {
  /** Stable discriminator; use it (or the `isAihub*` guards) instead of `instanceof` or `name`. */
  abstract readonly kind: AihubErrorKind;
  /** The endpoint that was being called. */
  readonly endpoint: EndpointName;

  protected constructor(endpoint: EndpointName, message: string) {
    super(message);
    this.endpoint = endpoint;
  }
}

/** Thrown when AI Hub answers with a status the endpoint does not succeed with (anything but 2xx). */
export class AihubHttpError extends AihubError {
  override readonly name = 'AihubHttpError';
  readonly kind = aihubErrorKinds.http;
  /** The HTTP status AI Hub answered with. */
  readonly status: number;
  /** The `message` of the error body, or an excerpt of a non-JSON body; undefined when the body is empty. */
  readonly bodyMessage: string | undefined;
  /** The server's `Retry-After`, in milliseconds from when the answer arrived; never negative. */
  readonly retryAfterMs: number | undefined;

  constructor(
    endpoint: EndpointName,
    status: number,
    bodyMessage: string | undefined,
    retryAfterMs: number | undefined,
  ) {
    const suffix = bodyMessage ? `: ${bodyMessage}` : '';
    super(endpoint, `AI Hub ${endpoint} (${describeEndpoint(endpoint)}) answered ${status}${suffix}`);
    this.status = status;
    this.bodyMessage = bodyMessage;
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * Thrown when no answer arrived: connection refused or reset, DNS failure, our request timeout
 * (`code` `TIMEOUT`) or the caller's AbortSignal (`code` `ABORTED`).
 */
export class AihubNetworkError extends AihubError {
  override readonly name = 'AihubNetworkError';
  readonly kind = aihubErrorKinds.network;
  /** `TIMEOUT`, `ABORTED`, or the system code such as `ECONNRESET`, `ECONNREFUSED`, `ETIMEDOUT`. */
  readonly code: string | undefined;

  constructor(endpoint: EndpointName, code: string | undefined, detail: string) {
    super(endpoint, `AI Hub ${endpoint} (${describeEndpoint(endpoint)}) ${detail}`);
    this.code = code;
  }
}

/** Thrown when a successful answer's body is not JSON or does not match the endpoint's schema. */
export class AihubSchemaError extends AihubError {
  override readonly name = 'AihubSchemaError';
  readonly kind = aihubErrorKinds.schema;
  /** The HTTP status of the answer. */
  readonly status: number;
  /** What did not match, each as `path: message` (at most a few dozen). */
  readonly issues: string[];
  /** The start of the body, at most {@link MAX_BODY_EXCERPT_CHARS} characters. */
  readonly bodyExcerpt: string;

  constructor(endpoint: EndpointName, status: number, issues: string[], bodyExcerpt: string) {
    const shown =
      issues.slice(0, 5).join('; ') + (issues.length > 5 ? `; and ${issues.length - 5} more` : '');
    super(
      endpoint,
      `AI Hub ${endpoint} (${describeEndpoint(endpoint)}) answered ${status} with an unexpected body: ${shown}`,
    );
    this.status = status;
    this.issues = issues;
    this.bodyExcerpt = excerpt(bodyExcerpt);
  }
}

function hasKind(err: unknown, kind: AihubErrorKind): boolean {
  return err instanceof Error && (err as { kind?: unknown }).kind === kind;
}

/** True for any error the AI Hub client throws (checked by `kind`, not by class). */
export function isAihubError(err: unknown): err is AihubError {
  return Object.values(aihubErrorKinds).some((kind) => hasKind(err, kind));
}

/** True when `err` is an {@link AihubHttpError}. */
export function isAihubHttpError(err: unknown): err is AihubHttpError {
  return hasKind(err, aihubErrorKinds.http);
}

/** True when `err` is an {@link AihubNetworkError}. */
export function isAihubNetworkError(err: unknown): err is AihubNetworkError {
  return hasKind(err, aihubErrorKinds.network);
}

/** True when `err` is an {@link AihubSchemaError}. */
export function isAihubSchemaError(err: unknown): err is AihubSchemaError {
  return hasKind(err, aihubErrorKinds.schema);
}
