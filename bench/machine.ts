/** Facts about the machine and the software a benchmark run used, for the report. */
import { cpus, loadavg, release, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot, temporalPythonPackages } from '../src/dev/temporal-binaries';
import { temporalCliVersion } from './stack/dev-server';

/** What the figures were measured on. */
export interface MachineFacts {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  nodeVersion: string;
  temporalCli: string;
  temporalTestServer: string;
  temporalSdk: string;
  /** 1-minute load average when the run began (other work on a shared machine shows here). */
  loadAverageAtStart: number;
}

/** Reads the machine facts. */
export function machineFacts(): MachineFacts {
  const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    kernel: `Linux ${release()}`,
    nodeVersion: process.version,
    temporalCli: temporalCliVersion(),
    temporalTestServer: temporalPythonPackages.find((p) => p.startsWith('temporal-test-server')) ?? 'unknown',
    temporalSdk: pkg.dependencies['@temporalio/worker'] ?? 'unknown',
    loadAverageAtStart: Math.round(loadavg()[0]! * 100) / 100,
  };
}
