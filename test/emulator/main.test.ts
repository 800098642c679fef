import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from './support';

describe('emulator process', () => {
  it('starts as a separate process, prints its URL and flushes its state on SIGTERM', async () => {
    const { dir, cleanup } = await tempDir();
    const stateFile = join(dir, 'state.json');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, '../../src/emulator/main.ts'), '--port', '0', '--state', stateFile],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(out.trim());
        });
        child.on('exit', (code) => reject(new Error(`exited with ${code}`)));
      });
      const match =
        /^AI Hub emulator listening on (http:\/\/127\.0\.0\.1:(\d+)\/api) \(token: emulator-token\)$/.exec(
          line,
        );
      assert.ok(match, line);
      assert.notEqual(match[2], '0');
      const created = await fetch(`${match[1]}/v2/batches`, {
        method: 'POST',
        headers: { authorization: 'Bearer emulator-token', 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'from another process' }),
      });
      assert.equal(created.status, 200);
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      const state = JSON.parse(await readFile(stateFile, 'utf8')) as { batches: Record<string, unknown> };
      assert.equal(Object.values(state.batches).length, 1);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await cleanup();
    }
  });
});
