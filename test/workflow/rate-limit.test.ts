import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getProgress } from '../../src/client';
import type { CallLogEntry } from '../../src/emulator/call-log';
import type { FaultRule } from '../../src/emulator';
import { quickWait, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { uniqueId } from '../helpers/pipeline-env';
import { pollUntil, within } from '../helpers/waiting';
import { useTemporal, withPipelineEnv } from './support';

/**
 * Longer than the ~1 s the Temporal dev server puts between retries at the least, and than the
 * quick wait's own delay, so only a hubrun that honours Retry-After waits this long.
 */
const RETRY_AFTER_SECONDS = 2;
const STORM = 4;

/**
 * The earliest moment the `Retry-After` of a 429 that arrived at `at` allows the next call, as far
 * as the call log can tell (the header is computed a hair after arrival, so this never overstates it).
 * - delta seconds: `at + n s`;
 * - HTTP date: the emulator writes `at + n s` as an HTTP date, which drops the milliseconds, so the
 *   stated moment is the start of that second: floor((at + n s) / 1 s).
 */
function earliestAllowed(at: number, format: 'seconds' | 'http-date'): number {
  const after = at + RETRY_AFTER_SECONDS * 1000;
  return format === 'seconds' ? after : Math.floor(after / 1000) * 1000;
}

describe("a 429 storm on status checks is waited out as the server's Retry-After says", () => {
  const temporal = useTemporal();

  async function stormAndCheck(format: 'seconds' | 'http-date'): Promise<void> {
    const faults: FaultRule[] = [
      {
        endpoint: 'getRun',
        kind: 'error',
        status: 429,
        retryAfterSeconds: RETRY_AFTER_SECONDS,
        retryAfterFormat: format,
        times: STORM,
      },
    ];
    await withPipelineEnv(temporal(), { faults }, async (env) => {
      const batchId = await seedBatch(env.emulator, sampleInvoices(2));
      const result = await env.withWorker(async () => {
        const handle = await env.start({
          workflowId: uniqueId(`rate-limit-${format}`),
          appName: 'invoices',
          batchId,
          wait: quickWait,
        });
        const limited = await pollUntil('the 429 to show in the progress', async () => {
          const live = await getProgress(handle);
          return live.lastError !== null ? live : undefined;
        });
        assert.match(limited.lastError ?? '', /429/);
        return within(60_000, 'the pipeline completing', handle.result());
      });
      assert.equal(result.status, 'COMPLETED');
      assert.equal(result.files, 2);

      const checks: CallLogEntry[] = (await env.admin.calls()).log
        .filter((c) => c.endpoint === 'getRun')
        .sort((a, b) => a.at - b.at);
      const limited = checks.filter((c) => c.status === 429);
      assert.equal(limited.length, STORM, 'every 429 of the storm was met');
      checks.forEach((call, i) => {
        const next = checks[i + 1];
        if (call.status !== 429) return;
        assert.ok(next !== undefined, 'a 429 is followed by another check');
        const earliest = earliestAllowed(call.at, format);
        assert.ok(
          next.at >= earliest,
          `check ${i + 2} came ${earliest - next.at} ms before the Retry-After of check ${i + 1} allowed`,
        );
      });
    });
  }

  it('Retry-After in delta seconds holds off the next check that long', async () => {
    await stormAndCheck('seconds');
  });

  it('Retry-After as an HTTP date holds off the next check until that date', async () => {
    await stormAndCheck('http-date');
  });
});
