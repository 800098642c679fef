import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLosslessJson, stringifyWithRawIntegers } from '../../src/aihub/lossless-json';
import { nanosecondKeys, Run } from '../../src/aihub/schemas';

void describe('parseLosslessJson', () => {
  void it('keeps an integer just beyond 2^53 as its exact decimal string', () => {
    assert.deepEqual(parseLosslessJson('{"n": 9007199254740993}'), { n: '9007199254740993' });
  });

  void it('keeps a 19-digit nanosecond timestamp exact', () => {
    assert.deepEqual(parseLosslessJson('[1764355200123456789]'), ['1764355200123456789']);
  });

  void it('keeps a negative large integer exact', () => {
    assert.deepEqual(parseLosslessJson('{"n":-9007199254740993}'), { n: '-9007199254740993' });
  });

  void it('leaves safe integers as numbers', () => {
    assert.deepEqual(parseLosslessJson('{"a": 42, "b": -7, "c": 9007199254740991, "d": 0}'), {
      a: 42,
      b: -7,
      c: 9007199254740991,
      d: 0,
    });
  });

  void it('leaves floats and exponents as numbers', () => {
    assert.deepEqual(parseLosslessJson('[1.5, -0.25, 1e21, 12345678901234567890.5, 2E-3]'), [
      1.5,
      -0.25,
      1e21,
      Number('12345678901234567890.5'),
      2e-3,
    ]);
  });

  void it('does not touch digits inside strings, escaped quotes included', () => {
    const text = String.raw`{"s": "id \"12345678901234567890\" end", "t": "\\", "n": 12345678901234567890}`;
    assert.deepEqual(parseLosslessJson(text), {
      s: 'id "12345678901234567890" end',
      t: '\\',
      n: '12345678901234567890',
    });
  });

  void it('handles keys that look like numbers and unicode escapes', () => {
    assert.deepEqual(parseLosslessJson('{"12345678901234567890": "\\u0031", "x": [true, null]}'), {
      '12345678901234567890': '1',
      x: [true, null],
    });
  });

  void it('rejects text that is not JSON', () => {
    assert.throws(() => parseLosslessJson('<html>'), SyntaxError);
  });

  void it('keeps 2^53 itself, the first integer a double cannot tell from its neighbour, exact', () => {
    assert.deepEqual(parseLosslessJson('[9007199254740992, -9007199254740992]'), [
      '9007199254740992',
      '-9007199254740992',
    ]);
  });

  void it('gives every other number exactly as JSON.parse does, negative zero included', () => {
    const literals = [
      '0',
      '-0',
      '-0.0',
      '0.1',
      '0.30000000000000004',
      '1E400',
      '-1e-400',
      '9007199254740993.0',
      '123456789012345678e-2',
      '1.7976931348623157e308',
      '5e-324',
    ];
    for (const literal of literals) {
      const [got] = parseLosslessJson(`[${literal}]`) as [unknown];
      assert.ok(Object.is(got, JSON.parse(literal)), `${literal} gave ${String(got)}`);
    }
  });

  void it('leaves strings that look like numbers as strings', () => {
    assert.deepEqual(parseLosslessJson('{"a": "42", "b": "1764355200123456789", "c": "-0"}'), {
      a: '42',
      b: '1764355200123456789',
      c: '-0',
    });
  });

  void it('keeps the last of duplicate keys, as JSON.parse does', () => {
    const text = '{"status": "RUNNING", "status": "COMPLETE", "n": 1, "n": 12345678901234567890}';
    assert.deepEqual(parseLosslessJson(text), { status: 'COMPLETE', n: '12345678901234567890' });
  });

  void it('keeps a __proto__ key as an own property without touching the prototype', () => {
    const parsed = parseLosslessJson('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value, { polluted: true });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  void it('rejects what JSON.parse rejects: trailing commas, leading zeros, raw control characters', () => {
    for (const text of ['[1,]', '{"a":1,}', '[01]', '["a\u0001"]', '[1] x', "{'a':1}", '', '[.5]', '[1.]']) {
      assert.throws(() => JSON.parse(text), SyntaxError, `JSON.parse accepted ${text}`);
      assert.throws(() => parseLosslessJson(text), SyntaxError, `accepted ${text}`);
    }
  });
});

void describe('stringifyWithRawIntegers', () => {
  void it('round-trips a run with nanosecond timestamps through the Run schema unchanged', () => {
    const wire = stringifyWithRawIntegers(
      {
        id: 'r1',
        status: 'COMPLETE',
        start_timestamp: '1764355200123456789',
        finish_timestamp: '1764355299000000001',
      },
      nanosecondKeys,
    );
    assert.match(wire, /"start_timestamp":1764355200123456789/);
    const run = Run.parse(parseLosslessJson(wire));
    assert.equal(run.start_timestamp, '1764355200123456789');
    assert.equal(run.finish_timestamp, '1764355299000000001');
  });

  void it('writes other values as JSON.stringify does, numeric strings under other keys included', () => {
    const value = {
      id: '1764355200123456789',
      runs: [{ start_timestamp: '-12', finish_timestamp: null, n: 1.5, s: 'x"y' }],
      nested: { start_timestamp: 7 },
      skipped: undefined,
    };
    assert.equal(
      stringifyWithRawIntegers(value, nanosecondKeys),
      JSON.stringify(value).replace('"start_timestamp":"-12"', '"start_timestamp":-12'),
    );
  });

  void it('leaves a nanosecond key whose string is not a JSON integer as a string', () => {
    const wire = stringifyWithRawIntegers(
      { start_timestamp: '007', finish_timestamp: '1.5' },
      nanosecondKeys,
    );
    assert.equal(wire, '{"start_timestamp":"007","finish_timestamp":"1.5"}');
  });
});
