/** What the activities need from the outside world; the worker passes real ones, tests pass ones aimed at the emulator. */
import type { AihubClient } from '../aihub';
import type { NotificationKind } from '../notifications/kinds';

/** The worker's notification settings: default receiver and kinds, and the signing secret (never in a workflow). */
export interface NotifyDeps {
  /** `HUBRUN_NOTIFY_URL`: receiver of pipelines that name none. */
  url?: string | undefined;
  /** `HUBRUN_NOTIFY_ON`: kinds sent for pipelines that name none. @default ['failed', 'review-overdue'] */
  on?: readonly NotificationKind[] | undefined;
  /** `HUBRUN_NOTIFY_SECRET`: HMAC-SHA256 key of every delivery's `x-hubrun-signature`. */
  secret?: string | undefined;
}

/** Dependencies of {@link createActivities}. */
export interface ActivityDeps {
  /** The AI Hub client (holds the token; never passed to workflows). */
  aihub: AihubClient;
  /** AI Hub base URL, for the run link in the memo. */
  apiRoot: string;
  /** The `IB-Context` the client sends, shown as the `AihubContext` search attribute. */
  ibContext: string | undefined;
  /** Passwords of encrypted PDFs by file name, added to each run's settings here, never in workflows. */
  pdfPasswords?: Readonly<Record<string, string>> | undefined;
  /** Default results folder on this machine (`HUBRUN_OUTPUT_DIR`). */
  outputDir: string;
  /**
   * Folders besides `outputDir` under which a pipeline's `resultsDir` may lie
   * (`HUBRUN_RESULTS_ROOTS`), checked by real path (see `results-folder.ts`). @default []
   */
  resultsRoots?: readonly string[];
  /**
   * The worker's results destination (`HUBRUN_RESULTS_URL`): `file:///...` or `s3://bucket/prefix`.
   * @default `file://` + `outputDir`
   */
  resultsUrl?: string | undefined;
  /** `s3:` URLs besides `resultsUrl` at or below which a pipeline's `resultsUrl` may lie (`HUBRUN_RESULTS_URLS`). @default [] */
  resultsUrls?: readonly string[];
  /** Path-style S3 requests (`HUBRUN_S3_FORCE_PATH_STYLE`), as MinIO wants; the SDK reads endpoint, region and credentials itself. @default false */
  s3ForcePathStyle?: boolean;
  /**
   * Folders whose files a pipeline's `files` may name (`HUBRUN_FILES_ROOTS`); a file is read only
   * when its real path lies under one of them (see `file-access.ts`).
   */
  filesRoots: readonly string[];
  /**
   * The worker's own secret files (token, PDF passwords, TLS keys), real paths: never uploaded,
   * even from under a files root.
   */
  secretFiles: readonly string[];
  /** Clock in epoch milliseconds. @default Date.now */
  now?: () => number;
  /** Random numbers in [0, 1), for jitter. @default Math.random */
  random?: () => number;
  /**
   * How long after a start call whose outcome is unknown (timeout, lost connection, 5xx) the
   * start keeps looking for the run it may have created before it may POST again, in ms.
   * @default 120000
   */
  startSettleMs?: number;
  /** Outcome notifications' default receiver, kinds and secret. @default none: a pipeline's notifications fail (visibly, never the pipeline) */
  notify?: NotifyDeps | undefined;
}
