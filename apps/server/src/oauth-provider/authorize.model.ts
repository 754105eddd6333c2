import { createHash } from 'node:crypto';
import { badRequest, isValidId } from '#common';
import { isValidHttpUrl } from './oauth-app.model.js';

/** model.AuthCodeExpireTime: an authorization code lives ten minutes. */
export const AUTH_CODE_EXPIRE_SECONDS = 600;
export const AUTH_CODE_RESPONSE_TYPE = 'code';
export const DEFAULT_SCOPE = 'user';
export const PKCE_METHOD_S256 = 'S256';

/** The parameters of an authorization request (model.AuthorizeRequest), from the query or the JSON body. */
export interface AuthorizeRequest {
  response_type: string;
  client_id: string;
  redirect_uri: string;
  scope: string;
  state: string;
  code_challenge: string;
  code_challenge_method: string;
}

/** An authorization code's record (oauth_auth_data); `code` is the code's SHA-256. */
export interface AuthCodeRow {
  code: string;
  client_id: string;
  user_id: string;
  expires_in: number;
  create_at: number;
  redirect_uri: string;
  state: string;
  scope: string;
  code_challenge: string;
  code_challenge_method: string;
}

/** A token grant (oauth_access_data): `token` and `refresh_token` are SHA-256 digests. */
export interface AccessDataRow {
  token: string;
  refresh_token: string;
  client_id: string;
  user_id: string;
  redirect_uri: string;
  expires_at: number;
  scope: string;
}

const CODE_CHALLENGE = /^[A-Za-z0-9_-]{43,128}$/;
const CODE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

function invalid(field: string, clientId = ''): never {
  throw badRequest(`model.authorize.is_valid.${field}.app_error`, `Invalid ${field.replace(/[._]/g, ' ')}.`, clientId ? `client_id=${clientId}` : '');
}

/** AuthorizeRequest.IsValid, with its PKCE rules (both fields or neither; S256 only; base64url of 43–128 characters). */
export function validateAuthorizeRequest(r: AuthorizeRequest): void {
  if (!isValidId(r.client_id)) invalid('client_id');
  if (!r.response_type) invalid('response_type');
  if (!r.redirect_uri || r.redirect_uri.length > 256 || !isValidHttpUrl(r.redirect_uri)) invalid('redirect_uri', r.client_id);
  if (r.state.length > 1024) invalid('state', r.client_id);
  if (r.scope.length > 128) invalid('scope', r.client_id);
  if (r.code_challenge || r.code_challenge_method) {
    if (!r.code_challenge) invalid('code_challenge', r.client_id);
    if (!r.code_challenge_method) invalid('code_challenge_method', r.client_id);
    if (r.code_challenge_method !== PKCE_METHOD_S256) invalid('code_challenge_method.unsupported', r.client_id);
    if (r.code_challenge.length < 43 || r.code_challenge.length > 128) invalid('code_challenge.length', r.client_id);
    if (!CODE_CHALLENGE.test(r.code_challenge)) invalid('code_challenge.format', r.client_id);
  }
}

/** AuthData.IsExpired. */
export function isCodeExpired(code: Pick<AuthCodeRow, 'create_at' | 'expires_in'>, now = Date.now()): boolean {
  return now > code.create_at + code.expires_in * 1000;
}

/** AuthData.VerifyPKCE: BASE64URL(SHA-256(verifier)) against the stored S256 challenge. */
export function verifyPkce(code: Pick<AuthCodeRow, 'code_challenge' | 'code_challenge_method'>, verifier: string): boolean {
  if (!code.code_challenge && !code.code_challenge_method) return true;
  if (code.code_challenge_method !== PKCE_METHOD_S256 || !CODE_VERIFIER.test(verifier)) return false;
  return createHash('sha256').update(verifier, 'ascii').digest('base64url') === code.code_challenge;
}

/**
 * AuthData.ValidatePKCEForClientType for a confidential client: PKCE is optional, but a code
 * asked for with a challenge needs the verifier, and a verifier without a challenge is refused.
 */
export function checkPkce(code: Pick<AuthCodeRow, 'code_challenge' | 'code_challenge_method' | 'client_id'>, verifier: string): void {
  const fail = (reason: string) =>
    badRequest(`model.authorize.validate_pkce.${reason}.app_error`, 'The PKCE code verifier does not match.', `client_id=${code.client_id}`);
  if (code.code_challenge) {
    if (!verifier) throw fail('verifier_required');
    if (!verifyPkce(code, verifier)) throw fail('verification_failed');
  } else if (verifier) {
    throw fail('not_used_in_auth');
  }
}
