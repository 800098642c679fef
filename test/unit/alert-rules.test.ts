/**
 * The alerting rules and the Grafana dashboard in deploy/ are valid: `promtool check rules` and
 * the rules' own unit tests (`promtool test rules`) pass, and every dashboard query parses as
 * PromQL. promtool comes from Debian's `prometheus` package, which .ci/run installs; whether the
 * metrics they name exist is checked against a scrape in test/e2e/metrics.test.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';

const root = join(__dirname, '..', '..');
const rulesDir = join(root, 'deploy', 'prometheus');

function findPromtool(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

const promtool = findPromtool();
// In CI a missing promtool is a failure, never a skip; on a workstation, a skip that says so.
const skip =
  promtool === undefined && process.env.CI === undefined
    ? 'promtool is missing: apt-get install prometheus (.ci/run installs it)'
    : false;

function run(args: string[]): string {
  assert.ok(promtool, 'promtool is missing: .ci/run installs it with apt-get install prometheus');
  try {
    return execFileSync(promtool, args, { cwd: rulesDir, encoding: 'utf8', stdio: 'pipe' });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    assert.fail(`promtool ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

/** Every `expr` of a dashboard, however deep its panels nest. */
function dashboardQueries(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(dashboardQueries);
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === 'expr' && typeof value === 'string' ? [value] : dashboardQueries(value),
  );
}

describe('the alerting rules and the dashboard', { skip }, () => {
  it('pass promtool check rules', () => {
    assert.match(run(['check', 'rules', 'alerts.yml']), /SUCCESS: 4 rules found/);
  });

  it('fire when they should and stay quiet otherwise (promtool test rules)', () => {
    assert.match(run(['test', 'rules', 'alerts.test.yml']), /SUCCESS/);
  });

  it("hold dashboard queries that parse as PromQL, Grafana's interval variables filled in", async () => {
    const dashboard: unknown = JSON.parse(
      await readFile(join(root, 'deploy', 'grafana', 'hubrun.json'), 'utf8'),
    );
    const queries = dashboardQueries(dashboard);
    assert.ok(queries.length >= 16, `the dashboard has its panels (${queries.length} queries)`);
    const rules = queries.map((expr, i) => ({
      record: `dashboard:query_${i}`,
      expr: expr.replace(/\$__rate_interval|\$__interval|\$__range/g, '5m'),
    }));
    const file = join(await mkdtemp(join(tmpdir(), 'hubrun-dashboard-')), 'dashboard-rules.yml');
    await writeFile(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
    assert.match(run(['check', 'rules', file]), new RegExp(`SUCCESS: ${rules.length} rules found`));
  });
});
