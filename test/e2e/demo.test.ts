import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(__dirname, '..', '..');

test('`hubrun demo` brings the local stack up, processes the sample invoices and exits 0', async () => {
  const outputDir = await mkdtemp(join(tmpdir(), 'hubrun-demo-'));
  const child = spawn(process.execPath, [join(root, 'bin', 'hubrun.js'), 'demo'], {
    cwd: root,
    env: { ...process.env, HUBRUN_OUTPUT_DIR: outputDir, AIHUB_API_ROOT: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 0, output);
  assert.match(output, /COMPLETED: 5 files, 5 documents, 20 fields, 0 in ERROR/);
  assert.match(output, /http:\/\/localhost:8233\/namespaces\/default\/workflows\/hubrun-demo-/);

  const [workflowFolder] = await readdir(outputDir);
  assert.ok(workflowFolder, 'a results folder was written');
  const [execution] = await readdir(join(outputDir, workflowFolder));
  assert.ok(execution, 'a folder of the workflow execution was written');
  const folder = join(workflowFolder, execution);
  const manifest = JSON.parse(await readFile(join(outputDir, folder, 'manifest.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const samples = await readdir(join(root, 'examples', 'invoices'));
  assert.equal(manifest.files, samples.length);
  const lines = (await readFile(join(outputDir, folder, 'results.jsonl'), 'utf8')).trim().split('\n');
  assert.equal(lines.length, samples.length);
});
