/**
 * JSON text helpers that keep AI Hub's nanosecond timestamps exact.
 *
 * Run `start_timestamp` / `finish_timestamp` are 19-digit integers, beyond
 * `Number.MAX_SAFE_INTEGER`; `JSON.parse` would round them, and Node 20's `JSON.parse` gives a
 * reviver no access to the number's source text. The `lossless-json` library does the tokenizing:
 * its parser hands every number literal to us as text, and its serialiser writes a
 * `LosslessNumber` as its digits. The client parses with {@link parseLosslessJson}, the emulator
 * writes with {@link stringifyWithRawIntegers}.
 */
import { isInteger, isNumber, LosslessNumber, parse, stringify } from 'lossless-json';

/**
 * Parses JSON text, keeping integers beyond 2^53 as decimal strings instead of rounding them;
 * every other value is what `JSON.parse` gives (decimals and exponents as numbers, `-0` kept,
 * strings untouched, the last of duplicate keys wins). Throws `SyntaxError` on text that is not JSON.
 */
export function parseLosslessJson(text: string): unknown {
  return parse(text, null, { parseNumber: numberOrExactInteger, onDuplicateKey: lastWins });
}

/** The number `literal` denotes, or `literal` itself when it is an integer a double would round. */
function numberOrExactInteger(literal: string): number | string {
  const n = Number(literal);
  return isInteger(literal) && !Number.isSafeInteger(n) ? literal : n;
}

/** Keeps the later of two values for one key, as `JSON.parse` does (the library would throw). */
function lastWins({ newValue }: { newValue: unknown }): unknown {
  return newValue;
}

/**
 * Serialises `value` as JSON, writing the decimal-string values of the named keys as bare JSON
 * numbers (so `{"start_timestamp": "1764355200123456789"}` goes out as a 19-digit number); a
 * string there that is not a JSON integer (`"007"`) stays a string. Everything else comes out as
 * `JSON.stringify` writes it; `undefined` gives the empty string.
 */
export function stringifyWithRawIntegers(value: unknown, keys: ReadonlySet<string>): string {
  const json = stringify(value, (key, v) =>
    keys.has(key) && typeof v === 'string' && isInteger(v) && isNumber(v) ? new LosslessNumber(v) : v,
  );
  return json ?? '';
}
