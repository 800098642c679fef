/**
 * Resource use of a process from Linux's /proc: resident memory now and at its peak, and CPU
 * time, so the benchmarks measure the worker (or the Temporal server) and nothing else.
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/PID/stat CPU times (USER_HZ; 100 on every Linux we run on). */
const TICKS_PER_SECOND = 100;

/** One reading of a process. */
export interface ProcReading {
  /** Resident set size now, bytes (VmRSS). */
  rssBytes: number;
  /** Peak resident set size since the process started, bytes (VmHWM). */
  peakRssBytes: number;
  /** User + system CPU time since the process started, ms. */
  cpuMs: number;
  /** When the reading was taken, ms since the epoch. */
  at: number;
}

function statusKb(status: string, key: string): number {
  const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

/** Reads `pid`'s memory and CPU; undefined when the process is gone (or /proc is absent). */
export function readProc(pid: number): ProcReading | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return {
      rssBytes: statusKb(status, 'VmRSS'),
      peakRssBytes: statusKb(status, 'VmHWM'),
      cpuMs: ((utime + stime) * 1000) / TICKS_PER_SECOND,
      at: Date.now(),
    };
  } catch {
    return undefined;
  }
}

/** CPU used between two readings, as a share of one core (1 = one core busy all the time). */
export function cpuCores(from: ProcReading, to: ProcReading): number {
  const wall = to.at - from.at;
  return wall > 0 ? (to.cpuMs - from.cpuMs) / wall : 0;
}

/** Samples a process every `intervalMs` and keeps the largest RSS seen. */
export class ProcSampler {
  private timer: NodeJS.Timeout | undefined;
  /** Largest VmRSS seen by the sampler, bytes. */
  maxRssBytes = 0;
  last: ProcReading | undefined;

  constructor(
    readonly pid: number,
    private readonly intervalMs = 500,
  ) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  /** Takes a reading now (also updates the maximum). */
  sample(): ProcReading | undefined {
    const reading = readProc(this.pid);
    if (reading !== undefined) {
      this.last = reading;
      this.maxRssBytes = Math.max(this.maxRssBytes, reading.rssBytes);
    }
    return reading;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
