/**
 * The `notifyOutcome` activity: delivers one outcome notification of a pipeline to the receiver
 * it declared (or the worker's default), signed with the worker's secret, which never enters a
 * workflow. Each attempt sends the same body under the same event id, so Temporal's retries are
 * safe for a receiver that drops duplicates by id.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  DEFAULT_NOTIFY_ON,
  deliverNotification,
  notificationEventId,
  notificationRequest,
} from '../notifications';
import type { NotificationFormat, NotificationKind } from '../notifications';
import { failureTypes, retryableFailureTypes } from '../failure-types';
import type { ActivityDeps } from './deps';

/** What the workflow asks `notifyOutcome` to deliver. */
export interface NotifyOutcomeInput {
  kind: NotificationKind;
  /** The pipeline's receiver; null: the worker's `HUBRUN_NOTIFY_URL`. */
  url: string | null;
  /** The kinds the pipeline wants; null: the worker's `HUBRUN_NOTIFY_ON`. */
  on: NotificationKind[] | null;
  format: NotificationFormat;
  namespace: string;
  workflowId: string;
  workflowRunId: string;
  /** Review checkpoint number (1 for the first), for review events. */
  checkpoint?: number;
  /** ISO time of the outcome (workflow time), the event's `time`. */
  time: string;
  data: Record<string, unknown>;
}

/** What `notifyOutcome` did: delivered under `eventId`, or skipped because no one asked for this kind. */
export interface NotifyOutcomeResult {
  eventId: string;
  delivered: boolean;
  status?: number;
}

/** Builds `notifyOutcome`. */
export function notifyOutcomeActivity(
  deps: ActivityDeps,
): (input: NotifyOutcomeInput) => Promise<NotifyOutcomeResult> {
  return async (input) => {
    const eventId = notificationEventId({ ...input, checkpoint: input.checkpoint });
    const on = input.on ?? deps.notify?.on ?? DEFAULT_NOTIFY_ON;
    if (!on.includes(input.kind)) return { eventId, delivered: false };
    const url = input.url ?? deps.notify?.url;
    const secret = deps.notify?.secret;
    if (url === undefined || secret === undefined) {
      throw ApplicationFailure.create({
        type: failureTypes.notificationRefused,
        message:
          url === undefined
            ? 'no notification receiver: the pipeline names no notify.url and the worker has no HUBRUN_NOTIFY_URL'
            : 'the worker holds no notification secret (HUBRUN_NOTIFY_SECRET or HUBRUN_NOTIFY_SECRET_FILE)',
        nonRetryable: true,
      });
    }
    const request = notificationRequest(
      {
        id: eventId,
        kind: input.kind,
        source: `hubrun/${input.namespace}/${input.workflowId}`,
        subject: input.workflowId,
        time: input.time,
        data: { ...input.data, eventId },
      },
      input.format,
      secret,
    );
    const outcome = await deliverNotification(url, request, Context.current().cancellationSignal);
    if (outcome.ok) return { eventId, delivered: true, status: outcome.status };
    throw ApplicationFailure.create({
      type: outcome.retryable
        ? retryableFailureTypes.notificationUndelivered
        : failureTypes.notificationRefused,
      message: `notification ${eventId} not delivered: ${outcome.message}`,
      nonRetryable: !outcome.retryable,
      ...(outcome.retryAfterMs !== undefined ? { nextRetryDelay: outcome.retryAfterMs } : {}),
    });
  };
}
