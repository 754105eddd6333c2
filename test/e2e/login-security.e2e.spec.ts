import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NewUser, startServer, TestServer, until } from '#testing';

const INVALID = 'api.user.login.invalid_credentials_email_username';
const LOCKED = 'api.user.check_user_login_attempts.too_many.app_error';

interface Answer {
  status: number;
  id: string;
}

/**
 * A login as a client behind the trusted proxy at `address` would send it: the proxy appended
 * the address it saw, after whatever the client put in X-Forwarded-For (here a fresh made-up one).
 */
async function login(server: TestServer, loginId: string, password: string, address?: string): Promise<Answer> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (address) headers['X-Forwarded-For'] = `10.${randomBytes(3).join('.')}, ${address}`;
  const res = await fetch(`${server.url}/api/v4/users/login`, { method: 'POST', headers, body: JSON.stringify({ login_id: loginId, password }) });
  const text = await res.text();
  let id = '';
  try {
    id = JSON.parse(text).id ?? '';
  } catch {
    // a 429's body is plain text
  }
  return { status: res.status, id };
}

const count = (answers: Answer[], pred: (a: Answer) => boolean) => answers.filter(pred).length;
const isInvalid = (a: Answer) => a.status === 401 && a.id === INVALID;

describe('login under a flood (limits on, behind a proxy that sets X-Forwarded-For)', () => {
  let server: TestServer;
  let admin: NewUser;

  beforeAll(async () => {
    server = await startServer({
      MM_SERVICESETTINGS_TRUSTEDPROXYIPHEADER: 'X-Forwarded-For',
      MM_SERVICESETTINGS_LOGINRATELIMITPERSEC: '5',
      MM_SERVICESETTINGS_LOGINRATELIMITMAXBURST: '10',
      MM_SERVICESETTINGS_LOGINRATELIMITPERACCOUNTPERSEC: '0.2',
      MM_SERVICESETTINGS_LOGINRATELIMITPERACCOUNTMAXBURST: '30',
      MM_SERVICESETTINGS_LOGINLOCKOUTDURATIONSECONDS: '3',
    });
    admin = await server.newUser();
  });
  afterAll(() => server?.stop());

  it('stops 200 concurrent wrong passwords from one address at the limiter, counts exactly the ones that ran, and serves others meanwhile', async () => {
    const victim = await server.newUser();
    const bystander = await server.newUser();
    const flood = Array.from({ length: 200 }, () => login(server, victim.user.username, 'wrong-password', '203.0.113.1'));
    const during = login(server, bystander.user.username, bystander.password, '198.51.100.2');
    const answers = await Promise.all(flood);
    expect((await during).status).toBe(200);

    const limited = count(answers, (a) => a.status === 429);
    const invalid = count(answers, isInvalid);
    const locked = count(answers, (a) => a.status === 401 && a.id === LOCKED);
    expect(limited + invalid + locked).toBe(200);
    expect(limited).toBeGreaterThan(100); // the bucket refills 5 a second while the flood arrives
    expect(invalid).toBeLessThanOrEqual(10); // MaximumLoginAttempts for the (login id, address) pair
    expect((await admin.client.getUser(victim.user.id)).failed_attempts).toBe(invalid);
    // The flooded account's owner, elsewhere, is neither locked nor limited.
    expect((await login(server, victim.user.username, victim.password, '198.51.100.3')).status).toBe(200);
    expect((await admin.client.getUser(victim.user.id)).failed_attempts ?? 0).toBe(0);
  });

  it('locks the attacking address only, and lifts the lock after LoginLockoutDurationSeconds', async () => {
    const victim = await server.newUser();
    for (let i = 0; i < 10; i++) expect(await login(server, victim.user.username, 'wrong-password', '203.0.113.7')).toEqual({ status: 401, id: INVALID });
    expect((await admin.client.getUser(victim.user.id)).failed_attempts).toBe(10);
    expect(await login(server, victim.user.username, victim.password, '203.0.113.7')).toEqual({ status: 401, id: LOCKED });
    expect((await login(server, victim.user.username, victim.password, '198.51.100.7')).status).toBe(200);
    expect((await admin.client.getUser(victim.user.id)).failed_attempts).toBe(0);
    // Retrying while locked neither counts nor prolongs the lock: polling ends once it lifts.
    await until(async () => (await login(server, victim.user.username, victim.password, '203.0.113.7')).status === 200, 15_000, 'the lock to lift', 500);
  });

  it('answers unknown, wrong-password, deactivated and locked accounts as Mattermost does, telling an anonymous caller nothing', async () => {
    const gone = await server.newUser();
    await admin.client.updateUserActive(gone.user.id, false);
    const address = '203.0.113.9';
    expect(await login(server, `nobody-${randomBytes(4).toString('hex')}`, 'wrong-password', address)).toEqual({ status: 401, id: INVALID });
    expect(await login(server, gone.user.username, 'wrong-password', address)).toEqual({ status: 401, id: INVALID });
    expect(await login(server, gone.user.username, gone.password, address)).toEqual({ status: 401, id: 'api.user.login.inactive.app_error' });

    // A login id with no account locks after the same number of tries as a real one.
    const ghost = `ghost-${randomBytes(4).toString('hex')}`;
    for (let i = 0; i < 10; i++) expect(await login(server, ghost, 'wrong-password', '203.0.113.10')).toEqual({ status: 401, id: INVALID });
    expect(await login(server, ghost, 'wrong-password', '203.0.113.10')).toEqual({ status: 401, id: LOCKED });
  });
});

describe('the failed-attempt counter under concurrency (limits off)', () => {
  let server: TestServer;
  let admin: NewUser;

  beforeAll(async () => {
    server = await startServer({ MM_SERVICESETTINGS_MAXIMUMLOGINATTEMPTS: '1000' });
    admin = await server.newUser();
  });
  afterAll(() => server?.stop());

  it('counts every one of 200 concurrent wrong passwords that ran, and still lets the owner in', async () => {
    const victim = await server.newUser();
    const answers = await Promise.all(Array.from({ length: 200 }, () => login(server, victim.user.username, 'wrong-password')));
    const invalid = count(answers, isInvalid);
    const busy = count(answers, (a) => a.status === 503);
    expect(invalid + busy).toBe(200);
    expect(invalid).toBeGreaterThan(100); // the bcrypt queue holds 2 running and 128 waiting
    expect((await admin.client.getUser(victim.user.id)).failed_attempts).toBe(invalid);
    expect((await login(server, victim.user.username, victim.password)).status).toBe(200);
  }, 180_000); // ~130 bcrypts two at a time, on a machine that may be busy
});

describe('RateLimitSettings behind TrustedProxyIPHeader', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({
      MM_RATELIMITSETTINGS_ENABLE: 'true',
      MM_RATELIMITSETTINGS_PERSEC: '1',
      MM_RATELIMITSETTINGS_MAXBURST: '2',
      MM_SERVICESETTINGS_TRUSTEDPROXYIPHEADER: 'X-Real-IP',
    });
  });
  afterAll(() => server?.stop());

  it('ignores an X-Forwarded-For it was not told to trust: rotating it gets no fresh bucket', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${server.url}/api/v4/system/ping`, { headers: { 'X-Forwarded-For': `198.51.100.${i + 1}` } });
      statuses.push(res.status);
    }
    expect(statuses).toContain(429);
  });
});
