import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { installQuietRuntime } from '../helpers/temporal';
import { workflowBundle } from '../helpers/pipeline-env';

const folder = join(__dirname, '..', 'fixtures', 'histories');

/** Replays every history in `sub` (a folder under test/fixtures/histories) and lists the failures. */
async function replayFailures(sub: string): Promise<string[]> {
  installQuietRuntime();
  const dir = join(folder, sub);
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  assert.ok(names.length >= 7, `found ${names.length} recorded histories in ${dir}`);
  const histories = await Promise.all(
    names.map(async (name) => ({
      workflowId: name.replace(/\.json$/, ''),
      // Decoded by @temporalio/proto itself, the same protobuf instance the worker uses.
      history: temporal.api.history.v1.History.fromObject(
        JSON.parse(await readFile(join(dir, name), 'utf8')) as Record<string, unknown>,
      ),
    })),
  );
  const codePath = await workflowBundle();
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath } }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
  }
  return failures;
}

test('histories recorded from every pipeline kind replay against the current workflow code', async () => {
  assert.deepEqual(await replayFailures('.'), []);
});

test('histories recorded before input checks moved to a local activity still replay', async () => {
  // Pipelines started by that code may still be running: they take the unpatched branch.
  assert.deepEqual(await replayFailures('in-workflow-input-check'), []);
});

test('histories recorded before the date moved into the input check and deadlines went per stage still replay', async () => {
  // Pipelines started by that code take the branches without the dated-check-and-stage-deadlines patch.
  assert.deepEqual(await replayFailures('before-dated-check'), []);
});
