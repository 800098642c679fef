/**
 * Contract: run `start_timestamp` / `finish_timestamp` are 19-digit nanosecond integers, beyond
 * 2^53; they travel as bare JSON numbers and reach the caller as the identical decimal string.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EMULATOR_DEFAULT_TOKEN } from '../../src/emulator';
import { batchWith, quickApp, startContract, waitForRun, type Contract } from './support';

/** The bare (unquoted) integer the raw JSON text holds for `key`, or undefined. */
function bareInteger(text: string, key: string): string | undefined {
  return new RegExp(`"${key}"\\s*:\\s*(-?\\d+)\\s*[,}]`).exec(text)?.[1];
}

describe('contract: nanosecond timestamps', () => {
  let h: Contract;

  before(async () => {
    h = await startContract({ apps: [quickApp('app-two-checks', 'two-checks', 2)] });
  });
  after(() => h.close());

  const raw = async (path: string): Promise<string> => {
    const response = await fetch(`${h.emulator.url}${path}`, {
      headers: { authorization: `Bearer ${EMULATOR_DEFAULT_TOKEN}` },
    });
    assert.equal(response.status, 200);
    return response.text();
  };

  it('a start timestamp above 2^53 survives runApp, getRun, listRuns and results unchanged', async () => {
    const batchId = await batchWith(h.client, { 'a.txt': 'x' });
    const started = await h.client.runApp({ app_name: 'two-checks', batch_id: batchId });
    const start = started.start_timestamp;

    assert.equal(typeof start, 'string');
    assert.match(start ?? '', /^\d{19}$/);
    assert.ok(BigInt(start ?? '0') > 2n ** 53n, 'beyond Number.MAX_SAFE_INTEGER');
    // Nanoseconds of a current instant (not milliseconds or seconds).
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    assert.ok(nowNs - BigInt(start ?? '0') < 60_000_000_000n && BigInt(start ?? '0') <= nowNs + 1_000_000n);

    const running = await h.client.getRun(started.id); // check 1 of 2
    assert.equal(running.status, 'RUNNING');
    assert.equal(running.start_timestamp, start);

    const listed = await h.client.listRuns({ run_id: started.id });
    assert.deepEqual(
      listed.map((r) => [r.id, r.start_timestamp]),
      [[started.id, start]],
    );

    // On the wire it is a bare number (a double would not hold it: JSON.parse rounds it).
    const wire = await raw(`/v2/apps/runs/${started.id}`); // check 2 of 2: COMPLETE
    assert.equal(bareInteger(wire, 'start_timestamp'), start);
    assert.doesNotMatch(wire, /"start_timestamp"\s*:\s*"/, 'not a quoted string');
    assert.notEqual(String((JSON.parse(wire) as { start_timestamp: number }).start_timestamp), start);
    const listWire = await raw(`/v2/apps/runs?run_id=${started.id}`);
    assert.equal(bareInteger(listWire, 'start_timestamp'), start);

    const complete = await h.client.getRun(started.id);
    assert.equal(complete.status, 'COMPLETE');
    assert.equal(complete.start_timestamp, start);
    const results = await h.client.getRunResults(started.id);
    assert.equal(results.start_timestamp, start);
    assert.equal(results.finish_timestamp, complete.finish_timestamp);
  });

  it('the finish timestamp is a 19-digit bare number that the client keeps exactly', async () => {
    const batchId = await batchWith(h.client, { 'a.txt': 'x' });
    const started = await h.client.runApp({ app_name: 'two-checks', batch_id: batchId });
    const run = await waitForRun(h.client, started.id);
    assert.equal(run.status, 'COMPLETE');
    const finish = run.finish_timestamp;
    assert.match(finish ?? '', /^\d{19}$/);
    assert.ok(BigInt(finish ?? '0') >= BigInt(run.start_timestamp ?? '0'));

    const wire = await raw(`/v2/apps/runs/${started.id}`);
    assert.equal(bareInteger(wire, 'finish_timestamp'), finish);
    const resultsWire = await raw(`/v2/apps/runs/${started.id}/results`);
    assert.equal(bareInteger(resultsWire, 'finish_timestamp'), finish);
    assert.equal(bareInteger(resultsWire, 'start_timestamp'), run.start_timestamp);
  });

  it('a RUNNING run has no finish timestamp (null on the wire)', async () => {
    const batchId = await batchWith(h.client, { 'a.txt': 'x' });
    const started = await h.client.runApp({ app_name: 'two-checks', batch_id: batchId });
    assert.equal(started.finish_timestamp ?? null, null);
    const wire = await raw(`/v2/apps/runs?run_id=${started.id}`);
    assert.match(wire, /"finish_timestamp"\s*:\s*null/);
  });
});
