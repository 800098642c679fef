import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config';

describe('AIHUB_PDF_PASSWORDS_FILE', () => {
  const base = { AIHUB_API_ROOT: 'https://aihub.example.com/api', AIHUB_API_TOKEN: 'tok' };

  async function file(text: string): Promise<string> {
    const path = join(await mkdtemp(join(tmpdir(), 'hubrun-config-')), 'pdf-passwords.json');
    await writeFile(path, text);
    return path;
  }

  it('gives the worker the passwords by file name', async () => {
    const path = await file(JSON.stringify({ 'claim.pdf': 's3cret' }));
    const config = loadConfig({ ...base, AIHUB_PDF_PASSWORDS_FILE: path });
    assert.deepEqual(config.aihub?.pdfPasswords, { 'claim.pdf': 's3cret' });
  });

  it('names the variable, never a password, when the file is wrong', async () => {
    for (const text of ['not json', JSON.stringify({ 'claim.pdf': 42, other: 's3cret-in-bad-file' })]) {
      const path = await file(text);
      assert.throws(
        () => loadConfig({ ...base, AIHUB_PDF_PASSWORDS_FILE: path }),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError);
          assert.match(err.message, /AIHUB_PDF_PASSWORDS_FILE: /);
          assert.doesNotMatch(err.message, /s3cret/);
          return true;
        },
      );
    }
  });
});
