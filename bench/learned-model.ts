/**
 * Section 2b's model alone, without the real pipelines or any server, for working on the planner:
 * the learned, geometric and hooked sides per cell, the model's targets, and the means the
 * section's notes quote. Same seed as the full section, so the figures match its table.
 *
 *   npx tsx bench/learned-model.ts
 */
import { modelCells, modelChecks } from './learned-waits-model';
import type { Cell } from './learned-waits-model';
import { duration, fmt } from './report';
import { mean, seededRandom } from './stats';

function main(): void {
  const started = Date.now();
  const cells = modelCells(seededRandom(7));
  const find = (c: Cell, side: Cell['side']): Cell =>
    cells.find((x) => x.side === side && x.medianMs === c.medianMs && x.cv === c.cv)!;
  const rows = cells
    .filter((c) => c.side === 'learned')
    .map((c) => {
      const g = find(c, 'geometric');
      const h = find(c, 'learned + hook');
      return [
        duration(c.medianMs).padStart(9),
        `${c.cv * 100}%`.padStart(4),
        `learned ${fmt(c.calls, 2).padStart(6)} calls ${(100 * c.lagShare).toFixed(2).padStart(5)}%`,
        `geometric ${fmt(g.calls, 1).padStart(6)} calls ${(100 * g.lagShare).toFixed(2).padStart(5)}%`,
        `ratio calls ${(c.calls / g.calls).toFixed(2)} lag ${(c.lagShare / g.lagShare).toFixed(2)}`,
        `hook ${fmt(h.calls - 1, 2)} besides the lookup, p99 ${duration(h.p99LagMs)}`,
        `plans ${c.learnedPlans}`,
      ].join('  ');
    });
  console.log(rows.join('\n'));
  const tight = cells.filter((c) => c.side === 'learned' && c.cv <= 0.3);
  console.log(
    `\nlearned, spread ≤ 30%: ${fmt(mean(tight.map((c) => c.calls)), 3)} calls, ` +
      `${(100 * mean(tight.map((c) => c.lagShare))).toFixed(2)}% lag`,
  );
  for (const check of modelChecks(cells)) {
    console.log(
      `${check.pass ? 'PASS' : 'FAIL'}  ${check.name}: ${fmt(check.value, 3)}${check.unit} (${check.target})`,
    );
  }
  console.log(`\n${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main();
