import { describe, expect, it } from 'vitest';
import { applyCompletion, completionAt, moveActive, searchCompletionAt } from './token';

describe('completionAt', () => {
  it('finds @users and ~channels from their first character, at the caret', () => {
    expect(completionAt('hi @al', 6)).toEqual({ kind: 'user', term: 'al', start: 3, end: 6 });
    expect(completionAt('@', 1)).toEqual({ kind: 'user', term: '', start: 0, end: 1 });
    expect(completionAt('see ~town', 9)).toEqual({ kind: 'channel', term: 'town', start: 4, end: 9 });
    expect(completionAt('line\n@bo', 8)).toEqual({ kind: 'user', term: 'bo', start: 5, end: 8 });
  });

  it('reads only up to the caret', () => {
    expect(completionAt('@alice and more', 3)).toEqual({ kind: 'user', term: 'al', start: 0, end: 3 });
    expect(completionAt('@alice and more', 10)).toBeUndefined();
  });

  it('leaves triggers inside words alone (emails, times)', () => {
    expect(completionAt('mail me at a@b', 14)).toBeUndefined();
    expect(completionAt('at 10:30', 8)).toBeUndefined();
  });

  it('completes :emoji from the second character, not smileys or a closed name', () => {
    expect(completionAt('nice :s', 7)).toBeUndefined();
    expect(completionAt('nice :sm', 8)).toEqual({ kind: 'emoji', term: 'sm', start: 5, end: 8 });
    expect(completionAt(':+1', 3)).toEqual({ kind: 'emoji', term: '+1', start: 0, end: 3 });
    expect(completionAt(':smile:', 7)).toBeUndefined();
    expect(completionAt(':-)', 3)).toBeUndefined();
  });

  it('takes a leading slash as a command line, until its first line ends', () => {
    expect(completionAt('/ec', 3)).toEqual({ kind: 'command', term: '/ec', start: 0, end: 3 });
    expect(completionAt('/echo hi', 8)).toEqual({ kind: 'command', term: '/echo hi', start: 0, end: 8 });
    expect(completionAt('/code a\nb', 9)).toBeUndefined();
    expect(completionAt('not /a command', 6)).toBeUndefined();
  });
});

describe('applyCompletion', () => {
  it('replaces the typed part and puts the caret after the pick', () => {
    const c = completionAt('hi @al', 6)!;
    expect(applyCompletion('hi @al', c, '@alice ')).toEqual({ text: 'hi @alice ', caret: 10 });
  });

  it('keeps what followed the caret, without doubling the space', () => {
    const c = completionAt('hi @al there', 6)!;
    expect(applyCompletion('hi @al there', c, '@alice ')).toEqual({ text: 'hi @alice there', caret: 9 });
  });

  it('replaces a whole command line', () => {
    const c = completionAt('/ec', 3)!;
    expect(applyCompletion('/ec', c, '/echo ')).toEqual({ text: '/echo ', caret: 6 });
  });
});

describe('moveActive', () => {
  it('wraps around both ends and starts from the top or bottom', () => {
    expect(moveActive(-1, 1, 3)).toBe(0);
    expect(moveActive(-1, -1, 3)).toBe(2);
    expect(moveActive(2, 1, 3)).toBe(0);
    expect(moveActive(0, -1, 3)).toBe(2);
    expect(moveActive(0, 1, 0)).toBe(-1);
  });
});

describe('searchCompletionAt', () => {
  it('completes from: people and in: channels, also excluded ones', () => {
    expect(searchCompletionAt('report from:al', 14)).toEqual({ kind: 'user', term: 'al', start: 7, end: 14 });
    expect(searchCompletionAt('in:', 3)).toEqual({ kind: 'channel', term: '', start: 0, end: 3 });
    expect(searchCompletionAt('x -in:~town', 11)).toEqual({ kind: 'channel', term: 'town', start: 2, end: 11 });
    expect(searchCompletionAt('from:@bob', 9)).toMatchObject({ kind: 'user', term: 'bob' });
  });

  it('leaves other words alone', () => {
    expect(searchCompletionAt('hello', 5)).toBeUndefined();
    expect(searchCompletionAt('before:2024', 11)).toBeUndefined();
    expect(searchCompletionAt('from:bob and', 12)).toBeUndefined();
  });
});
