/**
 * Live progress of a pipeline or fan-out while the CLI waits for it. On a terminal one status
 * line is redrawn in place every half second; elsewhere (a pipe, a CI log) a line is printed
 * each time something other than the clock changes. Progress goes to stderr, so stdout holds
 * only the summary (`--json` stays machine-readable).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { getFanOutProgress, getProgress } from '../pipeline-handles';
import type { FanOutHandle, LiveProgress, PipelineHandle } from '../pipeline-handles';
import type { FanOutProgress } from '../progress';

/** One view of progress: `key` is what changed (for line-by-line output), `text` the whole line. */
export interface ProgressLine {
  key: string;
  text: string;
}

/** Seconds as `42 s`, `3 min 5 s` or `2 h 10 min`. */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** A pipeline's progress as one line: phase, AI Hub status, checks, next check, files. */
export function pipelineLine(p: LiveProgress, now: number): ProgressLine {
  const key = [
    p.phase.padEnd(16),
    `run ${p.runId ?? '-'}`,
    `AI Hub ${p.remoteStatus ?? '-'}`,
    `checks ${p.checks}`,
    `files ${p.filesUploaded > 0 ? `${p.filesUploaded} up, ` : ''}${p.filesPaged} paged`,
  ].join('  ');
  const next =
    p.nextCheckAt !== null && Date.parse(p.nextCheckAt) > now
      ? `  next check in ${formatSeconds((Date.parse(p.nextCheckAt) - now) / 1000)}`
      : '';
  return { key, text: key + next + (p.lastError !== null ? `  last error: ${p.lastError}` : '') };
}

/** A fan-out's progress as one line. */
export function fanOutLine(p: FanOutProgress): ProgressLine {
  const key =
    `children ${p.started}/${p.total} started  ${p.completed} completed  ${p.failed} failed` +
    `${p.cancelled > 0 ? `  ${p.cancelled} cancelled` : ''}  ${p.running.length} running`;
  return { key, text: key };
}

/**
 * Shows progress on `out` until `result` settles, then returns it (or throws its error). A
 * failed progress read (the worker restarting, say) is skipped, not fatal.
 */
export async function watch<T>(
  result: Promise<T>,
  read: (now: number) => Promise<ProgressLine>,
  out: NodeJS.WriteStream = process.stderr,
): Promise<T> {
  const startedAt = Date.now();
  const settled = result.then(
    () => true,
    () => true,
  );
  let lastKey = '';
  let drawn = false;
  do {
    const now = Date.now();
    const line = await read(now).catch(() => undefined);
    if (line !== undefined) {
      const elapsed = `${formatSeconds((now - startedAt) / 1000).padStart(8)}  `;
      if (out.isTTY) {
        out.write(`\r\x1b[K${(elapsed + line.text).slice(0, (out.columns || 120) - 1)}`);
        drawn = true;
      } else if (line.key !== lastKey) {
        out.write(`${elapsed}${line.text}\n`);
      }
      lastKey = line.key;
    }
  } while (!(await Promise.race([settled, sleep(500).then(() => false)])));
  if (drawn) out.write('\n');
  return result;
}

/** {@link watch} for a pipeline. */
export function watchPipeline<T>(
  handle: PipelineHandle,
  result: Promise<T>,
  out?: NodeJS.WriteStream,
): Promise<T> {
  return watch(result, async (now) => pipelineLine(await getProgress(handle), now), out);
}

/** {@link watch} for a fan-out. */
export function watchFanOut<T>(
  handle: FanOutHandle,
  result: Promise<T>,
  out?: NodeJS.WriteStream,
): Promise<T> {
  return watch(result, async () => fanOutLine(await getFanOutProgress(handle)), out);
}
