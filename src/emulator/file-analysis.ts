/**
 * Reads an input file once, as a stream, when a run starts: its sha256, size, page count (form
 * feeds) and the values of `<Field Name>: value` lines for the app's fields. Results are built from
 * these facts alone, so two runs over the same bytes give identical results.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { fieldIdentifier } from './field-names';

/** What a run needs to know about one file. */
export interface FileFacts {
  size: number;
  sha256: string;
  /** Form feeds + 1 (a trailing form feed does not open a page). */
  pages: number;
  /** Values of `<Field Name>: value` lines (case-insensitive, first one wins), by the app's field name. */
  values: Record<string, string>;
}

/** Lines longer than this are not field lines (and binary files do not grow the line buffer without bound). */
const MAX_LINE_CHARS = 8192;
const MAX_VALUE_CHARS = 1000;

/** Streams the file at `path` and answers its facts for the given app fields. */
export async function analyseFile(path: string, fields: readonly string[]): Promise<FileFacts> {
  const byKey = new Map<string, string>();
  for (const field of fields) {
    byKey.set(field.trim().toLowerCase(), field);
    byKey.set(fieldIdentifier(field).toLowerCase(), field);
  }
  const values: Record<string, string> = {};
  const hash = createHash('sha256');
  const decoder = new StringDecoder('utf8');
  let size = 0;
  let formFeeds = 0;
  let lastSignificant = -1; // the last non-whitespace byte seen
  let carry = '';
  let overlong = false;

  const scanLine = (line: string): void => {
    const colon = line.indexOf(':');
    if (colon <= 0) return;
    const field = byKey.get(line.slice(0, colon).trim().toLowerCase());
    if (field === undefined || field in values) return;
    const value = line.slice(colon + 1).trim();
    if (value !== '') values[field] = value.slice(0, MAX_VALUE_CHARS);
  };
  const scanText = (text: string, final: boolean): void => {
    const pieces = (carry + text).split(/[\n\f]/);
    carry = final ? '' : (pieces.pop() ?? '');
    let first = 0;
    if (overlong && pieces.length > 0) {
      overlong = false; // the first piece is the tail of an over-long line
      first = 1;
    }
    for (let i = first; i < pieces.length; i++) {
      const piece = pieces[i] as string;
      if (piece.length <= MAX_LINE_CHARS) scanLine(piece.replace(/\r$/, ''));
    }
    if (carry.length > MAX_LINE_CHARS) {
      carry = '';
      overlong = true;
    }
  };

  for await (const chunk of createReadStream(path)) {
    const bytes = chunk as Buffer;
    hash.update(bytes);
    size += bytes.length;
    for (let at = bytes.indexOf(0x0c); at !== -1; at = bytes.indexOf(0x0c, at + 1)) formFeeds++;
    for (let i = bytes.length - 1; i >= 0; i--) {
      const b = bytes[i] as number;
      if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) {
        lastSignificant = b;
        break;
      }
    }
    scanText(decoder.write(bytes), false);
  }
  scanText(decoder.end(), true);
  const pages = Math.max(1, formFeeds + 1 - (lastSignificant === 0x0c ? 1 : 0));
  return { size, sha256: hash.digest('hex'), pages, values };
}
