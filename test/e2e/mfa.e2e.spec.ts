/**
 * MFA (TOTP) through Mattermost's own client: enrolment (generate, activate with a code computed
 * by otplib as an authenticator app would), login with the code, codes refused when wrong, reused
 * (on this node and on another node of the same database) or missing, wrong codes counted toward
 * MaximumLoginAttempts, POST /users/mfa, the secret sealed at rest, and EnforceMultifactorAuthentication.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import type { Client4 } from '@mattermost/client';
import { clientFor, databasePool, expectClientError, NewUser, startServer, TestServer } from '#testing';

const MAX_ATTEMPTS = 4;
// MFA itself is switched on through the config API (below), so that a test can switch it off again.
const ENV = {
  MM_SERVICESETTINGS_MAXIMUMLOGINATTEMPTS: String(MAX_ATTEMPTS),
  MM_SQLSETTINGS_ATRESTENCRYPTKEY: 'mfa-suite-at-rest-key-0123456789abcdef',
};

let server: TestServer;
let admin: NewUser;

beforeAll(async () => {
  server = await startServer(ENV);
  admin = await server.newUser();
  await admin.client.patchConfig({ ServiceSettings: { EnableMultifactorAuthentication: true } } as any);
}, 60_000);
afterAll(() => server?.stop());

/** The code an authenticator app shows `steps` periods from now. */
const codeAt = (secret: string, steps = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });

/** A user with MFA active: its secret, and the step-0 code already used by the activation. */
async function enrolled(): Promise<NewUser & { secret: string }> {
  const u = await server.newUser();
  const { secret } = await u.client.generateMfaSecret(u.user.id);
  await u.client.updateUserMfa(u.user.id, true, await codeAt(secret));
  return { ...u, secret };
}

async function loginError(loginId: string, password: string, token: string, client: Client4 = server.client()) {
  return expectClientError(() => client.login(loginId, password, token));
}

describe('enrolment', () => {
  it('generates a secret with its QR code PNG, and activates MFA only with a valid code', async () => {
    const u = await server.newUser();
    const answer = await u.client.generateMfaSecret(u.user.id);
    expect(answer.secret).toMatch(/^[A-Z2-7]{32}$/); // 160 bits of Base32
    expect(Buffer.from(answer.qr_code, 'base64').subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

    const wrong = await expectClientError(() => u.client.updateUserMfa(u.user.id, true, '000000'));
    expect([wrong.status_code, wrong.server_error_id]).toEqual([401, 'mfa.activate.bad_token.app_error']);
    expect((await u.client.getMe()).mfa_active).toBe(false);
    const noCode = await expectClientError(() => u.client.updateUserMfa(u.user.id, true, ''));
    expect([noCode.status_code, noCode.server_error_id]).toEqual([400, 'api.context.invalid_body_param.app_error']);

    await u.client.updateUserMfa(u.user.id, true, await codeAt(answer.secret));
    const me = await u.client.getMe();
    expect(me.mfa_active).toBe(true);
    // The secret is never part of a user, on any route.
    expect(JSON.stringify(me)).not.toContain(answer.secret);
    expect(JSON.stringify(await admin.client.getUser(u.user.id))).not.toContain(answer.secret);
  });

  it('keeps the secret sealed at rest when SqlSettings.AtRestEncryptKey is set', async () => {
    const u = await enrolled();
    const pool = databasePool(server.database);
    try {
      const [row] = (await pool.query('SELECT mfa_secret FROM users WHERE id = $1', [u.user.id])).rows;
      expect(row.mfa_secret).toMatch(/^v1:/);
      expect(row.mfa_secret).not.toContain(u.secret);
      // Copied to another account, it opens for nobody: that account's codes from this secret fail.
      const other = await enrolled();
      await pool.query('UPDATE users SET mfa_secret = $2 WHERE id = $1', [other.user.id, row.mfa_secret]);
      const err = await loginError(other.user.username, other.password, await codeAt(u.secret, 1));
      expect(err.status_code).toBe(500);
      expect(err.server_error_id).toBe('mfa.secret.unreadable.app_error');
    } finally {
      await pool.end();
    }
  });

  it('refuses a new secret while MFA is active; removing MFA needs no code and clears it', async () => {
    const u = await enrolled();
    const again = await expectClientError(() => u.client.generateMfaSecret(u.user.id));
    expect([again.status_code, again.server_error_id]).toEqual([400, 'api.user.generate_mfa_secret.mfa_active.app_error']);
    await u.client.updateUserMfa(u.user.id, false, '');
    expect((await u.client.getMe()).mfa_active).toBe(false);
    // Without MFA the login needs no code again.
    await clientFor(server.url).login(u.user.username, u.password);
  });

  it("is the user's own business, or a system admin's", async () => {
    const u = await server.newUser();
    const other = await server.newUser();
    expect((await expectClientError(() => other.client.generateMfaSecret(u.user.id))).status_code).toBe(403);
    expect((await expectClientError(() => other.client.updateUserMfa(u.user.id, false, ''))).status_code).toBe(403);
    expect((await admin.client.generateMfaSecret(u.user.id)).secret).toMatch(/^[A-Z2-7]{32}$/);
    expect((await expectClientError(() => server.client().generateMfaSecret(u.user.id))).status_code).toBe(401);
  });
});

describe('login with MFA', () => {
  it('asks for the code after the right password, takes a valid one, refuses a wrong one', async () => {
    const u = await enrolled();
    const missing = await loginError(u.user.username, u.password, '');
    expect([missing.status_code, missing.server_error_id]).toEqual([401, 'mfa.validate_token.authenticate.app_error']);
    const wrong = await loginError(u.user.username, u.password, '123456' === (await codeAt(u.secret, 1)) ? '654321' : '123456');
    expect([wrong.status_code, wrong.server_error_id]).toEqual([401, 'api.user.check_user_mfa.bad_code.app_error']);
    // A wrong password is the masked invalid-credentials answer, code or not.
    const badPassword = await loginError(u.user.username, 'not-the-password', await codeAt(u.secret, 1));
    expect(badPassword.server_error_id).toBe('api.user.login.invalid_credentials_email_username');

    const client = clientFor(server.url);
    const me = await client.login(u.user.username, u.password, await codeAt(u.secret, 1));
    expect(me.id).toBe(u.user.id);
    expect((await client.getMe()).id).toBe(u.user.id);
  });

  it('refuses a code already used: the one that activated MFA, and one used to log in, also on another node', async () => {
    const u = await enrolled();
    const activation = await loginError(u.user.username, u.password, await codeAt(u.secret));
    expect(activation.server_error_id).toBe('api.user.check_user_mfa.bad_code.app_error');

    const code = await codeAt(u.secret, 1);
    await clientFor(server.url).login(u.user.username, u.password, code);
    expect((await loginError(u.user.username, u.password, code)).server_error_id).toBe('api.user.check_user_mfa.bad_code.app_error');

    const nodeB = await startServer({ ...ENV, MM_SERVICESETTINGS_ENABLEMULTIFACTORAUTHENTICATION: 'true' }, { database: server.database });
    try {
      const onB = await loginError(u.user.username, u.password, code, clientFor(nodeB.url));
      expect([onB.status_code, onB.server_error_id]).toEqual([401, 'api.user.check_user_mfa.bad_code.app_error']);
    } finally {
      await nodeB.stop();
    }
  }, 60_000);

  it('counts wrong codes toward MaximumLoginAttempts like wrong passwords; logins without a code do not count', async () => {
    const u = await enrolled();
    for (let i = 0; i < MAX_ATTEMPTS + 3; i++) {
      expect((await loginError(u.user.username, u.password, '')).server_error_id).toBe('mfa.validate_token.authenticate.app_error');
    }
    expect((await admin.client.getUser(u.user.id)).failed_attempts ?? 0).toBe(0);

    const wrongCode = (await codeAt(u.secret, 1)) === '111111' ? '222222' : '111111';
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      expect((await loginError(u.user.username, u.password, wrongCode)).server_error_id).toBe('api.user.check_user_mfa.bad_code.app_error');
    }
    expect((await admin.client.getUser(u.user.id)).failed_attempts).toBe(MAX_ATTEMPTS);
    // Locked now: the right password with a valid code does not get in, and the code is not spent.
    const locked = await loginError(u.user.username, u.password, await codeAt(u.secret, 1));
    expect([locked.status_code, locked.server_error_id]).toEqual([401, 'api.user.check_user_login_attempts.too_many.app_error']);
  });
});

describe('POST /users/mfa', () => {
  it('says whether a login id needs a code, to anyone', async () => {
    const u = await enrolled();
    const plain = await server.newUser();
    const anon = server.client();
    expect(await anon.checkUserMfa(u.user.username)).toEqual({ mfa_required: true });
    expect(await anon.checkUserMfa(u.user.email)).toEqual({ mfa_required: true });
    expect(await anon.checkUserMfa(plain.user.username)).toEqual({ mfa_required: false });
    expect(await anon.checkUserMfa('nobody-here')).toEqual({ mfa_required: false });
    const blank = await expectClientError(() => anon.checkUserMfa(''));
    expect([blank.status_code, blank.server_error_id]).toEqual([400, 'api.context.invalid_body_param.app_error']);
  });
});

describe('EnforceMultifactorAuthentication', () => {
  it('refuses API calls of users without MFA, except their profile and the MFA set-up, until they enrol', async () => {
    // The admin enrols first, or enforcing would lock them out of the config too.
    const { secret: adminSecret } = await admin.client.generateMfaSecret(admin.user.id);
    await admin.client.updateUserMfa(admin.user.id, true, await codeAt(adminSecret));
    const plain = await server.newUser();
    const sso = await server.newUser();
    await admin.client.updateUserAuth(sso.user.id, { auth_service: 'gitlab', auth_data: `gitlab-${sso.user.id}` });
    const other = await server.newUser();
    await admin.client.patchConfig({ ServiceSettings: { EnforceMultifactorAuthentication: true } } as any);
    try {
      const refused = await expectClientError(() => plain.client.getMyTeams());
      expect([refused.status_code, refused.server_error_id]).toEqual([403, 'api.context.mfa_required.app_error']);
      expect((await expectClientError(() => other.client.getProfiles())).server_error_id).toBe('api.context.mfa_required.app_error');
      // Allowed: GET /users/me, the MFA set-up routes, routes without a session, logging out.
      expect((await plain.client.getMe()).id).toBe(plain.user.id);
      expect((await plain.client.getClientConfig()).EnforceMultifactorAuthentication).toBe('true');
      const { secret } = await plain.client.generateMfaSecret(plain.user.id);
      await plain.client.updateUserMfa(plain.user.id, true, await codeAt(secret));
      // Enrolled: the same session works everywhere at once.
      expect(await plain.client.getMyTeams()).toEqual([]);
      // Accounts of SAML / OAuth providers have their provider's second factor, and are exempt.
      expect(await sso.client.getMyTeams()).toEqual([]);
      expect((await admin.client.getProfiles()).length).toBeGreaterThan(0);
      await other.client.logout();
    } finally {
      await admin.client.patchConfig({ ServiceSettings: { EnforceMultifactorAuthentication: false } } as any);
    }
  });
});

describe('with MFA off on the server', () => {
  it('answers 501 to the MFA routes that need it, and the login asks for no code', async () => {
    const u = await enrolled();
    await admin.client.patchConfig({ ServiceSettings: { EnableMultifactorAuthentication: false } } as any);
    try {
      const plain = await server.newUser();
      const gen = await expectClientError(() => plain.client.generateMfaSecret(plain.user.id));
      expect([gen.status_code, gen.server_error_id]).toEqual([501, 'mfa.mfa_disabled.app_error']);
      const act = await expectClientError(() => plain.client.updateUserMfa(plain.user.id, true, '123456'));
      expect([act.status_code, act.server_error_id]).toEqual([501, 'mfa.mfa_disabled.app_error']);
      expect(await server.client().checkUserMfa(u.user.username)).toEqual({ mfa_required: false });
      await clientFor(server.url).login(u.user.username, u.password);
    } finally {
      await admin.client.patchConfig({ ServiceSettings: { EnableMultifactorAuthentication: true } } as any);
    }
  });
});
