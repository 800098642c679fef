/**
 * The one place that speaks HTTP to AI Hub: builds URLs and headers, enforces the request timeout
 * and the caller's AbortSignal, and turns every outcome into either a parsed body or one of our
 * errors. It never retries, but for one case: a 401 after which the token source has a newer
 * token (a rotated secret) sends that request once more with it. It never lets an axios error
 * (which carries the request headers, bearer token included) escape.
 */
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { z } from 'zod';
import { endpoints, type EndpointName } from './endpoints';
import { AihubHttpError, AihubNetworkError, AihubSchemaError, excerpt } from './errors';
import { parseLosslessJson } from './lossless-json';
import { parseRetryAfter } from './retry';
import { ErrorBody } from './schemas';
import { tokenSourceOf, type TokenSource } from './token-source';

/** A query parameter value; arrays are sent as repeated parameters (`status=A&status=B`). */
export type QueryValue =
  string | number | boolean | readonly (string | number | boolean)[] | null | undefined;

/** Per-call options every client method accepts. */
export interface CallOptions {
  /** Aborts the request when it fires (the call then rejects with code `ABORTED`). */
  signal?: AbortSignal | undefined;
  /** Overrides the client's request timeout for this call, in milliseconds (0 or Infinity: none). */
  timeoutMs?: number | undefined;
}

/** What to send: the endpoint, its path parameters, query, and at most one body. */
export interface AihubRequest {
  endpoint: EndpointName;
  params?: Record<string, string | number>;
  query?: object | undefined;
  json?: unknown;
  bytes?: { body: Buffer | NodeJS.ReadableStream; size: number };
}

/** Connection settings of a {@link AihubTransport}. */
export interface AihubTransportOptions {
  apiRoot: string;
  /** The bearer token, or a source of it that may change (a rotated secret file). */
  token: string | TokenSource;
  ibContext?: string | undefined;
  timeoutMs: number;
  userAgent: string;
  /** Told of every HTTP exchange once it ends (metrics); its errors are ignored. */
  onExchange?: ((exchange: AihubExchange) => void) | undefined;
}

/** One HTTP exchange with AI Hub, as {@link AihubTransportOptions.onExchange} hears of it. */
export interface AihubExchange {
  endpoint: EndpointName;
  /** The answer's status; undefined when none came (timeout, refused, reset, aborted). */
  status: number | undefined;
  /** From sending the request to the answer's end (or the failure). */
  durationMs: number;
  /** The answer carried a `Retry-After` header. */
  retryAfter: boolean;
}

/** Longest delay `setTimeout` honours; a larger (or non-positive) timeout means no timeout. */
const MAX_TIMER_MS = 2_147_483_647;

/** Tokens remembered for redaction: the current one and those it replaced. */
const REDACTED_TOKENS = 8;

/** Most schema issues an {@link AihubSchemaError} lists. */
const MAX_ISSUES = 20;

/** Serialises a query object: undefined/null skipped, arrays repeated, booleans as `true`/`false`. */
export function toQueryString(query: object | undefined): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {}) as [string, QueryValue][]) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

function jsonText(json: unknown): string | undefined {
  return json === undefined ? undefined : JSON.stringify(json);
}

/** Fills the `:name` placeholders of an endpoint's path with percent-encoded values. */
export function buildPath(endpoint: EndpointName, params: Record<string, string | number> = {}): string {
  return endpoints[endpoint].path.replace(/:(\w+)/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined) throw new TypeError(`missing path parameter ${name} for ${endpoint}`);
    return encodeURIComponent(String(value));
  });
}

/** Sends requests to AI Hub and maps answers to bodies or errors; holds the token privately. */
export class AihubTransport {
  readonly #http: AxiosInstance;
  readonly #apiRoot: string;
  readonly #tokens: TokenSource;
  /** Every token sent lately, newest last: redacted from whatever text an error carries. */
  readonly #sentTokens: string[] = [];
  readonly #timeoutMs: number;
  readonly #onExchange: ((exchange: AihubExchange) => void) | undefined;

  constructor(options: AihubTransportOptions) {
    this.#apiRoot = options.apiRoot.replace(/\/+$/, '');
    this.#onExchange = options.onExchange;
    this.#tokens = tokenSourceOf(options.token);
    this.#timeoutMs = options.timeoutMs;
    this.#http = axios.create({
      headers: {
        'User-Agent': options.userAgent,
        Accept: 'application/json',
        ...(options.ibContext ? { 'IB-Context': options.ibContext } : {}),
      },
      responseType: 'text',
      responseEncoding: 'utf8',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      // Redirects are not followed: follow-redirects would buffer streamed uploads in memory.
      maxRedirects: 0,
      maxBodyLength: Infinity,
      maxContentLength: Infinity,
    });
  }

  /** Sends `request` and parses a 2xx body with `schema`. */
  async json<T>(request: AihubRequest, schema: z.ZodType<T>, opts?: CallOptions): Promise<T> {
    const res = await this.send(request, opts);
    return this.#parse(request.endpoint, res.status, res.body, schema);
  }

  /** Sends `request` and ignores the body of a 2xx answer. */
  async void(request: AihubRequest, opts?: CallOptions): Promise<void> {
    await this.send(request, opts);
  }

  /**
   * Sends `request`; resolves with the status and text body of a 2xx answer, rejects otherwise.
   * A 401 after which the token source holds a newer token is sent once more with it (a body
   * streamed from a file cannot be sent twice: that call fails as a retryable network error
   * instead, so the activity's next attempt sends the new token); a second 401 is final.
   */
  async send(request: AihubRequest, opts: CallOptions = {}): Promise<{ status: number; body: string }> {
    const { endpoint } = request;
    if (opts.signal?.aborted) throw new AihubNetworkError(endpoint, 'ABORTED', 'was aborted by the caller');
    if (Buffer.isBuffer(request.bytes?.body) && request.bytes.body.length !== request.bytes.size) {
      throw new RangeError(
        `${endpoint}: body has ${request.bytes.body.length} bytes but size says ${request.bytes.size}`,
      );
    }

    let res = await this.#exchange(request, opts);
    if (res.status === 401 && this.#tokens.refresh()) {
      const replayable = request.bytes === undefined || Buffer.isBuffer(request.bytes.body);
      if (!replayable) {
        throw new AihubNetworkError(
          endpoint,
          'TOKEN_ROTATED',
          'answered 401 and the token has been rotated since; the next attempt sends the new one',
        );
      }
      res = await this.#exchange(request, opts);
    }

    const body = typeof res.data === 'string' ? res.data : '';
    if (res.status >= 200 && res.status <= 299) return { status: res.status, body };
    const retryAfter: unknown = res.headers['retry-after'];
    throw new AihubHttpError(
      endpoint,
      res.status,
      this.#errorMessage(body),
      parseRetryAfter(typeof retryAfter === 'string' ? retryAfter : undefined, Date.now()),
    );
  }

  /** One HTTP exchange with the token current now, under the timeout and the caller's signal. */
  async #exchange(request: AihubRequest, opts: CallOptions): Promise<AxiosResponse<unknown>> {
    const { endpoint } = request;
    const timeoutMs = opts.timeoutMs ?? this.#timeoutMs;
    const token = this.#currentToken();
    const controller = new AbortController();
    let timedOut = false;
    const timer =
      timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS
        ? setTimeout(() => {
            timedOut = true;
            controller.abort();
          }, timeoutMs)
        : undefined;
    const onAbort = (): void => controller.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const startedAt = performance.now();
    try {
      const res = await this.#http.request({
        method: endpoints[endpoint].method,
        url: `${this.#apiRoot}${buildPath(endpoint, request.params)}${toQueryString(request.query)}`,
        headers: { Authorization: `Bearer ${token}`, ...this.#bodyHeaders(request) },
        data: request.bytes ? request.bytes.body : jsonText(request.json),
        signal: controller.signal,
      });
      this.#tell(endpoint, res.status, startedAt, res.headers['retry-after'] !== undefined);
      return res;
    } catch (err) {
      this.#tell(endpoint, undefined, startedAt, false);
      if (timedOut) throw new AihubNetworkError(endpoint, 'TIMEOUT', `timed out after ${timeoutMs} ms`);
      if (opts.signal?.aborted) throw new AihubNetworkError(endpoint, 'ABORTED', 'was aborted by the caller');
      throw this.#networkError(endpoint, err);
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Tells the exchange hook, which must never fail a call. */
  #tell(endpoint: EndpointName, status: number | undefined, startedAt: number, retryAfter: boolean): void {
    if (this.#onExchange === undefined) return;
    try {
      this.#onExchange({ endpoint, status, durationMs: performance.now() - startedAt, retryAfter });
    } catch {
      // Metrics are no reason to fail an AI Hub call.
    }
  }

  /** The token to send now, remembered for redaction. */
  #currentToken(): string {
    const token = this.#tokens.current();
    if (this.#sentTokens.at(-1) !== token) {
      const known = this.#sentTokens.indexOf(token);
      if (known >= 0) this.#sentTokens.splice(known, 1);
      this.#sentTokens.push(token);
      if (this.#sentTokens.length > REDACTED_TOKENS) this.#sentTokens.shift();
    }
    return token;
  }

  #bodyHeaders(request: AihubRequest): Record<string, string> {
    if (request.bytes) {
      return { 'Content-Type': 'application/octet-stream', 'Content-Length': String(request.bytes.size) };
    }
    return request.json === undefined ? {} : { 'Content-Type': 'application/json' };
  }

  #parse<T>(endpoint: EndpointName, status: number, body: string, schema: z.ZodType<T>): T {
    let data: unknown;
    try {
      data = parseLosslessJson(body);
    } catch {
      const issue = body.trim() ? '(root): the body is not JSON' : '(root): the body is empty';
      throw new AihubSchemaError(endpoint, status, [issue], this.#redact(body));
    }
    const parsed = schema.safeParse(data);
    if (parsed.success) return parsed.data;
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.length ? issue.path.map(String).join('.') : '(root)'}: ${issue.message}`,
    );
    const listed =
      issues.length > MAX_ISSUES
        ? [...issues.slice(0, MAX_ISSUES), `…and ${issues.length - MAX_ISSUES} more`]
        : issues;
    throw new AihubSchemaError(
      endpoint,
      status,
      listed.map((issue) => this.#redact(issue)),
      this.#redact(body),
    );
  }

  /** The `message` of a JSON error body, else an excerpt of the text; undefined for an empty body. */
  #errorMessage(body: string): string | undefined {
    if (!body.trim()) return undefined;
    try {
      const parsed = ErrorBody.safeParse(JSON.parse(body));
      if (parsed.success && parsed.data.message) return excerpt(this.#redact(parsed.data.message));
    } catch {
      // Not JSON (a proxy's HTML page, say): fall through to the excerpt.
    }
    return excerpt(this.#redact(body));
  }

  #networkError(endpoint: EndpointName, err: unknown): AihubNetworkError {
    const raw = err as { code?: unknown; message?: unknown } | null | undefined;
    const code = typeof raw?.code === 'string' ? raw.code : undefined;
    const message = typeof raw?.message === 'string' ? this.#redact(raw.message) : '';
    const detail =
      message && message !== code ? `${code ?? 'error'} (${excerpt(message)})` : (code ?? 'error');
    return new AihubNetworkError(endpoint, code, `failed: ${detail}`);
  }

  /** Removes every token sent lately from text that came from the server or the network stack. */
  #redact(text: string): string {
    let redacted = text;
    for (const token of this.#sentTokens) {
      if (token !== '') redacted = redacted.split(token).join('[redacted]');
    }
    return redacted;
  }
}
