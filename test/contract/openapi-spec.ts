/**
 * Instabase's own OpenAPI description of AI Hub, loaded for contract tests, and the checks of one
 * recorded HTTP exchange against it with `openapi-backend` (request path, query, headers and
 * body; response status, headers and body). The spec lives outside the repository, at
 * `../shared/reference/aihub-openapi/openapi.yaml` beside it, or where `AIHUB_OPENAPI_SPEC` says.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import OpenAPIBackend from 'openapi-backend';
import OpenAPISchemaValidator from 'openapi-schema-validator';
import { SetMatchType, type Document, type Operation } from 'openapi-backend';
import { parse } from 'yaml';
import type { Exchange } from './recording-proxy';

/** The environment variable naming another copy of the spec. */
export const SPEC_ENV = 'AIHUB_OPENAPI_SPEC';

/** Where the spec is, or null when it is in neither place. */
export function findSpec(): string | null {
  const fromEnv = process.env[SPEC_ENV];
  const path =
    fromEnv !== undefined && fromEnv !== ''
      ? resolve(fromEnv)
      : resolve(__dirname, '../../../shared/reference/aihub-openapi/openapi.yaml');
  return existsSync(path) ? path : null;
}

/** A JSON object of the parsed spec, for walking it. */
type Json = Record<string, unknown>;

/**
 * Where the spec and its own examples disagree, both are accepted: each exception widens the
 * spec's schema to admit what its example shows, and says where.
 */
function acceptSpecExamples(spec: Json): void {
  const schemas = (spec.components as Json).schemas as Json;
  // openapi.yaml line 4107 (components.schemas.resultsResponse.properties.keys) says `keys` is an
  // object; the getRunResults example at line 2275 shows a list of such objects. The spec's README
  // names this inconsistency.
  const results = schemas.resultsResponse as { properties: Json };
  const keys = results.properties.keys as Json;
  results.properties.keys = { oneOf: [keys, { type: 'array', items: keys }] };
}

/** The spec as parsed from YAML (unchanged) and a validator built from it (with the exceptions above). */
export interface LoadedSpec {
  path: string;
  document: Json;
  api: OpenAPIBackend;
}

/** Loads the spec at `path` and builds its validator. */
export async function loadSpec(path: string): Promise<LoadedSpec> {
  const document = parse(readFileSync(path, 'utf8')) as Json;
  const widened = structuredClone(document);
  acceptSpecExamples(widened);
  const api = new OpenAPIBackend({
    definition: widened as unknown as Document,
    // quick: the definition is checked on its own (specProblems); coerceTypes:
    // query and path parameters arrive as text and are checked as the types the spec names.
    quick: true,
    coerceTypes: true,
    ajvOpts: { allErrors: true },
  });
  await api.init();
  return { path, document, api };
}

/** Problems the OpenAPI schema of the spec's own version finds in the spec, as `instancePath: message`. */
export function specProblems(document: Json): string[] {
  const version = typeof document.openapi === 'string' && document.openapi.startsWith('3.1') ? '3.1' : 3;
  const { errors } = new OpenAPISchemaValidator({ version }).validate(
    document as unknown as Parameters<OpenAPISchemaValidator['validate']>[0],
  );
  return errors.map((e) => `${e.instancePath}: ${e.message ?? 'invalid'}`);
}

/** `application/json` from `application/json; charset=utf-8`; '' when absent. */
function mediaType(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return (value ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** The errors of an ajv result as short lines. */
function describe(errors: { instancePath: string; message?: string }[] | null | undefined): string {
  return (errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'invalid'}`).join('; ');
}

interface SpecOperation {
  operationId?: string;
  requestBody?: { required?: boolean; content?: Json };
  responses?: Record<string, { content?: Json; headers?: Json }>;
}

/** The result of checking one exchange. */
export interface ExchangeCheck {
  /** The spec's operationId, or null when no operation matches. */
  operationId: string | null;
  /** Every way the exchange departs from the spec; empty when it conforms. */
  problems: string[];
}

/**
 * Checks one exchange against the spec: the request (operation found, bearer token, content type,
 * path, query, headers and body) and the answer (a declared status, content type, headers, body).
 * `basePath` is the API root's path (`/api`), which the spec's paths are relative to.
 */
export function checkExchange(spec: LoadedSpec, exchange: Exchange, basePath: string): ExchangeCheck {
  const problems: string[] = [];
  const [rawPath = '', query = ''] = exchange.url.split(/\?(.*)/s);
  if (!rawPath.startsWith(`${basePath}/`)) {
    return { operationId: null, problems: [`${rawPath} is not under ${basePath}`] };
  }
  const path = rawPath.slice(basePath.length);
  const headers = Object.fromEntries(
    Object.entries(exchange.requestHeaders).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
  );
  const matched = spec.api.router.matchOperation({ method: exchange.method, path, headers, query });
  if (!matched)
    return { operationId: null, problems: [`no operation of the spec is ${exchange.method} ${path}`] };
  const operation = matched as Operation & SpecOperation;
  const operationId = operation.operationId ?? null;

  // Request.
  if (!/^Bearer \S+$/.test(headers.authorization ?? '')) problems.push('request: no bearer token');
  const requestType = mediaType(exchange.requestHeaders['content-type']);
  let body: unknown;
  if (operation.requestBody) {
    const types = Object.keys(operation.requestBody.content ?? {});
    if (!types.includes(requestType)) {
      problems.push(`request: content-type '${requestType}' is not one of ${types.join(', ')}`);
    }
    if (requestType === 'application/json') {
      try {
        body = JSON.parse(exchange.requestBody.toString('utf8')) as unknown;
      } catch {
        problems.push('request: body is not JSON');
      }
    } else {
      body = exchange.requestBody;
    }
    if (
      operation.requestBody.required &&
      exchange.requestBody.length === 0 &&
      requestType !== 'application/octet-stream'
    ) {
      problems.push('request: the spec requires a body');
    }
  } else if (exchange.requestBody.length > 0) {
    problems.push('request: a body where the spec declares none');
  }
  const request = spec.api.validateRequest(
    { method: exchange.method, path, query, headers, body },
    operation,
  );
  if (!request.valid) problems.push(`request: ${describe(request.errors)}`);

  // Response.
  const responses = operation.responses ?? {};
  const declared =
    responses[String(exchange.status)] ?? (exchange.status >= 400 ? responses.default : undefined);
  if (!declared) {
    problems.push(
      `response: status ${exchange.status} is not declared (${Object.keys(responses).join(', ')})`,
    );
    return { operationId, problems };
  }
  if (declared.headers) {
    const result = spec.api.validateResponseHeaders(exchange.responseHeaders, operation, {
      statusCode: exchange.status,
      setMatchType: SetMatchType.Superset,
    });
    if (!result.valid) problems.push(`response headers: ${describe(result.errors)}`);
  }
  const types = Object.keys(declared.content ?? {});
  if (types.length === 0) {
    if (exchange.responseBody.length > 0) problems.push('response: a body where the spec declares none');
    return { operationId, problems };
  }
  const responseType = mediaType(exchange.responseHeaders['content-type']);
  if (!types.includes(responseType)) {
    problems.push(`response: content-type '${responseType}' is not one of ${types.join(', ')}`);
    return { operationId, problems };
  }
  let answer: unknown;
  try {
    // JSON.parse rounds 19-digit timestamps, but a rounded integer is still an integer.
    answer = JSON.parse(exchange.responseBody.toString('utf8')) as unknown;
  } catch {
    problems.push('response: body is not JSON');
    return { operationId, problems };
  }
  const result = spec.api.validateResponse(answer, operation, exchange.status);
  if (!result.valid) problems.push(`response: ${describe(result.errors)}`);
  return { operationId, problems };
}
