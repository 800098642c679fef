/**
 * The pipeline's input: one zod schema that the CLI, the client helpers and the workflow itself
 * validate with, so bad input is refused with a message naming the field before anything is sent
 * to AI Hub. Pure (no I/O). Workflows check their input through the `checkPipelineStart` local
 * activity, which keeps zod out of the workflow bundle.
 */
import { z } from 'zod';
import { aihubLimits } from './aihub/endpoints';
import { isTimeZone } from './nominal-date';
import { notificationFormats, notificationKinds, notifyUrlProblem } from './notifications/kinds';

/** Characters the pipeline's own exactly-once tag (`hubrun:<run id>`) takes out of AI Hub's tag budget. */
export const RESERVED_TAG_CHARS = 'hubrun:'.length + 36;

/** A workflow id hubrun accepts: a business key that is also a safe folder name. */
export const WorkflowId = z
  .string()
  .min(1)
  .max(200)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:@=+-]*$/,
    'use letters, digits and . _ : @ = + - (starting with a letter or digit)',
  )
  .refine((id) => !id.includes('..'), 'must not contain ".."');

/** Whether `path` climbs with a `..` segment (`a/../b`, `..\\x`), on POSIX or Windows. */
export function hasParentSegment(path: string): boolean {
  return path.split(/[\\/]/).includes('..');
}

/** Whether `path` is absolute on POSIX (`/data`) or Windows (`C:\\data`, `\\\\server\\share`). */
export function isAbsolutePath(path: string): boolean {
  return /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(path);
}

/**
 * A path on the worker's machine: no `..` segment (so it cannot climb out of where it points)
 * and no NUL character (which file systems refuse).
 */
const LocalPath = z
  .string()
  .min(1)
  .max(4096)
  .superRefine((path, ctx) => {
    if (path.includes('\0')) ctx.addIssue({ code: 'custom', message: 'must not contain a NUL character' });
    else if (hasParentSegment(path))
      ctx.addIssue({ code: 'custom', message: 'must not contain ".." segments' });
  });

/** Polling and deadline tunables of the wait, in seconds; every field has a default. */
export const WaitPolicy = z
  .object({
    /** First delay between status checks. @default 5 */
    initialIntervalSeconds: z.number().positive().max(86_400).default(5),
    /** Growth of the delay per check. @default 1.15 */
    backoffCoefficient: z.number().min(1).max(10).default(1.15),
    /** Longest delay between status checks while RUNNING. @default 600 */
    maxIntervalSeconds: z.number().positive().max(86_400).default(600),
    /** First delay between checks while the run waits for human review. @default 60 */
    reviewInitialIntervalSeconds: z.number().positive().max(86_400).default(60),
    /** Longest delay between checks during review. @default 1800 */
    reviewMaxIntervalSeconds: z.number().positive().max(86_400).default(1800),
    /** Random spread applied to every delay, as a fraction (0.1 = ±10%). @default 0.1 */
    jitter: z.number().min(0).max(0.5).default(0.1),
    /**
     * How long the run may spend processing (RUNNING, PAUSED or a status hubrun does not know),
     * time in review apart. @default 259200 (3 days)
     */
    runDeadlineSeconds: z
      .number()
      .positive()
      .max(366 * 86_400)
      .default(3 * 86_400),
    /** How long each review checkpoint may wait for its reviewer. @default 1209600 (14 days) */
    reviewDeadlineSeconds: z
      .number()
      .positive()
      .max(366 * 86_400)
      .default(14 * 86_400),
    /**
     * How status checks are placed while the run processes: `learned` plans them from the app's or
     * deployment's own finished runs in AI Hub (geometric when there are too few or they spread too
     * widely to help), `geometric` grows each delay by `backoffCoefficient`, `fixed` checks every
     * `initialIntervalSeconds`. @default 'learned'
     */
    plan: z.enum(['learned', 'geometric', 'fixed']).default('learned'),
    /** Mean lag a learned plan aims at, as a share of the run's duration. @default 0.05 */
    lagTargetRatio: z.number().positive().max(1).default(0.05),
    /** Mean lag a learned plan aims at, in seconds; when set it wins over `lagTargetRatio`. */
    lagTargetSeconds: z.number().positive().max(86_400).optional(),
    /** How far back a learned plan looks for finished runs of the same app or deployment. @default 14 */
    historyDays: z.number().positive().max(90).default(14),
    /**
     * A run-finished hook (`hubrun hook`) signals `checkNow` for this pipeline's run: a learned
     * plan then checks only as a safety net, after nearly every past run had finished. @default false
     */
    hook: z.boolean().default(false),
  })
  .strict()
  .superRefine((policy, ctx) => {
    // Temporal refuses a retry policy whose first interval exceeds its cap: the wait could never start.
    for (const [initial, max] of [
      ['initialIntervalSeconds', 'maxIntervalSeconds'],
      ['reviewInitialIntervalSeconds', 'reviewMaxIntervalSeconds'],
    ] as const) {
      if (policy[initial] > policy[max]) {
        ctx.addIssue({ code: 'custom', path: [initial], message: `must not exceed ${max} (${policy[max]})` });
      }
    }
  });
export type WaitPolicy = z.infer<typeof WaitPolicy>;

/** A pipeline's notification settings (see `PipelineInput.notify`). */
export const NotifySettings = z
  .object({
    /**
     * The receiver: `https://`, or `http://` to a loopback host, without user or password. It is kept
     * in the workflow's history, so a URL that is itself a secret (a Slack webhook) belongs in the
     * worker's `HUBRUN_NOTIFY_URL`. @default HUBRUN_NOTIFY_URL
     */
    url: z
      .string()
      .max(2000)
      .superRefine((url, ctx) => {
        const problem = notifyUrlProblem(url);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    /** Outcomes to tell about. @default HUBRUN_NOTIFY_ON, else ['failed', 'review-overdue'] */
    on: z.array(z.enum(notificationKinds)).min(1).max(notificationKinds.length).optional(),
    /** A review waiting this long sends `review-overdue` (once per checkpoint). Unset: never overdue. */
    reviewOverdueSeconds: z
      .number()
      .positive()
      .max(366 * 86_400)
      .optional(),
    /** Body format: a structured-mode CloudEvent, or a Slack incoming-webhook body `{"text": ...}`. @default 'cloudevents' */
    format: z.enum(notificationFormats).default('cloudevents'),
    /** How long a notification is retried (with backoff) before it is given up. @default 3600 */
    giveUpAfterSeconds: z.number().min(1).max(86_400).default(3600),
  })
  .strict();
/** A pipeline's validated notification settings. */
export type NotifySettings = z.infer<typeof NotifySettings>;

const RunSettingsInput = z
  .object({
    keys: z
      .object({
        custom: z.record(z.string(), z.unknown()).optional(),
        /** Secret aliases (names of secrets stored in AI Hub), never secret values. */
        secret: z.record(z.string(), z.string()).optional(),
      })
      .strict()
      .optional(),
    runtime_config: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** What a pipeline is asked to do; exactly one app reference and exactly one input. */
export const PipelineInput = z
  .object({
    /** Business key of the pipeline; derived from app and input when absent (CLI, client helpers). */
    workflowId: WorkflowId.optional(),
    appName: z.string().min(1).max(500).optional(),
    /** Owner account of an app given by name (`instabase` for marketplace apps). */
    appOwner: z.string().min(1).max(200).optional(),
    /** App or deployment version. @default the latest production version */
    appVersion: z.string().min(1).max(100).optional(),
    appId: z.string().min(1).max(200).optional(),
    deploymentId: z.string().min(1).max(200).optional(),
    batchId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
    /** A drive path in AI Hub, `<org>/<workspace>/fs/<drive>/<folder>`. */
    inputDir: z.string().min(1).max(2000).optional(),
    /** Local files on the worker's machine, uploaded to a new batch first; no `..` segments. */
    files: z.array(LocalPath).min(1).max(aihubLimits.maxFilesPerRun).optional(),
    /** Workspace of the batch created for `files` (service accounts must name one). */
    batchWorkspace: z.string().min(1).max(200).optional(),
    /** Where AI Hub writes its outputs (a drive path). */
    outputDir: z.string().min(1).max(2000).optional(),
    outputWorkspace: z.string().min(1).max(200).optional(),
    settings: RunSettingsInput.optional(),
    tags: z.array(z.string().min(1).max(aihubLimits.maxTagChars)).max(50).optional(),
    /**
     * Where hubrun writes fetched results on the worker's machine: an absolute path without `..`
     * segments, so a pipeline writes exactly where it is told. @default HUBRUN_OUTPUT_DIR
     */
    resultsDir: LocalPath.refine(isAbsolutePath, 'must be an absolute path on the worker').optional(),
    /**
     * Where the results go instead, as a URL: `s3://bucket/prefix` (at or below the worker's
     * `HUBRUN_RESULTS_URL` or one of `HUBRUN_RESULTS_URLS`) or `file:///...` (checked as a
     * `resultsDir`). @default the worker's HUBRUN_RESULTS_URL
     */
    resultsUrl: z
      .string()
      .max(2000)
      .regex(/^(s3|file):\/\//, 'must be an s3:// or file:// URL')
      .optional(),
    /**
     * IANA time zone of the `{date}` placeholder, which the workflow replaces in `inputDir`, `files`,
     * `outputDir`, `outputWorkspace`, `batchWorkspace`, `resultsDir` and `tags` by the nominal date
     * (`YYYY-MM-DD`): a schedule's action time, else the workflow's start. Schedules set it. @default 'UTC'
     */
    dateTimeZone: z.string().refine(isTimeZone, 'not an IANA time zone (e.g. Europe/Berlin, UTC)').optional(),
    /** Largest share of `ERROR` fields a COMPLETE run may have before the pipeline fails. @default 1 (never fail) */
    maxErrorRatio: z.number().min(0).max(1).default(1),
    /** What cancelling the pipeline does to the AI Hub run. @default 'abandon' */
    onCancel: z.enum(['abandon', 'delete']).default('abandon'),
    /** What to delete in AI Hub once results are safe. @default 'none' */
    cleanup: z.enum(['none', 'run', 'batch', 'all']).default('none'),
    /**
     * Where and when to tell about the pipeline's outcomes: a signed CloudEvent (or a Slack body)
     * POSTed to `url` on the kinds in `on`. `{}` uses the worker's `HUBRUN_NOTIFY_URL` and
     * `HUBRUN_NOTIFY_ON`. A notification that cannot be delivered never fails the pipeline; it is
     * counted in `progress.notifications`. Unset: no notification.
     */
    notify: NotifySettings.optional(),
    wait: WaitPolicy.default(WaitPolicy.parse({})),
    /**
     * An AI Hub run started elsewhere (the AI Hub UI, a script) that the pipeline waits for and
     * delivers instead of starting one (`hubrun run --adopt-run`): nothing is uploaded or started,
     * and app and input may be left out. The pipeline fails with `AihubNotFound` when the run does
     * not exist.
     */
    adoptRunId: z.string().min(1).max(200).optional(),
    /**
     * The pipeline this one runs again (`hubrun retry`). Before uploading or starting anything it
     * looks for the run the earlier pipeline started, by `runId` when known, else by the earlier
     * pipeline's exactly-once `tag` among the runs since `sinceSeconds` (epoch seconds), and adopts
     * it unless that run FAILED or was CANCELLED.
     */
    retryOf: z
      .object({
        workflowId: WorkflowId,
        tag: z.string().min(1).max(100),
        sinceSeconds: z.number().int().min(0),
        runId: z.string().min(1).max(200).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((input, ctx) => {
    const apps = [input.appName, input.appId, input.deploymentId].filter((v) => v !== undefined);
    // An adopted run knows its app and input: they may be left out, but not given twice.
    const adopting = input.adoptRunId !== undefined;
    if (input.resultsDir !== undefined && input.resultsUrl !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['resultsUrl'],
        message: 'give resultsDir or resultsUrl, not both',
      });
    }
    if (adopting && input.retryOf !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['adoptRunId'], message: 'give adoptRunId or retryOf, not both' });
    }
    if (apps.length !== 1 && !(adopting && apps.length === 0)) {
      ctx.addIssue({
        code: 'custom',
        path: ['appName'],
        message: `give exactly one of appName, appId or deploymentId (got ${apps.length})`,
      });
    }
    const inputs = [input.batchId, input.inputDir, input.files].filter((v) => v !== undefined);
    if (inputs.length !== 1 && !(adopting && inputs.length === 0)) {
      ctx.addIssue({
        code: 'custom',
        path: ['batchId'],
        message: `give exactly one of batchId, inputDir or files (got ${inputs.length})`,
      });
    }
    const runtime = input.settings?.runtime_config as
      { instabase?: { pdf?: { passwords?: unknown } } } | undefined;
    if (runtime?.instabase?.pdf?.passwords !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['settings', 'runtime_config', 'instabase', 'pdf', 'passwords'],
        message:
          'PDF passwords are secrets and a pipeline input is kept in workflow history; give them to the workers in AIHUB_PDF_PASSWORDS_FILE',
      });
    }
    if (input.appOwner !== undefined && input.appName === undefined) {
      ctx.addIssue({ code: 'custom', path: ['appOwner'], message: 'appOwner goes with appName only' });
    }
    if (input.deploymentId !== undefined && input.outputWorkspace !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['outputWorkspace'],
        message: 'deployments take outputDir, not outputWorkspace',
      });
    }
    const tagChars = (input.tags ?? []).join('').length;
    if (tagChars + RESERVED_TAG_CHARS > aihubLimits.maxTagChars) {
      ctx.addIssue({
        code: 'custom',
        path: ['tags'],
        message: `tags hold ${tagChars} characters; at most ${aihubLimits.maxTagChars - RESERVED_TAG_CHARS} are left beside hubrun's own tag`,
      });
    }
    if (input.cleanup === 'batch' && input.inputDir !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['cleanup'],
        message: "cleanup 'batch' needs a batch input, not inputDir",
      });
    }
    if (input.files !== undefined) {
      const names = input.files.map((f) => f.split(/[\\/]/).pop() ?? f);
      const seen = new Set<string>();
      names.forEach((name, i) => {
        if (name === '' || name === '.' || name === '..') {
          ctx.addIssue({
            code: 'custom',
            path: ['files', i],
            message: `"${input.files?.[i]}" does not name a file`,
          });
        } else if (seen.has(name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['files', i],
            message: `two files are named "${name}"; batch file names must be unique`,
          });
        }
        seen.add(name);
      });
    }
  });

/** A validated pipeline input with every default filled in. */
export type PipelineInput = z.infer<typeof PipelineInput>;
/** A pipeline input as callers write it (defaults may be left out). */
export type PipelineInputDraft = z.input<typeof PipelineInput>;

/** The result of validating an input: the parsed value, or one line per problem naming its field. */
export type InputCheck = { ok: true; input: PipelineInput } | { ok: false; problems: string[] };

/** Validates a pipeline input; every problem names its field (`files.2: ...`). */
export function checkPipelineInput(raw: unknown): InputCheck {
  const parsed = PipelineInput.safeParse(raw);
  if (parsed.success) return { ok: true, input: parsed.data };
  return { ok: false, problems: parsed.error.issues.map(describeIssue) };
}

/**
 * The pipeline workflow's own check: the input, and the Temporal workflow id it runs under,
 * which names its results folder. A service that starts `aihubRunPipeline` itself under an id
 * such as `../x` or `a/b` is refused (`workflowId: ...`) before anything is sent to AI Hub.
 */
export function checkPipelineStart(raw: unknown, workflowId: string): InputCheck {
  const checked = checkPipelineInput(raw);
  const id = WorkflowId.safeParse(workflowId);
  if (id.success) return checked;
  const idProblems = id.error.issues.map((issue) => `workflowId: "${workflowId}": ${issue.message}`);
  return { ok: false, problems: [...idProblems, ...(checked.ok ? [] : checked.problems)] };
}

/** One zod issue as `field.path: message`. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : 'input';
  if (issue.code === 'unrecognized_keys') return `${field}: unknown field(s) ${issue.keys.join(', ')}`;
  return `${field}: ${issue.message}`;
}

/** The business key used when the caller names none: `hubrun-<app>-<input>`, made safe as a workflow id. */
export function deriveWorkflowId(input: PipelineInput): string {
  const noApp = [input.appName, input.appId, input.deploymentId].every((v) => v === undefined);
  if (input.adoptRunId !== undefined && noApp) return toWorkflowId(`hubrun-adopt-${input.adoptRunId}`);
  const app = input.appName ?? input.appId ?? `deployment-${input.deploymentId ?? ''}`;
  const source =
    input.batchId !== undefined
      ? `batch-${input.batchId}`
      : input.inputDir !== undefined
        ? input.inputDir
        : `files-${input.files?.length ?? 0}-${input.files?.[0] ?? ''}`;
  return toWorkflowId(`hubrun-${app}-${source}`);
}

/** `text` made into a valid {@link WorkflowId}: unsafe runs become `-`, at most `maxChars` long. */
export function toWorkflowId(text: string, maxChars = 200): string {
  return text
    .replace(/[^A-Za-z0-9._:@=+-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/-{2,}/g, '-')
    .replace(/-$/, '')
    .slice(0, maxChars);
}
