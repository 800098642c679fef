import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startEmulator } from '../../src/emulator';
import type { CallLogEntry, FaultRule } from '../../src/emulator';
import { sha256File } from '../../src/activities/results-sink';
import { quickWait, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { uniqueId } from '../helpers/pipeline-env';
import { deploymentPerPipeline, resultOf, tagOf, useFaultStack } from './support';

const PIPELINES = 100;
/** Short, so the run stays quick; longer than the dev server's ~1 s floor on retry delays, so an ignored one shows. */
const RETRY_AFTER_SECONDS = 2;

/**
 * Rules fire in order and the first that fires decides a call, so each rule's rate is its share
 * of all calls divided by what the earlier rules leave.
 */
function exclusiveShares(rules: { share: number; rule: FaultRule }[]): FaultRule[] {
  let left = 1;
  return rules.map(({ share, rule }) => {
    const rate = share / left;
    left -= share;
    return { ...rule, rate };
  });
}

/** On every API call: 2 % dropped connections, 5 % 429 with Retry-After, 10 % 5xx. */
const chaos: FaultRule[] = exclusiveShares([
  { share: 0.02, rule: { endpoint: '*', kind: 'drop' } },
  {
    share: 0.05,
    rule: { endpoint: '*', kind: 'error', status: 429, retryAfterSeconds: RETRY_AFTER_SECONDS },
  },
  { share: 0.04, rule: { endpoint: '*', kind: 'error', status: 500 } },
  { share: 0.03, rule: { endpoint: '*', kind: 'error', status: 502 } },
  { share: 0.03, rule: { endpoint: '*', kind: 'error', status: 503 } },
]);

/**
 * The deployment a call belongs to. Each pipeline runs its own deployment so that every call it
 * makes names it: the start (`/deployments/{id}/runs`), the reconciling list
 * (`?deployment_id=`), and the status checks and results pages (by run id).
 */
function deploymentOf(entry: CallLogEntry, deploymentOfRun: Map<string, string>): string | undefined {
  const url = new URL(entry.path, 'http://emulator');
  const [, , , , collection, id] = url.pathname.split('/'); // '', 'api', 'v2', 'apps', ...
  if (collection === 'deployments' && id !== undefined) return decodeURIComponent(id);
  if (collection === 'runs' && id !== undefined) return deploymentOfRun.get(decodeURIComponent(id));
  if (collection === 'runs') return url.searchParams.get('deployment_id') ?? undefined;
  return undefined;
}

describe('chaos: 100 pipelines through 10 % 5xx, 5 % 429 with Retry-After and 2 % dropped connections', () => {
  const stack = useFaultStack({
    emulator: () => startEmulator({ pageSize: 2 }),
    // A dropped or failed POST leaves its outcome unknown: the start settles it this long first.
    workerEnv: { HUBRUN_START_SETTLE_SECONDS: '5' },
  });

  it('all complete with one run each and the undisturbed results, none retried before its Retry-After', async (t) => {
    const { emulator, rig } = stack;
    const { admin } = rig;
    const batchId = await seedBatch(emulator, sampleInvoices(5)); // three results pages each
    const reference = await rig.run({
      workflowId: uniqueId('reference'),
      deploymentId: 'dep-invoices',
      batchId,
      wait: quickWait,
    });
    const deployments = await deploymentPerPipeline(admin, 'dep-chaos', PIPELINES);

    await admin.resetCalls();
    await admin.setFaults(chaos);
    const started = Date.now();
    const handles = await Promise.all(
      deployments.map((deploymentId) =>
        rig.start({ workflowId: uniqueId(deploymentId), deploymentId, batchId, wait: quickWait }),
      ),
    );
    const results = await Promise.all(handles.map((handle) => resultOf(handle, 600_000)));
    const elapsedMs = Date.now() - started;
    await admin.setFaults([]);

    // All complete, each with the reference's results.
    for (const result of results) {
      assert.equal(result.status, 'COMPLETED');
      assert.equal(await sha256File(result.resultsPath), reference.resultsSha256, result.workflowId);
    }

    // No duplicate runs: one per pipeline, the one it reports, carrying its tag.
    const runs = (await admin.runs()).filter((run) => run.deploymentId?.startsWith('dep-chaos-'));
    assert.equal(runs.length, PIPELINES, `AI Hub holds ${runs.length} runs for ${PIPELINES} pipelines`);
    assert.equal(
      (await admin.stats()).runsTotal,
      PIPELINES + 1,
      'AI Hub started no run besides these and the reference',
    );
    for (const [i, result] of results.entries()) {
      const run = runs.find((r) => r.id === result.runId);
      assert.equal(run?.deploymentId, deployments[i]);
      assert.ok(
        run?.tags.includes(await tagOf(handles[i]!)),
        `run ${result.runId} carries its pipeline's tag`,
      );
    }

    // Never early on a Retry-After: the next call of the same pipeline comes no sooner.
    const { log } = await admin.calls();
    const deploymentOfRun = new Map(runs.map((run) => [run.id, run.deploymentId as string]));
    const byPipeline = new Map<string, CallLogEntry[]>();
    for (const entry of log) {
      const owner = deploymentOf(entry, deploymentOfRun);
      assert.ok(owner !== undefined, `call ${entry.method} ${entry.path} belongs to a pipeline`);
      byPipeline.set(owner, [...(byPipeline.get(owner) ?? []), entry]);
    }
    const early: string[] = [];
    let honoured = 0;
    let leastMarginMs = Infinity;
    for (const [owner, calls] of byPipeline) {
      calls.forEach((entry, i) => {
        if (entry.retryAfter === undefined) return;
        const next = calls[i + 1];
        assert.ok(next !== undefined, `${owner} called again after its ${entry.status}`);
        const marginMs = next.at - entry.at - Number(entry.retryAfter) * 1000;
        leastMarginMs = Math.min(leastMarginMs, marginMs);
        honoured += 1;
        if (marginMs < 0) {
          early.push(
            `${owner}: ${next.method} ${next.path} ${-marginMs} ms early after ${entry.status} on ${entry.path}`,
          );
        }
      });
    }
    assert.deepEqual(early, [], 'no call came before the Retry-After it was given');

    const injected = (kind: string, statuses: (s: number) => boolean): number =>
      log.filter((e) => e.fault === kind && statuses(e.status)).length;
    const drops = injected('drop', () => true);
    const throttled = injected('error', (s) => s === 429);
    const errors = injected('error', (s) => s >= 500);
    assert.equal(honoured, throttled, 'every 429 carried a Retry-After and was followed by a retry');
    assert.ok(drops > 0 && throttled > 0 && errors > 0, 'every kind of fault was injected');
    t.diagnostic(
      `${log.length} API calls: ${errors} 5xx, ${throttled} 429, ${drops} dropped; ` +
        `least margin after a Retry-After ${leastMarginMs} ms; ${PIPELINES} pipelines in ${(elapsedMs / 1000).toFixed(1)} s`,
    );
  });
});
