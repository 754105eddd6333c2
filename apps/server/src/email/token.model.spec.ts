import { describe, expect, it } from 'vitest';
import { isExpired, newTokenString, TOKEN_SIZE, tokenExtra } from './token.model.js';

describe('link tokens', () => {
  it('are 64 characters of a lower-case alphabet, all different', () => {
    const tokens = new Set(Array.from({ length: 200 }, () => newTokenString()));
    expect(tokens.size).toBe(200);
    for (const t of tokens) expect(t).toMatch(new RegExp(`^[a-z2-7]{${TOKEN_SIZE}}$`));
  });

  it('expire after their type’s lifetime (24 h, invitations 48 h); an unknown type is expired', () => {
    const now = 1_000_000_000_000;
    const h = 3_600_000;
    expect(isExpired({ type: 'password_recovery', create_at: now - 24 * h + 1 }, now)).toBe(false);
    expect(isExpired({ type: 'password_recovery', create_at: now - 24 * h }, now)).toBe(true);
    expect(isExpired({ type: 'verify_email', create_at: now - 24 * h }, now)).toBe(true);
    expect(isExpired({ type: 'team_invitation', create_at: now - 47 * h }, now)).toBe(false);
    expect(isExpired({ type: 'team_invitation', create_at: now - 48 * h }, now)).toBe(true);
    expect(isExpired({ type: 'cws_access_token', create_at: now }, now)).toBe(true);
  });

  it('read their extra as a string map, whatever is stored', () => {
    expect(tokenExtra({ extra: '{"UserId":"u","Email":"e","n":5}' })).toEqual({ UserId: 'u', Email: 'e' });
    expect(tokenExtra({ extra: 'not json' })).toEqual({});
    expect(tokenExtra({ extra: '[1]' })).toEqual({});
  });
});
