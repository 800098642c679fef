/**
 * Counts AI Hub calls on a Temporal metric meter: the worker hands {@link recordAihubCalls}'s
 * callback to the AI Hub client (`onExchange`), which calls it after every HTTP exchange, so
 * the client itself stays free of Temporal.
 */
import type { MetricMeter } from '@temporalio/common';
import type { AihubExchange } from '../aihub';
import { metrics, statusClass } from './names';

/** A callback that records each AI Hub exchange on `meter` (calls, 429s, latency). */
export function recordAihubCalls(meter: MetricMeter): (exchange: AihubExchange) => void {
  const calls = meter.createCounter(
    metrics.aihubCalls.name,
    metrics.aihubCalls.unit,
    metrics.aihubCalls.description,
  );
  const throttled = meter.createCounter(
    metrics.aihubThrottled.name,
    metrics.aihubThrottled.unit,
    metrics.aihubThrottled.description,
  );
  const duration = meter.createHistogram(
    metrics.aihubCallDuration.name,
    'float',
    metrics.aihubCallDuration.unit,
    metrics.aihubCallDuration.description,
  );
  return (exchange) => {
    const { endpoint } = exchange;
    calls.add(1, { endpoint, status_class: statusClass(exchange.status) });
    if (exchange.status === 429) {
      throttled.add(1, { endpoint, retry_after: exchange.retryAfter ? 'true' : 'false' });
    }
    duration.record(exchange.durationMs / 1000, { endpoint });
  };
}
