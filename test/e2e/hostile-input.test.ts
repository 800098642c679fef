/**
 * Hostile input: malformed pipelines through every door hubrun has — the CLI (`hubrun run`,
 * `hubrun schedule apply`), the client helpers (`startPipeline`, `startFanOut`) and a raw
 * workflow start by another service that does not use hubrun's code. Each row must be refused
 * with an error naming the field, the emulator must see no call at all, and nothing may be
 * written outside the worker's output folder (which stays empty).
 *
 * Hostile paths and ids carry a random marker, so a file written where it should not be is
 * found by name next to the repository, the temp folder and the file system root.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { link, mkdir, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Worker } from '@temporalio/worker';
import { PipelineInputError, startFanOut, startPipeline } from '../../src/client';
import type { FanOutInputDraft } from '../../src/fan-out-input';
import { failureOf, failureTypes } from '../../src/failure-types';
import { workflowTypes } from '../../src/names';
import { repoRoot, runCli } from '../helpers/cli';
import { failureTypeOf, rejectionOf } from '../helpers/failures';
import { startPipelineEnv } from '../helpers/pipeline-env';
import type { PipelineEnv } from '../helpers/pipeline-env';
import { within } from '../helpers/waiting';
import { totalCalls } from '../workflow/support';

/** In every hostile path and id: what a leak would be named after. */
const marker = `hostile-${randomUUID().slice(0, 8)}`;
/** Temp root: the worker's output folder and the fixture files, and nothing else, before and after. */
const root = join(tmpdir(), `hubrun-hostile-input-${randomUUID().slice(0, 8)}`);
/** The worker's output folder: stays empty. */
const outputDir = join(root, 'output');
const fixtures = join(root, 'fixtures');
const fixture = (name: string): string => join(fixtures, name);

/**
 * The worker's own secret files, here inside the fixtures: their contents must never be uploaded
 * nor appear in an error.
 */
const secretText = `aihub_sk_hostile_${marker}`;
const tokenFile = fixture('secrets/aihub-api-token');
const passwordsFile = fixture('secrets/pdf-passwords.json');
/** The narrow worker reads files only under this root; the wide one under `/`. */
const filesRoot = fixture('files-root');

/** Symlinks and hard links made next to the fixture files: `[path, target]`. */
const fixtureLinks: { symlinks: [string, string][]; hardLinks: [string, string][] } = {
  symlinks: [
    [fixture('files-root/token-link'), tokenFile],
    [fixture('files-root/up'), '..'],
    [fixture('files-root/environ-link'), '/proc/self/environ'],
  ],
  hardLinks: [[fixture('files-root/token-hardlink'), tokenFile]],
};

const yamlEntry = (lines: string): string => `schedules:\n  - id: nightly\n    timeZone: UTC\n${lines}`;
const dailyInput = `    cron: '0 2 * * *'\n    input: { appName: invoices, inputDir: "acme/Claims/fs/Instabase Drive/inbox/{date}" }\n`;

/** Fixture files (text) and folders (null) under `fixtures`. */
const fixtureFiles: Record<string, string | null> = {
  'good.txt': 'Invoice Number: INV-1\n',
  'a-folder': null,
  'a-folder/good.txt': 'Invoice Number: INV-2\n',
  'settings-not-json.json': '{ keys: custom }',
  'settings-array.json': '[{"keys":{}}]',
  'settings-unknown.json': '{"keys":{},"apiToken":"not-a-real-token"}',
  'settings-secret.json': '{"keys":{"secret":{"db":{"value":"s"}}}}',
  'folders-empty.txt': '# nothing tonight\n\n',
  'folders.txt': 'acme/Claims/fs/Instabase Drive/inbox/a\n',
  'schedules-broken.yaml': 'schedules: [ { id: nightly\n',
  'schedules-cron.yaml': yamlEntry(dailyInput.replace("'0 2 * * *'", "'61 2 * * *'")),
  'schedules-key.yaml': 'schedule: []\n',
  'schedules-results.yaml': yamlEntry(
    `    cron: '0 2 * * *'\n    input: { appName: invoices, batchId: 1, resultsDir: '${marker}/{date}' }\n`,
  ),
  'schedules-id.yaml': yamlEntry(
    `    cron: '0 2 * * *'\n    input: { appName: invoices, batchId: 1, workflowId: '../${marker}' }\n`,
  ),
  'schedules-zone.yaml': yamlEntry(dailyInput).replace('UTC', 'Mars/Olympus'),
  secrets: null,
  'secrets/aihub-api-token': `${secretText}\n`,
  'secrets/pdf-passwords.json': JSON.stringify({ 'claim.pdf': secretText }),
  'files-root': null,
  'files-root/ok.txt': 'Invoice Number: INV-3\n',
  'files-root-sibling': null,
  'files-root-sibling/good.txt': 'Invoice Number: INV-4\n',
};

/** One door into hubrun and the error it must give there. */
interface Refusal {
  /** Matched against the CLI's stderr, a `problems` line of a client helper, or the failure message. */
  error: RegExp;
}

/** One hostile input and the doors it is tried at. */
interface Row {
  name: string;
  /** `hubrun` arguments: exit 2, the error on stderr (one line for `run`), nothing on stdout. */
  cli?: Refusal & { args: string[] };
  /** `startPipeline(client, input)`: throws {@link PipelineInputError}. */
  client?: Refusal & { input: unknown };
  /** `startFanOut(client, input)`: throws {@link PipelineInputError}. */
  fanOut?: Refusal & { input: unknown };
  /** `client.workflow.start(type, { args: [input] })` by another service: fails `HubrunBadInput`. */
  raw?: Refusal & { input: unknown; type?: string; workflowId?: string };
  /**
   * A valid input whose `files` the worker must refuse to read: started with `startPipeline`, it
   * fails `HubrunBadInput` in the upload before any batch exists. `wide`: on the worker whose
   * files root is `/`, so only the secret and system file rules stand in the way.
   */
  worker?: Refusal & { files: string[]; wide?: boolean };
}

/** `hubrun run <args>`, refused with `error`. */
const run = (error: RegExp, ...args: string[]): Pick<Row, 'cli'> => ({
  cli: { args: ['run', ...args], error },
});
/** `hubrun schedule apply <file>`, refused with `error`. */
const apply = (file: string, error: RegExp): Pick<Row, 'cli'> => ({
  cli: { args: ['schedule', 'apply', file], error },
});
/** A pipeline input, refused alike by `startPipeline` and by the workflow started raw. */
const pipeline = (input: unknown, error: RegExp): Pick<Row, 'client' | 'raw'> => ({
  client: { input, error },
  raw: { input, error },
});
/** A fan-out input, refused alike by `startFanOut` and by the fan-out workflow started raw. */
const fanOut = (input: Record<string, unknown>, error: RegExp): Pick<Row, 'fanOut' | 'raw'> => ({
  fanOut: { input, error },
  raw: {
    input,
    error,
    type: workflowTypes.fanOut,
    ...(typeof input.workflowId === 'string' ? { workflowId: input.workflowId } : {}),
  },
});

const app = { appName: 'invoices' };
const batch = { batchId: 1 };
const folderInput = { inputDir: 'acme/Claims/fs/Instabase Drive/inbox/a' };
const fanOutBase = { template: app, inputs: [folderInput] };
const longTag = 'x'.repeat(501);
const folderFlags = ['--app', 'invoices', '--input-dir', 'd'];
const climbing = `${fixture('good.txt')}/../../${marker}.txt`;

/** `files` the narrow worker (or with `wide`, the worker reading under `/`) refuses to read. */
const unreadable = (error: RegExp, files: string[], wide = false): Pick<Row, 'worker'> => ({
  worker: { files, error, wide },
});
const outsideRoots = /^files\.0: .* is not under the worker's files roots \(HUBRUN_FILES_ROOTS\)/;
const forbidden = /^files\.0: .* may not be read: a secret or system file of the worker/;

const rows: Row[] = [
  // ---- files the worker must not read, whatever the input schema lets through
  { name: 'files: /proc/self/environ', ...unreadable(forbidden, ['/proc/self/environ'], true) },
  { name: 'files: the token file', ...unreadable(forbidden, [tokenFile], true) },
  { name: 'files: the PDF passwords file', ...unreadable(forbidden, [passwordsFile], true) },
  { name: 'files: the token file, outside the roots', ...unreadable(outsideRoots, [tokenFile]) },
  {
    name: 'files: a symlink inside the root to the token file',
    ...unreadable(outsideRoots, [fixture('files-root/token-link')]),
  },
  {
    name: 'files: a symlink to the token file, under a root of /',
    ...unreadable(forbidden, [fixture('files-root/token-link')], true),
  },
  {
    name: 'files: a hard link to the token file inside the root',
    ...unreadable(forbidden, [fixture('files-root/token-hardlink')]),
  },
  {
    name: 'files: a symlink inside the root to /proc/self/environ',
    ...unreadable(forbidden, [fixture('files-root/environ-link')]),
  },
  {
    name: 'files: /proc/self/root/<token file>',
    ...unreadable(forbidden, [`/proc/self/root${tokenFile}`], true),
  },
  { name: 'files: a path outside the roots', ...unreadable(outsideRoots, [fixture('good.txt')]) },
  {
    name: 'files: a sibling folder whose name starts with the root',
    ...unreadable(outsideRoots, [fixture('files-root-sibling/good.txt')]),
  },
  {
    name: 'files: climbing out through a symlink to .. (no .. in the path)',
    ...unreadable(outsideRoots, [fixture('files-root/up/good.txt')]),
  },
  { name: 'files: /dev/zero', ...unreadable(forbidden, ['/dev/zero'], true) },
  { name: 'files: /sys/...', ...unreadable(forbidden, ['/sys/devices/system/cpu/online'], true) },
  {
    name: 'files: a good file, then /dev/zero (nothing is created for the good one)',
    ...unreadable(/^files\.1: \/dev\/zero may not be read/, [fixture('files-root/ok.txt'), '/dev/zero']),
  },
  // ---- hubrun run: alternatives
  {
    name: 'run: two apps',
    ...run(
      /give only one of --app, --app-id or --deployment \(got --app and --app-id\)/,
      ...folderFlags,
      '--app-id',
      'a',
    ),
  },
  { name: 'run: no app', ...run(/give one of --app, --app-id or --deployment/, '--input-dir', 'd') },
  { name: 'run: two inputs', ...run(/--batch-id and --input-dir/, ...folderFlags, '--batch-id', '1') },
  {
    name: 'run: no input',
    ...run(/give one of --batch-id, --input-dir, --files or --input-dirs/, '--app', 'x'),
  },
  // ---- hubrun run: batch ids
  {
    name: 'run: negative --batch-id',
    ...run(/--batch-id: expected a whole number, got "-5"/, '--app', 'invoices', '--batch-id=-5'),
  },
  { name: 'run: zero --batch-id', ...run(/--batch-id: Too small/, '--app', 'invoices', '--batch-id', '0') },
  {
    name: 'run: fractional --batch-id',
    ...run(/--batch-id: expected a whole number/, '--app', 'invoices', '--batch-id', '1.5'),
  },
  {
    name: 'run: --batch-id above MAX_SAFE_INTEGER',
    ...run(/--batch-id: Too big/, '--app', 'invoices', '--batch-id', '9007199254740993'),
  },
  // ---- hubrun run: local files
  {
    name: 'run: --files that does not exist',
    ...run(/--files: .*no such file/, '--app', 'invoices', '--files', fixture(`${marker}.pdf`)),
  },
  {
    name: 'run: --files that is a directory',
    ...run(/--files: .*not a regular file/, '--app', 'invoices', '--files', fixture('a-folder')),
  },
  {
    name: 'run: --files climbing with ..',
    ...run(/--files\.0: must not contain "\.\." segments/, '--app', 'invoices', '--files', climbing),
  },
  // ---- hubrun run: the settings file
  {
    name: 'run: --settings that does not exist',
    ...run(
      /--settings: cannot read .*: no such file/,
      ...folderFlags,
      '--settings',
      fixture(`${marker}.json`),
    ),
  },
  {
    name: 'run: --settings that is a directory',
    ...run(/--settings: cannot read .*: is a directory/, ...folderFlags, '--settings', fixture('a-folder')),
  },
  {
    name: 'run: --settings that is not JSON',
    ...run(/--settings: .* is not JSON/, ...folderFlags, '--settings', fixture('settings-not-json.json')),
  },
  {
    name: 'run: --settings that is not an object',
    ...run(
      /--settings: .*expected object, received array/,
      ...folderFlags,
      '--settings',
      fixture('settings-array.json'),
    ),
  },
  {
    name: 'run: --settings with an unknown key (a token where none belongs)',
    ...run(
      /--settings: unknown field\(s\) apiToken/,
      ...folderFlags,
      '--settings',
      fixture('settings-unknown.json'),
    ),
  },
  {
    name: 'run: --settings with a secret alias that is not a string',
    ...run(
      /--settings\.keys\.secret\.db: .*expected string/,
      ...folderFlags,
      '--settings',
      fixture('settings-secret.json'),
    ),
  },
  // ---- hubrun run: ids, tags, results folder, ratio, policy
  { name: 'run: --id with ../', ...run(/--id: /, ...folderFlags, '--id', `../${marker}`) },
  { name: 'run: oversize --tag', ...run(/--tag\.0: Too big/, ...folderFlags, '--tag', longTag) },
  {
    name: 'run: --results-dir climbing out of the output folder',
    ...run(
      /--results-dir: must not contain "\.\." segments/,
      ...folderFlags,
      '--results-dir',
      `${outputDir}/../${marker}`,
    ),
  },
  {
    name: 'run: --max-error-ratio above 1',
    ...run(/--max-error-ratio: Too big/, ...folderFlags, '--max-error-ratio', '1.5'),
  },
  {
    name: 'run: --max-error-ratio not a number',
    ...run(/--max-error-ratio: expected a number/, ...folderFlags, '--max-error-ratio', 'half'),
  },
  {
    name: 'run: --on-cancel not a policy',
    ...run(/--on-cancel.*explode/, ...folderFlags, '--on-cancel', 'explode'),
  },
  // ---- hubrun run: fan-out flags
  {
    name: 'run: --input-dirs that does not exist',
    ...run(
      /--input-dirs: cannot read .*: no such file/,
      '--app',
      'x',
      '--input-dirs',
      fixture(`${marker}.txt`),
    ),
  },
  {
    name: 'run: --input-dirs naming no folder',
    ...run(/--input-dirs: .* names no folder/, '--app', 'x', '--input-dirs', fixture('folders-empty.txt')),
  },
  {
    name: 'run: --concurrency 0',
    ...run(
      /--concurrency: Too small/,
      '--app',
      'x',
      '--input-dirs',
      fixture('folders.txt'),
      '--concurrency',
      '0',
    ),
  },
  {
    name: 'run: fan-out --id with ../',
    ...run(/--id: /, '--app', 'x', '--input-dirs', fixture('folders.txt'), '--id', `../${marker}`),
  },
  // ---- hubrun schedule apply
  {
    name: 'schedule apply: a file that does not exist',
    ...apply(fixture(`${marker}.yaml`), /cannot read the file \(ENOENT\)/),
  },
  { name: 'schedule apply: a directory', ...apply(fixture('a-folder'), /cannot read the file \(EISDIR\)/) },
  {
    name: 'schedule apply: not YAML',
    ...apply(fixture('schedules-broken.yaml'), /schedules-broken\.yaml: \d+ problems?, nothing applied/),
  },
  {
    name: 'schedule apply: a bad cron',
    ...apply(fixture('schedules-cron.yaml'), /entry nightly: cron: .*minute/),
  },
  {
    name: 'schedule apply: no schedules list',
    ...apply(fixture('schedules-key.yaml'), /schedule: unknown field/),
  },
  {
    name: 'schedule apply: a relative resultsDir',
    ...apply(fixture('schedules-results.yaml'), /entry nightly: input\.resultsDir: must be an absolute path/),
  },
  {
    name: 'schedule apply: an input naming its own workflowId',
    ...apply(fixture('schedules-id.yaml'), /entry nightly: input\.workflowId: /),
  },
  {
    name: 'schedule apply: an unknown time zone',
    ...apply(fixture('schedules-zone.yaml'), /entry nightly: timeZone: /),
  },

  // ---- pipeline input: wrong types
  { name: 'input: null', ...pipeline(null, /^input: .*expected object, received null/) },
  { name: 'input: an array', ...pipeline([app], /^input: .*expected object, received array/) },
  { name: 'input: a string', ...pipeline('invoices please', /^input: .*expected object/) },
  { name: 'batchId as a string', ...pipeline({ ...app, batchId: '12' }, /^batchId: .*expected number/) },
  { name: 'appName as a number', ...pipeline({ appName: 42, ...batch }, /^appName: .*expected string/) },
  { name: 'tags as a string', ...pipeline({ ...app, ...batch, tags: 'nightly' }, /^tags: .*expected array/) },
  { name: 'wait as a number', ...pipeline({ ...app, ...batch, wait: 5 }, /^wait: .*expected object/) },
  // ---- pipeline input: both / neither alternatives
  {
    name: 'two apps',
    ...pipeline({ ...app, appId: 'app-invoices', ...batch }, /^appName: give exactly one of .* \(got 2\)/),
  },
  {
    name: 'no app',
    ...pipeline(batch, /^appName: give exactly one of appName, appId or deploymentId \(got 0\)/),
  },
  {
    name: 'two inputs',
    ...pipeline(
      { ...app, ...batch, inputDir: 'd' },
      /^batchId: give exactly one of batchId, inputDir or files \(got 2\)/,
    ),
  },
  { name: 'no input', ...pipeline(app, /^batchId: give exactly one of .* \(got 0\)/) },
  {
    name: 'appOwner without appName',
    ...pipeline({ appId: 'a', appOwner: 'acme', ...batch }, /^appOwner: /),
  },
  {
    name: 'a deployment with outputWorkspace',
    ...pipeline({ deploymentId: 'dep', outputWorkspace: 'w', ...batch }, /^outputWorkspace: /),
  },
  {
    name: "cleanup 'batch' of a drive folder",
    ...pipeline({ ...app, ...folderInput, cleanup: 'batch' }, /^cleanup: /),
  },
  // ---- pipeline input: unknown fields
  {
    name: 'an unknown field',
    ...pipeline({ ...app, ...batch, resultDir: '/x' }, /^input: unknown field\(s\) resultDir/),
  },
  {
    name: 'an unknown settings field (a token)',
    ...pipeline(
      { ...app, ...batch, settings: { keys: { token: 't' } } },
      /^settings\.keys: unknown field\(s\) token/,
    ),
  },
  {
    name: 'an unknown wait field',
    ...pipeline({ ...app, ...batch, wait: { pollEvery: 1 } }, /^wait: unknown field\(s\) pollEvery/),
  },
  // ---- pipeline input: tags
  { name: 'an oversize tag', ...pipeline({ ...app, ...batch, tags: [longTag] }, /^tags\.0: Too big/) },
  {
    name: 'tags oversize together',
    ...pipeline(
      { ...app, ...batch, tags: Array(10).fill('y'.repeat(50)) },
      /^tags: tags hold 500 characters/,
    ),
  },
  { name: '51 tags', ...pipeline({ ...app, ...batch, tags: Array(51).fill('t') }, /^tags: Too big/) },
  // ---- pipeline input: batch ids
  { name: 'negative batchId', ...pipeline({ ...app, batchId: -1 }, /^batchId: Too small/) },
  { name: 'zero batchId', ...pipeline({ ...app, batchId: 0 }, /^batchId: Too small/) },
  { name: 'fractional batchId', ...pipeline({ ...app, batchId: 1.5 }, /^batchId: .*expected int/) },
  {
    name: 'batchId above MAX_SAFE_INTEGER',
    ...pipeline({ ...app, batchId: Number.MAX_SAFE_INTEGER + 2 }, /^batchId: Too big/),
  },
  // ---- pipeline input: workflow ids and file names
  {
    name: 'workflowId with ../',
    ...pipeline({ ...app, ...batch, workflowId: `../${marker}` }, /^workflowId: /),
  },
  {
    name: 'workflowId with /',
    ...pipeline({ ...app, ...batch, workflowId: `a/${marker}` }, /^workflowId: /),
  },
  { name: 'workflowId ..', ...pipeline({ ...app, ...batch, workflowId: '..' }, /^workflowId: /) },
  {
    name: "files ['a/../..']",
    ...pipeline({ ...app, files: ['a/../..'] }, /^files\.0: .*does not name a file/),
  },
  {
    name: "files ['..']",
    ...pipeline({ ...app, files: ['..'] }, /^files\.0: must not contain "\.\." segments/),
  },
  {
    name: 'files climbing with ..',
    ...pipeline({ ...app, files: [climbing] }, /^files\.0: must not contain "\.\."/),
  },
  { name: 'files empty', ...pipeline({ ...app, files: [] }, /^files: Too small/) },
  {
    name: 'files with the same name twice',
    ...pipeline(
      { ...app, files: [fixture('good.txt'), fixture('a-folder/good.txt')] },
      /^files\.1: two files are named "good\.txt"/,
    ),
  },
  // ---- pipeline input: results folder
  {
    name: 'a relative resultsDir',
    ...pipeline(
      { ...app, ...batch, resultsDir: `${marker}-relative` },
      /^resultsDir: must be an absolute path/,
    ),
  },
  {
    name: 'resultsDir climbing out of the output folder',
    ...pipeline(
      { ...app, ...batch, resultsDir: `${outputDir}/../${marker}` },
      /^resultsDir: must not contain "\.\."/,
    ),
  },
  {
    name: 'resultsDir climbing out behind {date}',
    ...pipeline(
      { ...app, ...batch, resultsDir: `${outputDir}/{date}/../../${marker}` },
      /^resultsDir: must not contain "\.\."/,
    ),
  },
  {
    name: 'an empty resultsDir',
    ...pipeline({ ...app, ...batch, resultsDir: '' }, /^resultsDir: Too small/),
  },
  {
    name: 'resultsDir with a NUL',
    ...pipeline(
      { ...app, ...batch, resultsDir: `${outputDir}/${marker}\0x` },
      /^resultsDir: must not contain a NUL/,
    ),
  },
  // ---- pipeline input: wait policy and other ranges
  {
    name: 'wait.jitter above 0.5',
    ...pipeline({ ...app, ...batch, wait: { jitter: 0.9 } }, /^wait\.jitter: Too big/),
  },
  {
    name: 'wait.initialIntervalSeconds zero',
    ...pipeline(
      { ...app, ...batch, wait: { initialIntervalSeconds: 0 } },
      /^wait\.initialIntervalSeconds: Too small/,
    ),
  },
  {
    name: 'wait.backoffCoefficient below 1',
    ...pipeline(
      { ...app, ...batch, wait: { backoffCoefficient: 0.5 } },
      /^wait\.backoffCoefficient: Too small/,
    ),
  },
  {
    name: 'wait.runDeadlineSeconds above a year',
    ...pipeline(
      { ...app, ...batch, wait: { runDeadlineSeconds: 1e9 } },
      /^wait\.runDeadlineSeconds: Too big/,
    ),
  },
  {
    name: 'a negative maxErrorRatio',
    ...pipeline({ ...app, ...batch, maxErrorRatio: -0.1 }, /^maxErrorRatio: Too small/),
  },
  { name: 'onCancel not a policy', ...pipeline({ ...app, ...batch, onCancel: 'explode' }, /^onCancel: /) },
  {
    name: 'dateTimeZone not a zone',
    ...pipeline({ ...app, ...batch, dateTimeZone: 'Mars/Olympus' }, /^dateTimeZone: not an IANA time zone/),
  },

  // ---- fan-out input
  { name: 'fan-out: no inputs', ...fanOut({ ...fanOutBase, inputs: [] }, /^inputs: Too small/) },
  {
    name: 'fan-out: an input in the template',
    ...fanOut({ ...fanOutBase, template: { ...app, ...batch } }, /^template\.batchId: /),
  },
  {
    name: 'fan-out: a workflowId in the template',
    ...fanOut({ ...fanOutBase, template: { ...app, workflowId: 'w' } }, /^template\.workflowId: /),
  },
  {
    name: 'fan-out: an unknown field in an input',
    ...fanOut(
      { ...fanOutBase, inputs: [{ ...folderInput, tags: ['x'] }] },
      /^inputs\.0: unknown field\(s\) tags/,
    ),
  },
  {
    name: 'fan-out: a negative batchId',
    ...fanOut({ ...fanOutBase, inputs: [folderInput, { batchId: -3 }] }, /^inputs\.1\.batchId: Too small/),
  },
  {
    name: "fan-out: files ['..']",
    ...fanOut({ ...fanOutBase, inputs: [{ files: ['..'] }] }, /^inputs\.0\.files\.0: must not contain/),
  },
  {
    name: 'fan-out: a relative resultsDir in the template',
    ...fanOut(
      { ...fanOutBase, template: { ...app, resultsDir: marker } },
      /^template\.resultsDir: must be an absolute/,
    ),
  },
  {
    name: 'fan-out: an unknown field in the template',
    ...fanOut({ ...fanOutBase, template: { ...app, foo: 1 } }, /^template: unknown field\(s\) foo/),
  },
  {
    name: 'fan-out: two apps in the template',
    ...fanOut({ ...fanOutBase, template: { ...app, appId: 'a' } }, /^template\.appName: give exactly one/),
  },
  { name: 'fan-out: concurrency 0', ...fanOut({ ...fanOutBase, concurrency: 0 }, /^concurrency: Too small/) },
  {
    name: 'fan-out: a workflowId too long for its children',
    ...fanOut({ ...fanOutBase, workflowId: 'f'.repeat(195) }, /^workflowId: at most 190 characters/),
  },
  {
    name: 'fan-out: a workflowId with ../',
    fanOut: {
      input: { ...fanOutBase, workflowId: `../${marker}` },
      error: /^workflowId: /,
    },
  },
  {
    name: 'fan-out without a template, started raw',
    raw: {
      input: {
        inputs: [folderInput],
      },
      type: workflowTypes.fanOut,
      error: /^template: .*expected record/,
    },
  },
  {
    name: 'fan-out started raw under the id ../<x>',
    raw: {
      input: fanOutBase,
      type: workflowTypes.fanOut,
      workflowId: `../${marker}`,
      error: /workflowId: "\.\.\//,
    },
  },
  {
    name: 'startFanOut without a template',
    fanOut: { input: { inputs: [folderInput] }, error: /^template: / },
  },
  {
    name: 'startFanOut with null',
    fanOut: { input: null, error: /^input: / },
  },
  {
    name: 'pipeline started raw under the id ../<x>',
    raw: {
      input: { ...app, ...batch },
      workflowId: `../${marker}-pipeline`,
      error: /^workflowId: "\.\.\//,
    },
  },
  {
    name: 'pipeline started raw under the id a/<x>',
    raw: {
      input: { ...app, ...batch },
      workflowId: `a/${marker}`,
      error: /^workflowId: "a\//,
    },
  },
];

/** One of `problems` (each `field: message`) matches `error`. */
function assertSomeProblem(problems: string[], error: RegExp): void {
  assert.ok(
    problems.some((problem) => error.test(problem)),
    `no problem matches ${String(error)}: ${JSON.stringify(problems)}`,
  );
}

/** Every file and folder under `dir` (files with their size), sorted. */
async function snapshot(dir: string): Promise<string[]> {
  const lines: string[] = [];
  const walk = async (at: string): Promise<void> => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) {
        lines.push(`${relative(dir, path)}/`);
        await walk(path);
      } else {
        lines.push(`${relative(dir, path)} ${(await stat(path)).size}`);
      }
    }
  };
  await walk(dir);
  return lines.sort();
}

/** Entries named after the marker where a hostile path would land outside the temp root. */
async function leaks(): Promise<string[]> {
  const places = new Set([tmpdir(), dirname(root), repoRoot, dirname(repoRoot), process.cwd(), '/']);
  const found: string[] = [];
  for (const place of places) {
    for (const name of await readdir(place).catch(() => [] as string[])) {
      if (name.includes(marker)) found.push(join(place, name));
    }
  }
  return found;
}

describe('hostile input is refused at every door, naming the field, with nothing sent or written', () => {
  let env: PipelineEnv;
  let worker: Worker;
  let workerDone: Promise<void>;
  let wideWorker: Worker;
  let wideWorkerDone: Promise<void>;
  let cliEnv: Record<string, string>;
  let baseline: string[];
  let rawStarts = 0;

  before(async () => {
    await mkdir(outputDir, { recursive: true });
    await mkdir(fixtures);
    for (const [name, text] of Object.entries(fixtureFiles)) {
      if (text === null) await mkdir(fixture(name), { recursive: true });
      else await writeFile(fixture(name), text);
    }
    for (const [path, target] of fixtureLinks.symlinks) await symlink(target, path);
    for (const [path, target] of fixtureLinks.hardLinks) await link(target, path);
    baseline = await snapshot(root);
    env = await startPipelineEnv();
    const secretFiles = [tokenFile, passwordsFile];
    worker = await env.createWorker({ outputDir, filesRoots: [filesRoot], secretFiles });
    workerDone = worker.run();
    wideWorker = await env.createWorker({
      outputDir,
      taskQueue: `${env.taskQueue}-wide`,
      filesRoots: ['/'],
      secretFiles,
    });
    wideWorkerDone = wideWorker.run();
    // Were a row let through, the CLI would really start it, on this worker's task queue.
    cliEnv = { TEMPORAL_ADDRESS: env.temporal.address, HUBRUN_TASK_QUEUE: env.taskQueue };
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
    worker.shutdown();
    wideWorker.shutdown();
    await Promise.all([workerDone, wideWorkerDone]);
    await env.close();
  });

  async function refuseByCli({ args, error }: NonNullable<Row['cli']>): Promise<void> {
    const { code, stdout, stderr } = await runCli(args, cliEnv);
    assert.equal(code, 2, `hubrun ${args.join(' ')} exited ${code}: ${stdout}${stderr}`);
    assert.equal(stdout, '');
    assert.match(stderr, error);
    if (args[0] === 'run') assert.equal(stderr.trim().split('\n').length, 1, `one line, got: ${stderr}`);
  }

  async function refuseByHelper(start: Promise<unknown>, error: RegExp): Promise<void> {
    const err = await rejectionOf(start);
    assert.ok(err instanceof PipelineInputError, `expected a PipelineInputError, got ${String(err)}`);
    assertSomeProblem(err.problems, error);
  }

  async function refuseRaw({ input, error, type, workflowId }: NonNullable<Row['raw']>): Promise<void> {
    rawStarts++;
    const handle = await env.client.workflow.start(type ?? workflowTypes.pipeline, {
      taskQueue: env.taskQueue,
      workflowId: workflowId ?? `${marker}-raw-${rawStarts}`,
      args: [input],
    });
    const err = await within(30_000, `the raw start of ${handle.workflowId}`, rejectionOf(handle.result()));
    assert.equal(failureTypeOf(err), failureTypes.badInput, String(err));
    const { message } = failureOf(err);
    assert.match(message, /^invalid (pipeline|fan-out) input: /);
    assertSomeProblem(message.replace(/^invalid (pipeline|fan-out) input: /, '').split('; '), error);
  }

  async function refuseByWorker({ files, error, wide }: NonNullable<Row['worker']>): Promise<void> {
    const taskQueue = wide === true ? `${env.taskQueue}-wide` : env.taskQueue;
    const handle = await startPipeline(
      env.client,
      { workflowId: `${marker}-files-${randomUUID().slice(0, 8)}`, appName: 'invoices', files },
      { taskQueue },
    );
    const err = await within(30_000, `the upload of ${files.join(', ')}`, rejectionOf(handle.result()));
    assert.equal(failureTypeOf(err), failureTypes.badInput, String(err));
    const { message } = failureOf(err);
    assert.match(message, error);
    assert.ok(!message.includes(secretText), 'the error holds no secret');
    assert.ok(!message.includes(`PATH=${process.env.PATH ?? ''}`), 'the error holds no environment');
  }

  async function refuse(row: Row): Promise<void> {
    const { taskQueue } = env;
    if (row.worker) await refuseByWorker(row.worker);
    if (row.cli) await refuseByCli(row.cli);
    if (row.client)
      await refuseByHelper(startPipeline(env.client, row.client.input, { taskQueue }), row.client.error);
    if (row.fanOut) {
      const draft = row.fanOut.input as FanOutInputDraft;
      await refuseByHelper(startFanOut(env.client, draft, { taskQueue }), row.fanOut.error);
    }
    if (row.raw) await refuseRaw(row.raw);
    assert.equal(totalCalls(await env.admin.calls()), 0, 'the emulator saw a call');
    assert.deepEqual(await snapshot(root), baseline, 'something was written in the temp root');
    assert.deepEqual(await leaks(), [], 'something was written outside the temp root');
  }

  it(`has at least 30 rows (${rows.length})`, () => assert.ok(rows.length >= 30));

  describe('each row', { concurrency: 6 }, () => {
    for (const row of rows) it(row.name, () => refuse(row));
  });
});
