/**
 * Summaries of V8 CPU profiles of the worker process (`node --cpu-prof`): where the JavaScript
 * thread spent its time, by origin (hubrun, Temporal SDK, workflow bundle, dependencies, Node,
 * GC) and by function. The Rust core of the Temporal SDK runs on its own threads and is not in
 * a V8 profile: the gap between the profile's busy time and the process CPU is that core.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { duration } from './report';
import type { Table } from './report';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function origin(frame: ProfileNode['callFrame']): string {
  const { functionName, url } = frame;
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(program)' || functionName === '(root)') return 'native / V8 (program)';
  if (functionName === 'runInContext') return 'entering the workflow sandbox (vm.runInContext, SDK)';
  if (url.includes('workflow-bundle')) return 'workflow bundle: hubrun workflows, SDK workflow lib';
  if (url.includes('node_modules/@temporalio/core-bridge')) return 'Temporal core bridge (calls into Rust)';
  if (url.includes('node_modules/@temporalio/')) return 'Temporal SDK (JavaScript)';
  if (url.includes('node_modules/')) return 'dependencies (axios, zod, rxjs, tsx, ...)';
  if (url.includes('/src/')) return 'hubrun activities and client (src/)';
  return 'Node.js (HTTP, streams, buffers, workers)';
}

/** `@temporalio/core-bridge/index.js` for a dependency, `src/aihub/http.ts` for ours, the file name otherwise. */
function place(url: string): string {
  const inModules = url.lastIndexOf('node_modules/');
  if (inModules >= 0) return url.slice(inModules + 'node_modules/'.length);
  const inSrc = url.lastIndexOf('/src/');
  if (inSrc >= 0) return url.slice(inSrc + 1);
  return basename(url);
}

/** What {@link summariseProfiles} answers. */
export interface ProfileSummary {
  table: Table;
  functions: Table;
  note: string;
}

/** Summarises every `.cpuprofile` in `dir` (one per worker process), or undefined when there is none. */
export async function summariseProfiles(dir: string, label: string): Promise<ProfileSummary | undefined> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) return undefined;
  const byOrigin = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const threads: string[] = [];
  for (const file of files) {
    const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    let threadBusyUs = 0;
    let sandbox = false;
    profile.samples.forEach((id, i) => {
      const frame = nodes.get(id)?.callFrame;
      if (!frame) return;
      const us = profile.timeDeltas[i] ?? 0;
      const from = origin(frame);
      byOrigin.set(from, (byOrigin.get(from) ?? 0) + us);
      if (from === 'idle') return;
      threadBusyUs += us;
      sandbox ||= frame.functionName === 'runInContext';
      const where = frame.url === '' ? '' : ` (${place(frame.url)}:${frame.lineNumber + 1})`;
      const key = `${frame.functionName || '(anonymous)'}${where}`;
      byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    });
    const wallUs = profile.endTime - profile.startTime;
    threads.push(
      `${sandbox ? 'workflow thread' : 'main thread (activities, polling)'} busy ${duration(threadBusyUs / 1000)} of ` +
        `${duration(wallUs / 1000)} (${((threadBusyUs / wallUs) * 100).toFixed(0)}%)`,
    );
  }
  const busyUs = [...byOrigin.entries()].filter(([k]) => k !== 'idle').reduce((a, [, v]) => a + v, 0);
  const share = (us: number): string => `${((us / busyUs) * 100).toFixed(1)}%`;
  const ms = (us: number): string => duration(us / 1000);
  return {
    table: {
      title: `Worker CPU profile (${label}): JavaScript threads by origin`,
      headers: ['origin', 'self time', 'share of busy'],
      rows: [...byOrigin.entries()]
        .filter(([k]) => k !== 'idle')
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => [k, ms(v), share(v)]),
    },
    functions: {
      title: `Worker CPU profile (${label}): top functions by self time`,
      headers: ['function', 'self time', 'share of busy'],
      rows: [...byFunction.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 12)
        .map(([k, v]) => [k, ms(v), share(v)]),
    },
    note:
      `Worker CPU profile (${label}, V8 sampling every 5 ms): ${threads.join('; ')}. The Temporal core's Rust threads ` +
      `are not in a V8 profile.`,
  };
}
