import { describe, expect, it } from 'vitest';
import { invitationInfo, isDeadResetLink, isPasswordPolicyError, isTeamName, loginNotice, looksLikeEmail, newPasswordProblem } from './mail-links';

describe('invitationInfo', () => {
  it("reads the invited address and the team from the link's d parameter", () => {
    expect(invitationInfo(JSON.stringify({ email: 'carol@example.com', display_name: 'Web Test', name: 'web-test' }))).toEqual({
      email: 'carol@example.com',
      teamName: 'web-test',
      teamDisplayName: 'Web Test',
    });
  });

  it('gives nothing for a missing, broken or foreign d', () => {
    expect(invitationInfo('')).toBeUndefined();
    expect(invitationInfo('{not json')).toBeUndefined();
    expect(invitationInfo('"text"')).toBeUndefined();
    expect(invitationInfo('null')).toBeUndefined();
    expect(invitationInfo(JSON.stringify({ email: 5, other: 'x' }))).toBeUndefined();
  });
});

describe('checks', () => {
  it('tells team names from anything else a link could carry', () => {
    expect(isTeamName('web-test')).toBe(true);
    expect(isTeamName('a')).toBe(false);
    expect(isTeamName('../x')).toBe(false);
    expect(isTeamName('Web')).toBe(false);
  });

  it('tells addresses from usernames', () => {
    expect(looksLikeEmail('a.b+c@example.co.uk')).toBe(true);
    expect(looksLikeEmail(' bob@example.com ')).toBe(true);
    expect(looksLikeEmail('bob')).toBe(false);
    expect(looksLikeEmail('bob@localhost')).toBe(false);
    expect(looksLikeEmail('a@b@c.com')).toBe(false);
  });

  it("knows the server's password policy errors and dead reset links", () => {
    expect(isPasswordPolicyError('model.user.is_valid.pwd_lowercase_uppercase_number_symbol.app_error')).toBe(true);
    expect(isPasswordPolicyError('model.user.is_valid.pwd.app_error')).toBe(true);
    expect(isPasswordPolicyError('api.user.reset_password.link_expired.app_error')).toBe(false);
    expect(isPasswordPolicyError(undefined)).toBe(false);
    expect(isDeadResetLink('api.user.reset_password.link_expired.app_error')).toBe(true);
    expect(isDeadResetLink('api.user.reset_password.invalid_link.app_error')).toBe(true);
    expect(isDeadResetLink('model.user.is_valid.pwd.app_error')).toBe(false);
  });

  it('asks for the same new password twice', () => {
    expect(newPasswordProblem('', '')).toBe('Enter a new password.');
    expect(newPasswordProblem('abc', 'abd')).toBe('The two passwords are not the same.');
    expect(newPasswordProblem('abc', 'abc')).toBe('');
  });
});

describe('loginNotice', () => {
  it("says what happened for the login page's extra parameter", () => {
    expect(loginNotice('passwordChange')).toMatch(/password was changed/);
    expect(loginNotice('verified')).toMatch(/verified/);
    expect(loginNotice('signin_change')).toMatch(/sign-in method/);
    expect(loginNotice('')).toBe('');
    expect(loginNotice('<script>')).toBe('');
  });
});
