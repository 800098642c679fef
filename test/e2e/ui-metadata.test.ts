import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { chromium } from 'playwright-core';
import { temporalCliPath } from '../../src/dev/temporal-binaries';
import { searchAttributeKeys } from '../../src/search-attributes';
import { quickWait, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { startPipelineEnv, uniqueId } from '../helpers/pipeline-env';
import type { PipelineEnv } from '../helpers/pipeline-env';
import { freePort } from '../helpers/processes';
import { installQuietRuntime } from '../helpers/temporal';
import { within } from '../helpers/waiting';

const run = promisify(execFile);

/** Debian's chromium (CI installs it); playwright-core never downloads a browser. */
const CHROMIUM = '/usr/bin/chromium';

/** A metadata payload as text. */
function textOf(payload: temporal.api.common.v1.IPayload | null | undefined): string | undefined {
  return payload ? defaultPayloadConverter.fromPayload<string>(payload) : undefined;
}

describe('the Temporal UI tells what a pipeline is about without opening its payloads', () => {
  let temporalEnv: TestWorkflowEnvironment;
  let env: PipelineEnv;
  let uiPort: number;

  before(async () => {
    installQuietRuntime();
    uiPort = await freePort();
    temporalEnv = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: temporalCliPath() },
        searchAttributes: searchAttributeKeys,
        log: { format: 'pretty', level: 'error' },
        ui: true,
        uiPort,
      },
    });
    env = await startPipelineEnv({ temporal: temporalEnv });
  });
  after(async () => {
    await env.close();
    await temporalEnv.teardown();
  });

  it('shows the summary, details, activity summaries and current details, in the server and in the Web UI', async () => {
    const batchId = await seedBatch(env.emulator, sampleInvoices(2));
    const workflowId = uniqueId('ui-metadata');
    const summary = `invoices on batch ${batchId}`;
    const details = await env.withWorker(async () => {
      const handle = await env.start({ workflowId, appName: 'invoices', batchId, wait: quickWait });
      await within(30_000, 'the pipeline completing', handle.result());
      const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
      return metadata.currentDetails ?? '';
    });
    assert.match(details, /\*\*Phase\*\*: COMPLETED/);
    assert.match(details, /\*\*AI Hub run\*\*: run-\S+ \(COMPLETE\)/);

    // The server: `temporal workflow describe` and the history events.
    const described = await run(temporalCliPath(), [
      'workflow',
      'describe',
      '--workflow-id',
      workflowId,
      '--address',
      temporalEnv.address,
      '--output',
      'json',
    ]);
    const description = JSON.parse(described.stdout) as {
      executionConfig?: { userMetadata?: { summary?: unknown; details?: unknown } };
    };
    assert.equal(description.executionConfig?.userMetadata?.summary, summary);
    assert.match(String(description.executionConfig?.userMetadata?.details), /\*\*App\*\*: invoices/);

    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    const events = history.events ?? [];
    assert.equal(textOf(events[0]?.userMetadata?.summary), summary);
    assert.match(textOf(events[0]?.userMetadata?.details) ?? '', /\*\*Started by\*\*: hubrun client/);
    const activitySummaries = events
      .filter((e) => e.activityTaskScheduledEventAttributes)
      .map((e) => textOf(e.userMetadata?.summary));
    assert.ok(activitySummaries.includes(`start run of ${summary}`), activitySummaries.join(', '));
    assert.ok(
      activitySummaries.some((s) => s?.startsWith('wait for run-')),
      activitySummaries.join(', '),
    );
    assert.ok(
      activitySummaries.some((s) => s?.startsWith('page results of run-')),
      activitySummaries.join(', '),
    );

    // The dev server's Web UI, in a real headless browser.
    // A fresh profile (playwright passes it as --user-data-dir).
    const profile = await mkdtemp(join(tmpdir(), 'hubrun-chromium-'));
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${uiPort}/namespaces/default/workflows/${workflowId}`);
      await page.getByText(summary).first().waitFor({ state: 'visible', timeout: 60_000 });
    } finally {
      await browser.close();
    }
  });
});
