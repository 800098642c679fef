/**
 * hubrun's own metrics: names, units, descriptions and histogram buckets, in one place for the
 * code that emits them, the worker's runtime (bucket overrides) and the README. They go through
 * the Temporal SDK's metric meter, so they share the worker's Prometheus endpoint (or its
 * OpenTelemetry collector) with the SDK's own. Names follow Prometheus conventions: base units
 * in the name (`_seconds`, `_bytes`), counters without `_total` here because the Prometheus
 * exporter adds it (`countersTotalSuffix`). Labels stay low-cardinality: endpoint, status class,
 * app, deployment, stage, phase, outcome, failure type; never a run or workflow id.
 * Zod-free and Node-free: workflow code imports it.
 */

/** One metric: its name (as an OpenTelemetry instrument), unit and description. */
export interface MetricSpec {
  readonly name: string;
  readonly unit: string;
  readonly description: string;
  /** Histogram bucket boundaries (the SDK's defaults stop at 10). */
  readonly buckets?: readonly number[];
}

/** Boundaries for durations from seconds to a week. */
const LONG_DURATION_BUCKETS = [
  5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14_400, 28_800, 86_400, 172_800, 604_800,
] as const;

/** Every metric hubrun emits itself. */
export const metrics = {
  aihubCalls: {
    name: 'hubrun_aihub_calls',
    unit: '',
    description:
      'HTTP exchanges with AI Hub, by endpoint and status class (2xx, 4xx, 5xx, 1xx, 3xx, or network for no answer)',
  },
  aihubThrottled: {
    name: 'hubrun_aihub_throttled',
    unit: '',
    description: 'AI Hub answers 429, by endpoint and whether they carried a Retry-After header',
  },
  aihubCallDuration: {
    name: 'hubrun_aihub_call_duration_seconds',
    unit: 's',
    description: 'Time of one HTTP exchange with AI Hub, answer or failure, by endpoint',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  },
  pipelinesStarted: {
    name: 'hubrun_pipelines_started',
    unit: '',
    description: 'Pipelines started, by app or deployment',
  },
  pipelinePhases: {
    name: 'hubrun_pipeline_phase_entries',
    unit: '',
    description:
      'Pipelines entering a phase (UPLOADING, STARTING, WAITING, IN_REVIEW, FETCHING_RESULTS, CLEANING_UP)',
  },
  pipelinesFinished: {
    name: 'hubrun_pipelines_finished',
    unit: '',
    description: 'Pipelines finished, by outcome (completed, failed, cancelled) and failure type',
  },
  statusChecks: {
    name: 'hubrun_pipeline_status_checks',
    unit: '',
    description: 'AI Hub status checks one pipeline made, observed when it finishes, by outcome',
    buckets: [1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000],
  },
  runDuration: {
    name: 'hubrun_run_duration_seconds',
    unit: 's',
    description:
      'Time an AI Hub run spent processing or in review (stage), by app or deployment, observed when its pipeline finishes',
    buckets: LONG_DURATION_BUCKETS,
  },
  reviewWaitAge: {
    name: 'hubrun_review_wait_age_seconds',
    unit: 's',
    description: 'At each status check of a run in review: how long it has waited for its reviewer so far',
    buckets: [600, 1800, 3600, 14_400, 28_800, 86_400, 172_800, 259_200, 604_800, 1_209_600],
  },
  resultFiles: {
    name: 'hubrun_result_files',
    unit: '',
    description: 'Result files delivered into results.jsonl, by app or deployment',
  },
  resultBytes: {
    name: 'hubrun_result_bytes',
    unit: 'By',
    description: 'Bytes of results.jsonl delivered, by app or deployment',
  },
  resultFields: {
    name: 'hubrun_result_fields',
    unit: '',
    description: 'Extracted fields delivered, by app or deployment',
  },
  resultFieldErrors: {
    name: 'hubrun_result_field_errors',
    unit: '',
    description: 'Delivered fields whose value is ERROR, by app or deployment',
  },
} as const satisfies Record<string, MetricSpec>;

/** Bucket boundaries of hubrun's histograms, for the runtime's `histogramBucketOverrides`. */
export function histogramBuckets(): Record<string, number[]> {
  const overrides: Record<string, number[]> = {};
  for (const spec of Object.values(metrics) as MetricSpec[]) {
    if (spec.buckets !== undefined) overrides[spec.name] = [...spec.buckets];
  }
  return overrides;
}

/** The status class label of an HTTP status, or `network` when no answer came. */
export function statusClass(status: number | undefined): string {
  if (status === undefined || status < 100 || status > 599) return 'network';
  return `${Math.floor(status / 100)}xx`;
}

/** The app and deployment labels of a pipeline input (the one not given is empty). */
export function targetLabels(input: unknown): { app: string; deployment: string } {
  const raw = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  return { app: text(raw.appName) || text(raw.appId), deployment: text(raw.deploymentId) };
}
