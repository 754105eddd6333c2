import { describe, expect, it } from 'vitest';
import { runeCount } from '#common';
import { POST_PROPS_MAX_DEPTH, PostContent, sanitizeProps, validatePostContent } from './post.model.js';

const ID = 'a'.repeat(26);
const valid = (extra: Partial<PostContent> = {}): PostContent => ({
  id: '',
  channel_id: ID,
  root_id: '',
  message: 'hi',
  type: '',
  props: {},
  file_ids: [],
  hashtags: '',
  ...extra,
});
const errorId = (extra: Partial<PostContent>) => {
  try {
    validatePostContent(valid(extra));
  } catch (err: any) {
    return err.id;
  }
  return undefined;
};

describe('validatePostContent', () => {
  it('accepts a plain post and a message of exactly 16383 runes', () => {
    expect(errorId({})).toBeUndefined();
    expect(errorId({ message: '😀'.repeat(16383) })).toBeUndefined();
  });

  it('refuses each invalid field with its model.post.is_valid id', () => {
    expect(errorId({ message: 'x'.repeat(16384) })).toBe('model.post.is_valid.msg.app_error');
    expect(errorId({ channel_id: 'short' })).toBe('model.post.is_valid.channel_id.app_error');
    expect(errorId({ root_id: 'short' })).toBe('model.post.is_valid.root_id.app_error');
    expect(errorId({ file_ids: ['nope'] })).toBe('model.post.is_valid.file_ids.app_error');
    expect(errorId({ file_ids: Array(11).fill(ID) })).toBe('model.post.is_valid.file_ids.app_error');
    expect(errorId({ type: 'x'.repeat(27) })).toBe('model.post.is_valid.type.app_error');
  });

  it("refuses text PostgreSQL cannot store with the field's id (it was a 500 from the database)", () => {
    expect(errorId({ message: 'a\u0000b' })).toBe('model.post.is_valid.msg.app_error');
    expect(errorId({ message: 'half a pair \ud83d' })).toBe('model.post.is_valid.msg.app_error');
    expect(errorId({ type: '\u0000' })).toBe('model.post.is_valid.type.app_error');
    expect(errorId({ hashtags: '#a\u0000' })).toBe('model.post.is_valid.hashtags.app_error');
    expect(errorId({ props: { a: 'x\u0000' } })).toBe('model.post.is_valid.props.app_error');
    expect(errorId({ props: { nested: [{ 'k\u0000': 1 }] } })).toBe('model.post.is_valid.props.app_error');
    expect(errorId({ props: { a: '\udc00' } })).toBe('model.post.is_valid.props.app_error');
    expect(errorId({ message: 'emoji 😀 are fine', props: { a: 'ñ 😀' } })).toBeUndefined();
  });

  it('bounds the depth of props before measuring them (40,000 levels overflowed the stack)', () => {
    const nested = (levels: number): unknown => JSON.parse('['.repeat(levels) + ']'.repeat(levels));
    expect(errorId({ props: { a: nested(POST_PROPS_MAX_DEPTH - 1) } })).toBeUndefined();
    expect(errorId({ props: { a: nested(POST_PROPS_MAX_DEPTH) } })).toBe('model.post.is_valid.props.app_error');
    expect(errorId({ props: { a: nested(40_000) } })).toBe('model.post.is_valid.props.app_error');
  });

  it('counts runes, not UTF-16 units', () => {
    expect(runeCount('😀a')).toBe(2);
  });
});

describe('sanitizeProps', () => {
  it('drops props only the server may set', () => {
    expect(sanitizeProps({ from_bot: 'true', add_channel_member: {}, custom: 1 })).toEqual({ custom: 1 });
  });
});
