import { AppError, newId } from '#common';
import { describe, expect, it } from 'vitest';
import {
  bodyIdList,
  bodyObject,
  bodyStringList,
  boolParam,
  parseBoolParam,
  intParam,
  optional,
  optionalStringMap,
  pagination,
  required,
  tooLong,
  urlId,
  urlUserId,
} from './params.js';
import { Session } from './session.js';

/** The AppError `fn` throws (fails the test if it throws anything else or nothing). */
function appError(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected an AppError, nothing was thrown');
}

function expectBodyError(fn: () => unknown, name: string) {
  const err = appError(fn);
  expect(err.statusCode).toBe(400);
  expect(err.id).toBe('api.context.invalid_body_param.app_error');
  expect(err.message).toContain(name);
}

function expectUrlError(fn: () => unknown, name: string) {
  const err = appError(fn);
  expect(err.statusCode).toBe(400);
  expect(err.id).toBe('api.context.invalid_url_param.app_error');
  expect(err.message).toContain(name);
}

const ID = 'abcdefghijklmnopqrstuvwxyz';
const session = { user_id: 'myownuseridmyownuseridmyow' } as Session;

describe('urlId', () => {
  it('returns a valid id', () => {
    expect(urlId(ID, 'team_id')).toBe(ID);
    const id = newId();
    expect(urlId(id, 'team_id')).toBe(id);
  });

  it.each(['', 'me', 'short', `${ID}x`, 'abcdefghijklmnopqrstuvwxy-', '../../../../etc/passwd/xxxx'])('refuses %j with a 400 naming the parameter', (value) => {
    expectUrlError(() => urlId(value, 'channel_id'), 'channel_id');
  });
});

describe('urlUserId', () => {
  it('maps `me` to the session user', () => {
    expect(urlUserId('me', session)).toBe(session.user_id);
  });

  it('passes a valid id through', () => {
    expect(urlUserId(ID, session)).toBe(ID);
  });

  it.each(['ME', 'Me', 'me ', 'self', ''])('refuses %j naming user_id', (value) => {
    expectUrlError(() => urlUserId(value, session), 'user_id');
  });
});

describe('pagination', () => {
  it('defaults to page 0 and 60 per page', () => {
    expect(pagination({})).toEqual({ page: 0, perPage: 60 });
    expect(pagination({ page: '', per_page: '' })).toEqual({ page: 0, perPage: 60 });
  });

  it('takes a custom default per page', () => {
    expect(pagination({}, 100)).toEqual({ page: 0, perPage: 100 });
  });

  it('reads page and per_page', () => {
    expect(pagination({ page: '3', per_page: '25' })).toEqual({ page: 3, perPage: 25 });
    expect(pagination({ page: '0', per_page: '0' })).toEqual({ page: 0, perPage: 0 });
  });

  it('caps per_page at 200', () => {
    expect(pagination({ per_page: '200' }).perPage).toBe(200);
    expect(pagination({ per_page: '201' }).perPage).toBe(200);
    expect(pagination({ per_page: '100000' }).perPage).toBe(200);
    expect(pagination({}, 500).perPage).toBe(200);
  });

  it('accepts pageSize as an alias of per_page, per_page winning', () => {
    expect(pagination({ pageSize: '30' }).perPage).toBe(30);
    expect(pagination({ pageSize: '30', per_page: '10' }).perPage).toBe(10);
  });

  it.each([['-1'], ['1.5'], ['abc'], ['1e999']])('falls back to page 0 for %j, as Mattermost', (page) => {
    expect(pagination({ page }).page).toBe(0);
  });

  it.each([['-5'], ['x'], ['2.5']])('falls back to the default per_page for %j', (perPage) => {
    expect(pagination({ per_page: perPage }).perPage).toBe(60);
  });

  it('ignores a repeated parameter (array)', () => {
    expect(pagination({ page: ['1', '2'] }).page).toBe(0);
  });
});

describe('intParam', () => {
  it('returns the fallback when missing or empty', () => {
    expect(intParam(undefined, 'since', 7)).toBe(7);
    expect(intParam('', 'since', 7)).toBe(7);
  });

  it('parses non-negative integers, also given as numbers', () => {
    expect(intParam('1732600000000', 'since', 0)).toBe(1732600000000);
    expect(intParam(12, 'since', 0)).toBe(12);
  });

  it.each(['-1', 'NaN', '3.14', 'ten', ['1', '2'], { a: '1' }])('refuses %j naming the parameter', (value) => {
    expectUrlError(() => intParam(value, 'since', 0), 'since');
  });
});

describe('boolParam', () => {
  it('is true only for "true" or true', () => {
    expect(boolParam('true')).toBe(true);
    expect(boolParam(true)).toBe(true);
    for (const v of ['false', 'TRUE', '1', '', undefined, null, 1, false]) expect(boolParam(v), String(v)).toBe(false);
  });
});

describe('parseBoolParam', () => {
  it("reads Go's ParseBool spellings of true, anything else as false", () => {
    for (const v of ['1', 't', 'T', 'true', 'TRUE', 'True']) expect(parseBoolParam(v), v).toBe(true);
    for (const v of ['0', 'false', 'yes', '', undefined]) expect(parseBoolParam(v), String(v)).toBe(false);
  });
});

describe('bodyObject', () => {
  it('returns an object body as is', () => {
    const body = { a: 1 };
    expect(bodyObject(body)).toBe(body);
    expect(bodyObject({})).toEqual({});
  });

  it.each([[null], [undefined], [[]], [[{ a: 1 }]], ['text'], [42], [true]])('refuses %j', (body) => {
    expectBodyError(() => bodyObject(body), 'body');
  });

  it('names the parameter it was given', () => {
    expectBodyError(() => bodyObject([], 'team'), 'team');
  });
});

describe('bodyIdList', () => {
  const ids = (n: number) => Array.from({ length: n }, () => newId());

  it('returns the ids, without duplicates, in first-seen order', () => {
    const [a, b] = ids(2);
    expect(bodyIdList([a, b, a, b, a], 'user_ids')).toEqual([a, b]);
  });

  it('accepts exactly the maximum and refuses one more', () => {
    expect(bodyIdList(ids(1000), 'user_ids')).toHaveLength(1000);
    expectBodyError(() => bodyIdList(ids(1001), 'user_ids'), 'user_ids');
    expect(bodyIdList(ids(5), 'user_ids', 5)).toHaveLength(5);
    expectBodyError(() => bodyIdList(ids(6), 'user_ids', 5), 'user_ids');
  });

  it('counts the limit before removing duplicates', () => {
    const [a] = ids(1);
    expectBodyError(() => bodyIdList([a, a, a], 'user_ids', 2), 'user_ids');
  });

  it('refuses an empty list', () => {
    expectBodyError(() => bodyIdList([], 'channel_ids'), 'channel_ids');
  });

  it.each([[null], [undefined], [{}], ['abcdefghijklmnopqrstuvwxyz'], [42]])('refuses a body that is not an array: %j', (body) => {
    expectBodyError(() => bodyIdList(body, 'user_ids'), 'user_ids');
  });

  it('refuses a list with any invalid id', () => {
    const [a] = ids(1);
    for (const bad of ['me', '', 'x'.repeat(27), 123, null, { id: a }]) {
      expectBodyError(() => bodyIdList([a, bad], 'user_ids'), 'user_ids');
    }
  });
});

describe('bodyStringList', () => {
  it('returns a list of strings, empty allowed', () => {
    expect(bodyStringList(['a', 'b', ''], 'usernames')).toEqual(['a', 'b', '']);
    expect(bodyStringList([], 'usernames')).toEqual([]);
  });

  it('refuses non-arrays, non-strings and too many', () => {
    expectBodyError(() => bodyStringList('a', 'usernames'), 'usernames');
    expectBodyError(() => bodyStringList(['a', 1], 'usernames'), 'usernames');
    expectBodyError(() => bodyStringList(['a', null], 'usernames'), 'usernames');
    expectBodyError(() => bodyStringList(['a', 'b', 'c'], 'usernames', 2), 'usernames');
    expect(bodyStringList(['a', 'b'], 'usernames', 2)).toEqual(['a', 'b']);
  });
});

describe('optional', () => {
  const body = { name: 'x', empty: '', flag: false, zero: 0, props: { a: 1 }, list: [1], nothing: null };

  it('returns values of the right type, including falsy ones', () => {
    expect(optional<string>(body, 'name', 'string')).toBe('x');
    expect(optional<string>(body, 'empty', 'string')).toBe('');
    expect(optional<boolean>(body, 'flag', 'boolean')).toBe(false);
    expect(optional<number>(body, 'zero', 'number')).toBe(0);
    expect(optional<object>(body, 'props', 'object')).toEqual({ a: 1 });
  });

  it('returns undefined for a missing or null field', () => {
    expect(optional(body, 'missing', 'string')).toBeUndefined();
    expect(optional(body, 'nothing', 'string')).toBeUndefined();
  });

  it.each<[string, 'string' | 'boolean' | 'number' | 'object']>([
    ['name', 'number'],
    ['name', 'boolean'],
    ['flag', 'string'],
    ['zero', 'string'],
    ['props', 'string'],
    ['list', 'object'],
    ['name', 'object'],
  ])('refuses %s as a %s with a 400 naming the field', (key, kind) => {
    expectBodyError(() => optional(body, key, kind), key);
  });
});

describe('optionalStringMap', () => {
  it('takes a map of strings, or nothing', () => {
    expect(optionalStringMap({ props: { a: 'x', b: '' } }, 'props')).toEqual({ a: 'x', b: '' });
    expect(optionalStringMap({}, 'props')).toBeUndefined();
    expect(optionalStringMap({ props: null }, 'props')).toBeUndefined();
  });

  it('refuses any value that is not a string, as the StringMap decoder does', () => {
    expectBodyError(() => optionalStringMap({ props: { a: { nested: 'x' } } }, 'props'), 'props');
    expectBodyError(() => optionalStringMap({ timezone: { a: 1 } }, 'timezone'), 'timezone');
    expectBodyError(() => optionalStringMap({ notify_props: ['x'] }, 'notify_props'), 'notify_props');
  });
});

describe('required', () => {
  it('returns a present value of the right type', () => {
    expect(required<string>({ team_id: ID }, 'team_id', 'string')).toBe(ID);
    expect(required<boolean>({ allow: false }, 'allow', 'boolean')).toBe(false);
  });

  it('refuses a missing or null field naming it', () => {
    expectBodyError(() => required({}, 'team_id', 'string'), 'team_id');
    expectBodyError(() => required({ team_id: null }, 'team_id', 'string'), 'team_id');
  });

  it('refuses the wrong type naming the field', () => {
    expectBodyError(() => required({ team_id: 5 }, 'team_id', 'string'), 'team_id');
    expectBodyError(() => required({ props: [] }, 'props', 'object'), 'props');
  });
});

describe('tooLong', () => {
  it('is a 400 with the model id for the field', () => {
    const err = tooLong('display_name', 'channel', 64);
    expect(err.statusCode).toBe(400);
    expect(err.id).toBe('model.channel.is_valid.display_name.app_error');
    expect(err.message).toContain('display name');
    expect(err.message).toContain('64');
  });
});
