/**
 * `hubrun run`'s flags turned into a pipeline or fan-out input, checked before anything starts.
 * Every problem is reported in the flags' own words (`--app-id`, not `appId`) as a
 * {@link UsageError}, which the CLI prints as one line and exits with code 2.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { checkFanOutInput } from '../fan-out-input';
import type { FanOutInputDraft, FanOutItem } from '../fan-out-input';
import { checkPipelineInput, hasParentSegment } from '../pipeline-input';
import type { PipelineInputDraft } from '../pipeline-input';
import { UsageError } from './usage-error';

/** The flags of `hubrun run`, as commander parses them. */
export interface RunFlags {
  app?: string;
  owner?: string;
  appVersion?: string;
  appId?: string;
  deployment?: string;
  batchId?: string;
  inputDir?: string;
  files?: string[];
  inputDirs?: string;
  concurrency?: string;
  batchWorkspace?: string;
  outputDir?: string;
  outputWorkspace?: string;
  settings?: string;
  tag?: string[];
  resultsDir?: string;
  resultsUrl?: string;
  id?: string;
  maxErrorRatio?: string;
  onCancel?: string;
  cleanup?: string;
  plan?: string;
  lagTarget?: string;
  runDeadline?: string;
  reviewDeadline?: string;
  hook?: boolean;
  adoptRun?: string;
}

/** Pipeline input fields and the flags that set them, for messages in the flags' words. */
const flagOfField: Record<string, string> = {
  workflowId: '--id',
  appName: '--app',
  appOwner: '--owner',
  appVersion: '--app-version',
  appId: '--app-id',
  deploymentId: '--deployment',
  batchId: '--batch-id',
  inputDir: '--input-dir',
  files: '--files',
  batchWorkspace: '--batch-workspace',
  outputDir: '--output-dir',
  outputWorkspace: '--output-workspace',
  settings: '--settings',
  tags: '--tag',
  resultsDir: '--results-dir',
  resultsUrl: '--results-url',
  maxErrorRatio: '--max-error-ratio',
  onCancel: '--on-cancel',
  cleanup: '--cleanup',
  concurrency: '--concurrency',
  plan: '--plan',
  lagTargetRatio: '--lag-target',
  lagTargetSeconds: '--lag-target',
  runDeadlineSeconds: '--run-deadline',
  reviewDeadlineSeconds: '--review-deadline',
  hook: '--hook',
  adoptRunId: '--adopt-run',
};

/** What `hubrun run` was asked to start. */
export type RunRequest =
  { kind: 'pipeline'; draft: PipelineInputDraft } | { kind: 'fan-out'; draft: FanOutInputDraft };

/**
 * Reads and checks the flags (and the files they name: `--settings`, `--files`,
 * `--input-dirs`); throws {@link UsageError} naming the flag at fault.
 */
export async function runRequestFromFlags(flags: RunFlags): Promise<RunRequest> {
  // An adopted run knows its app and input: --adopt-run needs neither.
  const adopting = flags.adoptRun !== undefined;
  if (adopting && flags.inputDirs !== undefined) throw new UsageError('--adopt-run: not with --input-dirs');
  exactlyOne(flags, ['app', 'appId', 'deployment'], '--app, --app-id or --deployment', adopting);
  exactlyOne(
    flags,
    ['batchId', 'inputDir', 'files', 'inputDirs'],
    '--batch-id, --input-dir, --files or --input-dirs',
    adopting,
  );
  if (flags.concurrency !== undefined && flags.inputDirs === undefined) {
    throw new UsageError('--concurrency: goes with --input-dirs (a fan-out) only');
  }
  const template: Record<string, unknown> = {
    appName: flags.app,
    appOwner: flags.owner,
    appVersion: flags.appVersion,
    appId: flags.appId,
    deploymentId: flags.deployment,
    batchWorkspace: flags.batchWorkspace,
    outputDir: flags.outputDir,
    outputWorkspace: flags.outputWorkspace,
    settings: flags.settings === undefined ? undefined : await readSettings(flags.settings),
    tags: flags.tag,
    resultsDir: flags.resultsDir === undefined ? undefined : absolute(flags.resultsDir),
    resultsUrl: flags.resultsUrl,
    maxErrorRatio: flags.maxErrorRatio === undefined ? undefined : ratio(flags.maxErrorRatio),
    onCancel: flags.onCancel,
    cleanup: flags.cleanup,
    wait: waitFromFlags(flags),
  };
  for (const key of Object.keys(template)) if (template[key] === undefined) delete template[key];

  if (flags.inputDirs !== undefined) {
    const inputs: FanOutItem[] = (await readInputDirs(flags.inputDirs)).map((inputDir) => ({ inputDir }));
    const draft: FanOutInputDraft = {
      ...(flags.id !== undefined ? { workflowId: flags.id } : {}),
      template,
      inputs,
      ...(flags.concurrency !== undefined
        ? { concurrency: wholeNumber('--concurrency', flags.concurrency) }
        : {}),
    };
    // The id is checked for itself here; children's ids hang off it once the fan-out is started.
    const checked = checkFanOutInput(draft, flags.id ?? 'hubrun-fanout');
    if (!checked.ok) throw new UsageError(inFlagWords(checked.problems, flags.inputDirs));
    return { kind: 'fan-out', draft };
  }

  const draft: PipelineInputDraft = {
    ...template,
    ...(flags.id !== undefined ? { workflowId: flags.id } : {}),
    ...(flags.batchId !== undefined ? { batchId: wholeNumber('--batch-id', flags.batchId) } : {}),
    ...(flags.inputDir !== undefined ? { inputDir: flags.inputDir } : {}),
    ...(flags.files !== undefined ? { files: await localFiles(flags.files) } : {}),
    ...(adopting ? { adoptRunId: flags.adoptRun } : {}),
  };
  const checked = checkPipelineInput(draft);
  if (!checked.ok) throw new UsageError(inFlagWords(checked.problems));
  return { kind: 'pipeline', draft };
}

function exactlyOne(flags: RunFlags, keys: (keyof RunFlags)[], names: string, noneAllowed = false): void {
  const given = keys.filter((key) => flags[key] !== undefined);
  if (given.length !== 1 && !(noneAllowed && given.length === 0)) {
    throw new UsageError(
      given.length === 0
        ? `give one of ${names}`
        : `give only one of ${names} (got ${given.map(flagOf).join(' and ')})`,
    );
  }
}

function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * Validation problems (`appName: give exactly one of appName, ...`) in the flags' words
 * (`--app: give exactly one of --app, ...`); a fan-out's `inputs.<n>` becomes the line of
 * the `--input-dirs` file.
 */
function inFlagWords(problems: string[], inputDirsFile?: string): string {
  // camelCase field names in messages become flags; plain words (tags, files) stay words.
  const camelCase = Object.keys(flagOfField).filter((field) => /[A-Z]/.test(field));
  const fieldPattern = new RegExp(`\\b(${camelCase.join('|')})\\b`, 'g');
  const words = problems.map((problem) => {
    const colon = problem.indexOf(':');
    const [head = '', ...rest] = problem.slice(0, colon).split('.');
    let where: string;
    if (head === 'inputs' && inputDirsFile !== undefined) {
      where = `--input-dirs ${inputDirsFile}: entry ${Number(rest[0]) + 1}`;
    } else if (head === 'template') {
      where = [flagOfField[rest[0] ?? ''] ?? rest[0], ...rest.slice(1)].join('.');
    } else {
      where =
        head === 'wait' && rest[0] !== undefined && flagOfField[rest[0]] !== undefined
          ? flagOfField[rest[0]]!
          : [flagOfField[head] ?? head, ...rest].join('.');
    }
    const message = problem.slice(colon + 1).replace(fieldPattern, (field) => flagOfField[field] ?? field);
    return `${where}:${message}`;
  });
  return words.join('; ');
}

/** The wait settings `--plan`, `--lag-target`, `--run-deadline`, `--review-deadline` and `--hook` give; undefined when none. */
function waitFromFlags(flags: RunFlags): Record<string, unknown> | undefined {
  const wait: Record<string, unknown> = {};
  if (flags.plan !== undefined) wait.plan = flags.plan;
  if (flags.lagTarget !== undefined) {
    const text = flags.lagTarget.trim();
    const share = /^(\d+(?:\.\d+)?)%$/.exec(text);
    if (share) wait.lagTargetRatio = Number(share[1]) / 100;
    else
      wait.lagTargetSeconds = durationSeconds(
        '--lag-target',
        text,
        'a share such as 5% or a duration such as 30s',
      );
  }
  if (flags.runDeadline !== undefined)
    wait.runDeadlineSeconds = durationSeconds('--run-deadline', flags.runDeadline);
  if (flags.reviewDeadline !== undefined) {
    wait.reviewDeadlineSeconds = durationSeconds('--review-deadline', flags.reviewDeadline);
  }
  if (flags.hook) wait.hook = true;
  return Object.keys(wait).length > 0 ? wait : undefined;
}

const unitSeconds: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `90`, `90s`, `30m`, `6h` or `3d` in seconds. */
function durationSeconds(
  flag: string,
  text: string,
  expected = 'a duration such as 90s, 30m, 6h or 3d',
): number {
  const match = /^(\d+(?:\.\d+)?)\s*([smhd]?)$/.exec(text.trim());
  if (!match) throw new UsageError(`${flag}: expected ${expected}, got "${text}"`);
  return Number(match[1]) * unitSeconds[match[2] || 's']!;
}

function wholeNumber(flag: string, text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${flag}: expected a whole number, got "${text}"`);
  return Number(text);
}

function ratio(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) {
    throw new UsageError(`--max-error-ratio: expected a number from 0 to 1, got "${text}"`);
  }
  return value;
}

async function readText(flag: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(code);
    throw new UsageError(`${flag}: cannot read ${path}: ${why}`);
  }
}

/** The `--settings` file: JSON with AI Hub's run settings (`keys`, `runtime_config`). */
async function readSettings(path: string): Promise<unknown> {
  const text = await readText('--settings', path);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`--settings: ${path} is not JSON (${(err as Error).message})`);
  }
}

/** The `--input-dirs` file: one AI Hub drive folder per line; blank lines and `#` comments are skipped. */
async function readInputDirs(path: string): Promise<string[]> {
  const dirs = (await readText('--input-dirs', path))
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  if (dirs.length === 0) throw new UsageError(`--input-dirs: ${path} names no folder`);
  return dirs;
}

/**
 * A local path made absolute against this directory; one with a `..` segment is passed on as
 * given, for the input check to refuse (a path never climbs out of where it points).
 */
function absolute(path: string): string {
  return hasParentSegment(path) ? path : resolve(path);
}

/** `--files`: each must be a readable regular file here; passed on as absolute paths. */
async function localFiles(paths: string[]): Promise<string[]> {
  return Promise.all(
    paths.map(async (path) => {
      if (hasParentSegment(path)) return path; // refused by the input check, naming --files
      const full = resolve(path);
      const info = await stat(full).catch(() => undefined);
      if (info === undefined) throw new UsageError(`--files: ${path}: no such file`);
      if (!info.isFile()) throw new UsageError(`--files: ${path}: not a regular file`);
      return full;
    }),
  );
}
