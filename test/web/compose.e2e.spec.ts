/**
 * The web client's composer and the features around it, in Debian's Chromium (libs/testing
 * browser.ts) against a built node: autocomplete picked with the keyboard, slash commands and
 * their ephemeral replies, drafts that survive switching channels and reloads, editing the last
 * message with Up. Screenshots go to test-artifacts/web/.
 *
 * Skipped, saying why, when /usr/bin/chromium is missing (`apt-get install chromium`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Post } from '@mattermost/types/posts';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityViolations, chromiumMissing, REPO_ROOT, startServer, TestBrowser, type NewUser, type Person, type TestServer } from '#testing';

const missing = chromiumMissing();
if (missing) console.warn(missing);
const TEAM = 'compose';
const TOWN = `/${TEAM}/channels/town-square`;

let server: TestServer;
let browser: TestBrowser;
let alice: NewUser;
let bob: NewUser;
let teamId: string;
let ann: Person;
let ben: Person;
let carl: Person;
let carlAccount: NewUser;
/** A 1×1 PNG (the server fills profile pictures to 128×128). */
const PNG_1PX = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';

/** The text box of the open channel (its label changes while a message is edited). */
const composer = (page: Page) => page.getByRole('textbox', { name: /^(Write to |Edit your message)/ });
const messages = (page: Page) => page.getByRole('log', { name: 'Messages' });
const sidebar = (page: Page) => page.getByRole('navigation', { name: 'Channels' });

async function logIn(person: Person, account: NewUser, path: string): Promise<void> {
  await person.page.goto(path);
  await person.page.getByLabel('Email or username', { exact: true }).fill(account.user.username);
  await person.page.getByLabel('Password', { exact: true }).fill(account.password);
  await person.page.getByRole('button', { name: 'Log in' }).click();
  await person.page.waitForURL(`**${path}`);
  await messages(person.page).waitFor();
}

describe.skipIf(!!missing)(`the composer in Chromium${missing ? ` — ${missing}` : ''}`, () => {
  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'dist/web/index.html'))) throw new Error('dist/web is missing: run `npm run build` (it builds the web app too)');
    // Collapsed reply threads left to each user, so that the display settings offer the choice.
    server = await startServer({ MM_SERVICESETTINGS_COLLAPSEDTHREADS: 'default_on' });
    alice = await server.newUser({ username: 'alice' });
    bob = await server.newUser({ username: 'bob' });
    const bobcat = await server.newUser({ username: 'bobcat' });
    carlAccount = await server.newUser({ username: 'carl' });
    const team = await alice.client.createTeam({ name: TEAM, display_name: 'Compose', type: 'O' } as never);
    teamId = team.id;
    for (const u of [bob, bobcat, carlAccount]) await alice.client.addToTeam(teamId, u.user.id);
    browser = await TestBrowser.launch('web');
    ann = await browser.person('alice', server.url);
    await logIn(ann, alice, TOWN);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('completes @mentions from the server, picked with the arrows and Enter', async () => {
    const box = composer(ann.page);
    await box.fill('Hi @bo');
    const list = ann.page.getByRole('listbox', { name: 'Suggestions' });
    await list.getByRole('option', { name: /@bobcat/ }).waitFor();
    const options = list.getByRole('option');
    expect(await options.allInnerTexts()).toEqual([expect.stringMatching(/^@bob\b/), expect.stringMatching(/^@bobcat\b/)]);
    expect(await options.nth(0).getAttribute('aria-selected')).toBe('true');
    await box.press('ArrowDown');
    expect(await options.nth(1).getAttribute('aria-selected')).toBe('true');
    expect(await box.getAttribute('aria-activedescendant')).toBe(await options.nth(1).getAttribute('id'));
    await box.press('Enter');
    expect(await box.inputValue()).toBe('Hi @bobcat ');
    await list.waitFor({ state: 'detached' });
    await box.pressSequentially('and ~to');
    await list.getByRole('option', { name: /Town Square/ }).waitFor();
    await box.press('Tab');
    await box.pressSequentially('see :tad');
    await list.getByRole('option', { name: /:tada:/ }).waitFor();
    await box.press('Enter');
    expect(await box.inputValue()).toBe('Hi @bobcat and ~town-square see :tada: ');
    await box.press('Escape');
    await box.press('Enter');
    // The post is drawn as Markdown (a mention, a channel link, the emoji), so its text is read from the server.
    await messages(ann.page)
      .locator('li.post', { hasText: /Hi @bobcat and/ })
      .waitFor();
    // The list shows the post at once, before the server has it: wait for the server's copy.
    const town = await alice.client.getChannelByName(teamId, 'town-square');
    const sent = async () => Object.values((await alice.client.getPosts(town.id, 0, 5)).posts).map((p) => p.message);
    await expect.poll(sent).toContain('Hi @bobcat and ~town-square see :tada:');
    expect(await box.inputValue()).toBe('');
  });

  it('lists slash commands from the server, runs them, and shows their replies to the user alone', async () => {
    const box = composer(ann.page);
    await box.fill('/shr');
    const list = ann.page.getByRole('listbox', { name: 'Suggestions' });
    await list.getByRole('option', { name: /\/shrug/ }).waitFor();
    await box.press('Tab');
    expect(await box.inputValue()).toBe('/shrug ');
    await box.pressSequentially('it happens');
    await box.press('Enter');
    // The shrug is Markdown with escapes; plain text or rendered, it starts the same.
    await messages(ann.page)
      .getByText(/^it happens ¯/)
      .waitFor();

    // /echo without a message answers with an ephemeral post: shown here, never stored.
    await box.fill('/echo');
    await box.press('Escape');
    await box.press('Enter');
    const reply = messages(ann.page).getByText('A message must be provided with the /echo command.');
    await reply.waitFor();
    const stored = await alice.client.getPosts((await alice.client.getChannelByName(teamId, 'town-square')).id);
    expect(Object.values(stored.posts).map((p) => p.message)).not.toContain('A message must be provided with the /echo command.');

    // An unknown command: the server's error, and the text back in the box.
    await box.fill('/nosuchcommand now');
    await box.press('Enter');
    await ann.page.getByRole('alert').filter({ hasText: 'nosuchcommand' }).waitFor();
    expect(await box.inputValue()).toBe('/nosuchcommand now');
    await box.fill('');
  });

  it('keeps a draft when switching channels and reloading, and drops it once sent', async () => {
    const box = composer(ann.page);
    await box.fill('an unfinished thought');
    await sidebar(ann.page).getByRole('link', { name: 'Off-Topic' }).click();
    await ann.page.waitForURL(`**/${TEAM}/channels/off-topic`);
    expect(await composer(ann.page).inputValue()).toBe('');
    await sidebar(ann.page).getByRole('link', { name: 'Town Square' }).click();
    await ann.page.waitForURL(`**${TOWN}`);
    expect(await composer(ann.page).inputValue()).toBe('an unfinished thought');

    // Synced to the server too (ServiceSettings.AllowSyncedDrafts), after a pause in typing.
    await expect.poll(async () => (await alice.client.getUserDrafts(teamId)).map((d) => d.message), { timeout: 5000 }).toEqual(['an unfinished thought']);
    await ann.page.reload();
    await messages(ann.page).waitFor();
    expect(await composer(ann.page).inputValue()).toBe('an unfinished thought');

    await composer(ann.page).press('Enter');
    await messages(ann.page).getByText('an unfinished thought').waitFor();
    await expect.poll(async () => (await alice.client.getUserDrafts(teamId)).length, { timeout: 5000 }).toBe(0);
    await sidebar(ann.page).getByRole('link', { name: 'Off-Topic' }).click();
    await sidebar(ann.page).getByRole('link', { name: 'Town Square' }).click();
    expect(await composer(ann.page).inputValue()).toBe('');
  });

  it('edits the last message with Up in an empty box', async () => {
    const box = composer(ann.page);
    await box.press('ArrowUp');
    expect(await box.inputValue()).toBe('an unfinished thought');
    await ann.page.getByText('Editing your message').waitFor();
    await box.fill('a finished thought');
    await box.press('Enter');
    await messages(ann.page).getByText('a finished thought').waitFor();
    await expect.poll(() => box.inputValue()).toBe('');
    expect(await messages(ann.page).getByText('an unfinished thought').count()).toBe(0);
  });

  it('opens a DM from the dialog, which reaches the other person live, and a group message', async () => {
    ben = await browser.person('bob', server.url);
    await logIn(ben, bob, TOWN);

    await sidebar(ann.page).getByRole('button', { name: 'Write a direct message' }).click();
    const dialog = ann.page.getByRole('dialog', { name: 'Direct messages' });
    const find = dialog.getByLabel('Find people');
    await find.fill('bob');
    await dialog.getByRole('option', { name: /@bobcat/ }).waitFor();
    expect(
      await dialog
        .getByRole('option', { name: /^@bob\b/ })
        .first()
        .getAttribute('aria-selected'),
    ).toBe('true');
    await find.press('Enter');
    await dialog.getByRole('button', { name: 'Remove bob', exact: true }).waitFor();
    await find.press('Enter');
    await ann.page.waitForURL(`**/${TEAM}/messages/@bob`);
    await composer(ann.page).fill('Just between us');
    await composer(ann.page).press('Enter');

    // Bob's sidebar gets the conversation live (direct_added), and its messages follow.
    const dm = sidebar(ben.page).getByRole('link', { name: 'alice' });
    await dm.waitFor({ timeout: 10_000 });
    await dm.click();
    await ben.page.waitForURL(`**/${TEAM}/messages/@alice`);
    await messages(ben.page).getByText('Just between us').waitFor();
    await composer(ann.page).fill('Still there?');
    await composer(ann.page).press('Enter');
    await messages(ben.page).getByText('Still there?').waitFor({ timeout: 10_000 });

    // Two people: a group message, at /{team}/messages/{name}.
    await sidebar(ann.page).getByRole('button', { name: 'Write a direct message' }).click();
    await find.fill('bob');
    await dialog.getByRole('option', { name: /@bobcat/ }).click();
    await find.fill('bob');
    await dialog.getByRole('option', { name: /^@bob\b/ }).waitFor();
    await find.press('Enter');
    await dialog.getByRole('button', { name: 'Remove bob', exact: true }).waitFor();
    await dialog.getByRole('button', { name: 'Go' }).click();
    await ann.page.waitForURL(/\/messages\/[0-9a-f]{40}$/);
    await ann.page.getByRole('heading', { name: 'bob, bobcat' }).waitFor();
    await composer(ann.page).fill('Hello both');
    await composer(ann.page).press('Enter');
    const gm = sidebar(ben.page).getByRole('link', { name: 'alice, bobcat' });
    await gm.waitFor({ timeout: 10_000 });
    await gm.click();
    await messages(ben.page).getByText('Hello both').waitFor();
  });

  it("searches with Mattermost's syntax, jumps to an older message in another channel, and lists files", async () => {
    const offTopic = await bob.client.getChannelByName(teamId, 'off-topic');
    await bob.client.addToChannel(bob.user.id, offTopic.id).catch(() => undefined);
    const needle = await bob.client.createPost({ channel_id: offTopic.id, message: 'The quarterly numbers are in the shared folder' } as Post);
    // Enough newer posts that the needle is not among the channel's newest page.
    for (let i = 0; i < 65; i++) await alice.client.createPost({ channel_id: offTopic.id, message: `filler ${i}` } as Post);
    await alice.client.createPost({ channel_id: offTopic.id, message: 'quarterly, but from alice' } as Post);
    const fd = new FormData();
    fd.append('channel_id', offTopic.id);
    fd.append('files', new Blob(['revenue,costs\n1,2\n']), 'quarterly-report.csv');
    const info = (await bob.client.uploadFile(fd)).file_infos[0]!;
    await bob.client.createPost({ channel_id: offTopic.id, message: 'the sheet', file_ids: [info.id] } as Post);

    await ann.page.goto(TOWN);
    await messages(ann.page).waitFor();
    const box = ann.page.getByRole('searchbox', { name: 'Search messages and files' });
    // from: completes people, as @ does in the message box.
    await box.fill('quarterly from:bo');
    await ann.page
      .getByRole('listbox', { name: 'Search suggestions' })
      .getByRole('option', { name: /^@bobcat/ })
      .waitFor();
    await box.press('Enter');
    expect(await box.inputValue()).toBe('quarterly from:bob ');
    await box.press('Enter');
    const panel = ann.page.getByRole('complementary', { name: 'Search results' });
    await panel.getByRole('tab', { name: 'Messages (1)' }).waitFor();
    const result = panel.getByRole('listitem');
    expect(await result.count()).toBe(1);
    expect(await result.innerText()).toContain('~Off-Topic');
    expect(await result.locator('mark').allInnerTexts()).toEqual(['quarterly']);

    await panel.getByRole('tab', { name: /^Files/ }).click();
    await panel.getByRole('link', { name: 'quarterly-report.csv' }).waitFor();
    await browser.screenshot(ann.page, 'search');
    expect(await accessibilityViolations(ann.page)).toEqual([]);
    await panel.getByRole('tab', { name: /^Messages/ }).click();

    await panel.getByRole('button', { name: 'Jump to the message from bob in ~Off-Topic' }).click();
    await ann.page.waitForURL(`**/${TEAM}/channels/off-topic`);
    const target = messages(ann.page).locator(`[data-post-id="${needle.id}"]`);
    await target.waitFor();
    await expect.poll(() => target.getAttribute('class')).toContain('post-highlight');
    expect(await target.isVisible()).toBe(true);
    await expect
      .poll(() =>
        target.evaluate((el) => {
          const list = el.closest('[role="log"]')!.getBoundingClientRect();
          const box = el.getBoundingClientRect();
          return box.top >= list.top && box.bottom <= list.bottom;
        }),
      )
      .toBe(true);

    await box.fill('"numbers are in"');
    await box.press('Enter');
    await panel.getByRole('tab', { name: 'Messages (1)' }).waitFor();
    await box.fill('quarterly -folder');
    await box.press('Enter');
    await panel.getByText('quarterly, but from alice').waitFor();
    expect(await panel.getByRole('tab', { name: /^Messages/ }).innerText()).toBe('Messages (1)');
    await panel.getByRole('button', { name: 'Close search results' }).click();
    await panel.waitFor({ state: 'detached' });
  });

  it('sets availability and a custom status, which others see (the status live, through user_updated)', async () => {
    await ben.page.goto(`/${TEAM}/messages/@alice`);
    await messages(ben.page).waitFor();

    const account = sidebar(ann.page).getByRole('button', { name: /, account and status: / });
    await account.click();
    const menu = ann.page.getByRole('menu', { name: /, account and status: / });
    await menu.getByRole('menuitem', { name: 'Set a custom status…' }).click();
    const dialog = ann.page.getByRole('dialog', { name: 'Set a custom status' });
    await dialog.getByRole('button', { name: /In a meeting/ }).click();
    expect(await dialog.getByLabel('Clear after').inputValue()).toBe('one_hour');
    await dialog.getByRole('button', { name: 'Set status' }).click();
    await dialog.waitFor({ state: 'detached' });
    await sidebar(ann.page).getByText('In a meeting').waitFor();
    const stored = JSON.parse(((await alice.client.getMe()).props as Record<string, string>).customStatus!) as {
      emoji: string;
      duration: string;
      expires_at: string;
    };
    expect(stored).toMatchObject({ emoji: 'calendar', duration: 'one_hour' });
    expect(Date.parse(stored.expires_at) - Date.now()).toBeGreaterThan(50 * 60_000);

    // Bob, in his DM with alice, sees it without reloading.
    const header = ben.page.getByRole('main').locator('.channel-status');
    await header.getByText('In a meeting').waitFor({ timeout: 10_000 });

    // Availability through the menu, with the keyboard: Do not disturb is two down from Online.
    await account.focus();
    await account.press('Enter');
    // The menu opens on the current availability (which a busy machine may have turned to away or
    // offline by now); Home goes to its first item, Online.
    await ann.page.keyboard.press('Home');
    await expect.poll(() => ann.page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Online');
    await ann.page.keyboard.press('ArrowDown');
    await ann.page.keyboard.press('ArrowDown');
    await ann.page.keyboard.press('Enter');
    await expect.poll(() => account.getAttribute('aria-label')).toMatch(/, account and status: Do not disturb$/);
    expect((await alice.client.getStatus(alice.user.id)).status).toBe('dnd');
    await browser.screenshot(ann.page, 'status');
    expect(await accessibilityViolations(ann.page)).toEqual([]);

    // Others ask for statuses: bob's view shows alice's after a reload (or the next round of asking).
    await ben.page.reload();
    await sidebar(ben.page).getByRole('link', { name: 'alice (Do not disturb)' }).waitFor();
    await header.getByText('In a meeting').waitFor();

    await account.click();
    await menu.getByRole('menuitem', { name: 'Change custom status…' }).click();
    await dialog.getByRole('button', { name: 'Clear status' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => sidebar(ann.page).getByText('In a meeting').count()).toBe(0);
    await header.getByText('In a meeting').waitFor({ state: 'detached', timeout: 10_000 });
  });

  it('changes the profile, notification and display settings', async () => {
    await ann.page.goto(TOWN);
    await messages(ann.page).waitFor();
    await sidebar(ann.page)
      .getByRole('button', { name: /, account and status: / })
      .click();
    await ann.page.getByRole('menuitem', { name: 'Settings…' }).click();
    const dialog = ann.page.getByRole('dialog', { name: 'Settings' });
    await dialog.waitFor();

    // Profile: names, email with the password, the picture.
    const names = dialog.getByRole('form', { name: 'Name' });
    await names.getByLabel('First name').fill('Alice');
    await names.getByLabel('Last name').fill('Liddell');
    await names.getByLabel('Nickname').fill('ally');
    await names.getByRole('button', { name: 'Save' }).click();
    await names.getByText('Saved.').waitFor();
    expect(await alice.client.getMe()).toMatchObject({ first_name: 'Alice', last_name: 'Liddell', nickname: 'ally' });
    const email = dialog.getByRole('form', { name: 'Email' });
    await email.getByLabel('Email').fill('alice.liddell@example.com');
    await email.getByLabel('Current password').fill(alice.password);
    await email.getByRole('button', { name: 'Change email' }).click();
    await email.getByText('Saved.').waitFor();
    expect((await alice.client.getMe()).email).toBe('alice.liddell@example.com');
    const before = (await alice.client.getMe()).last_picture_update ?? 0;
    await dialog.getByLabel('Upload a picture').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: Buffer.from(PNG_1PX, 'base64') });
    await dialog.getByText('Picture saved.').waitFor();
    expect((await alice.client.getMe()).last_picture_update ?? 0).toBeGreaterThan(before);
    const picture = dialog.getByRole('img', { name: 'Profile picture of alice' });
    await expect.poll(() => picture.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(128);

    // Notifications: all activity, keywords.
    await dialog.getByRole('tab', { name: 'Notifications' }).click();
    await dialog.getByLabel('For all activity').check();
    await dialog.getByLabel('Keywords that notify me').fill('launch, deploy ,');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('Saved.').waitFor();
    expect((await alice.client.getMe()).notify_props).toMatchObject({ desktop: 'all', mention_keys: 'launch,deploy' });

    // Display: the dark theme applies at once and stays after a reload; collapsed threads off.
    await dialog.getByRole('tab', { name: 'Notifications' }).press('ArrowDown');
    await dialog.getByRole('tab', { name: 'Display', selected: true }).waitFor();
    await dialog.getByLabel('Dark', { exact: true }).check();
    const theme = () => ann.page.evaluate(() => [document.documentElement.dataset.theme ?? '', getComputedStyle(document.documentElement).backgroundColor]);
    await expect.poll(theme).toEqual(['dark', 'rgb(23, 25, 29)']);
    await dialog.getByLabel(/Off: replies/).check();
    await expect
      .poll(async () =>
        ((await alice.client.getMyPreferences()) as unknown as { name: string; value: string }[])
          .filter((p) => p.name === 'theme_mode' || p.name === 'collapsed_reply_threads')
          .map((p) => `${p.name}=${p.value}`)
          .sort(),
      )
      .toEqual(['collapsed_reply_threads=off', 'theme_mode=dark']);
    await browser.screenshot(ann.page, 'settings');
    expect(await accessibilityViolations(ann.page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
    await ann.page.reload();
    await messages(ann.page).waitFor();
    await expect.poll(theme).toEqual(['dark', 'rgb(23, 25, 29)']);
    // Another tab or device choosing light: preferences_changed brings it here.
    await alice.client.savePreferences(alice.user.id, [{ user_id: alice.user.id, category: 'display_settings', name: 'theme_mode', value: 'light' }]);
    await expect.poll(theme).toEqual(['light', 'rgb(255, 255, 255)']);
  });

  it('shows desktop notifications for mentions and DMs while the tab is hidden, once allowed', async () => {
    carl = await browser.person('carl', server.url);
    // A stand-in for the browser's Notification API and a tab the test hides at will.
    await carl.context.addInitScript(() => {
      const w = window as unknown as { __notes: { title: string; body: string }[]; __hidden: boolean };
      w.__notes = [];
      class FakeNotification {
        static permission: NotificationPermission = 'default';
        static requestPermission() {
          FakeNotification.permission = 'granted';
          return Promise.resolve('granted');
        }
        onclick: (() => void) | null = null;
        constructor(title: string, options?: NotificationOptions) {
          w.__notes.push({ title, body: options?.body ?? '' });
        }
        close() {}
      }
      Object.defineProperty(window, 'Notification', { value: FakeNotification, configurable: true, writable: true });
      Object.defineProperty(Document.prototype, 'hidden', { get: () => w.__hidden === true, configurable: true });
    });
    await logIn(carl, carlAccount, TOWN);
    await sidebar(carl.page)
      .getByRole('button', { name: /, account and status: / })
      .click();
    await carl.page.getByRole('menuitem', { name: 'Settings…' }).click();
    const dialog = carl.page.getByRole('dialog', { name: 'Settings' });
    await dialog.getByRole('tab', { name: 'Notifications' }).click();
    await dialog.getByRole('button', { name: 'Allow desktop notifications in this browser' }).click();
    await dialog.getByText('This browser shows desktop notifications').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();

    const notes = () => carl.page.evaluate(() => (window as unknown as { __notes: { title: string; body: string }[] }).__notes);
    const town = await alice.client.getChannelByName(teamId, 'town-square');
    await carl.page.evaluate(() => ((window as unknown as { __hidden: boolean }).__hidden = true));
    await alice.client.createPost({ channel_id: town.id, message: 'nothing for carl here' } as Post);
    await alice.client.createPost({ channel_id: town.id, message: '@carl please look' } as Post);
    const dm = await alice.client.createDirectChannel([alice.user.id, carlAccount.user.id]);
    await alice.client.createPost({ channel_id: dm.id, message: 'a private word' } as Post);
    await expect.poll(notes, { timeout: 10_000 }).toEqual([
      { title: 'Town Square', body: '@alice: @carl please look' },
      { title: '@alice', body: '@alice: a private word' },
    ]);
    // In view: no notification.
    await carl.page.evaluate(() => ((window as unknown as { __hidden: boolean }).__hidden = false));
    await alice.client.createPost({ channel_id: town.id, message: '@carl seen in the tab' } as Post);
    await messages(carl.page).getByText('@carl seen in the tab').waitFor();
    expect(await notes()).toHaveLength(2);
  });

  it('switches channels with Ctrl+K and the keyboard, then writes in the new one', async () => {
    await ann.page.goto(TOWN);
    await messages(ann.page).waitFor();
    await ann.page.keyboard.press('Control+k');
    const dialog = ann.page.getByRole('dialog', { name: 'Switch channels' });
    const find = dialog.getByLabel('Find a channel or person');
    await expect.poll(() => find.evaluate((el) => el === document.activeElement)).toBe(true);
    await find.pressSequentially('off');
    await dialog.getByRole('option', { name: /Off-Topic/ }).waitFor();
    await find.press('Enter');
    await ann.page.waitForURL(`**/${TEAM}/channels/off-topic`);
    await expect.poll(() => composer(ann.page).evaluate((el) => el === document.activeElement)).toBe(true);
    await ann.page.keyboard.press('Control+k');
    await find.pressSequentially('bobc');
    await find.press('ArrowDown');
    await find.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(ann.page.url()).toContain('/channels/off-topic');
  });

  it('fits a phone: the sidebar is a drawer, and search covers the screen', async () => {
    const phone = await browser.person('bob-phone', server.url, { width: 390, height: 844 });
    await logIn(phone, bob, TOWN);
    const page = phone.page;
    const nav = sidebar(page);
    expect(await nav.isVisible()).toBe(false);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await composer(page).fill('Typed on a phone');
    await composer(page).press('Enter');
    await messages(page).getByText('Typed on a phone').waitFor();
    await expect.poll(() => messages(page).getByText('Sending…').count()).toBe(0);
    await browser.screenshot(page, 'phone');
    expect(await accessibilityViolations(page)).toEqual([]);

    const toggle = page.getByRole('button', { name: 'Open the channel list' });
    await toggle.click();
    await expect.poll(() => nav.isVisible()).toBe(true);
    await expect.poll(async () => (await nav.boundingBox())?.x).toBe(0);
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('nav')?.getAttribute('aria-label'))).toBe('Channels');
    await browser.screenshot(page, 'phone-drawer');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await expect.poll(() => nav.isVisible()).toBe(false);
    await expect.poll(() => toggle.evaluate((el) => el === document.activeElement)).toBe(true);

    await toggle.click();
    await nav.getByRole('link', { name: 'Off-Topic' }).click();
    await page.waitForURL(`**/${TEAM}/channels/off-topic`);
    await expect.poll(() => nav.isVisible()).toBe(false);

    const box = page.getByRole('searchbox', { name: 'Search messages and files' });
    await box.fill('phone');
    await box.press('Enter');
    const panel = page.getByRole('complementary', { name: 'Search results' });
    await panel.getByRole('tab', { name: 'Messages (1)' }).waitFor();
    expect(await panel.boundingBox()).toMatchObject({ x: 0, y: 0, width: 390 });
    await panel.getByRole('button', { name: /^Jump to the message/ }).click();
    await page.waitForURL(`**${TOWN}`);
    await panel.waitFor({ state: 'detached' });
    expect(phone.cspViolations).toEqual([]);
  });

  it('ran without a CSP violation or a script error', () => {
    for (const person of [ann, ben, carl]) {
      expect(person.cspViolations, person.name).toEqual([]);
      expect(
        person.console.filter((line) => line.startsWith('pageerror:')),
        person.name,
      ).toEqual([]);
    }
  });
});
