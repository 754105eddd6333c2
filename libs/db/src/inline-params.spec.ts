import { describe, expect, it } from 'vitest';
import { inlineParams } from './inline-params.js';

describe('inlineParams', () => {
  it('writes strings, numbers, booleans and null as quoted literals, which PostgreSQL types as it types parameters', () => {
    expect(inlineParams('UPDATE t SET a = $1, b = $2, c = $3, d = $4 WHERE e = $1 AND f = $10', ['x', 1733400000000, true, null, 0, 0, 0, 0, 0, -1.5])).toBe(
      "UPDATE t SET a = 'x', b = '1733400000000', c = 'true', d = NULL WHERE e = 'x' AND f = '-1.5'",
    );
  });

  it('escapes quotes and backslashes so that a string stays one literal', () => {
    expect(inlineParams('SELECT $1', ["it's"])).toBe("SELECT 'it''s'");
    // pg's escapeLiteral writes a string with a backslash as E'…' (with a leading space).
    expect(inlineParams('SELECT $1', ['a\\b'])).toBe("SELECT  E'a\\\\b'");
    expect(inlineParams('SELECT $1', ["'; DROP TABLE posts; --"])).toBe("SELECT '''; DROP TABLE posts; --'");
  });

  it('writes arrays as array literals and plain objects as JSON, the text pg sends for them as parameters', () => {
    expect(inlineParams('WHERE id = ANY($1)', [['a', 'b"c', null, 'f,g']])).toBe(String.raw`WHERE id = ANY( E'{"a","b\\"c",NULL,"f,g"}')`);
    expect(inlineParams('SELECT $1', [[]])).toBe("SELECT '{}'");
    expect(
      inlineParams('SELECT $1', [
        [
          [1, 2],
          [true, false],
        ],
      ]),
    ).toBe(`SELECT '{{"1","2"},{"true","false"}}'`);
    expect(inlineParams('SELECT $1', [{ a: "it's", b: [1] }])).toBe(`SELECT '{"a":"it''s","b":[1]}'`);
  });

  it('refuses what has no unambiguous literal, and a placeholder without a value', () => {
    expect(() => inlineParams('SELECT $1', [[new Date(0)]])).toThrow(/array/);
    expect(() => inlineParams('SELECT $1', [[undefined]])).toThrow(/array/);
    expect(() => inlineParams('SELECT $1', [new Date(0)])).toThrow(/object/);
    expect(() => inlineParams('SELECT $1', [Buffer.from('a')])).toThrow(/object/);
    expect(() => inlineParams('SELECT $1', [['a\u0000b']])).toThrow(/NUL/);
    expect(() => inlineParams('SELECT $1', [Number.NaN])).toThrow(/finite/);
    expect(() => inlineParams('SELECT $2', ['a'])).toThrow(/no value for \$2/);
    // A query's text ends at a NUL: such a value goes as a parameter, where PostgreSQL refuses it.
    expect(() => inlineParams('SELECT $1', ['a\u0000b'])).toThrow(/NUL/);
  });
});
