import assert from 'node:assert/strict';
import { mkdtemp, realpath, symlink, writeFile } from 'node:fs/promises';
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

describe('AIHUB_API_ROOT', () => {
  const token = { AIHUB_API_TOKEN: 'tok' };

  /** The problems loadConfig reports for `env`, or [] when it accepts it. */
  function problemsOf(env: Record<string, string>): string[] {
    try {
      loadConfig({ ...token, ...env });
      return [];
    } catch (err) {
      assert.ok(err instanceof ConfigError, String(err));
      return err.problems;
    }
  }

  it('takes https:// anywhere and http:// only on a loopback host', () => {
    for (const root of [
      'https://aihub.example.com/api',
      'http://127.0.0.1:7243/api',
      'http://127.8.9.10/api',
      'http://localhost:7243/api',
      'http://LOCALHOST/api',
      'http://[::1]:7243/api',
    ]) {
      assert.deepEqual(problemsOf({ AIHUB_API_ROOT: root }), [], root);
    }
  });

  it('refuses plain http:// to any other host, naming the variable and the way out', () => {
    for (const root of [
      'http://aihub.example.com/api',
      'http://10.0.0.5/api',
      'http://emulator:7243/api',
      'http://128.0.0.1/api',
      'http://localhost.example.com/api',
      'http://127.0.0.1.example.com/api',
    ]) {
      const problems = problemsOf({ AIHUB_API_ROOT: root });
      assert.equal(problems.length, 1, `${root}: ${problems.join('; ')}`);
      assert.match(problems[0] ?? '', /^AIHUB_API_ROOT: .*https:\/\/.*AIHUB_ALLOW_INSECURE_HTTP=true/, root);
    }
  });

  it('takes plain http:// anywhere only when AIHUB_ALLOW_INSECURE_HTTP=true', () => {
    const root = { AIHUB_API_ROOT: 'http://emulator:7243/api' };
    assert.deepEqual(problemsOf({ ...root, AIHUB_ALLOW_INSECURE_HTTP: 'true' }), []);
    assert.equal(problemsOf({ ...root, AIHUB_ALLOW_INSECURE_HTTP: 'false' }).length, 1);
    assert.match(
      problemsOf({ ...root, AIHUB_ALLOW_INSECURE_HTTP: 'yes' }).join('\n'),
      /AIHUB_ALLOW_INSECURE_HTTP: /,
    );
  });

  it('refuses schemes other than http and https', () => {
    assert.match(
      problemsOf({ AIHUB_API_ROOT: 'ftp://aihub.example.com/api' }).join('\n'),
      /^AIHUB_API_ROOT: /,
    );
  });
});

describe('HUBRUN_FILES_ROOTS and the secret files', () => {
  it('defaults to the working directory, splits on ":" and takes none', () => {
    assert.deepEqual(loadConfig({}).filesRoots, [process.cwd()]);
    assert.deepEqual(loadConfig({ HUBRUN_FILES_ROOTS: '/data/in:/srv/x/' }).filesRoots, [
      '/data/in',
      '/srv/x',
    ]);
    assert.deepEqual(loadConfig({ HUBRUN_FILES_ROOTS: 'none' }).filesRoots, []);
  });

  it('refuses a relative folder, naming the variable', () => {
    assert.throws(
      () => loadConfig({ HUBRUN_FILES_ROOTS: '/data/in:inbox' }),
      (err: unknown) =>
        err instanceof ConfigError && /HUBRUN_FILES_ROOTS: "inbox" is not an absolute path/.test(err.message),
    );
  });

  it('lists the token and password files by the path given and by their real path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hubrun-config-'));
    await writeFile(join(dir, 'token-v2'), 'tok\n');
    await writeFile(join(dir, 'passwords.json'), '{}');
    await symlink(join(dir, 'token-v2'), join(dir, 'token'));
    const config = loadConfig({
      AIHUB_API_ROOT: 'https://aihub.example.com/api',
      AIHUB_API_TOKEN_FILE: join(dir, 'token'),
      AIHUB_PDF_PASSWORDS_FILE: join(dir, 'passwords.json'),
    });
    const real = await realpath(dir);
    for (const path of [join(dir, 'token'), join(real, 'token-v2'), join(real, 'passwords.json')]) {
      assert.ok(config.secretFiles.includes(path), `${path} in ${config.secretFiles.join(', ')}`);
    }
  });
});

describe('settings the worker passes on', () => {
  it('HUBRUN_RESULTS_ROOTS: none by default, absolute folders split on ":"', () => {
    assert.deepEqual(loadConfig({}).resultsRoots, []);
    assert.deepEqual(loadConfig({ HUBRUN_RESULTS_ROOTS: '/mnt/a:/mnt/b' }).resultsRoots, [
      '/mnt/a',
      '/mnt/b',
    ]);
    assert.throws(
      () => loadConfig({ HUBRUN_RESULTS_ROOTS: 'out' }),
      /HUBRUN_RESULTS_ROOTS: "out" is not an absolute path/,
    );
  });

  it('HUBRUN_START_SETTLE_SECONDS: 120 s by default, 0 allowed, negative refused', () => {
    assert.equal(loadConfig({}).startSettleMs, 120_000);
    assert.equal(loadConfig({ HUBRUN_START_SETTLE_SECONDS: '0' }).startSettleMs, 0);
    assert.equal(loadConfig({ HUBRUN_START_SETTLE_SECONDS: '2.5' }).startSettleMs, 2_500);
    assert.throws(() => loadConfig({ HUBRUN_START_SETTLE_SECONDS: '-1' }), /HUBRUN_START_SETTLE_SECONDS: /);
  });

  it('HUBRUN_SHUTDOWN_GRACE_SECONDS: one request timeout plus 30 s by default', () => {
    assert.equal(loadConfig({}).shutdownGraceMs, 60_000);
    assert.equal(loadConfig({ AIHUB_REQUEST_TIMEOUT_MS: '90000' }).shutdownGraceMs, 120_000);
    assert.equal(loadConfig({ HUBRUN_SHUTDOWN_GRACE_SECONDS: '5' }).shutdownGraceMs, 5_000);
    assert.throws(
      () => loadConfig({ HUBRUN_SHUTDOWN_GRACE_SECONDS: 'soon' }),
      /HUBRUN_SHUTDOWN_GRACE_SECONDS: /,
    );
  });
});
