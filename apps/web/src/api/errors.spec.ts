import { describe, expect, it } from 'vitest';
import { errorMessage, isApiError, UserFacingError } from './errors';

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
