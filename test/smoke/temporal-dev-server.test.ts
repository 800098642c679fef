import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from '@temporalio/worker';
import { searchAttributes } from '../../src/search-attributes';
import { startDevServer } from '../helpers/temporal';

test('the Temporal dev server starts from a local binary, runs a workflow, and knows our search attributes', async () => {
  const env = await startDevServer();
  try {
    const taskQueue = 'smoke-dev-server';
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('./trivial-workflow'),
      activities: { shout: ({ text }: { text: string }) => Promise.resolve(text.toUpperCase()) },
    });
    const result = await worker.runUntil(
      env.client.workflow.execute('trivial', { taskQueue, workflowId: 'smoke-1', args: [{ text: 'hello' }] }),
    );
    assert.equal(result, 'HELLO');

    const { customAttributes } = await env.connection.operatorService.listSearchAttributes({
      namespace: 'default',
    });
    for (const key of Object.values(searchAttributes)) {
      assert.ok(customAttributes && key.name in customAttributes, `${key.name} is registered`);
    }
  } finally {
    await env.teardown();
  }
});
