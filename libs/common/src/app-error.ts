/**
 * The error body every Mattermost endpoint returns (model.AppError).
 * `id` is the i18n key clients switch on; `message` is the English text.
 */
export class AppError extends Error {
  requestId = '';

  constructor(
    readonly where: string,
    readonly id: string,
    message: string,
    readonly statusCode: number,
    readonly detailedError = '',
    readonly isOAuth = false,
  ) {
    super(message);
  }

  // `=== true`: JSON.stringify calls toJSON(key) with a non-empty key for a nested error, which
  // must not count as asking for the detail (it can hold a stack trace).
  toJSON(includeDetail: boolean) {
    return {
      id: this.id,
      message: this.message,
      detailed_error: includeDetail === true ? this.detailedError : '',
      request_id: this.requestId,
      status_code: this.statusCode,
      is_oauth: this.isOAuth,
    };
  }
}

export const badRequest = (id: string, message: string, detail = '') => new AppError('', id, message, 400, detail);
export const unauthorized = (id: string, message: string, detail = '') => new AppError('', id, message, 401, detail);
export const forbidden = (id: string, message: string, detail = '') => new AppError('', id, message, 403, detail);
export const notFound = (id: string, message: string, detail = '') => new AppError('', id, message, 404, detail);
export const conflict = (id: string, message: string, detail = '') => new AppError('', id, message, 409, detail);

/** 400 for a bad or missing parameter, Mattermost's `SetInvalidParam`. */
export function invalidParam(name: string): AppError {
  return badRequest('api.context.invalid_body_param.app_error', `Invalid or missing ${name} in request body.`);
}

export function invalidUrlParam(name: string): AppError {
  return badRequest('api.context.invalid_url_param.app_error', `Invalid or missing ${name} parameter in request URL.`);
}

export function permissionDenied(permission = ''): AppError {
  return forbidden(
    'api.context.permissions.app_error',
    'You do not have the appropriate permissions.',
    permission ? `userId=..., permission=${permission}` : '',
  );
}

export function sessionExpired(detail = ''): AppError {
  return unauthorized('api.context.session_expired.app_error', 'Invalid or expired session, please login again.', detail);
}
