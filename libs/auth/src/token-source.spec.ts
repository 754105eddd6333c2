import { describe, expect, it } from 'vitest';
import { AUTH_COOKIE, findToken, header, parseCookies } from './token-source.js';

const TOKEN_A = 'cookietokencookietoken0001';
const TOKEN_B = 'headertokenheadertoken0002';
const TOKEN_C = 'querytokenquerytokenqu0003';

describe('parseCookies', () => {
  it('returns nothing for a missing or empty header', () => {
    expect(parseCookies(undefined)).toEqual({});
    expect(parseCookies('')).toEqual({});
  });

  it('splits on ";" and trims names and values', () => {
    expect(parseCookies('MMAUTHTOKEN=abc;  MMUSERID = u1 ;MMCSRF=c')).toEqual({ MMAUTHTOKEN: 'abc', MMUSERID: 'u1', MMCSRF: 'c' });
  });

  it('keeps "=" inside values', () => {
    expect(parseCookies('a=b=c; d==')).toEqual({ a: 'b=c', d: '=' });
  });

  it('URL-decodes values, keeping a value that is not valid encoding as is', () => {
    expect(parseCookies('a=hello%20world; b=%E0%A4%A; c=100%')).toEqual({ a: 'hello world', b: '%E0%A4%A', c: '100%' });
  });

  it('skips parts without "=" and keeps empty values', () => {
    expect(parseCookies('flag; a=1; ; b=')).toEqual({ a: '1', b: '' });
  });

  it('keeps the first of repeated names', () => {
    expect(parseCookies('MMAUTHTOKEN=first; MMAUTHTOKEN=second')).toEqual({ MMAUTHTOKEN: 'first' });
  });

  it('does not treat a name from Object.prototype as already present', () => {
    expect(parseCookies('constructor=x; toString=y')).toEqual({ constructor: 'x', toString: 'y' });
  });
});

describe('header', () => {
  it('returns the first value of a repeated header', () => {
    expect(header({ headers: { authorization: ['Bearer a', 'Bearer b'] } }, 'authorization')).toBe('Bearer a');
    expect(header({ headers: { authorization: 'Bearer a' } }, 'authorization')).toBe('Bearer a');
    expect(header({ headers: {} }, 'authorization')).toBeUndefined();
  });
});

describe('findToken', () => {
  it('finds nothing in a bare request', () => {
    expect(findToken({ headers: {} })).toEqual({ token: '', location: 'none' });
    expect(findToken({ headers: {}, query: {} })).toEqual({ token: '', location: 'none' });
  });

  it('reads the MMAUTHTOKEN cookie', () => {
    expect(findToken({ headers: { cookie: `MMUSERID=u; ${AUTH_COOKIE}=${TOKEN_A}` } })).toEqual({ token: TOKEN_A, location: 'cookie' });
  });

  it.each(['Bearer', 'BEARER', 'bearer', 'Token', 'TOKEN', 'token'])('reads "Authorization: %s <token>"', (scheme) => {
    expect(findToken({ headers: { authorization: `${scheme} ${TOKEN_B}` } })).toEqual({ token: TOKEN_B, location: 'header' });
  });

  it('tolerates extra whitespace around the header value', () => {
    expect(findToken({ headers: { authorization: `  Bearer   ${TOKEN_B}  ` } })).toEqual({ token: TOKEN_B, location: 'header' });
  });

  it.each(['Basic dXNlcjpwYXNz', `Bearer`, `Bearer `, TOKEN_B, `Bearer ${TOKEN_B} extra`, `Bearer${TOKEN_B}`])(
    'ignores a malformed Authorization header %j',
    (value) => {
      expect(findToken({ headers: { authorization: value } })).toEqual({ token: '', location: 'none' });
    },
  );

  it('reads the access_token query parameter', () => {
    expect(findToken({ headers: {}, query: { access_token: TOKEN_C } })).toEqual({ token: TOKEN_C, location: 'query' });
  });

  it('ignores an empty or non-string access_token', () => {
    expect(findToken({ headers: {}, query: { access_token: '' } }).location).toBe('none');
    expect(findToken({ headers: {}, query: { access_token: [TOKEN_C, TOKEN_A] } }).location).toBe('none');
  });

  it('prefers the cookie over the header and the query', () => {
    const req = {
      headers: { cookie: `${AUTH_COOKIE}=${TOKEN_A}`, authorization: `Bearer ${TOKEN_B}` },
      query: { access_token: TOKEN_C },
    };
    expect(findToken(req)).toEqual({ token: TOKEN_A, location: 'cookie' });
  });

  it('prefers the header over the query', () => {
    const req = { headers: { authorization: `Token ${TOKEN_B}` }, query: { access_token: TOKEN_C } };
    expect(findToken(req)).toEqual({ token: TOKEN_B, location: 'header' });
  });

  it('falls through to the header when the cookie is empty or another cookie', () => {
    expect(findToken({ headers: { cookie: `${AUTH_COOKIE}=; MMUSERID=u`, authorization: `BEARER ${TOKEN_B}` } })).toEqual({
      token: TOKEN_B,
      location: 'header',
    });
    expect(findToken({ headers: { cookie: 'OTHER=1' }, query: { access_token: TOKEN_C } })).toEqual({ token: TOKEN_C, location: 'query' });
  });

  it('falls through to the query when the header is malformed', () => {
    expect(findToken({ headers: { authorization: 'Basic abc' }, query: { access_token: TOKEN_C } })).toEqual({
      token: TOKEN_C,
      location: 'query',
    });
  });
});
