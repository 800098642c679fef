/**
 * `npm run bench`: hubrun against the naive ways on the local stack, side by side: history cost,
 * API load and detection lag, scale, throughput and start latency (issue #6), and how fast the
 * command line answers. Starts everything it needs on free ports (Temporal dev server or
 * time-skipping test server, the AI Hub emulator, hubrun's worker), prints each figure next to its
 * target, and writes bench/REPORT.md and bench/results.json.
 *
 *   npm run bench                      the full run (about 25 minutes on 2 cores: starting 10,000 pipelines dominates)
 *   npm run bench -- --quick           small sizes, for development (report written to a temp folder)
 *   npm run bench -- --only scale,api  some sections only
 *   npm run bench -- --profile         also CPU-profile the worker process (scale, throughput)
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { runApiLoad } from './api-load';
import { runCli } from './cli';
import type { BenchContext } from './context';
import { runHistoryCost } from './history-cost';
import { runLearnedWaits } from './learned-waits';
import { machineFacts } from './machine';
import { duration, reportMarkdown, sectionText } from './report';
import type { SectionResult } from './report';
import { runScale } from './scale';
import { bundleBaselineWorkflows, bundleHubrunWorkflows } from './stack/bundle';
import { runThroughput } from './throughput';

const sections: Record<string, (ctx: BenchContext) => Promise<SectionResult>> = {
  history: runHistoryCost,
  api: runApiLoad,
  learned: runLearnedWaits,
  scale: runScale,
  throughput: runThroughput,
  cli: runCli,
};

function failedSection(id: string, err: unknown): SectionResult {
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return {
    id,
    title: `${id}: did not complete`,
    method: '',
    tables: [],
    checks: [
      {
        name: `${id} completed`,
        value: 0,
        unit: '',
        target: 'completes',
        pass: false,
        note: message.split('\n')[0],
      },
    ],
    notes: ['```', message, '```'],
    data: { error: message },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      profile: { type: 'boolean', default: false },
    },
  });
  const only = values.only?.split(',').map((s) => s.trim());
  const unknown = (only ?? []).filter((id) => !(id in sections));
  if (unknown.length > 0)
    throw new Error(
      `--only: unknown section(s) ${unknown.join(', ')}; known: ${Object.keys(sections).join(', ')}`,
    );

  Runtime.install({
    logger: new DefaultLogger('WARN'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } },
  });
  const started = Date.now();
  const workDir = await mkdtemp(join(tmpdir(), 'hubrun-bench-'));
  const logDir = join(workDir, 'logs');
  await mkdir(logDir);
  const profileDir = values.profile ? join(workDir, 'profiles') : undefined;
  if (profileDir) await mkdir(profileDir);
  const log = (message: string): void => {
    process.stderr.write(`[${duration(Date.now() - started).padStart(8)}] ${message}\n`);
  };
  const facts = machineFacts();
  log(
    `machine: ${facts.cores} cores, ${facts.memoryGiB} GiB, Node ${facts.nodeVersion}, ${facts.temporalCli}; work dir ${workDir}`,
  );
  const [hubrunBundle, baselineBundle] = await Promise.all([
    bundleHubrunWorkflows(workDir),
    bundleBaselineWorkflows(workDir),
  ]);
  const ctx: BenchContext = {
    quick: values.quick,
    workDir,
    logDir,
    hubrunBundle,
    baselineBundle,
    profileDir,
    log,
  };

  const results: SectionResult[] = [];
  let failures = 0;
  for (const [id, run] of Object.entries(sections)) {
    if (only && !only.includes(id)) continue;
    log(`section ${id}: start`);
    const sectionStart = Date.now();
    let result: SectionResult;
    try {
      result = await run(ctx);
    } catch (err) {
      failures++;
      result = failedSection(id, err);
    }
    log(`section ${id}: done in ${duration(Date.now() - sectionStart)}`);
    console.log(sectionText(result));
    results.push(result);
  }

  const elapsedMs = Date.now() - started;
  const outDir = values.quick || only ? workDir : __dirname;
  const reportPath = join(outDir, 'REPORT.md');
  const jsonPath = join(outDir, 'results.json');
  const generatedAt = new Date().toISOString();
  await writeFile(reportPath, reportMarkdown(generatedAt, facts, values.quick, results, elapsedMs));
  await writeFile(
    jsonPath,
    JSON.stringify(
      {
        generatedAt,
        quick: values.quick,
        elapsedMs,
        machine: facts,
        sections: results,
      },
      null,
      2,
    ) + '\n',
  );
  const checks = results.flatMap((r) => r.checks);
  console.log(
    `\n${checks.filter((c) => c.pass).length} of ${checks.length} targets met in ${duration(elapsedMs)}`,
  );
  console.log(`report: ${reportPath}\nfigures: ${jsonPath}`);
  if (failures === 0 && !profileDir && outDir === __dirname)
    await rm(workDir, { recursive: true, force: true });
  else console.log(`logs${profileDir ? ' and profiles' : ''}: ${workDir}`);
  if (failures > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
