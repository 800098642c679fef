/**
 * Delivers one notification over HTTP: a structured-mode CloudEvent (the `cloudevents` package)
 * or a Slack-compatible body, signed with HMAC-SHA256 over the exact body bytes. One attempt per
 * call and no retry loop: Temporal retries the activity.
 */
import { createHmac } from 'node:crypto';
import { CloudEvent, HTTP } from 'cloudevents';
import { eventTypeOf, SIGNATURE_HEADER } from './kinds';
import type { NotificationFormat, NotificationKind } from './kinds';

/** Longest time one delivery attempt waits for the receiver. */
export const DELIVERY_TIMEOUT_MS = 10_000;

/** One event to deliver; `time` and `data` are fixed by the workflow, so every attempt sends the same body. */
export interface NotificationEvent {
  id: string;
  kind: NotificationKind;
  /** `hubrun/<namespace>/<workflow id>`. */
  source: string;
  /** The pipeline's workflow id. */
  subject: string;
  /** ISO time of the outcome (workflow time). */
  time: string;
  data: Record<string, unknown>;
}

/** What a delivery attempt ended with. */
export type DeliveryOutcome =
  { ok: true; status: number } | { ok: false; retryable: boolean; message: string; retryAfterMs?: number };

/** The body and headers of `event` in `format`, signed with `secret`. */
export function notificationRequest(
  event: NotificationEvent,
  format: NotificationFormat,
  secret: string,
): { headers: Record<string, string>; body: string } {
  let headers: Record<string, string>;
  let body: string;
  if (format === 'slack') {
    headers = { 'content-type': 'application/json' };
    body = JSON.stringify({ text: slackText(event) });
  } else {
    const message = HTTP.structured(
      new CloudEvent({
        specversion: '1.0',
        id: event.id,
        type: eventTypeOf(event.kind),
        source: event.source,
        subject: event.subject,
        time: event.time,
        datacontenttype: 'application/json',
        data: event.data,
      }),
    );
    headers = Object.fromEntries(
      Object.entries(message.headers).map(([k, v]) => [k.toLowerCase(), String(v)]),
    );
    body = String(message.body);
  }
  const signature = createHmac('sha256', secret).update(body, 'utf8').digest('hex');
  return {
    headers: { ...headers, [SIGNATURE_HEADER]: `sha256=${signature}`, 'idempotency-key': event.id },
    body,
  };
}

/** One line for a Slack channel: what happened to which pipeline. */
function slackText(event: NotificationEvent): string {
  const d = event.data;
  const parts = [`hubrun: pipeline ${event.subject} ${event.kind}`];
  if (typeof d.summary === 'string') parts.push(`(${d.summary})`);
  if (typeof d.failureType === 'string') parts.push(`- ${d.failureType}`);
  if (typeof d.message === 'string') parts.push(`: ${d.message}`);
  if (typeof d.resultsPath === 'string') parts.push(`- results in ${d.resultsPath}`);
  return parts.join(' ');
}

/** The receiver as error text: origin and path, never a query string (webhook URLs carry tokens there). */
export function safeUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

/**
 * POSTs one signed notification to `url`, redirects not followed. 2xx is delivered; 408, 429,
 * 5xx and network errors are worth retrying; any other answer is a refusal.
 */
export async function deliverNotification(
  url: string,
  request: { headers: Record<string, string>; body: string },
  signal?: AbortSignal,
): Promise<DeliveryOutcome> {
  const timeout = AbortSignal.timeout(DELIVERY_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: signal !== undefined ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (err) {
    const reason =
      err instanceof Error ? ((err.cause as { code?: string } | undefined)?.code ?? err.name) : 'error';
    return { ok: false, retryable: true, message: `cannot reach ${safeUrl(url)} (${reason})` };
  }
  await response.body?.cancel().catch(() => undefined);
  if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
  const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
  const retryAfter = Number(response.headers.get('retry-after'));
  return {
    ok: false,
    retryable,
    message: `${safeUrl(url)} answered HTTP ${response.status}`,
    ...(retryable && Number.isFinite(retryAfter) && retryAfter > 0
      ? { retryAfterMs: retryAfter * 1000 }
      : {}),
  };
}
