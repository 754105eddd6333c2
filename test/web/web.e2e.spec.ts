/**
 * The web client in a real browser (Debian's Chromium through playwright-core; libs/testing
 * browser.ts), against a built node (`npm run build` builds dist/web too): two people in two
 * browser contexts sign up or log in through the pages, open the same channel, and see each
 * other's messages arrive over the WebSocket; a wrong password shows the server's message; the MFA
 * step; an expired session returns to the login page; and every page runs under its
 * Content-Security-Policy without a violation. Screenshots go to test-artifacts/web/.
 *
 * Skipped, saying why, when /usr/bin/chromium is missing (`apt-get install chromium`; .ci/run does).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Team } from '@mattermost/types/teams';
import type { Page } from 'playwright-core';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessibilityViolations,
  chromiumMissing,
  clientFor,
  expectClientError,
  REPO_ROOT,
  startServer,
  TestBrowser,
  type NewUser,
  type Person,
  type TestServer,
} from '#testing';

const missing = chromiumMissing();
if (missing) console.warn(missing);
const TEAM = { display: 'Web Test', name: 'web-test' };
const CHANNEL_PATH = `/${TEAM.name}/channels/town-square`;

let server: TestServer;
let browser: TestBrowser;
let alice: Person;
let bob: Person;
let bobAccount: NewUser;
const alicePassword = 'Passw0rd!alice';

/** The text box of the open channel. */
const composer = (page: Page) => page.getByRole('textbox', { name: /^Write to / });
/** The channel's message list. */
const messages = (page: Page) => page.getByRole('log', { name: 'Messages' });

async function logIn(page: Page, loginId: string, password: string): Promise<void> {
  await page.getByLabel('Email or username', { exact: true }).fill(loginId);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

describe.skipIf(!!missing)(`the web client in Chromium${missing ? ` — ${missing}` : ''}`, () => {
  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'dist/web/index.html'))) throw new Error('dist/web is missing: run `npm run build` (it builds the web app too)');
    server = await startServer({
      MM_SERVICESETTINGS_ENABLEMULTIFACTORAUTHENTICATION: 'true',
      // Announced by the client config: the login page shows their buttons.
      MM_GITLABSETTINGS_ENABLE: 'true',
      MM_OPENIDSETTINGS_ENABLE: 'true',
      MM_OPENIDSETTINGS_BUTTONTEXT: 'Company SSO',
    });
    browser = await TestBrowser.launch('web');
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('serves the login page under its CSP, with a button per announced SSO method keeping redirect_to', async () => {
    alice = await browser.person('alice', server.url);
    const answer = await alice.page.goto(`/login?redirect_to=${encodeURIComponent(CHANNEL_PATH)}`);
    const csp = answer?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    await expect.poll(() => alice.page.getByRole('heading', { name: 'Log in' }).isVisible()).toBe(true);
    const sso = alice.page.getByRole('navigation', { name: 'Other ways to log in' });
    const redirect = `?redirect_to=${encodeURIComponent(CHANNEL_PATH)}`;
    expect(await sso.getByRole('link', { name: 'GitLab' }).getAttribute('href')).toBe(`/oauth/gitlab/login${redirect}`);
    expect(await sso.getByRole('link', { name: 'Company SSO' }).getAttribute('href')).toBe(`/oauth/openid/login${redirect}`);
    expect(await sso.getByRole('link').count()).toBe(2);
    await browser.screenshot(alice.page, 'login');
    expect(await accessibilityViolations(alice.page)).toEqual([]);
  });

  it("shows the server's own message for a wrong password", async () => {
    const expected = await expectClientError(() => clientFor(server.url).login('nobody-here', 'wrong-password'));
    await logIn(alice.page, 'nobody-here', 'wrong-password');
    const alert = alice.page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe(expected.message);
    expect(alice.page.url()).toContain('/login');
    await browser.screenshot(alice.page, 'login-wrong-password');
  });

  it('signs alice up through the page and, on no team yet, lets her create one', async () => {
    await alice.page.getByRole('link', { name: 'Create one' }).click();
    await alice.page.getByLabel('Email').fill('alice@example.com');
    await alice.page.getByLabel('Username').fill('alice');
    await alice.page.getByLabel('Password').fill(alicePassword);
    await alice.page.getByRole('button', { name: 'Create account' }).click();
    await alice.page.waitForURL('**/create_team');
    await alice.page.getByLabel('Team name').fill(TEAM.display);
    await alice.page.getByRole('button', { name: 'Create team' }).click();
    await alice.page.waitForURL(`**${CHANNEL_PATH}`);
    await messages(alice.page).waitFor();
    const sidebar = alice.page.getByRole('navigation', { name: 'Channels' });
    expect(await sidebar.getByRole('link', { name: 'Town Square' }).getAttribute('aria-current')).toBe('page');
    expect(await sidebar.getByRole('link', { name: 'Off-Topic' }).isVisible()).toBe(true);
  });

  it('logs bob in on the channel he was sent to (redirect_to), in his own context', async () => {
    bobAccount = await server.newUser({ username: 'bob' });
    const admin = clientFor(server.url);
    await admin.login('alice', alicePassword);
    await admin.addToTeam((await admin.getTeamByName(TEAM.name)).id, bobAccount.user.id);

    bob = await browser.person('bob', server.url);
    await bob.page.goto(CHANNEL_PATH);
    await bob.page.waitForURL(`**/login?redirect_to=${encodeURIComponent(CHANNEL_PATH)}`);
    await logIn(bob.page, 'bob', bobAccount.password);
    await bob.page.waitForURL(`**${CHANNEL_PATH}`);
    await messages(bob.page).waitFor();
  });

  it("shows alice's message to bob live, over the socket, with Shift+Enter's new line", async () => {
    const postsLoads: string[] = [];
    bob.page.on('request', (req) => {
      if (/\/api\/v4\/channels\/[^/]+\/posts/.test(req.url())) postsLoads.push(req.url());
    });
    const box = composer(alice.page);
    await box.fill('Hello Bob');
    await box.press('Shift+Enter');
    await box.pressSequentially('from the browser');
    await box.press('Enter');
    expect(await box.inputValue()).toBe('');

    const post = messages(bob.page).getByText('Hello Bob');
    await post.waitFor({ timeout: 10_000 });
    expect(await post.innerText()).toBe('Hello Bob\nfrom the browser');
    // Live: the socket's `posted` event, not a reload of the channel.
    expect(postsLoads).toEqual([]);
    // Sent once: the pending copy was replaced by the server's post.
    expect(await messages(alice.page).getByText('Hello Bob').count()).toBe(1);

    await composer(bob.page).fill('Hi Alice!');
    await composer(bob.page).press('Enter');
    await messages(alice.page).getByText('Hi Alice!').waitFor({ timeout: 10_000 });
    await browser.screenshot(bob.page, 'channel');
    expect(await accessibilityViolations(bob.page)).toEqual([]);
  });

  it('lets alice make a category, move channels into it and Favorites, fold, rename and delete it; her other device follows live', async () => {
    const page = alice.page;
    // A second sign-in in its own browser context (a tab of the same window would be in the
    // background, where Chromium holds back its rendering).
    const device = await browser.person('alice-laptop', server.url);
    const other = device.page;
    await other.goto(CHANNEL_PATH);
    await logIn(other, 'alice', alicePassword);
    const sidebarOf = (p: Page) => p.getByRole('navigation', { name: 'Channels' });
    const section = (p: Page, name: string) => sidebarOf(p).getByRole('region', { name });
    await messages(other).waitFor();

    await sidebarOf(page).getByRole('button', { name: '+ New category' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create new category' });
    await dialog.getByLabel('Category name').fill('Projects');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await section(page, 'Projects').waitFor();
    await section(other, 'Projects').waitFor();

    // Off-Topic moves by its "⋯" menu.
    await sidebarOf(page).getByRole('button', { name: 'Channel options: Off-Topic' }).click();
    await page.getByRole('menuitem', { name: 'Projects' }).click();
    await section(page, 'Projects').getByRole('link', { name: 'Off-Topic' }).waitFor();
    await section(other, 'Projects').getByRole('link', { name: 'Off-Topic' }).waitFor();
    await sidebarOf(page).getByRole('button', { name: 'Channel options: Town Square' }).click();
    await page.getByRole('menuitem', { name: 'Add to Favorites' }).click();
    await section(page, 'Favorites').getByRole('link', { name: 'Town Square' }).waitFor();
    await section(other, 'Favorites').getByRole('link', { name: 'Town Square' }).waitFor();

    // Folded: the channel that is not open and has nothing unread hides, here and on the other device.
    const toggle = section(page, 'Projects').getByRole('button', { name: 'Projects', exact: true });
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await expect.poll(() => section(other, 'Projects').getByRole('link', { name: 'Off-Topic' }).count()).toBe(0);
    await toggle.click();
    await section(other, 'Projects').getByRole('link', { name: 'Off-Topic' }).waitFor();

    await section(page, 'Projects').getByRole('button', { name: 'Category options: Projects' }).click();
    await page.getByRole('menuitem', { name: 'Rename category' }).click();
    const rename = page.getByRole('dialog', { name: 'Rename category' });
    await rename.getByLabel('Category name').fill('Work');
    await rename.getByRole('button', { name: 'Rename' }).click();
    await section(other, 'Work').getByRole('link', { name: 'Off-Topic' }).waitFor();

    page.once('dialog', (d) => void d.accept());
    await section(page, 'Work').getByRole('button', { name: 'Category options: Work' }).click();
    await page.getByRole('menuitem', { name: 'Delete category' }).click();
    // Its channel goes back to Channels; the other device hears of it too.
    await section(page, 'Channels').getByRole('link', { name: 'Off-Topic' }).waitFor();
    await section(other, 'Channels').getByRole('link', { name: 'Off-Topic' }).waitFor();
    expect(await section(other, 'Work').count()).toBe(0);
    await browser.screenshot(page, 'sidebar-categories');
    expect(await accessibilityViolations(page)).toEqual([]);
    await device.context.close();
  });

  it('switches teams: alice makes a second team from the team menu, sees the first one light up with her mention, and bob joins an open team', async () => {
    const page = alice.page;
    await page.getByRole('button', { name: `Team menu: ${TEAM.display}` }).click();
    await page.getByRole('menuitem', { name: 'Create a team' }).click();
    await page.getByLabel('Team name').fill('Second Team');
    await page.getByRole('button', { name: 'Create team' }).click();
    await page.waitForURL('**/second-team/channels/town-square');
    const teams = page.getByRole('navigation', { name: 'Teams' });
    expect(await teams.getByRole('link', { name: 'Second Team' }).getAttribute('aria-current')).toBe('page');

    // Bob mentions alice in the first team: its tile says so, live.
    await composer(bob.page).fill('@alice over here');
    await composer(bob.page).press('Enter');
    await teams.getByRole('link', { name: `${TEAM.display}, unread, 1 mention` }).waitFor();
    await browser.screenshot(page, 'team-switcher');
    expect(await accessibilityViolations(page)).toEqual([]);
    // Ctrl+Alt+↓ goes round the list (by name: Second Team, then Web Test).
    await page.keyboard.press('Control+Alt+ArrowDown');
    await page.waitForURL(`**${CHANNEL_PATH}`);
    await messages(page).getByText('over here').waitFor();

    // An open team bob is not on: the team menu's "Join another team" lists it and joins it.
    const admin = clientFor(server.url);
    await admin.login('alice', alicePassword);
    await admin.createTeam({ name: 'open-house', display_name: 'Open House', type: 'O', allow_open_invite: true } as Team);
    await bob.page.getByRole('button', { name: `Team menu: ${TEAM.display}` }).click();
    await bob.page.getByRole('menuitem', { name: 'Join another team' }).click();
    await bob.page.waitForURL('**/select_team');
    // Second Team is not open to all: only Open House is offered.
    await bob.page.getByRole('button', { name: 'Join Open House' }).click();
    expect(await bob.page.getByRole('button', { name: 'Join Second Team' }).count()).toBe(0);
    await bob.page.waitForURL('**/open-house/channels/town-square');
    await bob.page.getByRole('navigation', { name: 'Teams' }).getByRole('link', { name: TEAM.display }).click();
    await bob.page.waitForURL(`**/${TEAM.name}/channels/**`);
  });

  it('ran every page without a CSP violation or a script error', () => {
    for (const person of [alice, bob]) {
      expect(person.cspViolations, person.name).toEqual([]);
      expect(
        person.console.filter((line) => line.startsWith('pageerror:')),
        person.name,
      ).toEqual([]);
    }
  });

  it('enforces the CSP: an inline script injected into the page is refused and reported', async () => {
    const page = bob.page;
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__injected = true;';
      document.body.append(script);
    });
    // Both ways the harness hears of it: the page's securitypolicyviolation event and Chromium's console.
    await expect.poll(() => bob.cspViolations.filter((v) => v.source === 'event').map((v) => v.directive)).toEqual(['script-src-elem']);
    expect(bob.cspViolations.some((v) => v.source === 'console' && /inline script/.test(v.blocked))).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
    bob.cspViolations.length = 0;
  });

  it('returns to the login page when the session ends, and back to the channel after logging in', async () => {
    const admin = clientFor(server.url);
    await admin.login('alice', alicePassword);
    await admin.revokeAllSessionsForUser(bobAccount.user.id);
    // The next call answers 401.
    await composer(bob.page).fill('Anyone there?');
    await composer(bob.page).press('Enter');
    await bob.page.waitForURL(`**/login?redirect_to=${encodeURIComponent(CHANNEL_PATH)}`);
    await bob.page.getByText('Your session has expired').waitFor();
    await logIn(bob.page, 'bob', bobAccount.password);
    await bob.page.waitForURL(`**${CHANNEL_PATH}`);
    await messages(bob.page).getByText('Hi Alice!').waitFor();
  });

  it('logs out: back to the login page, and the app stays signed out after a reload', async () => {
    await bob.page.getByRole('button', { name: 'Log out' }).click();
    await bob.page.waitForURL('**/login');
    await bob.page.goto(CHANNEL_PATH);
    await bob.page.waitForURL(`**/login?redirect_to=${encodeURIComponent(CHANNEL_PATH)}`);
    expect((await bob.context.cookies()).map((c) => c.name)).not.toContain('MMAUTHTOKEN');
  });

  it('asks for the MFA code after the password when the account has MFA', async () => {
    const carol = await server.newUser({ username: 'carol' });
    const { secret } = await carol.client.generateMfaSecret(carol.user.id);
    const codeAt = (steps: number) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });
    await carol.client.updateUserMfa(carol.user.id, true, await codeAt(0));

    const person = await browser.person('carol', server.url);
    await person.page.goto('/login');
    await logIn(person.page, 'carol', carol.password);
    await person.page.getByRole('heading', { name: 'Enter your MFA code' }).waitFor();
    await person.page.getByLabel('MFA code', { exact: true }).fill('000000' === (await codeAt(1)) ? '111111' : '000000');
    await person.page.getByRole('button', { name: 'Submit' }).click();
    await person.page.getByRole('alert').waitFor();
    await person.page.getByLabel('MFA code', { exact: true }).fill(await codeAt(1));
    await person.page.getByRole('button', { name: 'Submit' }).click();
    // Carol is on no team: the app offers to create one.
    await person.page.waitForURL('**/create_team');
    expect(person.cspViolations).toEqual([]);
  });

  it("shows the server's sign-in errors on the error page", async () => {
    const person = await browser.person('dave', server.url);
    // Google is off on this server: its start ends on /error with the reason.
    await person.page.goto('/oauth/google/login');
    await person.page.waitForURL('**/error?**');
    await person.page.getByRole('heading', { name: 'Sign-in failed' }).waitFor();
    expect(await person.page.getByRole('alert').textContent()).toMatch(/Google/);
  });
});
