/**
 * The pipeline's outcome notifications, workflow side: which outcomes to tell about, the review
 * watch (entered, and overdue after the declared threshold), and the bookkeeping of deliveries
 * in `progress.notifications` and the `hubrun_notifications` metric. A notification that cannot
 * be delivered is recorded, never thrown: it does not fail the pipeline.
 */
import {
  condition,
  isCancellation,
  log,
  metricMeter,
  proxyActivities,
  proxyLocalActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { NotificationKind } from '../notifications/kinds';
import type { PipelineInput } from '../pipeline-input';
import { pipelineSummary } from '../pipeline-summary';
import { failureOf, failureTypes } from '../failure-types';
import { phases } from '../progress';
import type { PipelineProgress } from '../progress';
import { notifyCall, notifyRetryCall } from './activity-options';

/** Sends a pipeline's notifications; built by {@link createNotifier}. */
export interface Notifier {
  /** Tells about `kind` when the pipeline wants it; resolves once delivered or given up. */
  send(kind: NotificationKind, data?: Record<string, unknown>, checkpoint?: number): Promise<void>;
  /** Tells about the pipeline's failure: its stable type and message. */
  failed(err: unknown): Promise<void>;
  /** Watches the phase: each review entered is told, and once more when it outlasts the threshold. */
  watchReviews(): void;
}

/** The pipeline's {@link Notifier}, or undefined when its input declares no `notify`. */
export function createNotifier(input: PipelineInput, progress: PipelineProgress): Notifier | undefined {
  const notify = input.notify;
  if (notify === undefined) return undefined;
  const info = workflowInfo();
  const counts = { delivered: 0, failed: 0, lastError: null as string | null };
  progress.notifications = counts;
  const counter = metricMeter.createCounter(
    'hubrun_notifications',
    'notifications',
    'Outcome notifications of pipelines, by kind and outcome (delivered, failed)',
  );
  const wants = (kind: NotificationKind): boolean => notify.on === undefined || notify.on.includes(kind);
  const summary = pipelineSummary(input);

  const send: Notifier['send'] = async (kind, data = {}, checkpoint) => {
    if (!wants(kind)) return;
    const label = `notify ${kind}${checkpoint !== undefined ? ` (review ${checkpoint})` : ''}`;
    const quick = proxyLocalActivities<Activities>(notifyCall(label)).notifyOutcome;
    const patient = proxyActivities<Activities>(
      notifyRetryCall(notify.giveUpAfterSeconds, label),
    ).notifyOutcome;
    const deliver = async (args: Parameters<typeof quick>[0]): ReturnType<typeof quick> => {
      try {
        return await quick(args);
      } catch (err) {
        if (isCancellation(err) || failureOf(err).type === failureTypes.notificationRefused) throw err;
        return patient(args); // the receiver is down: the server retries, three events however long
      }
    };
    try {
      const sent = await deliver({
        kind,
        url: notify.url ?? null,
        on: notify.on ?? null,
        format: notify.format,
        namespace: info.namespace,
        workflowId: info.workflowId,
        workflowRunId: info.runId,
        ...(checkpoint !== undefined ? { checkpoint } : {}),
        time: new Date().toISOString(), // workflow time: the same in every attempt
        data: {
          summary,
          workflowId: info.workflowId,
          workflowRunId: info.runId,
          phase: progress.phase,
          aihubRunId: progress.runId,
          aihubRunStatus: progress.remoteStatus,
          batchId: progress.batchId,
          ...(checkpoint !== undefined ? { checkpoint } : {}),
          ...data,
        },
      });
      if (sent.delivered) {
        counts.delivered++;
        counter.add(1, { kind, outcome: 'delivered' });
      }
    } catch (err) {
      if (isCancellation(err)) throw err;
      counts.failed++;
      counts.lastError = failureOf(err).message;
      counter.add(1, { kind, outcome: 'failed' });
      log.warn('a notification was not delivered; the pipeline goes on', { kind, error: counts.lastError });
    }
  };

  const watchReviews = (): void => {
    const overdueSeconds = wants('review-overdue') ? notify.reviewOverdueSeconds : undefined;
    if (!wants('review') && overdueSeconds === undefined) return;
    const inReview = (): boolean => progress.phase === phases.reviewing;
    const watch = async (): Promise<void> => {
      for (let checkpoint = 1; ; checkpoint++) {
        await condition(inReview);
        const entered = Date.now();
        const told = send('review', {}, checkpoint);
        // One timer per checkpoint, only when a threshold is declared.
        if (overdueSeconds !== undefined && !(await condition(() => !inReview(), overdueSeconds * 1000))) {
          await send(
            'review-overdue',
            { waitedSeconds: Math.round((Date.now() - entered) / 1000) },
            checkpoint,
          );
        }
        await told;
        await condition(() => !inReview());
      }
    };
    watch().catch((err: unknown) => {
      if (!isCancellation(err)) log.warn('the review watch stopped', { error: failureOf(err).message });
    });
  };

  const failed: Notifier['failed'] = (err) => {
    const failure = failureOf(err);
    return send('failed', { failureType: failure.type ?? null, message: failure.message });
  };

  return { send, failed, watchReviews };
}
