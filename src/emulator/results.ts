/**
 * Result generation: one document per input file, one field per app field, all derived from the
 * file's facts (its sha256 and the `<Field Name>: value` lines it holds), so the same bytes always
 * give the same `files` entries.
 */
import { createHash } from 'node:crypto';
import type {
  ResultDocument,
  ResultField,
  ResultFile,
  ResultSourceCoordinates,
  RunResultsPage,
} from '../aihub/schemas';
import { fieldIdentifier } from './field-names';
import type { StoredRun, StoredRunFile } from './state-store';
import type { AppBehaviour } from './types';
import { fieldErrorMessage, PAGE_POINTS } from './undocumented';

/**
 * Which optional parts of a result the caller asked for, the `include_*` query flags (all
 * default false, and a part not asked for is left out), as the spec lists them:
 * `include_confidence_scores` adds documents' `classification_confidence` and fields'
 * `confidence`; `include_validation_results` documents' `validations.final_result_pass` and
 * fields' `validations`; `include_review_results` documents' `review_completed` and
 * `class_edit_history` and fields' `edit_history`; `include_source_info` documents'
 * `page_layouts` and `post_processed_paths` and fields' `source_coordinates`.
 */
export interface ResultOptions {
  confidence: boolean;
  validation: boolean;
  review: boolean;
  source: boolean;
}

/** sha256 of the file's digest and the field name: the seed of everything derived for that field. */
function fieldHash(file: StoredRunFile, field: string): Buffer {
  return createHash('sha256').update(file.sha256).update('\0').update(field).digest();
}

const vendorNames = [
  'Acme Tools',
  'Globex',
  'Initech',
  'Umbrella Supplies',
  'Stark Industries',
  'Wayne Freight',
];

/** A plausible value for a field the file does not state, chosen from the hash. */
function derivedValue(field: string, h: Buffer): string {
  const lower = field.toLowerCase();
  const n = h.readUInt32BE(4);
  if (lower.includes('date')) {
    return new Date(Date.UTC(2024, 0, 1) + (n % 1096) * 86_400_000).toISOString().slice(0, 10);
  }
  if (/total|amount|price|sum|tax|balance/.test(lower)) return ((n % 10_000_000) / 100).toFixed(2);
  if (/number|\bno\b|\bid\b|#/.test(lower)) {
    const prefix = lower
      .split(/[^a-z]+/)
      .filter((w) => w !== '' && w !== 'number' && w !== 'no' && w !== 'id')
      .map((w) => w.slice(0, 3).toUpperCase())
      .join('');
    return `${prefix || 'NO'}-${String(n % 100_000).padStart(5, '0')}`;
  }
  if (/vendor|supplier|company|name/.test(lower)) return vendorNames[n % vendorNames.length] as string;
  return `${fieldIdentifier(field).toLowerCase()}-${h.toString('hex', 8, 12)}`;
}

/** A confidence in [lo, lo + 0.5), three decimals, from one hash byte. */
function confidence(byte: number, lo: number): number {
  return Math.round((lo + (byte / 256) * 0.5) * 1000) / 1000;
}

/** Where a found field sits: a box on one zero-indexed page of the file, in points, from the hash. */
function sourceBox(h: Buffer, pages: number): ResultSourceCoordinates {
  const topX = Math.round(((h[10] as number) / 256) * (PAGE_POINTS.width - 200));
  const topY = Math.round(((h[11] as number) / 256) * (PAGE_POINTS.height - 40));
  return {
    top_x: topX,
    top_y: topY,
    bottom_x: topX + 40 + ((h[12] as number) % 160),
    bottom_y: topY + 12,
    page_number: (h[13] as number) % Math.max(1, pages),
  };
}

/** The result entry of one file. */
export function buildResultFile(file: StoredRunFile, app: AppBehaviour, options: ResultOptions): ResultFile {
  const fields = app.fields.map((name): ResultField => {
    const h = fieldHash(file, name);
    const failed = h.readUInt32BE(0) / 2 ** 32 < (app.errorFieldRatio ?? 0);
    const field: ResultField = {
      field_name: fieldIdentifier(name),
      value: failed ? 'ERROR' : (file.values[name] ?? derivedValue(name, h)),
      type: 'TEXT',
    };
    if (failed) field.error_msg = fieldErrorMessage(name);
    if (options.confidence) {
      field.confidence = {
        model: confidence(h[8] as number, failed ? 0 : 0.5),
        ocr: confidence(h[9] as number, 0.5),
      };
    }
    if (options.validation) {
      field.validations = failed
        ? {
            valid: false,
            alerts: [
              // The spec: alert_level is "always set to FAILURE".
              { alert_level: 'FAILURE', msg: fieldErrorMessage(name), blocked: false, type: 'extraction' },
            ],
          }
        : { valid: true, alerts: [] };
    }
    if (options.review) field.edit_history = [];
    if (options.source) field.source_coordinates = failed ? [] : [sourceBox(h, file.pages)];
    return field;
  });
  const document: ResultDocument = {
    class_name: null,
    page_numbers: Array.from({ length: file.pages }, (_, i) => i + 1),
    fields,
  };
  if (options.validation)
    document.validations = { final_result_pass: fields.every((f) => f.value !== 'ERROR') };
  // Documents are not classified (class_name null), so there is no classification confidence.
  if (options.confidence) document.classification_confidence = { model: null };
  if (options.review) {
    // Results exist once the run is COMPLETE, so an app with a review step has been reviewed.
    document.review_completed = app.review !== undefined;
    document.class_edit_history = [];
  }
  if (options.source) {
    document.page_layouts = Array.from({ length: file.pages }, (_, i) => ({
      page_number: i,
      ...PAGE_POINTS,
    }));
    document.post_processed_paths = [];
  }
  return { original_file_name: file.name, input_file_path: file.path, documents: [document] };
}

/** One page of results of a COMPLETE run, from `offset`, at most `pageSize` files. */
export function buildResultsPage(
  run: StoredRun,
  finishNs: string | null,
  offset: number,
  pageSize: number,
  options: ResultOptions,
): RunResultsPage {
  const files = run.files.slice(offset, offset + pageSize).map((f) => buildResultFile(f, run.app, options));
  const page: RunResultsPage = {
    id: run.id,
    status: 'COMPLETE',
    message: null,
    start_timestamp: run.startNs,
    finish_timestamp: finishNs,
    files,
    has_more: offset + files.length < run.files.length,
  };
  // A string here, unlike the run object (aihub-api.md section 3); the spec does not make it
  // nullable, so a run without a batch (an input_dir run) leaves it out.
  if (run.batchId !== null) page.batch_id = String(run.batchId);
  if (run.customKeys) page.keys = { custom: run.customKeys };
  if (run.app.review) page.review_completed = true;
  return page;
}
