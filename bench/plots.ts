/**
 * Line plots for the report, rendered to SVG with Vega-Lite and Vega on Node (no browser): one
 * line per side, a log scale for durations that run from a minute to a day.
 */
import { writeFile } from 'node:fs/promises';
import type { TopLevelSpec } from 'vega-lite' with { 'resolution-mode': 'import' };

/** One point of a line. */
export interface PlotPoint {
  x: number;
  y: number;
  line: string;
  /** Small multiples, one panel each (e.g. the spread). */
  panel: string;
}

/** Writes a line plot of `points` to `path` as SVG. */
export async function writeLinePlot(
  path: string,
  points: readonly PlotPoint[],
  axes: { x: string; y: string; title: string; logY?: boolean },
): Promise<void> {
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: axes.title,
    data: { values: points.map((p) => ({ ...p })) },
    width: 220,
    height: 180,
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: axes.x, scale: { type: 'log' } },
      y: {
        field: 'y',
        type: 'quantitative',
        title: axes.y,
        scale: axes.logY ? { type: 'log' } : { zero: true },
      },
      color: { field: 'line', type: 'nominal', title: 'side' },
      column: { field: 'panel', type: 'nominal', title: null },
    },
  };
  // Both are ES modules with top-level await: loaded by import(), not require().
  const { parse, View } = await import('vega');
  const { compile } = await import('vega-lite');
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  await writeFile(path, await view.toSVG());
  view.finalize();
}
