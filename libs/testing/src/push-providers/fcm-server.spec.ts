import { createPrivateKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fcmRegistrationToken } from './credentials.js';
import { FCM_SCOPE, FcmServer, startFcmServer } from './fcm-server.js';

let fcm: FcmServer;
beforeAll(async () => {
  fcm = await startFcmServer({ projectId: 'proj-1' });
});
afterAll(() => fcm?.stop());

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
function assertion(claims: Record<string, unknown> = {}): string {
  const json = JSON.parse(readFileSync(fcm.account.file, 'utf8')) as { private_key: string; private_key_id: string; client_email: string; token_uri: string };
  const iat = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: 'RS256', typ: 'JWT', kid: json.private_key_id })}.${b64({ iss: json.client_email, aud: json.token_uri, scope: FCM_SCOPE, iat, exp: iat + 3600, ...claims })}`;
  return `${input}.${sign('sha256', Buffer.from(input), createPrivateKey(json.private_key)).toString('base64url')}`;
}

async function tokenRequest(form: Record<string, string>) {
  const res = await fetch(fcm.tokenUri, { method: 'POST', body: new URLSearchParams(form) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const grant = (jwt = assertion()) => tokenRequest({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jwt });

async function send(accessToken: string, message: unknown, project = 'proj-1') {
  const res = await fetch(`${fcm.url}/v1/projects/${project}/messages:send`, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ message }),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), json: (await res.json()) as { name?: string; error?: Record<string, unknown> } };
}

describe('FCM stand-in', () => {
  it('writes a service account whose token_uri is its OAuth endpoint', () => {
    const json = JSON.parse(readFileSync(fcm.account.file, 'utf8'));
    expect(json).toMatchObject({ type: 'service_account', project_id: 'proj-1', token_uri: `${fcm.url}/token`, client_email: fcm.account.clientEmail });
  });

  it('grants an access token for a valid assertion and refuses bad ones as Google does', async () => {
    expect(await grant()).toMatchObject({ status: 200, json: { access_token: expect.stringMatching(/^ya29\./), expires_in: 3599, token_type: 'Bearer' } });
    expect((await tokenRequest({ grant_type: 'password' })).json.error).toBe('unsupported_grant_type');
    expect((await grant(assertion().slice(0, -4) + 'AAAA')).json).toEqual({ error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
    expect((await grant(assertion({ aud: 'https://elsewhere/token' }))).json.error).toBe('invalid_grant');
    expect((await grant(assertion({ scope: 'https://www.googleapis.com/auth/cloud-platform' }))).json.error).toBe('invalid_scope');
    const iat = Math.floor(Date.now() / 1000);
    expect((await grant(assertion({ iat, exp: iat + 7200 }))).json.error).toBe('invalid_grant');
  });

  it('accepts a data message with the access token and records it', async () => {
    const { json } = await grant();
    const token = fcmRegistrationToken();
    const res = await send(json.access_token as string, { token, data: { type: 'message' }, android: { priority: 'high' } });
    expect(res.status).toBe(200);
    expect(res.json.name).toMatch(/^projects\/proj-1\/messages\//);
    expect(fcm.acceptedFor(token)[0].message).toEqual({ token, data: { type: 'message' }, android: { priority: 'high' } });
  });

  it('refuses what FCM refuses', async () => {
    const access = (await grant()).json.access_token as string;
    const token = fcmRegistrationToken();
    expect((await send('ya29.unknown', { token })).json.error).toMatchObject({ code: 401, status: 'UNAUTHENTICATED' });
    expect((await send(access, { token }, 'other-project')).json.error).toMatchObject({ code: 403, status: 'PERMISSION_DENIED' });
    for (const message of [
      { token, data: { badge: 3 } },
      { token, data: { from: 'x' } },
      { token, data: { big: 'x'.repeat(5000) } },
      { token, topic: 'news' },
      { data: {} },
      { token, priority: 'high' },
      { token, android: { priority: 'urgent' } },
    ]) {
      expect((await send(access, message)).json.error, JSON.stringify(message)).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    }
    fcm.revokeAccessTokens();
    expect((await send(access, { token })).status).toBe(401);
  });

  it("answers scripted FCM errors with Google's bodies and Retry-After", async () => {
    const access = (await grant()).json.access_token as string;
    const token = fcmRegistrationToken();
    fcm.reply(token, 'UNREGISTERED', { error: 'QUOTA_EXCEEDED', retryAfterSec: 7 });
    expect((await send(access, { token })).json).toEqual({
      error: {
        code: 404,
        message: 'Requested entity was not found.',
        status: 'NOT_FOUND',
        details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNREGISTERED' }],
      },
    });
    const quota = await send(access, { token });
    expect(quota).toMatchObject({ status: 429, retryAfter: '7', json: { error: { status: 'RESOURCE_EXHAUSTED' } } });
    expect((await send(access, { token })).status).toBe(200);
  });
});
