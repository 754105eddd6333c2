/**
 * The web client's pages behind the links the server mails, in Debian's Chromium (libs/testing
 * browser.ts) against a built node that sends its mail to a real SMTP server (startSmtpServer):
 * every link is read out of the mail's HTML as a mail reader would follow it. Covered: "Forgot your
 * password?" → mail → new password (the server's policy answer next to the field) → log in with
 * it; a sign-up while RequireEmailVerification holds → "verify your email" → a replaced link's
 * error and "send again" → the link → log in; the team menu's "Invite people" dialog with each
 * address's outcome → the invitation's link signs a new person up into the team, and joins a
 * signed-in one; a notification mail's permalink opens the post in its channel. Every new page
 * passes axe's WCAG A/AA checks. Screenshots go to test-artifacts/web/.
 *
 * Skipped, saying why, when /usr/bin/chromium is missing (`apt-get install chromium`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Channel } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessibilityViolations,
  chromiumMissing,
  clientFor,
  expectClientError,
  REPO_ROOT,
  startServer,
  startSmtpServer,
  TestBrowser,
  type NewUser,
  type Person,
  type ReceivedMail,
  type SmtpHarness,
  type TestServer,
} from '#testing';

const missing = chromiumMissing();
if (missing) console.warn(missing);
const TEAM = { name: 'mail-test', display: 'Mail Test' };
const TOWN = `/${TEAM.name}/channels/town-square`;

let smtp: SmtpHarness;
let server: TestServer;
let browser: TestBrowser;
let alice: NewUser;
let bob: NewUser;
let team: Team;
/** Bob's browser, signed in since the password test (the invitation test joins him through his link). */
let bobAtBrowser: Person;

const messages = (page: Page) => page.getByRole('log', { name: 'Messages' });

async function logIn(page: Page, loginId: string, password: string): Promise<void> {
  await page.getByLabel('Email or username', { exact: true }).fill(loginId);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** The links of a mail's HTML part (the buttons a reader clicks), unescaped. */
function htmlLinks(mail: ReceivedMail): string[] {
  const unescape = (s: string) =>
    s
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  return [...mail.html.matchAll(/href="([^"]+)"/g)].map((m) => unescape(m[1]!));
}

/**
 * The next mail to `to` with a link to this server's `path` (mails without one — a "password
 * changed" notice, say — are passed over), and that link.
 */
async function mailedLink(to: string, path: string): Promise<{ mail: ReceivedMail; link: string }> {
  for (;;) {
    const mail = await smtp.nextMail(to, 20_000);
    const link = htmlLinks(mail).find((l) => l.startsWith(`${server.url}${path}`));
    if (link) return { mail, link };
  }
}

/** The pages ran under their CSP and threw nothing. */
function expectClean(person: Person): void {
  expect(person.cspViolations).toEqual([]);
  expect(person.console.filter((line) => line.startsWith('pageerror:'))).toEqual([]);
}

const patchConfig = (patch: unknown) => alice.client.patchConfig(patch as never);

describe.skipIf(!!missing)(`the mailed links' pages in Chromium${missing ? ` — ${missing}` : ''}`, () => {
  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'dist/web/index.html'))) throw new Error('dist/web is missing: run `npm run build` (it builds the web app too)');
    smtp = await startSmtpServer();
    server = await startServer({ ...smtp.env, MM_SERVICESETTINGS_ENABLEEMAILINVITATIONS: 'true' });
    alice = await server.newUser({ username: 'alice' });
    bob = await server.newUser({ username: 'bob' });
    // Invite-only: people get in through the invitation, not by joining an open team.
    team = await alice.client.createTeam({ name: TEAM.name, display_name: TEAM.display, type: 'I' } as Team);
    browser = await TestBrowser.launch('web');
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await smtp?.close();
  });

  it('resets a forgotten password through the mailed link: the policy answers next to the field, the new password logs in', async () => {
    bobAtBrowser = await browser.person('bob', server.url);
    const page = bobAtBrowser.page;
    await page.goto('/login');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.waitForURL('**/reset_password');
    await page.getByLabel('Email').fill(bob.user.email);
    await page.getByRole('button', { name: 'Send the link' }).click();
    const sent = page.getByRole('status').filter({ hasText: 'Check your inbox' });
    await sent.waitFor();
    expect(await sent.textContent()).toContain(bob.user.email);
    expect(await accessibilityViolations(page)).toEqual([]);

    const { link } = await mailedLink(bob.user.email, '/reset_password_complete?token=');
    await page.goto(link);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    const password = page.getByLabel('New password', { exact: true });
    await password.fill('short');
    await page.getByLabel('New password again').fill('short');
    await page.getByRole('button', { name: 'Change my password' }).click();
    const policy = page.locator('.field-error');
    await policy.waitFor();
    expect(await policy.textContent()).toMatch(/^Your password must contain at least \d+ characters/);
    expect(await password.getAttribute('aria-invalid')).toBe('true');
    expect(await password.getAttribute('aria-describedby')).toContain(await policy.getAttribute('id'));
    await browser.screenshot(page, 'reset-password-policy');
    expect(await accessibilityViolations(page)).toEqual([]);

    // The refused password left the link usable.
    const newPassword = 'N3w-Passw0rd!bob';
    await password.fill(newPassword);
    await page.getByLabel('New password again').fill(newPassword);
    await page.getByRole('button', { name: 'Change my password' }).click();
    await page.waitForURL('**/login?extra=passwordChange');
    await page.getByRole('status').filter({ hasText: 'Your password was changed' }).waitFor();
    expect((await expectClientError(() => clientFor(server.url).login('bob', bob.password))).status_code).toBe(401);
    await logIn(page, 'bob', newPassword);
    // Bob is on no team yet.
    await page.waitForURL('**/create_team');
    expectClean(bobAtBrowser);
  });

  it('holds a sign-up back until its address is verified: "check your inbox", a replaced link refused with "send again", the link, then log in', async () => {
    await patchConfig({ EmailSettings: { RequireEmailVerification: true } });
    try {
      const erin = await browser.person('erin', server.url);
      const page = erin.page;
      const email = 'erin@example.com';
      await page.goto('/signup_user_complete');
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Username').fill('erin');
      await page.getByLabel('Password').fill('Passw0rd!erin');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.waitForURL(`**/should_verify_email?email=${encodeURIComponent(email)}`);
      await page.getByRole('heading', { name: 'Verify your email address' }).waitFor();
      expect(await page.getByRole('main').textContent()).toContain(email);
      await browser.screenshot(page, 'should-verify-email');
      expect(await accessibilityViolations(page)).toEqual([]);

      const welcome = await mailedLink(email, '/do_verify_email?token=');
      // A login refused for the unverified address leads to the same page; with a username for a
      // login id, the address to send the link to is asked for.
      await page.getByRole('link', { name: 'Back to log in' }).click();
      await logIn(page, 'erin', 'Passw0rd!erin');
      await page.waitForURL('**/should_verify_email?email=erin');
      // A new link replaces the first.
      await page.getByRole('textbox', { name: 'Email' }).fill(email);
      await page.getByRole('button', { name: 'Send the link again' }).click();
      await page.getByRole('status').filter({ hasText: 'A new link is on its way' }).waitFor();
      await mailedLink(email, '/do_verify_email?token=');

      await page.goto(welcome.link);
      await page.getByRole('heading', { name: 'This link cannot be used' }).waitFor();
      const token = new URL(welcome.link).searchParams.get('token')!;
      const refused = await expectClientError(() => clientFor(server.url).verifyUserEmail(token));
      expect(await page.getByRole('alert').textContent()).toBe(refused.message);
      expect(await accessibilityViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Send the link again' }).click();
      await page.getByRole('status').filter({ hasText: 'A new link is on its way' }).waitFor();
      const fresh = await mailedLink(email, '/do_verify_email?token=');

      await page.goto(fresh.link);
      await page.waitForURL('**/login?extra=verified');
      await page.getByRole('status').filter({ hasText: 'Your email address is verified' }).waitFor();
      await logIn(page, 'erin', 'Passw0rd!erin');
      await page.waitForURL('**/create_team');
      expectClean(erin);
    } finally {
      await patchConfig({ EmailSettings: { RequireEmailVerification: false } });
    }
  });

  it("invites people from the team menu, with each address's outcome; the link signs a new person up into the team and joins a signed-in one", async () => {
    // Addresses outside the team's domains are refused, address by address.
    await alice.client.patchTeam({ id: team.id, allowed_domains: 'example.com' } as Team);
    const ann = await browser.person('alice', server.url);
    const page = ann.page;
    await page.goto(TOWN);
    await logIn(page, 'alice', alice.password);
    await page.waitForURL(`**${TOWN}`);
    await messages(page).waitFor();

    await page.getByRole('button', { name: `Team menu: ${TEAM.display}` }).click();
    await page.getByRole('menuitem', { name: 'Invite people…' }).click();
    const dialog = page.getByRole('dialog', { name: `Invite people to ${TEAM.display}` });
    await dialog.getByLabel('Email addresses').fill(`carol@example.com, ${bob.user.email} dan@other.org not-an-address`);
    expect(await accessibilityViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Send invitations' }).click();
    await dialog.getByRole('status').filter({ hasText: '2 invitations sent, 2 not sent.' }).waitFor();
    const results = dialog.getByRole('list', { name: 'Invitations' }).getByRole('listitem');
    expect(await results.allInnerTexts()).toEqual([
      expect.stringMatching(/^carol@example\.com\s+Invitation sent$/),
      expect.stringMatching(new RegExp(`^${bob.user.email.replace(/\./g, '\\.')}\\s+Invitation sent$`)),
      expect.stringMatching(/^dan@other\.org\s+The following email addresses do not belong to an accepted domain: dan@other\.org\./),
      expect.stringMatching(/^not-an-address\s+This is not a valid email address\.$/),
    ]);
    await browser.screenshot(page, 'invite-dialog');
    expect(await accessibilityViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Done' }).click();
    expect(smtp.mailsTo('dan@other.org')).toEqual([]);

    // Carol, in a browser of her own, signs up through her link: the address is the invited one.
    const carol = await browser.person('carol', server.url);
    const invitation = await mailedLink('carol@example.com', '/signup_user_complete/?');
    await carol.page.goto(invitation.link);
    await carol.page.getByRole('heading', { name: `Join ${TEAM.display}` }).waitFor();
    const email = carol.page.getByLabel('Email');
    expect(await email.inputValue()).toBe('carol@example.com');
    expect(await email.getAttribute('readonly')).not.toBeNull();
    expect(await accessibilityViolations(carol.page)).toEqual([]);
    await carol.page.getByLabel('Username').fill('carol');
    await carol.page.getByLabel('Password').fill('Passw0rd!carol');
    await carol.page.getByRole('button', { name: 'Create account' }).click();
    await carol.page.waitForURL(`**${TOWN}`);
    await messages(carol.page).waitFor();

    // Bob is signed in: his link joins him to the team.
    const bobs = await mailedLink(bob.user.email, '/signup_user_complete/?');
    await bobAtBrowser.page.goto(bobs.link);
    await bobAtBrowser.page.waitForURL(`**${TOWN}`);
    await messages(bobAtBrowser.page).waitFor();
    const members = await alice.client.getTeamMembers(team.id);
    expect(members.map((m) => m.user_id)).toContain(bob.user.id);
    for (const p of [ann, carol, bobAtBrowser]) expectClean(p);
  });

  it("opens a notification mail's permalink at the post (older than the channel's first page), after logging in", async () => {
    const dave = await server.newUser({ username: 'dave' });
    await alice.client.addToTeam(team.id, dave.user.id);
    const town = (await alice.client.getChannelByName(team.id, 'town-square')) as Channel;
    const post = await alice.client.createPost({ channel_id: town.id, message: '@dave the plan is in this message' } as Post);
    // More than the channel's first page (60) after it: the post is loaded with the posts around it, and scrolled to.
    for (let i = 1; i <= 65; i++) await alice.client.createPost({ channel_id: town.id, message: `later message ${i}` } as Post);
    const { link } = await mailedLink(dave.user.email, `/${TEAM.name}/pl/${post.id}`);

    const person = await browser.person('dave', server.url);
    // Which posts were highlighted (the class comes and goes within seconds): recorded as it happens.
    await person.context.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { highlighted: string[] }).highlighted = seen;
      new MutationObserver((records) => {
        for (const r of records) {
          const el = r.target as HTMLElement;
          const id = el.dataset?.postId;
          if (id && el.classList.contains('post-highlight') && !seen.includes(id)) seen.push(id);
        }
      }).observe(document, { attributes: true, attributeFilter: ['class'], subtree: true });
    });
    const page = person.page;
    await page.goto(link);
    await page.waitForURL(`**/login?redirect_to=${encodeURIComponent(`/${TEAM.name}/pl/${post.id}`)}`);
    await logIn(page, 'dave', dave.password);
    // The permalink gives way to the channel's URL, at the post.
    await page.waitForURL(`**${TOWN}`);
    const target = messages(page).locator(`[data-post-id="${post.id}"]`);
    await target.waitFor();
    await expect.poll(() => page.evaluate(() => (window as unknown as { highlighted: string[] }).highlighted)).toContain(post.id);
    const inView = () =>
      target.evaluate((el) => {
        const box = el.getBoundingClientRect();
        const log = el.closest('[role="log"]')!.getBoundingClientRect();
        return box.top >= log.top && box.bottom <= log.bottom;
      });
    await expect.poll(inView).toBe(true);
    expect(await target.textContent()).toContain('the plan is in this message');
    expectClean(person);
  });
});
