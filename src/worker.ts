/**
 * The hubrun worker: hosts the pipeline workflows and their activities on one task queue.
 * `hubrun worker` runs it against the configured Temporal and AI Hub; `hubrun dev` runs it
 * against the local stack; tests build it with {@link createHubrunWorker}. It shuts down
 * gracefully on SIGINT/SIGTERM (activities in flight get `HUBRUN_SHUTDOWN_GRACE_SECONDS` to
 * finish, then are cancelled and retried elsewhere), serves
 * Prometheus metrics, and in production loads a prebuilt workflow bundle.
 */
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  makeTelemetryFilterString,
} from '@temporalio/worker';
import type { WorkerOptions } from '@temporalio/worker';
import { AihubClient, FileTokenSource } from './aihub';
import { createActivities } from './activities';
import type { ActivityDeps } from './activities';
import type { NotifyDeps } from './activities/deps';
import { loadConfig } from './config';
import type { AihubSettings, Config, ResultsSinkConfig } from './config';
import { histogramBuckets, recordAihubCalls } from './metrics';

/** The workflow interceptors that emit the pipeline metrics. */
const WORKFLOW_INTERCEPTORS = './workflows/metrics-interceptor';

/** A stopping worker's grace for activities in flight unless told: the configuration's default. */
const DEFAULT_SHUTDOWN_GRACE_MS = 60_000;

/** Everything a worker needs besides its Temporal connection. */
export interface HubrunWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  aihub: AihubSettings;
  /** Default results folder (`HUBRUN_OUTPUT_DIR`). */
  outputDir: string;
  /**
   * Folders whose files pipelines may upload (`HUBRUN_FILES_ROOTS`).
   * @default [process.cwd()], as the configuration's default
   */
  filesRoots?: readonly string[] | undefined;
  /** The worker's secret files, never uploaded even from under a files root. @default [] */
  secretFiles?: readonly string[] | undefined;
  /** Folders besides `outputDir` where a pipeline's `resultsDir` may lie (`HUBRUN_RESULTS_ROOTS`). @default [] */
  resultsRoots?: readonly string[] | undefined;
  /** The results sink (`HUBRUN_RESULTS_URL`, `HUBRUN_RESULTS_URLS`, `HUBRUN_S3_FORCE_PATH_STYLE`). @default `file://` + `outputDir` */
  results?: ResultsSinkConfig | undefined;
  /**
   * How long the start keeps looking for the run of a POST whose outcome is unknown before it
   * POSTs again (`HUBRUN_START_SETTLE_SECONDS`), in ms. @default 120000
   */
  startSettleMs?: number | undefined;
  /** A prebuilt workflow bundle; unset: the workflows are bundled from source at start-up. */
  workflowBundlePath?: string | undefined;
  /** Cap on AI Hub calls per second across every worker of the task queue (enforced by the server). */
  maxAihubCallsPerSecond?: number | undefined;
  /**
   * How long a stopping worker lets its activities in flight finish before cancelling them
   * (`HUBRUN_SHUTDOWN_GRACE_SECONDS`). @default 60000
   */
  shutdownGraceMs?: number | undefined;
  /** Outcome notifications' default receiver and kinds, and the signing secret (`HUBRUN_NOTIFY_*`). */
  notify?: NotifyDeps | undefined;
  /** Extra worker options (tests tune caches and concurrency). */
  tuning?: Partial<
    Pick<
      WorkerOptions,
      'maxCachedWorkflows' | 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions'
    >
  >;
  /** Replaces parts of the activity dependencies (tests). */
  deps?: Partial<ActivityDeps>;
}

/** Builds a worker hosting the pipeline workflows and activities wired to AI Hub. */
export async function createHubrunWorker(options: HubrunWorkerOptions): Promise<Worker> {
  const { token, tokenFile } = options.aihub;
  const aihub = new AihubClient({
    apiRoot: options.aihub.apiRoot,
    // A token file is followed, so a rotated secret does not fail the pipelines waiting on AI Hub.
    token: tokenFile !== undefined ? new FileTokenSource(tokenFile, token) : token,
    ibContext: options.aihub.ibContext,
    timeoutMs: options.aihub.requestTimeoutMs,
    onExchange: recordAihubCalls(Runtime.instance().metricMeter),
  });
  const activities = createActivities({
    aihub,
    apiRoot: options.aihub.apiRoot,
    ibContext: options.aihub.ibContext,
    outputDir: options.outputDir,
    filesRoots: options.filesRoots ?? [process.cwd()],
    secretFiles: options.secretFiles ?? [],
    ...(options.resultsRoots !== undefined ? { resultsRoots: options.resultsRoots } : {}),
    ...(options.results !== undefined ? resultsSinkDeps(options.results) : {}),
    ...(options.startSettleMs !== undefined ? { startSettleMs: options.startSettleMs } : {}),
    pdfPasswords: options.aihub.pdfPasswords,
    ...(options.notify !== undefined ? { notify: options.notify } : {}),
    ...options.deps,
  });
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities,
    // Without it the SDK cancels activities in flight at once on SIGTERM; with it they finish.
    shutdownGraceTime: options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS,
    ...(options.workflowBundlePath !== undefined
      ? { workflowBundle: { codePath: options.workflowBundlePath } }
      : {
          workflowsPath: require.resolve('./workflows'),
          // The prebuilt bundle has them baked in (scripts/bundle-workflows.ts).
          interceptors: { workflowModules: [require.resolve(WORKFLOW_INTERCEPTORS)] },
        }),
    ...(options.maxAihubCallsPerSecond !== undefined
      ? { maxTaskQueueActivitiesPerSecond: options.maxAihubCallsPerSecond }
      : {}),
    ...options.tuning,
  });
}

/** The activities' results sink settings. */
function resultsSinkDeps(
  results: ResultsSinkConfig,
): Pick<ActivityDeps, 'resultsUrl' | 'resultsUrls' | 's3ForcePathStyle'> {
  return { resultsUrl: results.url, resultsUrls: results.urls, s3ForcePathStyle: results.s3ForcePathStyle };
}

/**
 * Installs the process-wide Temporal runtime: log level, and the Prometheus endpoint when
 * `metricsAddress` is set, serving the SDK's metrics and hubrun's own (README, "Metrics").
 * Call once, before the first connection.
 */
export function installRuntime(config: Pick<Config, 'logLevel' | 'metricsAddress'>): void {
  Runtime.install({
    logger: new DefaultLogger(config.logLevel),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) },
      ...(config.metricsAddress !== undefined
        ? {
            metrics: {
              // Prometheus conventions: counters end in _total, durations are in seconds.
              prometheus: {
                bindAddress: config.metricsAddress,
                countersTotalSuffix: true,
                useSecondsForDurations: true,
                histogramBucketOverrides: histogramBuckets(),
              },
            },
          }
        : {}),
    },
  });
}

/** A worker on `connection` with the task queue, results folder, bundle and call budget the configuration names. */
export function createConfiguredWorker(
  config: Readonly<Config>,
  aihub: AihubSettings,
  connection: NativeConnection,
): Promise<Worker> {
  return createHubrunWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.taskQueue,
    aihub,
    outputDir: config.outputDir,
    filesRoots: config.filesRoots,
    secretFiles: config.secretFiles,
    resultsRoots: config.resultsRoots,
    results: config.results,
    startSettleMs: config.startSettleMs,
    workflowBundlePath: config.workflowBundlePath,
    maxAihubCallsPerSecond: config.maxAihubCallsPerSecond,
    shutdownGraceMs: config.shutdownGraceMs,
    notify: config.notify,
    tuning: { maxCachedWorkflows: config.maxCachedWorkflows },
  });
}

/** Connects to Temporal and runs a worker until SIGINT/SIGTERM (or `signal`), then shuts it down gracefully. */
export async function runWorker(
  config: Readonly<Config>,
  aihub: AihubSettings,
  signal?: AbortSignal,
): Promise<void> {
  const connection = await NativeConnection.connect(config.temporal.connectionOptions);
  try {
    const worker = await createConfiguredWorker(config, aihub, connection);
    signal?.addEventListener('abort', () => worker.shutdown(), { once: true });
    Runtime.instance().logger.info('hubrun worker started', {
      taskQueue: config.taskQueue,
      namespace: config.temporal.namespace,
      aihub: aihub.apiRoot,
      metrics: config.metricsAddress ?? 'off',
    });
    await worker.run();
  } finally {
    await connection.close();
  }
}

/** `hubrun worker`: a worker against the configured Temporal and AI Hub. */
export async function main(): Promise<void> {
  const config = loadConfig();
  if (config.aihub === undefined) {
    throw new Error(
      'AIHUB_API_ROOT is not set: set AIHUB_API_ROOT and AIHUB_API_TOKEN (or AIHUB_API_TOKEN_FILE), or run `hubrun dev` for the local emulator',
    );
  }
  installRuntime(config);
  await runWorker(config, config.aihub);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(`hubrun worker: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
