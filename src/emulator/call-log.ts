/** Counts and logs every API call by endpoint name, for tests and benchmarks (`GET /_emulator/calls`). */
import { endpointNames } from '../aihub/endpoints';
import type { EndpointName } from '../aihub/endpoints';
import type { FaultRule } from './types';

/** One API call. `status` is 0 until the answer is sent, and stays 0 when the connection was closed without one. */
export interface CallLogEntry {
  endpoint: EndpointName;
  method: string;
  path: string;
  status: number;
  /** Arrival, ms since the epoch. */
  at: number;
  /** The fault injected into this call, if any. */
  fault?: FaultRule['kind'];
  /** The `Retry-After` header sent with an injected error answer, as sent. */
  retryAfter?: string;
}

/** `GET /_emulator/calls`. */
export interface CallsSnapshot {
  counts: Record<EndpointName, number>;
  log: CallLogEntry[];
}

/** Entries kept at most; the oldest tenth is dropped when full. */
const MAX_LOG_ENTRIES = 100_000;

function zeroCounts(): Record<EndpointName, number> {
  return Object.fromEntries(endpointNames.map((name) => [name, 0])) as Record<EndpointName, number>;
}

/** In-memory call counters and log (not persisted). */
export class CallLog {
  private counts = zeroCounts();
  private log: CallLogEntry[] = [];

  /** Records the arrival of a call; the entry is updated in place when the answer is known. */
  record(endpoint: EndpointName, method: string, path: string, at: number): CallLogEntry {
    this.counts[endpoint] += 1;
    const entry: CallLogEntry = { endpoint, method, path, status: 0, at };
    if (this.log.length >= MAX_LOG_ENTRIES) this.log.splice(0, MAX_LOG_ENTRIES / 10);
    this.log.push(entry);
    return entry;
  }

  snapshot(): CallsSnapshot {
    return { counts: { ...this.counts }, log: this.log.map((e) => ({ ...e })) };
  }

  reset(): void {
    this.counts = zeroCounts();
    this.log = [];
  }
}
