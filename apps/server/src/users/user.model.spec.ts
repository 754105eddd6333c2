import { describe, expect, it } from 'vitest';
import { AppError } from '#common';
import { defaultTimezone, USER_TIMEZONE_MAX_RUNES, validateUser } from './user.model.js';

const valid = () => ({
  id: 'u'.repeat(26),
  username: 'alice',
  email: 'alice@example.com',
  nickname: 'Al',
  first_name: 'Alice',
  last_name: 'Liddell',
  position: 'Explorer',
  locale: 'en',
  timezone: defaultTimezone(),
});

function errorId(change: Partial<ReturnType<typeof valid>>): string | undefined {
  try {
    validateUser({ ...valid(), ...change });
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).statusCode).toBe(400);
    return (err as AppError).id;
  }
  return undefined;
}

describe('validateUser', () => {
  it('accepts a valid user, with any Unicode a name may hold', () => {
    expect(errorId({})).toBeUndefined();
    expect(errorId({ nickname: 'Ñandú 😀', first_name: 'Zoë' })).toBeUndefined();
  });

  it("refuses text PostgreSQL cannot store with the field's own id (it was a 500 from the database)", () => {
    expect(errorId({ nickname: 'n\u0000' })).toBe('model.user.is_valid.nickname.app_error');
    expect(errorId({ first_name: '\u0000' })).toBe('model.user.is_valid.first_name.app_error');
    expect(errorId({ last_name: 'x\ud800' })).toBe('model.user.is_valid.last_name.app_error');
    expect(errorId({ position: '\u0000' })).toBe('model.user.is_valid.position.app_error');
    expect(errorId({ locale: 'e\u0000' })).toBe('model.user.is_valid.locale.app_error');
    expect(errorId({ email: 'a\u0000@example.com' })).toBe('model.user.is_valid.email.app_error');
  });

  it('caps the timezone at UserTimezoneMaxRunes of JSON, as Mattermost', () => {
    const tz = (manual: string) => ({ ...defaultTimezone(), manualTimezone: manual });
    const base = JSON.stringify(tz('')).length;
    expect(errorId({ timezone: tz('x'.repeat(USER_TIMEZONE_MAX_RUNES - base)) })).toBeUndefined();
    expect(errorId({ timezone: tz('x'.repeat(USER_TIMEZONE_MAX_RUNES - base + 1)) })).toBe('model.user.is_valid.timezone_limit.app_error');
  });
});
