import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { installQuietRuntime } from '../helpers/temporal';
import { workflowBundle } from '../helpers/pipeline-env';

const folder = join(__dirname, '..', 'fixtures', 'histories');

test('histories recorded from every pipeline kind replay against the current workflow code', async () => {
  installQuietRuntime();
  const names = (await readdir(folder)).filter((n) => n.endsWith('.json')).sort();
  assert.ok(names.length >= 5, `found ${names.length} recorded histories`);
  const histories = await Promise.all(
    names.map(async (name) => ({
      workflowId: name.replace(/\.json$/, ''),
      // Decoded by @temporalio/proto itself, the same protobuf instance the worker uses.
      history: temporal.api.history.v1.History.fromObject(
        JSON.parse(await readFile(join(folder, name), 'utf8')) as Record<string, unknown>,
      ),
    })),
  );
  const codePath = await workflowBundle();
  const results = Worker.runReplayHistories({ workflowBundle: { codePath } }, histories);
  const failures: string[] = [];
  for await (const result of results) {
    if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
  }
  assert.deepEqual(failures, []);
});
