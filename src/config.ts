/**
 * hubrun's configuration: the one place that reads `process.env`. {@link loadConfig} validates
 * every variable with zod, reports all problems at once in a {@link ConfigError}, and returns a
 * frozen object. The Temporal connection is read by `@temporalio/envconfig` (address, namespace,
 * API key, TLS, profiles), so Temporal Cloud works through its standard variables.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { parseResultsUrl, ResultsUrlError, resultsUrlOf } from './activities/sinks/results-url';
import { ConfigError, loadClientConfig, loadTemporal, TASK_QUEUE_PATTERN } from './client-config';
import type { ClientConfig } from './client-config';
import { DEFAULT_TASK_QUEUE } from './names';
import { DEFAULT_NOTIFY_ON, notificationKinds, notifyUrlProblem } from './notifications/kinds';
import type { NotificationKind } from './notifications/kinds';

/** Workflows a worker caches unless `HUBRUN_MAX_CACHED_WORKFLOWS` says otherwise. */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 300;

/** Seconds a stopping worker waits beyond one AI Hub request timeout unless `HUBRUN_SHUTDOWN_GRACE_SECONDS` says otherwise. */
export const SHUTDOWN_GRACE_MARGIN_SECONDS = 30;

export { ConfigError, loadClientConfig } from './client-config';
export type { ClientConfig } from './client-config';

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const EnvSchema = z.object({
  /**
   * AI Hub base URL, e.g. `https://aihub.instabase.com/api`: `https://`, or `http://` only on a
   * loopback host (127.0.0.0/8, `::1`, `localhost`) unless `AIHUB_ALLOW_INSECURE_HTTP` is `true`,
   * since the bearer token travels in every request. Unset: dev/demo use the local emulator.
   */
  AIHUB_API_ROOT: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  /**
   * `true` lets `AIHUB_API_ROOT` be plain `http://` to any host. Dangerous: the token and every
   * document then cross the network in clear text; only for a trusted private network (such as
   * the compose stack's emulator). @default false
   */
  AIHUB_ALLOW_INSECURE_HTTP: optionalText.pipe(z.enum(['true', 'false']).default('false')),
  /** Bearer token for AI Hub (secret). */
  AIHUB_API_TOKEN: optionalText,
  /** A file holding the bearer token (secret mounts); read at start-up, again when it changes or after a 401. */
  AIHUB_API_TOKEN_FILE: optionalText,
  /**
   * A JSON file of passwords of encrypted PDFs, `{"<file name>": "<password>"}` (a secret mount),
   * read once at start-up. The worker adds them to every run's
   * `runtime_config.instabase.pdf.passwords`, so they never enter a workflow input or history.
   */
  AIHUB_PDF_PASSWORDS_FILE: optionalText,
  /** `IB-Context` header value (org or user id). Unset: header omitted. */
  AIHUB_IB_CONTEXT: optionalText,
  /** Per-request timeout of AI Hub calls in milliseconds. @default 30000 */
  AIHUB_REQUEST_TIMEOUT_MS: optionalText.pipe(
    z.coerce.number<string | undefined>().int().min(1000).max(600_000).default(30_000),
  ),
  /** Task queue of the worker and of new pipelines. @default 'aihub-runs' */
  HUBRUN_TASK_QUEUE: optionalText.pipe(z.string().regex(TASK_QUEUE_PATTERN).default(DEFAULT_TASK_QUEUE)),
  /**
   * Folders under which a pipeline's `files` may lie, absolute paths separated by `:` (as in
   * `PATH`), or `none`. Resolved with `realpath` at each upload, so no symlink leads out; the
   * worker's secret files and `/proc`, `/sys`, `/dev` stay unreadable whatever the roots say.
   * @default the worker's working directory: where `hubrun demo` (and `hubrun run --files` from a
   * checkout) finds its files. Not the temp folder: every user and program of the machine writes
   * there, so a pipeline could upload what another program left behind.
   */
  HUBRUN_FILES_ROOTS: optionalText,
  /**
   * Folders besides `HUBRUN_OUTPUT_DIR` under which a pipeline's `resultsDir` may lie, absolute
   * paths separated by `:` (as `HUBRUN_FILES_ROOTS`). @default none: results only under the output folder
   */
  HUBRUN_RESULTS_ROOTS: optionalText,
  /**
   * Seconds the start activity keeps looking for the run of a POST whose outcome is unknown
   * (timeout, lost connection, 5xx) before it may POST again; AI Hub has no idempotency key, so
   * a shorter settle risks a second billed run when AI Hub lists new runs late. @default 120
   */
  HUBRUN_START_SETTLE_SECONDS: optionalText.pipe(
    z.coerce.number<string | undefined>().min(0).max(86_400).default(120),
  ),
  /** Where fetched results are written, `<dir>/<workflow id>/`. @default './hubrun-output' */
  HUBRUN_OUTPUT_DIR: optionalText.pipe(z.string().default('./hubrun-output')),
  /**
   * The worker's results destination: `file:///abs/dir` or `s3://bucket/prefix` on any
   * S3-compatible store; the AWS SDK reads its endpoint (`AWS_ENDPOINT_URL_S3`), region and
   * credentials itself, from its usual variables and files. @default `file://` + `HUBRUN_OUTPUT_DIR`
   */
  HUBRUN_RESULTS_URL: optionalText,
  /** `s3:` URLs, separated by spaces or commas, besides `HUBRUN_RESULTS_URL` at or below which a pipeline's `resultsUrl` may lie. @default none */
  HUBRUN_RESULTS_URLS: optionalText,
  /** `true` sends path-style S3 requests (`http://host/bucket/key`), as MinIO and most self-hosted stores want. @default false */
  HUBRUN_S3_FORCE_PATH_STYLE: optionalText.pipe(z.enum(['true', 'false']).default('false')),
  /** Prometheus metrics bind address of the worker (`host:port`); `off` disables. @default '127.0.0.1:9464' */
  HUBRUN_METRICS_ADDRESS: optionalText.pipe(
    z
      .string()
      .regex(/^(off|[\w.-]+:\d{1,5}|\[[0-9a-fA-F:]+\]:\d{1,5})$/, 'expected host:port or off')
      .default('127.0.0.1:9464'),
  ),
  /** Cap on AI Hub calls per second across all workers of the task queue (enforced by Temporal). Unset: no cap. */
  HUBRUN_MAX_AIHUB_CALLS_PER_SECOND: optionalText.pipe(
    z.coerce.number<string | undefined>().positive().optional(),
  ),
  /** Prebuilt workflow bundle the worker loads (production); unset: bundled at start-up from source. */
  HUBRUN_WORKFLOW_BUNDLE: optionalText,
  /**
   * Workflows a worker keeps in memory between their steps. A waiting pipeline needs none (its
   * status checks are server-side retries), so a small cache bounds memory however many
   * pipelines wait; an evicted pipeline is replayed (about 35 events) when its run changes
   * status. @default 300
   */
  HUBRUN_MAX_CACHED_WORKFLOWS: optionalText.pipe(
    z.coerce.number<string | undefined>().int().min(0).max(100_000).default(DEFAULT_MAX_CACHED_WORKFLOWS),
  ),
  /**
   * Seconds a stopping worker (SIGTERM, SIGINT) lets its activities in flight finish before it
   * cancels them (`shutdownGraceTime`); they are then retried, from their last heartbeat, on
   * another worker. Give container orchestrators a longer stop timeout than this.
   * @default AIHUB_REQUEST_TIMEOUT_MS + 30 s (60 with the defaults): one AI Hub request and its handling
   */
  HUBRUN_SHUTDOWN_GRACE_SECONDS: optionalText.pipe(
    z.coerce.number<string | undefined>().min(0).max(3600).optional(),
  ),
  /**
   * Shared secret of the run-finished hook (`hubrun hook`): AI Hub's notification must carry it
   * in the `X-Hubrun-Hook-Secret` header (or as `Authorization: Bearer`). Required by `hubrun hook`.
   */
  HUBRUN_HOOK_SECRET: optionalText,
  /** A file holding the hook's secret (secret mounts), instead of `HUBRUN_HOOK_SECRET`. */
  HUBRUN_HOOK_SECRET_FILE: optionalText,
  /** Bind address of `hubrun hook` (`host:port`); TLS is the deployment's (a proxy in front). @default '127.0.0.1:9465' */
  HUBRUN_HOOK_ADDRESS: optionalText.pipe(
    z
      .string()
      .regex(/^([\w.-]+|\[[0-9a-fA-F:]+\]):\d{1,5}$/, 'expected host:port')
      .default('127.0.0.1:9465'),
  ),
  /**
   * Receiver of outcome notifications of pipelines whose `notify` names no `url`: `https://`, or
   * `http://` to a loopback host. Unset: such pipelines' notifications fail (never the pipeline).
   */
  HUBRUN_NOTIFY_URL: optionalText.pipe(
    z
      .string()
      .superRefine((url, ctx) => {
        const problem = notifyUrlProblem(url);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
  ),
  /** HMAC-SHA256 key signing every notification (`x-hubrun-signature: sha256=<hex>`); a secret, never in a workflow. */
  HUBRUN_NOTIFY_SECRET: optionalText,
  /** A file holding the notification secret (secret mounts), instead of `HUBRUN_NOTIFY_SECRET`. */
  HUBRUN_NOTIFY_SECRET_FILE: optionalText,
  /**
   * Outcomes told for pipelines whose `notify` names no `on`, separated by `,`: `failed`,
   * `completed`, `review`, `review-overdue`. @default 'failed,review-overdue'
   */
  HUBRUN_NOTIFY_ON: optionalText.pipe(
    z
      .string()
      .default(DEFAULT_NOTIFY_ON.join(','))
      .transform((v) => v.split(',').map((k) => k.trim()))
      .pipe(z.array(z.enum(notificationKinds)).min(1)),
  ),
  /** Worker log level. @default 'INFO' */
  HUBRUN_LOG_LEVEL: optionalText.pipe(z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO')),
});

/** AI Hub connection settings; `token` is a secret that lives only in worker memory and activities. */
export interface AihubSettings {
  apiRoot: string;
  /** The token as read at start-up. */
  token: string;
  /**
   * `AIHUB_API_TOKEN_FILE`, when the token came from a file: the worker re-reads it when it
   * changes and after a 401, so a rotated secret takes effect without a restart.
   */
  tokenFile?: string | undefined;
  ibContext: string | undefined;
  requestTimeoutMs: number;
  /** Passwords of encrypted PDFs by file name (`AIHUB_PDF_PASSWORDS_FILE`); secrets, like the token. */
  pdfPasswords?: Readonly<Record<string, string>> | undefined;
}

/** Environment variables naming files that hold the worker's secrets (never uploaded as `files`). */
export const secretFileVariables: readonly string[] = [
  'AIHUB_API_TOKEN_FILE',
  'AIHUB_PDF_PASSWORDS_FILE',
  'HUBRUN_NOTIFY_SECRET_FILE',
  'HUBRUN_HOOK_SECRET_FILE',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_CONFIG_FILE',
];

/** hubrun's validated, frozen configuration. */
export interface Config extends ClientConfig {
  /** AI Hub settings, or `undefined` when `AIHUB_API_ROOT` is unset (dev/demo then start the emulator). */
  aihub: AihubSettings | undefined;
  /** `IB-Context` even without an API root (the emulator accepts it too). */
  ibContext: string | undefined;
  requestTimeoutMs: number;
  outputDir: string;
  /** The results sink: `HUBRUN_RESULTS_URL` (`file://` + `outputDir` by default), `HUBRUN_RESULTS_URLS`, `HUBRUN_S3_FORCE_PATH_STYLE`. */
  results: ResultsSinkConfig;
  /** `HUBRUN_FILES_ROOTS`: absolute folders under which a pipeline's `files` may lie. */
  filesRoots: readonly string[];
  /** The files named by {@link secretFileVariables}, as absolute and as real paths. */
  secretFiles: readonly string[];
  /** `HUBRUN_RESULTS_ROOTS`: absolute folders besides `outputDir` where `resultsDir` may lie. */
  resultsRoots: readonly string[];
  /** `HUBRUN_START_SETTLE_SECONDS` in milliseconds. */
  startSettleMs: number;
  metricsAddress: string | undefined;
  maxAihubCallsPerSecond: number | undefined;
  workflowBundlePath: string | undefined;
  maxCachedWorkflows: number;
  /** `HUBRUN_SHUTDOWN_GRACE_SECONDS` in milliseconds: how long a stopping worker lets activities finish. */
  shutdownGraceMs: number;
  logLevel: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** Outcome notifications: default receiver and kinds, and the signing secret (worker memory only). */
  notify?: { url: string | undefined; on: readonly NotificationKind[]; secret: string | undefined };
}

/** Where a worker delivers results and which other destinations pipelines may name. */
export interface ResultsSinkConfig {
  url: string;
  urls: readonly string[];
  s3ForcePathStyle: boolean;
}

/** What `hubrun hook` needs: the Temporal connection, its shared secret and its bind address. */
export interface HookConfig extends ClientConfig {
  /** `HUBRUN_HOOK_SECRET` or the content of `HUBRUN_HOOK_SECRET_FILE` (a secret: never logged). */
  secret: string;
  host: string;
  port: number;
}

const HookEnvSchema = EnvSchema.pick({
  HUBRUN_HOOK_SECRET: true,
  HUBRUN_HOOK_SECRET_FILE: true,
  HUBRUN_HOOK_ADDRESS: true,
});

/** Reads the hook's settings (and the client's); throws {@link ConfigError} naming every problem. */
export function loadHookConfig(env: NodeJS.ProcessEnv = process.env): Readonly<HookConfig> {
  const problems: string[] = [];
  let client: Readonly<ClientConfig> | undefined;
  try {
    client = loadClientConfig(env);
  } catch (err) {
    problems.push(...(err instanceof ConfigError ? err.problems : [String(err)]));
  }
  const parsed = HookEnvSchema.safeParse(env);
  if (!parsed.success) problems.push(...issuesOf(parsed.error));
  let secret: string | undefined;
  if (parsed.success) {
    const { HUBRUN_HOOK_SECRET: inline, HUBRUN_HOOK_SECRET_FILE: file } = parsed.data;
    if (inline !== undefined && file !== undefined) {
      problems.push('HUBRUN_HOOK_SECRET, HUBRUN_HOOK_SECRET_FILE: give one or the other, not both');
    } else if (file !== undefined) {
      try {
        secret = readFileSync(file, 'utf8').trim();
      } catch (err) {
        problems.push(
          `HUBRUN_HOOK_SECRET_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        );
      }
    } else secret = inline;
    if (secret !== undefined && secret.length < 16) {
      problems.push('HUBRUN_HOOK_SECRET: at least 16 characters');
    } else if (secret === undefined && !problems.some((p) => p.startsWith('HUBRUN_HOOK_SECRET'))) {
      problems.push('HUBRUN_HOOK_SECRET: required by hubrun hook (or give HUBRUN_HOOK_SECRET_FILE)');
    }
  }
  if (problems.length > 0 || client === undefined || secret === undefined || !parsed.success) {
    throw new ConfigError(problems);
  }
  const address = parsed.data.HUBRUN_HOOK_ADDRESS;
  const split = address.lastIndexOf(':');
  return Object.freeze({
    ...client,
    secret,
    host: address.slice(0, split).replace(/^\[|\]$/g, ''),
    port: Number(address.slice(split + 1)),
  });
}

function issuesOf(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

/**
 * Reads and validates the whole environment, the AI Hub token and password files included: for
 * the worker, `hubrun dev` and `hubrun demo`. Throws {@link ConfigError} naming every problem.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const problems: string[] = [];
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) problems.push(...issuesOf(parsed.error));
  const temporal = loadTemporal(env, problems);

  let token: string | undefined;
  let pdfPasswords: Record<string, string> | undefined;
  if (parsed.success) {
    const { AIHUB_API_TOKEN: inline, AIHUB_API_TOKEN_FILE: file, AIHUB_API_ROOT: root } = parsed.data;
    if (inline !== undefined && file !== undefined) {
      problems.push('AIHUB_API_TOKEN, AIHUB_API_TOKEN_FILE: give one or the other, not both');
    } else if (file !== undefined) {
      try {
        token = readFileSync(file, 'utf8').trim();
        if (token === '') problems.push(`AIHUB_API_TOKEN_FILE: ${file} is empty`);
      } catch (err) {
        problems.push(
          `AIHUB_API_TOKEN_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        );
      }
    } else {
      token = inline;
    }
    pdfPasswords = readPdfPasswords(parsed.data.AIHUB_PDF_PASSWORDS_FILE, problems);
    if (root !== undefined && !isSafeApiRoot(root) && parsed.data.AIHUB_ALLOW_INSECURE_HTTP !== 'true') {
      problems.push(
        'AIHUB_API_ROOT: must be https:// (plain http:// only to a loopback host such as 127.0.0.1 or localhost); ' +
          'set AIHUB_ALLOW_INSECURE_HTTP=true to send the token in clear text anyway',
      );
    }
    if (root !== undefined && inline === undefined && file === undefined) {
      problems.push('AIHUB_API_TOKEN: required when AIHUB_API_ROOT is set (or give AIHUB_API_TOKEN_FILE)');
    }
  }

  const resultsRoots = folderList('HUBRUN_RESULTS_ROOTS', parsed.data?.HUBRUN_RESULTS_ROOTS, [], problems);
  const filesRoots = folderList(
    'HUBRUN_FILES_ROOTS',
    parsed.data?.HUBRUN_FILES_ROOTS,
    [process.cwd()],
    problems,
  );

  const notifySecret = readNotifySecret(parsed.data, problems);

  const results = parsed.success ? resultsSinkOf(parsed.data, problems) : undefined;
  if (problems.length > 0 || !parsed.success || temporal === undefined || results === undefined) {
    throw new ConfigError(problems);
  }
  const data = parsed.data;
  const config: Config = {
    aihub:
      data.AIHUB_API_ROOT !== undefined && token !== undefined
        ? {
            apiRoot: data.AIHUB_API_ROOT.replace(/\/+$/, ''),
            token,
            tokenFile: data.AIHUB_API_TOKEN_FILE,
            ibContext: data.AIHUB_IB_CONTEXT,
            requestTimeoutMs: data.AIHUB_REQUEST_TIMEOUT_MS,
            pdfPasswords,
          }
        : undefined,
    ibContext: data.AIHUB_IB_CONTEXT,
    requestTimeoutMs: data.AIHUB_REQUEST_TIMEOUT_MS,
    temporal,
    taskQueue: data.HUBRUN_TASK_QUEUE,
    outputDir: results.outputDir,
    results: results.sink,
    filesRoots,
    secretFiles: secretFilesOf(env),
    resultsRoots,
    startSettleMs: Math.round(data.HUBRUN_START_SETTLE_SECONDS * 1000),
    metricsAddress: data.HUBRUN_METRICS_ADDRESS === 'off' ? undefined : data.HUBRUN_METRICS_ADDRESS,
    maxAihubCallsPerSecond: data.HUBRUN_MAX_AIHUB_CALLS_PER_SECOND,
    workflowBundlePath: data.HUBRUN_WORKFLOW_BUNDLE,
    maxCachedWorkflows: data.HUBRUN_MAX_CACHED_WORKFLOWS,
    shutdownGraceMs: Math.round(
      (data.HUBRUN_SHUTDOWN_GRACE_SECONDS ??
        data.AIHUB_REQUEST_TIMEOUT_MS / 1000 + SHUTDOWN_GRACE_MARGIN_SECONDS) * 1000,
    ),
    logLevel: data.HUBRUN_LOG_LEVEL,
    notify: { url: data.HUBRUN_NOTIFY_URL, on: data.HUBRUN_NOTIFY_ON, secret: notifySecret },
  };
  return Object.freeze(config);
}

/** `HUBRUN_NOTIFY_SECRET` or the content of `HUBRUN_NOTIFY_SECRET_FILE`; a problem never shows the secret. */
function readNotifySecret(
  data:
    { HUBRUN_NOTIFY_SECRET?: string | undefined; HUBRUN_NOTIFY_SECRET_FILE?: string | undefined } | undefined,
  problems: string[],
): string | undefined {
  const inline = data?.HUBRUN_NOTIFY_SECRET;
  const file = data?.HUBRUN_NOTIFY_SECRET_FILE;
  if (inline !== undefined && file !== undefined) {
    problems.push('HUBRUN_NOTIFY_SECRET, HUBRUN_NOTIFY_SECRET_FILE: give one or the other, not both');
    return undefined;
  }
  let secret = inline;
  if (file !== undefined) {
    try {
      secret = readFileSync(file, 'utf8').trim();
    } catch (err) {
      problems.push(
        `HUBRUN_NOTIFY_SECRET_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
      return undefined;
    }
  }
  if (secret !== undefined && secret.length < 16) {
    problems.push(`HUBRUN_NOTIFY_SECRET${file !== undefined ? '_FILE' : ''}: at least 16 characters`);
    return undefined;
  }
  return secret;
}

/** The results sink the environment names; a `file:` `HUBRUN_RESULTS_URL` is the output folder. */
function resultsSinkOf(
  data: z.infer<typeof EnvSchema>,
  problems: string[],
): { outputDir: string; sink: ResultsSinkConfig } | undefined {
  let outputDir = resolve(data.HUBRUN_OUTPUT_DIR);
  let url = pathToFileURL(outputDir).href;
  if (data.HUBRUN_RESULTS_URL !== undefined) {
    try {
      const location = parseResultsUrl(data.HUBRUN_RESULTS_URL);
      if (location.kind === 'file') outputDir = location.dir;
      url = resultsUrlOf(location);
    } catch (err) {
      if (!(err instanceof ResultsUrlError)) throw err;
      problems.push(`HUBRUN_RESULTS_URL: ${err.message}`);
      return undefined;
    }
  }
  const urls = (data.HUBRUN_RESULTS_URLS ?? '').split(/[\s,]+/).filter((u) => u !== '');
  for (const entry of urls) {
    try {
      if (parseResultsUrl(entry).kind !== 's3') {
        problems.push(`HUBRUN_RESULTS_URLS: ${entry}: only s3: URLs (folders go in HUBRUN_RESULTS_ROOTS)`);
      }
    } catch (err) {
      if (!(err instanceof ResultsUrlError)) throw err;
      problems.push(`HUBRUN_RESULTS_URLS: ${err.message}`);
    }
  }
  return {
    outputDir,
    sink: Object.freeze({
      url,
      urls: Object.freeze(urls),
      s3ForcePathStyle: data.HUBRUN_S3_FORCE_PATH_STYLE === 'true',
    }),
  };
}

/**
 * A `:`-separated list of absolute folders (empty entries skipped; `none`: no folder); unset or
 * empty gives `fallback`. A relative entry is a problem naming `variable`.
 */
function folderList(
  variable: string,
  value: string | undefined,
  fallback: readonly string[],
  problems: string[],
): readonly string[] {
  if (value === undefined) return Object.freeze([...fallback]);
  if (value === 'none') return Object.freeze([]);
  const entries = value
    .split(':')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries) {
    if (!isAbsolute(entry)) problems.push(`${variable}: "${entry}" is not an absolute path`);
  }
  return Object.freeze(entries.map((entry) => resolve(entry)));
}

/** The secret files the environment names, each as given (absolute) and as its real path. */
function secretFilesOf(env: NodeJS.ProcessEnv): readonly string[] {
  const paths = new Set<string>();
  for (const variable of secretFileVariables) {
    const value = env[variable]?.trim();
    if (value === undefined || value === '') continue;
    paths.add(resolve(value));
    try {
      paths.add(realpathSync(value));
    } catch {
      // Missing: nothing to protect (the worker resolves the paths again at every upload).
    }
  }
  return Object.freeze([...paths]);
}

/** Whether `root` is `https://`, or `http://` to a loopback host (127.0.0.0/8, `::1`, `localhost`). */
function isSafeApiRoot(root: string): boolean {
  const url = new URL(root);
  if (url.protocol === 'https:') return true;
  const host = url.hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(host);
}

/** Reads `AIHUB_PDF_PASSWORDS_FILE`; a problem names the variable and the file, never a password. */
function readPdfPasswords(file: string | undefined, problems: string[]): Record<string, string> | undefined {
  if (file === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    problems.push(`AIHUB_PDF_PASSWORDS_FILE: cannot read ${file} as JSON${code ? ` (${code})` : ''}`);
    return undefined;
  }
  const passwords = z.record(z.string().min(1), z.string().min(1)).safeParse(parsed);
  if (!passwords.success) {
    problems.push(`AIHUB_PDF_PASSWORDS_FILE: ${file} must hold {"<file name>": "<password>", ...}`);
    return undefined;
  }
  return passwords.data;
}

/** The variables hubrun itself reads (besides Temporal's own `TEMPORAL_*`), for docs and compose checks. */
export const configVariables: readonly string[] = Object.keys(EnvSchema.shape);

/** Where to look for the Temporal binaries before `.tools/`: explicit paths, then `PATH`. */
export interface ToolLocations {
  /** `TEMPORAL_CLI_PATH`: the `temporal` CLI (dev server). */
  temporalCli: string | undefined;
  /** `TEMPORAL_TEST_SERVER_PATH`: the time-skipping test server. */
  testServer: string | undefined;
  /** The directories of `PATH`. */
  pathDirs: string[];
}

/** Reads the tool locations from the environment (dev tooling only; never fails). */
export function toolLocations(env: NodeJS.ProcessEnv = process.env): ToolLocations {
  const nonEmpty = (v: string | undefined): string | undefined =>
    v && v.trim() !== '' ? v.trim() : undefined;
  return {
    temporalCli: nonEmpty(env.TEMPORAL_CLI_PATH),
    testServer: nonEmpty(env.TEMPORAL_TEST_SERVER_PATH),
    pathDirs: (env.PATH ?? '').split(':').filter((d) => d !== ''),
  };
}
