import { describe, expect, it } from 'vitest';
import {
  AppError,
  badRequest,
  conflict,
  forbidden,
  invalidParam,
  invalidUrlParam,
  notFound,
  permissionDenied,
  sessionExpired,
  unauthorized,
} from './app-error.js';

describe('AppError', () => {
  it('is an Error carrying the message', () => {
    const err = new AppError('where', 'some.id', 'Something failed.', 418, 'detail');
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe('Something failed.');
    expect(err.where).toBe('where');
    expect(err.statusCode).toBe(418);
  });

  it('toJSON hides detailed_error unless asked', () => {
    const err = new AppError('where', 'some.id', 'Something failed.', 400, 'secret internals');
    err.requestId = 'req123';
    expect(err.toJSON(false)).toEqual({
      id: 'some.id',
      message: 'Something failed.',
      detailed_error: '',
      request_id: 'req123',
      status_code: 400,
      is_oauth: false,
    });
    expect(err.toJSON(true)).toEqual({
      id: 'some.id',
      message: 'Something failed.',
      detailed_error: 'secret internals',
      request_id: 'req123',
      status_code: 400,
      is_oauth: false,
    });
  });

  it('toJSON has exactly the model.AppError wire fields and carries is_oauth', () => {
    const json = new AppError('', 'x', 'm', 401, '', true).toJSON(false);
    expect(Object.keys(json).sort()).toEqual(['detailed_error', 'id', 'is_oauth', 'message', 'request_id', 'status_code']);
    expect(json.is_oauth).toBe(true);
    expect(json.request_id).toBe('');
  });

  it('JSON.stringify does not leak the detail', () => {
    // JSON.stringify calls toJSON(key) with the property key (a string), which must not count as "asked".
    const text = JSON.stringify({ error: new AppError('', 'x', 'm', 500, 'stack trace here') });
    expect(text).not.toContain('stack trace here');
  });
});

describe('error helpers', () => {
  it.each([
    [badRequest, 400],
    [unauthorized, 401],
    [forbidden, 403],
    [notFound, 404],
    [conflict, 409],
  ] as const)('%o gives status %i with id, message and detail', (make, status) => {
    const err = make('an.id', 'A message.', 'a detail');
    expect(err).toBeInstanceOf(AppError);
    expect(err.statusCode).toBe(status);
    expect(err.id).toBe('an.id');
    expect(err.message).toBe('A message.');
    expect(err.detailedError).toBe('a detail');
  });

  it('invalidParam is a 400 naming the body parameter', () => {
    const err = invalidParam('team_id');
    expect(err.statusCode).toBe(400);
    expect(err.id).toBe('api.context.invalid_body_param.app_error');
    expect(err.message).toContain('team_id');
  });

  it('invalidUrlParam is a 400 naming the URL parameter', () => {
    const err = invalidUrlParam('channel_id');
    expect(err.statusCode).toBe(400);
    expect(err.id).toBe('api.context.invalid_url_param.app_error');
    expect(err.message).toContain('channel_id');
  });

  it('permissionDenied is a 403 with the permission only in the detail', () => {
    const err = permissionDenied('manage_system');
    expect(err.statusCode).toBe(403);
    expect(err.id).toBe('api.context.permissions.app_error');
    expect(err.detailedError).toContain('manage_system');
    expect(err.toJSON(false).detailed_error).toBe('');
    expect(permissionDenied().detailedError).toBe('');
  });

  it('sessionExpired is a 401', () => {
    const err = sessionExpired('token gone');
    expect(err.statusCode).toBe(401);
    expect(err.id).toBe('api.context.session_expired.app_error');
    expect(err.detailedError).toBe('token gone');
  });
});
