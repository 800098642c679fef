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
});
