import { describe, expect, it } from 'vitest';
import { findJsonInputProblem, MAX_JSON_DEPTH } from './json-input.js';
import { isUnstorableText } from './text.js';

/** `levels` arrays nested in each other, as raw JSON text (what an attacker sends). */
const nestedArrays = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

describe('findJsonInputProblem', () => {
  it('accepts ordinary JSON', () => {
    const body = JSON.parse('{"message":"héllo 😀","props":{"attachments":[{"text":"x","fields":[{"a":1,"b":null,"c":true}]}]},"ids":["a","b"]}');
    expect(findJsonInputProblem(body)).toBeUndefined();
    for (const scalar of [null, 1, 'x', true]) expect(findJsonInputProblem(scalar)).toBeUndefined();
  });

  it('refuses nesting beyond the limit, at any depth, without overflowing the stack', () => {
    expect(findJsonInputProblem(JSON.parse(nestedArrays(MAX_JSON_DEPTH)))).toBeUndefined();
    expect(findJsonInputProblem(JSON.parse(nestedArrays(MAX_JSON_DEPTH + 1)))).toMatchObject({ kind: 'depth', limit: MAX_JSON_DEPTH });
    // 40,000 levels (the finding): JSON.parse copes, a recursive walker would not.
    const deep = JSON.parse(`{"props":{"a":${nestedArrays(40_000)}}}`);
    expect(findJsonInputProblem(deep)).toMatchObject({ kind: 'depth' });
    expect(findJsonInputProblem({ a: { b: {} } }, 2)).toMatchObject({ kind: 'depth', path: 'a.b' });
  });

  it('refuses keys that reach a prototype, wherever they are', () => {
    expect(findJsonInputProblem(JSON.parse('{"__proto__":{"nickname":"X"}}'))).toEqual({ kind: 'key', path: '__proto__', key: '__proto__' });
    expect(findJsonInputProblem(JSON.parse('{"props":{"list":[{"constructor":{"prototype":{}}}]}}'))).toEqual({
      kind: 'key',
      path: 'props.list[0].constructor',
      key: 'constructor',
    });
    expect(findJsonInputProblem(JSON.parse('{"a":{"prototype":1}}'))).toMatchObject({ kind: 'key', key: 'prototype' });
    // Only as keys: the words themselves are ordinary text.
    expect(findJsonInputProblem({ message: '__proto__ constructor prototype' })).toBeUndefined();
  });

  it('refuses NUL and unpaired surrogates in values and keys, naming where', () => {
    expect(findJsonInputProblem(JSON.parse('{"message":"a\\u0000b"}'))).toEqual({ kind: 'text', path: 'message' });
    expect(findJsonInputProblem(JSON.parse('{"props":{"a":["ok","\\ud800"]}}'))).toEqual({ kind: 'text', path: 'props.a[1]' });
    expect(findJsonInputProblem(JSON.parse('{"props":{"k\\u0000":1}}'))).toEqual({ kind: 'text', path: 'props' });
    expect(findJsonInputProblem(JSON.parse('["\\u0000"]'))).toEqual({ kind: 'text', path: '[0]' });
  });
});

describe('isUnstorableText', () => {
  it('tells what PostgreSQL cannot store from what it can', () => {
    expect(isUnstorableText('plain')).toBe(false);
    expect(isUnstorableText('emoji 😀 and ñ')).toBe(false);
    expect(isUnstorableText('\u0000')).toBe(true);
    expect(isUnstorableText('x\ud83d')).toBe(true);
    expect(isUnstorableText('\ude00x')).toBe(true);
  });
});
