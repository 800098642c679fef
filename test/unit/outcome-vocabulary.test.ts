/**
 * hubrun says `COMPLETED` for a pipeline, a fan-out and a child that completed; pipelines closed by
 * earlier workers said `COMPLETE`, and their results (in Temporal and in recorded histories) still
 * do. Those results are read as completed and reported in the one current word.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, mock } from 'node:test';
import { temporal } from '@temporalio/proto';
import { defaultPayloadConverter } from '@temporalio/common';
import { pipelineSummary } from '../../src/cli/run-command';
import { printPipelineResult } from '../../src/cli/print-results';
import { currentPipelineResult, isCompleted } from '../../src/results';
import type { StoredPipelineResult } from '../../src/results';

const histories = join(__dirname, '..', 'fixtures', 'histories');
const { EventType } = temporal.api.enums.v1;

/** The pipeline results in a recorded history: its children's, or its own. */
async function recordedPipelineResults(name: string): Promise<StoredPipelineResult[]> {
  const history = temporal.api.history.v1.History.fromObject(
    JSON.parse(await readFile(join(histories, name), 'utf8')) as Record<string, unknown>,
  );
  return (history.events ?? []).flatMap((event) => {
    const payload =
      event.eventType === EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED
        ? event.childWorkflowExecutionCompletedEventAttributes?.result?.payloads?.[0]
        : event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED && name !== 'fan-out.json'
          ? event.workflowExecutionCompletedEventAttributes?.result?.payloads?.[0]
          : undefined;
    return payload ? [defaultPayloadConverter.fromPayload<StoredPipelineResult>(payload)] : [];
  });
}

/** What `fn` writes with console.log. */
function logged(fn: () => void): string {
  const log = mock.method(console, 'log', () => undefined);
  try {
    fn();
    return log.mock.calls.map((call) => call.arguments.join(' ')).join('\n');
  } finally {
    log.mock.restore();
  }
}

void describe('a pipeline result written by an earlier worker (status COMPLETE)', () => {
  void it("is a fan-out child's result in the recorded fan-out history", async () => {
    const [child, ...others] = await recordedPipelineResults('fan-out.json');
    assert.equal(others.length, 0);
    assert.equal(child?.status, 'COMPLETE', 'the recorded history holds the earlier word');
  });

  void it("gives run --json's summary the status COMPLETED", async () => {
    const [child] = await recordedPipelineResults('fan-out.json');
    assert.ok(child);
    const summary = pipelineSummary(child);
    assert.equal(summary.status, 'COMPLETED');
    assert.equal(summary.runId, child.runId);
    assert.equal(summary.files, child.files);
  });

  void it('is printed for people as COMPLETED', async () => {
    const [own] = await recordedPipelineResults('adopt-run.json');
    assert.ok(own);
    assert.equal(own.status, 'COMPLETE');
    assert.match(
      logged(() => printPipelineResult(own)),
      /^COMPLETED: \d+ files/,
    );
  });
});

void describe('isCompleted', () => {
  void it('accepts the current word and the one earlier workers wrote, and nothing else', () => {
    assert.equal(isCompleted('COMPLETED'), true);
    assert.equal(isCompleted('COMPLETE'), true);
    for (const other of ['FAILED', 'CANCELLED', 'STARTED', 'completed', ''])
      assert.equal(isCompleted(other), false, other);
  });

  void it("reads every recorded pipeline's own result as completed, in the current word", async () => {
    const names = (await readdir(histories)).filter((n) => n.endsWith('.json') && n !== 'fan-out.json');
    const results = (await Promise.all(names.map(recordedPipelineResults))).flat();
    assert.ok(
      results.length >= 5,
      `found ${results.length} completed pipelines in ${names.length} histories`,
    );
    for (const result of results) {
      assert.ok(isCompleted(result.status), `${result.workflowId}: ${result.status}`);
      const current = currentPipelineResult(result);
      assert.deepEqual(current, { ...result, status: 'COMPLETED' });
    }
  });
});
