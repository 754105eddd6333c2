/**
 * Mail end to end: a server whose EmailSettings point at real SMTP servers started here
 * (smtp-server, parsed with mailparser), driven through Mattermost's client and raw requests.
 * Email verification (sign-up, login refused until verified, a changed address), password reset
 * (once, expired, policy, sessions ended, a dead SMTP server), team invitations (several
 * addresses, sign-up with the link into the team, joining with it, domains, the hourly limit),
 * and POST /email/test over plain SMTP, STARTTLS with AUTH and implicit TLS, with the server's
 * certificate checked against the CA it was given.
 */
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Team } from '@mattermost/types/teams';
import {
  clientFor,
  databaseUrl,
  expectClientError,
  startServer,
  startSmtpServer,
  type NewUser,
  type ReceivedMail,
  type SmtpHarness,
  type TestServer,
} from '#testing';

let server: TestServer;
let smtp: SmtpHarness;
let starttls: SmtpHarness;
let implicit: SmtpHarness;
let untrusted: SmtpHarness;
let admin: NewUser;
let db: pg.Client;
let caDir: string;

const SITE = 'Mail Site';
const SMTP_AUTH = { user: 'mailer', pass: 'smtp-s3cret' };
let seq = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${++seq}`;

interface Answer {
  status: number;
  body: any;
}

async function api(method: string, path: string, body?: unknown, token?: string): Promise<Answer> {
  const res = await fetch(`${server.url}/api/v4${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const patchConfig = (patch: unknown) => api('PUT', '/config/patch', patch, admin.client.getToken());

/** The token of a mailed link (`token=` or an invitation's `t=`). */
function linkToken(mail: ReceivedMail, param = 'token'): string {
  const m = new RegExp(`[?&]${param}=([a-z2-7]{64})`).exec(mail.text);
  if (!m) throw new Error(`no ${param}= link in: ${mail.text}`);
  return m[1];
}

async function signUpAnon(
  username = unique('mailuser'),
  password = 'Passw0rd!mail',
  query = '',
): Promise<{ username: string; email: string; password: string; answer: Answer }> {
  const email = `${username}@example.com`;
  const answer = await api('POST', `/users${query}`, { username, email, password });
  return { username, email, password, answer };
}

const login = (loginId: string, password: string) => api('POST', '/users/login', { login_id: loginId, password });

/** An account the admin creates with its address already verified (model.User.SanitizeInput lets admins), signed in. */
async function verifiedUser(): Promise<NewUser> {
  const username = unique('verified');
  const password = 'Passw0rd!verified';
  const made = await api('POST', '/users', { username, email: `${username}@example.com`, password, email_verified: true }, admin.client.getToken());
  expect(made.status).toBe(201);
  const client = clientFor(server.url);
  const user = await client.login(username, password);
  return { client, user, password };
}

beforeAll(async () => {
  [smtp, starttls, implicit, untrusted] = await Promise.all([
    startSmtpServer(),
    startSmtpServer({ tls: 'starttls', auth: SMTP_AUTH }),
    startSmtpServer({ tls: 'implicit' }),
    startSmtpServer({ tls: 'implicit' }),
  ]);
  // The server trusts the CAs of the two TLS servers it tests against, not the untrusted one's.
  caDir = mkdtempSync(join(tmpdir(), 'mail-ca-'));
  const bundle = join(caDir, 'ca-bundle.pem');
  writeFileSync(bundle, readFileSync(starttls.caFile, 'utf8') + readFileSync(implicit.caFile, 'utf8'));
  server = await startServer({
    ...smtp.env,
    NODE_EXTRA_CA_CERTS: bundle,
    MM_TEAMSETTINGS_SITENAME: SITE,
    MM_EMAILSETTINGS_FEEDBACKNAME: SITE,
    MM_EMAILSETTINGS_FEEDBACKEMAIL: 'noreply@mail.example.com',
  });
  admin = await server.newUser();
  db = new pg.Client({ connectionString: databaseUrl(server.database) });
  await db.connect();
  expect((await patchConfig({ ServiceSettings: { EnableEmailInvitations: true } })).status).toBe(200);
});
afterAll(async () => {
  await db?.end();
  await server?.stop();
  await Promise.all([smtp?.close(), starttls?.close(), implicit?.close(), untrusted?.close()]);
  if (caDir) rmSync(caDir, { recursive: true, force: true });
});

describe('email verification (EmailSettings.RequireEmailVerification)', () => {
  beforeAll(async () => {
    expect((await patchConfig({ EmailSettings: { RequireEmailVerification: true } })).status).toBe(200);
  });
  afterAll(async () => {
    await patchConfig({ EmailSettings: { RequireEmailVerification: false } });
  });

  it('a sign-up gets the welcome mail with its link; login is refused until the link is used, then works; the link works once', async () => {
    const u = await signUpAnon();
    expect(u.answer.status).toBe(201);
    expect(u.answer.body.email_verified).toBe(false);
    const mail = await smtp.nextMail(u.email);
    expect(mail.subject).toBe(`[${SITE}] You joined ${new URL(server.url).host}`);
    expect(mail.parsed.from?.value[0]).toMatchObject({ name: SITE, address: 'noreply@mail.example.com' });
    expect(mail.html).toContain('do_verify_email?token=');
    const token = linkToken(mail);

    // Refused after the right password only: a wrong one is just a wrong login.
    expect((await login(u.username, 'wrong-password')).body.id).toBe('api.user.login.invalid_credentials_email_username');
    const refused = await login(u.username, u.password);
    expect(refused).toMatchObject({ status: 401, body: { id: 'api.user.login.not_verified.app_error' } });

    expect(await api('POST', '/users/email/verify', { token: 'short' })).toMatchObject({
      status: 400,
      body: { id: 'api.context.invalid_body_param.app_error' },
    });
    expect(await api('POST', '/users/email/verify', { token })).toMatchObject({ status: 200, body: { status: 'OK' } });
    expect(await api('POST', '/users/email/verify', { token })).toMatchObject({ status: 400, body: { id: 'api.user.verify_email.bad_link.app_error' } });
    const ok = await login(u.username, u.password);
    expect(ok.status).toBe(200);
    expect(ok.body.email_verified).toBe(true);
  });

  it('verify/send: OK for an unknown address (and no mail); a new link for a known one, which replaces the earlier', async () => {
    const ghost = `${unique('ghost')}@example.com`;
    expect(await api('POST', '/users/email/verify/send', { email: ghost })).toMatchObject({ status: 200 });
    expect(smtp.mailsTo(ghost)).toHaveLength(0);
    expect((await api('POST', '/users/email/verify/send', {})).status).toBe(400);

    const u = await signUpAnon();
    const first = linkToken(await smtp.nextMail(u.email));
    expect(await api('POST', '/users/email/verify/send', { email: u.email.toUpperCase() })).toMatchObject({ status: 200 });
    const again = await smtp.nextMail(u.email);
    expect(again.subject).toBe(`[${SITE}] Email Verification`);
    const second = linkToken(again);
    expect((await api('POST', '/users/email/verify', { token: first })).status).toBe(400);
    expect((await api('POST', '/users/email/verify', { token: second })).status).toBe(200);
    expect((await login(u.username, u.password)).status).toBe(200);
  });

  it('an expired link is refused', async () => {
    const u = await signUpAnon();
    const token = linkToken(await smtp.nextMail(u.email));
    await db.query(`UPDATE tokens SET create_at = create_at - 25 * 3600000 WHERE type = 'verify_email' AND user_id = $1`, [u.answer.body.id]);
    expect(await api('POST', '/users/email/verify', { token })).toMatchObject({ status: 400, body: { id: 'api.user.verify_email.bad_link.app_error' } });
    expect((await login(u.username, u.password)).body.id).toBe('api.user.login.not_verified.app_error');
  });

  it('a changed address stays pending until its link is used: the old one signs in meanwhile', async () => {
    const user = await verifiedUser();
    expect((user.user as { email_verified?: boolean }).email_verified).toBe(true);
    const next = `${unique('moved')}@example.com`;
    const patched = await api('PUT', '/users/me/patch', { email: next }, user.client.getToken());
    expect(patched.status).toBe(200);
    expect(patched.body.email).toBe(user.user.email);
    const mail = await smtp.nextMail(next);
    expect(mail.subject).toBe(`[${SITE}] Verify new email address`);
    expect((await api('GET', '/users/me', undefined, user.client.getToken())).body.email).toBe(user.user.email);
    expect((await api('POST', '/users/email/verify', { token: linkToken(mail) })).status).toBe(200);
    expect((await api('GET', '/users/me', undefined, user.client.getToken())).body).toMatchObject({ email: next, email_verified: true });
    // Someone else's address cannot be asked for.
    const other = await api('PUT', '/users/me/patch', { email: admin.user.email }, user.client.getToken());
    expect(other).toMatchObject({ status: 400, body: { id: 'app.user.save.email_exists.app_error' } });
  });
});

describe('password reset', () => {
  it('reset/send: OK and no mail for an unknown address; the link works once, ends the sessions, the new password logs in', async () => {
    const ghost = `${unique('nobody')}@example.com`;
    expect(await api('POST', '/users/password/reset/send', { email: ghost })).toMatchObject({ status: 200, body: { status: 'OK' } });
    expect(smtp.mailsTo(ghost)).toHaveLength(0);

    const user = await server.newUser({ admin });
    expect(await api('POST', '/users/password/reset/send', { email: user.user.email })).toMatchObject({ status: 200 });
    const mail = await smtp.nextMail(user.user.email);
    expect(mail.subject).toBe(`[${SITE}] Reset your password`);
    expect(mail.text).toContain(`${server.url}/reset_password_complete?token=`);
    const token = linkToken(mail);

    // The password policy first: the link is not used up by a refused password.
    const weak = await api('POST', '/users/password/reset', { token, new_password: 'x' });
    expect(weak.status).toBe(400);
    expect(weak.body.id).toMatch(/^model\.user\.is_valid\.pwd/);

    expect(await api('POST', '/users/password/reset', { token, new_password: 'N3w-Passw0rd!' })).toMatchObject({ status: 200 });
    expect((await expectClientError(() => user.client.getMe())).status_code).toBe(401);
    expect((await login(user.user.username, user.password)).status).toBe(401);
    expect((await login(user.user.username, 'N3w-Passw0rd!')).status).toBe(200);
    expect(await api('POST', '/users/password/reset', { token, new_password: 'An0ther-Passw0rd!' })).toMatchObject({
      status: 400,
      body: { id: 'api.user.reset_password.invalid_link.app_error' },
    });
    expect((await smtp.nextMail(user.user.email)).subject).toBe(`[${SITE}] Your password has been updated`);

    // The audit record is the user's.
    const audits = await api('GET', `/users/${user.user.id}/audits`, undefined, admin.client.getToken());
    expect(audits.body.some((a: { action: string }) => a.action === '/api/v4/users/password/reset')).toBe(true);
  });

  it('a newer link voids the older; an expired link and a link of another kind are refused', async () => {
    const user = await server.newUser({ admin });
    await api('POST', '/users/password/reset/send', { email: user.user.email });
    const older = linkToken(await smtp.nextMail(user.user.email));
    await api('POST', '/users/password/reset/send', { email: user.user.email });
    const newer = linkToken(await smtp.nextMail(user.user.email));
    expect((await api('POST', '/users/password/reset', { token: older, new_password: 'N3w-Passw0rd!' })).body.id).toBe(
      'api.user.reset_password.invalid_link.app_error',
    );
    await db.query(`UPDATE tokens SET create_at = create_at - 24 * 3600000 WHERE type = 'password_recovery' AND user_id = $1`, [user.user.id]);
    expect(await api('POST', '/users/password/reset', { token: newer, new_password: 'N3w-Passw0rd!' })).toMatchObject({
      status: 400,
      body: { id: 'api.user.reset_password.link_expired.app_error' },
    });
    expect(await api('POST', '/users/password/reset', { token: 'a'.repeat(10), new_password: 'N3w-Passw0rd!' })).toMatchObject({
      status: 400,
      body: { id: 'api.context.invalid_body_param.app_error' },
    });

    await api('POST', '/users/email/verify/send', { email: user.user.email });
    const verifyToken = linkToken(await smtp.nextMail(user.user.email));
    expect((await api('POST', '/users/password/reset', { token: verifyToken, new_password: 'N3w-Passw0rd!' })).body.id).toBe(
      'api.user.reset_password.broken_token.app_error',
    );
    // Not used up by the wrong route: it still verifies.
    expect((await api('POST', '/users/email/verify', { token: verifyToken })).status).toBe(200);
  });

  it('a dead SMTP server: reset/send answers 500 as Mattermost (the user must know no mail comes); verify/send still answers OK', async () => {
    const user = await server.newUser({ admin });
    await smtp.stop();
    try {
      expect(await api('POST', '/users/password/reset/send', { email: user.user.email })).toMatchObject({
        status: 500,
        body: { id: 'api.user.send_password_reset.send.app_error' },
      });
      expect((await api('POST', '/users/password/reset/send', { email: `${unique('nobody')}@example.com` })).status).toBe(200);
      expect((await api('POST', '/users/email/verify/send', { email: user.user.email })).status).toBe(200);
    } finally {
      await smtp.start();
    }
    expect((await api('POST', '/users/password/reset/send', { email: user.user.email })).status).toBe(200);
    await smtp.nextMail(user.user.email);
  });
});

describe('team invitations by email', () => {
  let team: Team;
  beforeAll(async () => {
    team = await admin.client.createTeam({ name: unique('invite-team'), display_name: 'Invite <Team>', type: 'I' } as Team);
  });

  it('mails each address a link; the link signs up into the team (verified), once; a wrong address is refused', async () => {
    const names = [unique('inva'), unique('invb'), unique('invc')];
    const emails = names.map((n) => `${n}@example.com`);
    expect(
      await api(
        'POST',
        `/teams/${team.id}/invite/email`,
        emails.map((e) => e.toUpperCase()),
        admin.client.getToken(),
      ),
    ).toMatchObject({
      status: 200,
      body: { status: 'OK' },
    });
    const mails = await Promise.all(emails.map((e) => smtp.nextMail(e)));
    for (const m of mails) {
      expect(m.subject).toBe(`[${SITE}] ${admin.user.username} invited you to join Invite <Team> Team`);
      expect(m.html).toContain('Invite &lt;Team&gt;');
      expect(m.text).toContain('/signup_user_complete/?d=');
    }
    const [ta, tb] = mails.map((m) => linkToken(m, 't'));

    // The invited address only (the link is not used up by the refusal).
    const wrong = await api('POST', `/users?t=${tb}`, { username: unique('wrong'), email: `${unique('wrong')}@example.com`, password: 'Passw0rd!inv' });
    expect(wrong).toMatchObject({ status: 400, body: { id: 'api.user.create_user.bad_token_email_data.app_error' } });

    const a = await api('POST', `/users?t=${ta}`, { username: names[0], email: emails[0], password: 'Passw0rd!inv' });
    expect(a.status).toBe(201);
    expect(a.body.email_verified).toBe(true);
    const again = await api('POST', `/users?t=${ta}`, { username: unique('again'), email: emails[0], password: 'Passw0rd!inv' });
    expect(again).toMatchObject({ status: 404, body: { id: 'api.user.create_user.signup_link_invalid.app_error' } });
    const member = await api('GET', `/teams/${team.id}/members/${a.body.id}`, undefined, admin.client.getToken());
    expect(member).toMatchObject({ status: 200, body: { team_id: team.id, user_id: a.body.id } });

    const b = await api('POST', `/users?t=${tb}`, { username: names[1], email: emails[1], password: 'Passw0rd!inv' });
    expect(b.status).toBe(201);
  });

  it('verified by the invitation: signs in even while RequireEmailVerification is on', async () => {
    await patchConfig({ EmailSettings: { RequireEmailVerification: true } });
    try {
      const name = unique('invv');
      const email = `${name}@example.com`;
      await api('POST', `/teams/${team.id}/invite/email`, [email], admin.client.getToken());
      const token = linkToken(await smtp.nextMail(email), 't');
      expect((await api('POST', `/users?t=${token}`, { username: name, email, password: 'Passw0rd!inv' })).status).toBe(201);
      expect((await login(name, 'Passw0rd!inv')).status).toBe(200);
    } finally {
      await patchConfig({ EmailSettings: { RequireEmailVerification: false } });
    }
  });

  it('a signed-in user joins with the link (POST /teams/members/invite?token=); an expired link is refused', async () => {
    const joiner = await server.newUser({ admin });
    await api('POST', `/teams/${team.id}/invite/email`, [joiner.user.email], admin.client.getToken());
    const token = linkToken(await smtp.nextMail(joiner.user.email), 't');
    const joined = await api('POST', `/teams/members/invite?token=${token}`, undefined, joiner.client.getToken());
    expect(joined).toMatchObject({ status: 201, body: { team_id: team.id, user_id: joiner.user.id } });
    expect((await api('POST', `/teams/members/invite?token=${token}`, undefined, joiner.client.getToken())).body.id).toBe(
      'api.user.create_user.signup_link_invalid.app_error',
    );

    const late = `${unique('late')}@example.com`;
    await api('POST', `/teams/${team.id}/invite/email`, [late], admin.client.getToken());
    const lateToken = linkToken(await smtp.nextMail(late), 't');
    await db.query(`UPDATE tokens SET create_at = create_at - 48 * 3600000 WHERE type = 'team_invitation' AND extra LIKE $1`, [`%${late}%`]);
    expect(await api('POST', `/users?t=${lateToken}`, { username: unique('late'), email: late, password: 'Passw0rd!inv' })).toMatchObject({
      status: 400,
      body: { id: 'api.user.create_user.signup_link_expired.app_error' },
    });
  });

  it('allowed domains: refused, or reported per address with ?graceful; members without the permission get 403; switched off 501', async () => {
    expect((await api('PUT', `/teams/${team.id}/patch`, { allowed_domains: 'example.com' }, admin.client.getToken())).status).toBe(200);
    const outside = `${unique('out')}@other.org`;
    const inside = `${unique('in')}@example.com`;
    expect(await api('POST', `/teams/${team.id}/invite/email`, [outside, inside], admin.client.getToken())).toMatchObject({
      status: 400,
      body: { id: 'api.team.invite_members.invalid_email.app_error' },
    });
    expect(smtp.mailsTo(inside)).toHaveLength(0);
    const graceful = await api('POST', `/teams/${team.id}/invite/email?graceful=true`, { emails: [outside, inside] }, admin.client.getToken());
    expect(graceful.status).toBe(200);
    expect(graceful.body).toEqual([
      { email: outside, error: expect.objectContaining({ id: 'api.team.invite_members.invalid_email.app_error' }) },
      { email: inside, error: null },
    ]);
    await smtp.nextMail(inside);
    expect(smtp.mailsTo(outside)).toHaveLength(0);
    await api('PUT', `/teams/${team.id}/patch`, { allowed_domains: '' }, admin.client.getToken());

    const stranger = await server.newUser({ admin });
    expect((await api('POST', `/teams/${team.id}/invite/email`, ['x@example.com'], stranger.client.getToken())).status).toBe(403);
    expect((await api('POST', `/teams/${team.id}/invite/email`, [], admin.client.getToken())).status).toBe(400);
    expect((await api('POST', `/teams/${team.id}/invite/email`, ['not an address'], admin.client.getToken())).status).toBe(400);

    await patchConfig({ ServiceSettings: { EnableEmailInvitations: false } });
    try {
      expect(await api('POST', `/teams/${team.id}/invite/email`, ['x@example.com'], admin.client.getToken())).toMatchObject({
        status: 501,
        body: { id: 'api.team.invite_members.disabled.app_error' },
      });
    } finally {
      await patchConfig({ ServiceSettings: { EnableEmailInvitations: true } });
    }
  });

  it('20 invitations an hour per sender: more answer 413, as Mattermost', async () => {
    const owner = await server.newUser({ admin });
    const own = await owner.client.createTeam({ name: unique('limit-team'), display_name: 'Limits', type: 'O' } as Team);
    const many = Array.from({ length: 21 }, (_, i) => `${unique(`many${i}x`)}@example.com`);
    expect(await api('POST', `/teams/${own.id}/invite/email`, many, owner.client.getToken())).toMatchObject({
      status: 413,
      body: { id: 'app.email.rate_limit_exceeded.app_error' },
    });
    expect((await api('POST', `/teams/${own.id}/invite/email`, many.slice(0, 20), owner.client.getToken())).status).toBe(200);
    expect((await api('POST', `/teams/${own.id}/invite/email`, many.slice(20), owner.client.getToken())).status).toBe(413);
  });

  it('DELETE /teams/invites/email: every pending link stops working (system admins only)', async () => {
    const email = `${unique('void')}@example.com`;
    await api('POST', `/teams/${team.id}/invite/email`, [email], admin.client.getToken());
    const token = linkToken(await smtp.nextMail(email), 't');
    const user = await server.newUser({ admin });
    expect((await api('DELETE', '/teams/invites/email', undefined, user.client.getToken())).status).toBe(403);
    expect((await api('DELETE', '/teams/invites/email', undefined, admin.client.getToken())).status).toBe(200);
    expect((await api('POST', `/users?t=${token}`, { username: unique('void'), email, password: 'Passw0rd!inv' })).status).toBe(404);
  });
});

describe('POST /email/test', () => {
  it('the current settings: OK, and the test mail reaches the admin', async () => {
    expect(await api('POST', '/email/test', {}, admin.client.getToken())).toMatchObject({ status: 200, body: { status: 'OK' } });
    expect((await smtp.nextMail(admin.user.email)).subject).toBe('Mattermost - Testing Email Settings');
  });

  it('STARTTLS with AUTH, and implicit TLS, checked against the CA the server trusts', async () => {
    const viaStarttls = { EmailSettings: { ...starttls.settings } };
    expect((await api('POST', '/email/test', viaStarttls, admin.client.getToken())).status).toBe(200);
    expect(await starttls.nextMail(admin.user.email)).toMatchObject({ secure: true, user: SMTP_AUTH.user });
    expect((await admin.client.testEmail({ EmailSettings: implicit.settings } as any)).status).toBe('OK');
    expect((await implicit.nextMail(admin.user.email)).secure).toBe(true);
  });

  it('failures: a refused password, an untrusted certificate, a dead server (502 with the reason, never the password); no server 400', async () => {
    const wrong = await api('POST', '/email/test', { EmailSettings: { ...starttls.settings, SMTPPassword: 'not-the-password' } }, admin.client.getToken());
    expect(wrong).toMatchObject({ status: 502, body: { id: 'app.admin.test_email.failure' } });
    expect(wrong.body.message).toMatch(/535/);
    expect(JSON.stringify(wrong.body)).not.toContain('not-the-password');

    const cert = await api('POST', '/email/test', { EmailSettings: untrusted.settings }, admin.client.getToken());
    expect(cert).toMatchObject({ status: 502, body: { id: 'app.admin.test_email.failure' } });
    expect(untrusted.mailsTo(admin.user.email)).toHaveLength(0);
    const skip = { EmailSettings: { ...untrusted.settings, SkipServerCertificateVerification: true } };
    expect((await api('POST', '/email/test', skip, admin.client.getToken())).status).toBe(200);
    await untrusted.nextMail(admin.user.email);

    await smtp.stop();
    try {
      const dead = await api('POST', '/email/test', {}, admin.client.getToken());
      expect(dead).toMatchObject({ status: 502, body: { id: 'app.admin.test_email.failure' } });
      expect(dead.body.message).toMatch(/^Connection unsuccessful: /);
    } finally {
      await smtp.start();
    }

    expect(await api('POST', '/email/test', { EmailSettings: { SMTPServer: '' } }, admin.client.getToken())).toMatchObject({
      status: 400,
      body: { id: 'api.admin.test_email.missing_server' },
    });
    const masked = { EmailSettings: { ...starttls.settings, SMTPPort: String(implicit.port), SMTPPassword: '********************************' } };
    expect((await api('POST', '/email/test', masked, admin.client.getToken())).body.id).toBe('api.admin.test_email.reenter_password');
  });

  it('system admins only (test_email)', async () => {
    const user = await server.newUser({ admin });
    expect((await api('POST', '/email/test', {}, user.client.getToken())).status).toBe(403);
    expect((await api('POST', '/email/test', {})).status).toBe(401);
  });
});
