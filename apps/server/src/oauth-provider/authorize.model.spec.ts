import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '#common';
import { AuthorizeRequest, checkPkce, isCodeExpired, validateAuthorizeRequest, verifyPkce } from './authorize.model.js';
import { isValidHttpUrl, secretsMatch } from './oauth-app.model.js';

const VERIFIER = 'a'.repeat(20) + '-._~' + 'B9'.repeat(10);
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');

const request = (over: Partial<AuthorizeRequest> = {}): AuthorizeRequest => ({
  response_type: 'code',
  client_id: 'a'.repeat(26),
  redirect_uri: 'https://app.example.com/cb',
  scope: '',
  state: 's',
  code_challenge: '',
  code_challenge_method: '',
  ...over,
});

const idOf = (fn: () => void) => {
  try {
    fn();
  } catch (err) {
    return (err as AppError).id;
  }
  return 'valid';
};

describe('validateAuthorizeRequest', () => {
  it.each<[Partial<AuthorizeRequest>, string]>([
    [{}, 'valid'],
    [{ client_id: 'short' }, 'model.authorize.is_valid.client_id.app_error'],
    [{ response_type: '' }, 'model.authorize.is_valid.response_type.app_error'],
    [{ redirect_uri: 'ftp://x' }, 'model.authorize.is_valid.redirect_uri.app_error'],
    [{ redirect_uri: `https://x.example/${'p'.repeat(256)}` }, 'model.authorize.is_valid.redirect_uri.app_error'],
    [{ state: 's'.repeat(1025) }, 'model.authorize.is_valid.state.app_error'],
    [{ scope: 's'.repeat(129) }, 'model.authorize.is_valid.scope.app_error'],
    [{ code_challenge: CHALLENGE, code_challenge_method: 'S256' }, 'valid'],
    [{ code_challenge: CHALLENGE }, 'model.authorize.is_valid.code_challenge_method.app_error'],
    [{ code_challenge_method: 'S256' }, 'model.authorize.is_valid.code_challenge.app_error'],
    [{ code_challenge: CHALLENGE, code_challenge_method: 'plain' }, 'model.authorize.is_valid.code_challenge_method.unsupported.app_error'],
    [{ code_challenge: 'short', code_challenge_method: 'S256' }, 'model.authorize.is_valid.code_challenge.length.app_error'],
    [{ code_challenge: '+'.repeat(43), code_challenge_method: 'S256' }, 'model.authorize.is_valid.code_challenge.format.app_error'],
  ])('%j → %s', (over, id) => {
    expect(idOf(() => validateAuthorizeRequest(request(over)))).toBe(id);
  });
});

describe('PKCE (S256)', () => {
  const code = { code_challenge: CHALLENGE, code_challenge_method: 'S256', client_id: 'c' };

  it('accepts the verifier the challenge was made from, and nothing else', () => {
    expect(verifyPkce(code, VERIFIER)).toBe(true);
    expect(verifyPkce(code, VERIFIER.replace('a', 'b'))).toBe(false);
    expect(verifyPkce(code, 'too-short')).toBe(false);
    expect(verifyPkce(code, `${VERIFIER}!`)).toBe(false);
    expect(verifyPkce({ ...code, code_challenge_method: 'plain' }, VERIFIER)).toBe(false);
    expect(verifyPkce({ code_challenge: '', code_challenge_method: '' }, '')).toBe(true);
  });

  it('needs the verifier for a code asked with a challenge, and refuses one for a code without', () => {
    expect(() => checkPkce(code, VERIFIER)).not.toThrow();
    expect(idOf(() => checkPkce(code, ''))).toBe('model.authorize.validate_pkce.verifier_required.app_error');
    expect(idOf(() => checkPkce(code, 'x'.repeat(43)))).toBe('model.authorize.validate_pkce.verification_failed.app_error');
    expect(idOf(() => checkPkce({ code_challenge: '', code_challenge_method: '', client_id: 'c' }, VERIFIER))).toBe(
      'model.authorize.validate_pkce.not_used_in_auth.app_error',
    );
  });
});

describe('codes, secrets and URLs', () => {
  it('expires a code ten minutes after it was made', () => {
    expect(isCodeExpired({ create_at: 0, expires_in: 600 }, 600_000)).toBe(false);
    expect(isCodeExpired({ create_at: 0, expires_in: 600 }, 600_001)).toBe(true);
  });

  it('compares secrets of any length', () => {
    expect(secretsMatch('abc', 'abc')).toBe(true);
    expect(secretsMatch('abc', 'abd')).toBe(false);
    expect(secretsMatch('abc', '')).toBe(false);
    expect(secretsMatch('abc', 'abcabc')).toBe(false);
  });

  it('takes absolute http(s) URLs only', () => {
    expect(isValidHttpUrl('https://a.example/cb?x=1')).toBe(true);
    expect(isValidHttpUrl('http://127.0.0.1:9/cb')).toBe(true);
    expect(isValidHttpUrl('javascript:alert(1)')).toBe(false);
    expect(isValidHttpUrl('/relative')).toBe(false);
    expect(isValidHttpUrl('https://')).toBe(false);
  });
});
