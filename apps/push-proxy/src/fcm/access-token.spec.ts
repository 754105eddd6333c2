import { generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeJwt } from '../jwt.js';
import { FCM_SCOPE, GoogleAccessToken, JWT_BEARER_GRANT, RENEW_MARGIN_MS, serviceAccountAssertion, type ServiceAccount } from './access-token.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const account: ServiceAccount = {
  clientEmail: 'push@project.iam.gserviceaccount.com',
  privateKey,
  privateKeyId: 'abc123',
  projectId: 'project',
  tokenUri: 'https://oauth2.example/token',
};

/** A token endpoint that records each request and answers `answers` in turn. */
function tokenEndpoint(answers: { status: number; body: unknown }[]) {
  const requests: URLSearchParams[] = [];
  const fetchImpl = (async (_url: string, init: RequestInit) => {
    requests.push(new URLSearchParams(String(init.body)));
    const next = answers.shift() ?? { status: 500, body: {} };
    return new Response(JSON.stringify(next.body), { status: next.status });
  }) as typeof fetch;
  return { requests, fetchImpl };
}

describe('Google service-account access token', () => {
  it('asserts {iss: client_email, scope: firebase.messaging, aud: token_uri, iat, exp: iat + 1 h}, RS256-signed with kid', () => {
    const jwt = serviceAccountAssertion(account, 1_700_000_000_900);
    const { header, claims } = decodeJwt(jwt);
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'abc123' });
    expect(claims).toEqual({ iss: account.clientEmail, scope: FCM_SCOPE, aud: account.tokenUri, iat: 1_700_000_000, exp: 1_700_003_600 });
    const [h, c, s] = jwt.split('.');
    expect(verify('sha256', Buffer.from(`${h}.${c}`), publicKey, Buffer.from(s, 'base64url'))).toBe(true);
  });

  it('exchanges the assertion with the jwt-bearer grant and reuses the token until shortly before it expires', async () => {
    let now = 1_700_000_000_000;
    const { requests, fetchImpl } = tokenEndpoint([
      { status: 200, body: { access_token: 'ya29.one', expires_in: 3599, token_type: 'Bearer' } },
      { status: 200, body: { access_token: 'ya29.two', expires_in: 3599, token_type: 'Bearer' } },
    ]);
    const tokens = new GoogleAccessToken(account, fetchImpl, () => now);
    expect(await tokens.get()).toBe('ya29.one');
    expect(requests[0].get('grant_type')).toBe(JWT_BEARER_GRANT);
    expect(decodeJwt(requests[0].get('assertion')!).claims.aud).toBe(account.tokenUri);
    now += 3599_000 - RENEW_MARGIN_MS - 1;
    expect(await tokens.get()).toBe('ya29.one');
    now += 1;
    expect(await tokens.get()).toBe('ya29.two');
    expect(requests).toHaveLength(2);
  });

  it('makes one request for concurrent callers, and a new one after invalidate()', async () => {
    const { requests, fetchImpl } = tokenEndpoint([
      { status: 200, body: { access_token: 'ya29.a', expires_in: 3600 } },
      { status: 200, body: { access_token: 'ya29.b', expires_in: 3600 } },
    ]);
    const tokens = new GoogleAccessToken(account, fetchImpl);
    expect(await Promise.all([tokens.get(), tokens.get(), tokens.get()])).toEqual(['ya29.a', 'ya29.a', 'ya29.a']);
    tokens.invalidate();
    expect(await tokens.get()).toBe('ya29.b');
    expect(requests).toHaveLength(2);
  });

  it("says why the endpoint refused, in Google's words", async () => {
    const { fetchImpl } = tokenEndpoint([{ status: 400, body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' } }]);
    await expect(new GoogleAccessToken(account, fetchImpl).get()).rejects.toThrow(/HTTP 400\): invalid_grant: Invalid JWT Signature\./);
  });
});
