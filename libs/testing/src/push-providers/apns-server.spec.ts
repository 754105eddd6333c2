import { createPrivateKey, generateKeyPairSync, KeyObject, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apnsDeviceToken } from './credentials.js';
import { ApnsServer, startApnsServer } from './apns-server.js';

let apns: ApnsServer;
let key: KeyObject;
beforeAll(async () => {
  apns = await startApnsServer({ topics: ['com.example.app'] });
  key = createPrivateKey(readFileSync(apns.authKey.keyFile));
});
afterAll(() => apns?.stop());

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
function providerToken(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}, signingKey = key): string {
  const input = `${b64({ alg: 'ES256', kid: apns.authKey.keyId, ...header })}.${b64({ iss: apns.authKey.teamId, iat: Math.floor(Date.now() / 1000), ...claims })}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key: signingKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

/** One request over HTTP/2, trusting the stand-in's CA. */
function push(opts: { path?: string; method?: string; headers?: Record<string, string>; body?: string; token?: string | null }) {
  const token = opts.token === undefined ? providerToken() : opts.token;
  return new Promise<{ status: number; body: string; apnsId?: string }>((resolve, reject) => {
    const session = connect(apns.url, { ca: readFileSync(apns.caFile) });
    session.on('error', reject);
    const stream = session.request({
      ':method': opts.method ?? 'POST',
      ':path': opts.path ?? `/3/device/${apnsDeviceToken()}`,
      'apns-topic': 'com.example.app',
      'apns-push-type': 'alert',
      ...(token ? { authorization: `bearer ${token}` } : {}),
      ...opts.headers,
    });
    let status = 0;
    let apnsId: string | undefined;
    let body = '';
    stream.on('response', (h) => {
      status = Number(h[':status']);
      apnsId = h['apns-id'] as string | undefined;
    });
    stream.setEncoding('utf8');
    stream.on('data', (c: string) => (body += c));
    stream.on('end', () => {
      session.close();
      resolve({ status, body, apnsId });
    });
    stream.on('error', reject);
    stream.end(opts.body ?? JSON.stringify({ aps: { alert: 'hi' } }));
  });
}

describe('APNs stand-in', () => {
  it('accepts a well-formed push, answers its apns-id and records it', async () => {
    const token = apnsDeviceToken();
    const res = await push({ path: `/3/device/${token}`, headers: { 'apns-priority': '10' } });
    expect(res).toMatchObject({ status: 200, body: '' });
    expect(res.apnsId).toMatch(/^[0-9a-f-]{36}$/);
    expect(apns.acceptedFor(token)[0]).toMatchObject({
      topic: 'com.example.app',
      pushType: 'alert',
      priority: '10',
      payload: { aps: { alert: 'hi' } },
      apnsId: res.apnsId,
    });
  });

  it('checks the provider token as APNs does', async () => {
    expect(await push({ token: null })).toEqual(expect.objectContaining({ status: 403, body: '{"reason":"MissingProviderToken"}' }));
    expect((await push({ token: 'not.a.jwt' })).body).toContain('InvalidProviderToken');
    expect((await push({ token: providerToken({}, { kid: 'OTHERKEY00' }) })).body).toContain('InvalidProviderToken');
    expect((await push({ token: providerToken({ iss: 'OTHERTEAM0' }) })).body).toContain('InvalidProviderToken');
    const stranger = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    expect((await push({ token: providerToken({}, {}, stranger) })).body).toContain('InvalidProviderToken');
    expect(await push({ token: providerToken({ iat: Math.floor(Date.now() / 1000) - 3700 }) })).toMatchObject({
      status: 403,
      body: '{"reason":"ExpiredProviderToken"}',
    });
  });

  it('checks the path, method, headers and payload', async () => {
    const reason = async (opts: Parameters<typeof push>[0]) => JSON.parse((await push(opts)).body).reason as string;
    expect(await reason({ path: '/3/devices/abc' })).toBe('BadPath');
    expect(await reason({ method: 'PUT' })).toBe('MethodNotAllowed');
    expect(await reason({ path: '/3/device/not-hex' })).toBe('BadDeviceToken');
    expect(await reason({ headers: { 'apns-topic': 'com.other.app' } })).toBe('TopicDisallowed');
    expect(await reason({ headers: { 'apns-push-type': 'loud' } })).toBe('InvalidPushType');
    expect(await reason({ headers: { 'apns-priority': '7' } })).toBe('BadPriority');
    expect(await reason({ headers: { 'apns-push-type': 'background', 'apns-priority': '10' } })).toBe('BadPriority');
    expect(await reason({ headers: { 'apns-expiration': 'tomorrow' } })).toBe('BadExpirationDate');
    expect(await reason({ headers: { 'apns-id': 'not-a-uuid' } })).toBe('BadMessageId');
    expect(await reason({ body: '' })).toBe('PayloadEmpty');
    expect(await reason({ body: JSON.stringify({ aps: { alert: 'x'.repeat(5000) } }) })).toBe('PayloadTooLarge');
    expect(await reason({ body: '{"aps": 1}' })).toBe('BadPayload');
    expect(await reason({ body: JSON.stringify({ aps: { badge: 'two' } }) })).toBe('BadPayload');
  });

  it("answers scripted errors in order with Apple's bodies, then accepts again", async () => {
    const token = apnsDeviceToken();
    apns.reply(token, 'TooManyRequests', 'Unregistered');
    expect(await push({ path: `/3/device/${token}` })).toMatchObject({ status: 429, body: '{"reason":"TooManyRequests"}' });
    const gone = await push({ path: `/3/device/${token}` });
    expect(gone.status).toBe(410);
    expect(JSON.parse(gone.body)).toEqual({ reason: 'Unregistered', timestamp: expect.any(Number) });
    expect((await push({ path: `/3/device/${token}` })).status).toBe(200);
    expect(apns.requests.filter((r) => r.token === token).map((r) => r.status)).toEqual([429, 410, 200]);
  });
});
