/**
 * The page shapes of a `results-shape` rule: a page without `has_more`, `keys` as a list (as the
 * spec's own example writes it), keys no schema names at every depth, or an empty page that
 * claims more. Applied to a page as the route built it, on the wire object only.
 */
import { createHash } from 'node:crypto';
import type { RunResultsPage } from '../aihub/schemas';
import type { StoredRun, StoredRunFile } from './state-store';
import type { ResultsShape } from './types';

/** A results page as it goes on the wire once a shape has bent it. */
export type WireResultsPage = Record<string, unknown>;

type Json = Record<string, unknown>;

/** sha256 of the parts, the seed of every added value (never the run id: two runs over the same files agree). */
function seed(...parts: string[]): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest();
}

/** A number in [0, 1) with three decimals, from two bytes of `h` at `at`. */
function fraction(h: Buffer, at: number): number {
  return Math.floor((h.readUInt16BE(at) / 65_536) * 1000) / 1000;
}

function objects(value: unknown): Json[] {
  return Array.isArray(value)
    ? value.filter((v): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v))
    : [];
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Adds keys no schema names to one field, its `confidence`, `validations` and every alert. */
function decorateField(field: Json, file: StoredRunFile, pages: number[]): void {
  const name = typeof field.field_name === 'string' ? field.field_name : '';
  const h = seed(file.sha256, name);
  const page = pages.length === 0 ? 1 : (pages[(h[0] as number) % pages.length] as number);
  const x = fraction(h, 1);
  const y = fraction(h, 3);
  field.locations = [
    { page, bbox: [x, y, Math.min(1, x + 0.2), Math.min(1, y + 0.03)], unit: 'page_fraction' },
  ];
  field.extraction_engine = { name: 'emulated-extractor', revision: (h[5] as number) % 16 };
  if (isObject(field.confidence)) field.confidence.layout = fraction(h, 6);
  if (isObject(field.validations)) {
    field.validations.rules_evaluated = 1 + ((h[8] as number) % 4);
    objects(field.validations.alerts).forEach((alert, i) => {
      alert.rule_id = `rule-${h.toString('hex', 9, 13)}-${i}`;
      alert.locations = [{ page }];
    });
  }
}

/** Adds keys no schema names to one file entry and its documents. */
function decorateFile(entry: Json, file: StoredRunFile | undefined): void {
  if (file === undefined) return;
  entry.file_metadata = { size_bytes: file.size, sha256: file.sha256, page_count: file.pages };
  for (const document of objects(entry.documents)) {
    const pages = Array.isArray(document.page_numbers)
      ? document.page_numbers.filter((p): p is number => typeof p === 'number')
      : [];
    const h = seed(file.sha256, 'document');
    document.layout_info = {
      orientation: (h[0] as number) % 2 === 0 ? 'portrait' : 'landscape',
      pages: pages.map((p) => ({ page: p, rotation: 0 })),
    };
    for (const field of objects(document.fields)) decorateField(field, file, pages);
  }
}

/**
 * The page served under `shapes` (in order): `page` is the one built from `offset` over `run`'s
 * files. Unchanged (the same object) when no shape applies.
 */
export function reshapeResultsPage(
  page: RunResultsPage,
  shapes: readonly ResultsShape[],
  run: StoredRun,
  offset: number,
): WireResultsPage {
  if (shapes.length === 0) return page;
  const wire = structuredClone(page) as unknown as WireResultsPage;
  for (const shape of shapes) {
    if (shape === 'omit-has-more') delete wire.has_more;
    else if (shape === 'keys-as-list') {
      const keys = isObject(wire.keys) ? wire.keys : { custom: run.customKeys ?? {} };
      wire.keys = [keys];
    } else if (shape === 'empty-has-more') {
      wire.files = [];
      wire.has_more = true;
    } else {
      wire.page_info = { file_offset: offset, files_in_page: objects(wire.files).length };
      objects(wire.files).forEach((entry, i) => decorateFile(entry, run.files[offset + i]));
    }
  }
  return wire;
}
