/**
 * The review backlog's metric, recorded by the wait activity at each status check of a run in
 * review: how long the run has waited for its reviewer so far. Many pipelines on many workers
 * share the histogram, so "some run has waited longer than T" is a query over its buckets.
 */
import type { Context } from '@temporalio/activity';
import { metrics } from './names';

/** Records, on the activity's metric meter, that a run in review has waited `waitedMs` so far. */
export function recordReviewWait(ctx: Context, waitedMs: number): void {
  const spec = metrics.reviewWaitAge;
  ctx.metricMeter
    .createHistogram(spec.name, 'float', spec.unit, spec.description)
    .record(Math.max(0, waitedMs) / 1000);
}
