import { describe, expect, it } from 'vitest';
import { endsSession, errorMessage, isApiError, UserFacingError } from './errors';

describe('errorMessage', () => {
  it("shows the server's message, the app's own, and a generic one for anything else", () => {
    const server = {
      message: 'Enter a valid email or username and/or password.',
      status_code: 401,
      server_error_id: 'api.user.login.invalid_credentials_email_username',
    };
    expect(isApiError(server)).toBe(true);
    expect(errorMessage(server)).toBe(server.message);
    expect(errorMessage(new UserFacingError('No such team.'))).toBe('No such team.');
    expect(errorMessage(new TypeError('Failed to fetch'))).toMatch(/Something went wrong/);
    expect(errorMessage(undefined)).toMatch(/Something went wrong/);
  });
});

describe('endsSession', () => {
  it('takes a 401 for the end of the session only when the server says so (or says nothing)', () => {
    expect(endsSession({ message: 'x', status_code: 401, server_error_id: 'api.context.session_expired.app_error' })).toBe(true);
    expect(endsSession({ message: 'Unauthorized', status_code: 401 })).toBe(true);
    expect(endsSession({ message: 'x', status_code: 401, server_error_id: 'api.user.check_user_password.invalid.app_error' })).toBe(false);
    expect(endsSession({ message: 'x', status_code: 401, server_error_id: 'mfa.activate.bad_token.app_error' })).toBe(false);
    expect(endsSession({ message: 'x', status_code: 403, server_error_id: 'api.context.permissions.app_error' })).toBe(false);
    expect(endsSession(new TypeError('Failed to fetch'))).toBe(false);
  });
});
