/**
 * The password-reset brute-force limits (ServiceSettings.PasswordResetRateLimit*): asking for a
 * link is limited per client address and per email address asked for, using one per address and
 * per token, each answered past its limit as Mattermost's limiter answers (a plain-text 429 with
 * X-RateLimit-* and Retry-After). Clients come from made-up addresses behind a trusted proxy.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '#testing';

let server: TestServer;

beforeAll(async () => {
  server = await startServer({
    MM_SERVICESETTINGS_TRUSTEDPROXYIPHEADER: 'X-Forwarded-For',
    // Three at once per address (and route), two per email, three per token; no refill to speak of.
    MM_SERVICESETTINGS_PASSWORDRESETRATELIMITPERSEC: '0.001',
    MM_SERVICESETTINGS_PASSWORDRESETRATELIMITMAXBURST: '2',
    MM_SERVICESETTINGS_PASSWORDRESETRATELIMITPEREMAILPERSEC: '0.001',
    MM_SERVICESETTINGS_PASSWORDRESETRATELIMITPEREMAILMAXBURST: '1',
    MM_SERVICESETTINGS_PASSWORDRESETRATELIMITPERTOKENPERSEC: '0.001',
    MM_SERVICESETTINGS_PASSWORDRESETRATELIMITPERTOKENMAXBURST: '2',
  });
});
afterAll(() => server?.stop());

let nextAddress = 1;
/** A fresh client address (TEST-NET-3). */
const address = () => `203.0.113.${nextAddress++}`;
const email = () => `nobody-${randomBytes(4).toString('hex')}@example.com`;
const token = () => randomBytes(32).toString('hex');

function post(path: string, body: object, from: string): Promise<Response> {
  return fetch(`${server.url}/api/v4/users/password/${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': from },
    body: JSON.stringify(body),
  });
}

const statuses = async (answers: Promise<Response>[]) => (await Promise.all(answers)).map((r) => r.status);

async function expectLimited(res: Response, limit: number) {
  expect(res.status).toBe(429);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  expect(await res.text()).toBe('limit exceeded\n');
  expect(res.headers.get('x-ratelimit-limit')).toBe(String(limit));
  expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
  expect(Number(res.headers.get('x-ratelimit-reset'))).toBeGreaterThan(0);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
}

describe('POST /users/password/reset/send', () => {
  it('is limited per client address, whatever emails it asks for; another address is not', async () => {
    const from = address();
    for (let i = 0; i < 3; i++) expect((await post('reset/send', { email: email() }, from)).status).toBe(200);
    await expectLimited(await post('reset/send', { email: email() }, from), 3);
    expect((await post('reset/send', { email: email() }, address())).status).toBe(200);
  });

  it('is limited per email asked for, from however many addresses (case ignored)', async () => {
    const victim = email();
    expect(await statuses([post('reset/send', { email: victim }, address())])).toEqual([200]);
    expect(await statuses([post('reset/send', { email: victim.toUpperCase() }, address())])).toEqual([200]);
    await expectLimited(await post('reset/send', { email: victim }, address()), 2);
    // An email nobody has counts the same as one somebody has: the 429 tells nothing.
  });

  it("refuses an empty email with Mattermost's error", async () => {
    const res = await post('reset/send', { email: '' }, address());
    expect(res.status).toBe(400);
    expect((await res.json()).id).toBe('api.context.invalid_body_param.app_error');
  });
});

describe('POST /users/password/reset', () => {
  it('is limited per client address: guessed tokens stop at the limit', async () => {
    const from = address();
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await post('reset', { token: token(), new_password: 'N3w-passw0rd!' }, from));
    for (const a of answers) {
      expect(a.status).toBe(400);
      expect((await a.json()).id).toBe('api.user.reset_password.invalid_link.app_error');
    }
    await expectLimited(await post('reset', { token: token(), new_password: 'N3w-passw0rd!' }, from), 3);
    // Asking for a link is another budget.
    expect((await post('reset/send', { email: email() }, from)).status).toBe(200);
  });

  it('is limited per token, from however many addresses', async () => {
    const t = token();
    expect(await statuses([0, 1, 2].map(() => post('reset', { token: t, new_password: 'N3w-passw0rd!' }, address())))).toEqual([400, 400, 400]);
    await expectLimited(await post('reset', { token: t, new_password: 'N3w-passw0rd!' }, address()), 3);
  });
});
