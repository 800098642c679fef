/**
 * What a pipeline can tell about and how: the notification kinds, formats and the checks on a
 * receiver's URL. Pure (no I/O): the pipeline input, the configuration, the workflow and the
 * delivery activity share it.
 */

/** Outcomes a pipeline can notify about: failure, completion, a review entered, a review waiting too long. */
export const notificationKinds = ['failed', 'completed', 'review', 'review-overdue'] as const;
/** One of {@link notificationKinds}. */
export type NotificationKind = (typeof notificationKinds)[number];

/** Notifications a worker sends when neither the pipeline nor `HUBRUN_NOTIFY_ON` names any. */
export const DEFAULT_NOTIFY_ON: readonly NotificationKind[] = ['failed', 'review-overdue'];

/** Body formats: a structured-mode CloudEvent, or a Slack-compatible incoming-webhook body. */
export const notificationFormats = ['cloudevents', 'slack'] as const;
/** One of {@link notificationFormats}. */
export type NotificationFormat = (typeof notificationFormats)[number];

/** Header carrying `sha256=<hex HMAC-SHA256 of the body>` under the worker's notification secret. */
export const SIGNATURE_HEADER = 'x-hubrun-signature';

/** CloudEvents `type` of a notification kind, e.g. `com.hubrun.pipeline.failed`. */
export function eventTypeOf(kind: NotificationKind): string {
  return `com.hubrun.pipeline.${kind}`;
}

/**
 * The event's id: the same for every delivery attempt of one event, so a receiver drops
 * duplicates by it. Review events carry their checkpoint's number (1 for the first review).
 */
export function notificationEventId(ids: {
  workflowId: string;
  workflowRunId: string;
  kind: NotificationKind;
  checkpoint?: number | undefined;
}): string {
  const checkpoint = ids.checkpoint !== undefined ? `:${ids.checkpoint}` : '';
  return `hubrun:${ids.workflowId}:${ids.workflowRunId}:${ids.kind}${checkpoint}`;
}

/** Whether `host` is a loopback host: 127.0.0.0/8, `::1` or `localhost`. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(host);
}

/**
 * Why `url` cannot receive notifications, or undefined when it can: it must be `https://`, or
 * `http://` to a loopback host (the events tell what runs where), and carry no user or password.
 */
export function notifyUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (parsed.username !== '' || parsed.password !== '') return 'must not carry a user or password';
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname)) return undefined;
  return 'must be https:// (plain http:// only to a loopback host such as 127.0.0.1 or localhost)';
}
