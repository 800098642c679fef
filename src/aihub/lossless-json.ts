/**
 * JSON text helpers that keep AI Hub's nanosecond timestamps exact.
 *
 * Run `start_timestamp` / `finish_timestamp` are 19-digit integers, beyond
 * `Number.MAX_SAFE_INTEGER`; `JSON.parse` would round them. The client parses with
 * {@link parseLosslessJson}, which turns every integer too large for a double into its decimal
 * string, and the emulator writes with {@link stringifyWithRawIntegers}, which puts such strings
 * back on the wire as bare numbers, as the real service does.
 */

/** Parses JSON text, keeping integers beyond 2^53 as decimal strings instead of rounding them. */
export function parseLosslessJson(text: string): unknown {
  let out = '';
  let copiedUpTo = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      i = skipString(text, i);
      continue;
    }
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) {
      const start = i;
      i++;
      while (i < text.length && /[0-9.eE+-]/.test(text[i] as string)) i++;
      const literal = text.slice(start, i);
      if (/^-?\d+$/.test(literal) && !Number.isSafeInteger(Number(literal))) {
        out += text.slice(copiedUpTo, start) + `"${literal}"`;
        copiedUpTo = i;
      }
      continue;
    }
    i++;
  }
  return JSON.parse(copiedUpTo === 0 ? text : out + text.slice(copiedUpTo)) as unknown;
}

/** Index just past the JSON string literal that opens at `start`. */
function skipString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\\') i += 2;
    else if (ch === '"') return i + 1;
    else i++;
  }
  return i;
}

/**
 * Serialises `value` as JSON, writing the decimal-string values of the named keys as bare JSON
 * numbers (so `{"start_timestamp": "1764355200123456789"}` goes out as a 19-digit number).
 */
export function stringifyWithRawIntegers(value: unknown, keys: ReadonlySet<string>): string {
  const marker = '\u0000int:';
  const json = JSON.stringify(value, function (this: unknown, key: string, v: unknown) {
    return keys.has(key) && typeof v === 'string' && /^-?\d+$/.test(v) ? `${marker}${v}` : v;
  });
  return json.replace(/"\\u0000int:(-?\d+)"/g, '$1');
}
