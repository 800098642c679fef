import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ApplicationFailure } from '@temporalio/common';
import { failureTypes } from '../../src/failure-types';
import { quickWait, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { causeChain, failureTypeOf, rejectionOf } from '../helpers/failures';
import { uniqueId } from '../helpers/pipeline-env';
import { useTemporal, withPipelineEnv } from './support';

describe('a pipeline chooses its results URL within what the worker allows', () => {
  const temporal = useTemporal();

  it('a file:// results URL under the worker’s output folder receives the results', async () => {
    await withPipelineEnv(temporal(), {}, async (env) => {
      const batchId = await seedBatch(env.emulator, sampleInvoices(2));
      const target = join(env.outputDir, 'nightly');
      const result = await env.withWorker(async () => {
        const handle = await env.start({
          workflowId: uniqueId('results-url'),
          appName: 'invoices',
          batchId,
          resultsUrl: pathToFileURL(target).href,
          wait: quickWait,
        });
        return handle.result();
      });
      assert.equal(result.files, 2);
      assert.ok(result.resultsPath.startsWith(`${target}/`), result.resultsPath);
    });
  });

  it('an s3:// results URL outside the worker’s own is bad input, and no run is started', async () => {
    await withPipelineEnv(temporal(), {}, async (env) => {
      const batchId = await seedBatch(env.emulator, sampleInvoices(1));
      const err = await rejectionOf(
        env.withWorker(
          async () => {
            const handle = await env.start({
              workflowId: uniqueId('results-url-refused'),
              appName: 'invoices',
              batchId,
              resultsUrl: 's3://someone-elses-bucket/results',
              wait: quickWait,
            });
            return handle.result();
          },
          { deps: { resultsUrl: 's3://hubrun-results/nightly' } },
        ),
      );
      assert.equal(failureTypeOf(err), failureTypes.badInput, String(err));
      const failure = causeChain(err).find((c): c is ApplicationFailure => c instanceof ApplicationFailure);
      assert.match(failure?.message ?? '', /resultsUrl: s3:\/\/someone-elses-bucket\/results is not within/);
      assert.equal((await env.admin.calls()).counts.runApp, 0, 'no run was started');
    });
  });
});
