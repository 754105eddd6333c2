/**
 * The web client's messages in a real browser (Debian's Chromium through playwright-core; libs/testing
 * browser.ts), against a built node: alice and bob, each in their own browser context, see
 * Markdown drawn (a table, a code block, a mention of the reader standing out), scroll back
 * through a long channel without losing their place, react to each other's posts and reply in
 * threads live, upload an image by dropping it and see its thumbnail, see each other typing, and
 * get unread and mention badges that clear when they open the channel. Every page runs under its
 * CSP without a violation. Screenshots: test-artifacts/web/channel-markdown.png, thread.png.
 *
 * Skipped, saying why, when /usr/bin/chromium is missing (`apt-get install chromium`; .ci/run does).
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Client4 } from '@mattermost/client';
import type { Channel } from '@mattermost/types/channels';
import type { IncomingWebhook } from '@mattermost/types/integrations';
import type { Post } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import type { Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityViolations, chromiumMissing, REPO_ROOT, startServer, TestBrowser, type NewUser, type Person, type TestServer } from '#testing';

const missing = chromiumMissing();
if (missing) console.warn(missing);

let server: TestServer;
let browser: TestBrowser;
let aliceAccount: NewUser;
let bobAccount: NewUser;
let alice: Person;
let bob: Person;
let team: Team;
let townSquare: Channel;

const channelPath = (name: string) => `/${team.name}/channels/${name}`;
/** The open channel's message list. */
const messages = (page: Page) => page.getByRole('log', { name: 'Messages', exact: true });
/** The post showing `text` in a list. */
const postWith = (page: Page, text: string | RegExp) => page.locator('li.post', { hasText: text });
const composer = (page: Page) => page.getByRole('textbox', { name: /^Write to / });

async function logIn(person: Person, account: NewUser, path: string): Promise<void> {
  await person.page.goto(path);
  await person.page.waitForURL('**/login?**');
  await person.page.getByLabel('Email or username', { exact: true }).fill(account.user.username);
  await person.page.getByLabel('Password', { exact: true }).fill(account.password);
  await person.page.getByRole('button', { name: 'Log in' }).click();
  await person.page.waitForURL(`**${path}`);
  await messages(person.page).waitFor();
}

/** Drops files on an element as a person dragging them from their desktop would (a DataTransfer made in the page). */
async function dropFiles(page: Page, target: Locator, files: { name: string; type: string; bytes: Buffer }[]): Promise<void> {
  const dataTransfer = await page.evaluateHandle(
    (list) => {
      const dt = new DataTransfer();
      for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
      return dt;
    },
    files.map((f) => ({ name: f.name, type: f.type, base64: f.bytes.toString('base64') })),
  );
  for (const type of ['dragenter', 'dragover', 'drop']) await target.dispatchEvent(type, { dataTransfer });
}

/** Posts through the API (as the person's own client), for the setup of a step. */
const post = (client: Client4, channelId: string, message: string, extra: Partial<Post> = {}) =>
  client.createPost({ channel_id: channelId, message, ...extra } as Post);

describe.skipIf(!!missing)(`messages in the web client, in Chromium${missing ? ` — ${missing}` : ''}`, () => {
  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'dist/web/index.html'))) throw new Error('dist/web is missing: run `npm run build` (it builds the web app too)');
    // The interactive-message test's integration listens on 127.0.0.1.
    server = await startServer({ MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS: '127.0.0.1' });
    aliceAccount = await server.newUser({ username: 'alice' });
    bobAccount = await server.newUser({ username: 'bob' });
    team = await aliceAccount.client.createTeam({ name: 'msg-test', display_name: 'Messages', type: 'O' } as Team);
    await aliceAccount.client.addToTeam(team.id, bobAccount.user.id);
    townSquare = await aliceAccount.client.getChannelByName(team.id, 'town-square');
    browser = await TestBrowser.launch('web');
    alice = await browser.person('alice', server.url);
    bob = await browser.person('bob', server.url);
    await logIn(alice, aliceAccount, channelPath('town-square'));
    await logIn(bob, bobAccount, channelPath('town-square'));
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('draws Markdown: a table, a code block, links and a mention of the reader standing out', async () => {
    const message = [
      'Release plan for @bob, see ~off-topic :tada:',
      '',
      '| Step | Owner | Done |',
      '|:-----|:-----:|-----:|',
      '| Build | alice | **yes** |',
      '| Ship | bob | _no_ |',
      '',
      '```ts',
      'const answer: number = 42; // <b>not bold</b>',
      '```',
      '',
      'Docs at https://example.com/docs and `npm test`. <img src=x onerror=alert(1)>',
    ].join('\n');
    await composer(alice.page).fill(message);
    await composer(alice.page).press('Enter');

    const item = postWith(bob.page, 'Release plan for');
    await item.waitFor({ timeout: 10_000 });
    const table = item.getByRole('table');
    expect(await table.getByRole('columnheader').allInnerTexts()).toEqual(['Step', 'Owner', 'Done']);
    expect(await table.getByRole('row').count()).toBe(3);
    expect(await table.locator('strong').innerText()).toBe('yes');
    expect(await item.locator('pre code.language-ts').innerText()).toBe('const answer: number = 42; // <b>not bold</b>');
    expect(await item.locator('code.md-code').innerText()).toBe('npm test');
    // Bob's own mention stands out for him, and the post is highlighted; for alice it is a plain mention.
    expect(await item.locator('.mention-me').innerText()).toBe('@bob');
    expect(await item.getAttribute('class')).toContain('post-mention');
    expect(await postWith(alice.page, 'Release plan for').locator('.mention-me').count()).toBe(0);
    // The channel link leads into the app; the web link opens a new tab without this page.
    expect(await item.getByRole('link', { name: '~Off-Topic' }).getAttribute('href')).toBe(channelPath('off-topic'));
    const link = item.getByRole('link', { name: 'https://example.com/docs' });
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await item.getByRole('img', { name: ':tada:' }).innerText()).toBe('🎉');
    // Raw HTML stays text.
    expect(await item.locator('img').count()).toBe(0);
    expect(await item.innerText()).toContain('<img src=x onerror=alert(1)>');
    await browser.screenshot(bob.page, 'channel-markdown');
    expect(await accessibilityViolations(bob.page)).toEqual([]);
  });

  it('draws custom emoji from this site, in messages and reactions', async () => {
    const image = await sharp({ create: { width: 32, height: 32, channels: 4, background: { r: 250, g: 200, b: 0, alpha: 1 } } })
      .png()
      .toBuffer();
    const emoji = await aliceAccount.client.createCustomEmoji(
      { name: 'party_parrot', creator_id: aliceAccount.user.id },
      new File([new Uint8Array(image)], 'parrot.png', { type: 'image/png' }),
    );
    const target = await post(aliceAccount.client, townSquare.id, 'custom :party_parrot: and :no_such_emoji:');
    await bobAccount.client.addReaction(bobAccount.user.id, target.id, 'party_parrot');
    const item = postWith(bob.page, 'custom');
    const inline = item.locator('.markdown').getByRole('img', { name: ':party_parrot:' });
    await inline.waitFor();
    expect(await inline.getAttribute('src')).toBe(`/api/v4/emoji/${emoji.id}/image`);
    await expect.poll(() => inline.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(32);
    // A name that is no emoji stays as typed.
    expect(await item.locator('.markdown').innerText()).toContain(':no_such_emoji:');
    await item.getByRole('group', { name: 'Reactions' }).getByRole('img', { name: ':party_parrot:' }).waitFor();
  });

  it('puts a date line above the day’s posts and joins a run of posts by one person', async () => {
    await post(aliceAccount.client, townSquare.id, 'first of a run');
    await post(aliceAccount.client, townSquare.id, 'second of a run');
    const second = postWith(bob.page, 'second of a run');
    await second.waitFor();
    expect(await second.getAttribute('class')).toContain('post-continued');
    expect(await second.locator('.post-author').count()).toBe(0);
    expect(await messages(bob.page).locator('.date-separator').first().innerText()).toBe('Today');
  });

  it('marks edited, pinned and deleted posts live', async () => {
    const edited = await post(aliceAccount.client, townSquare.id, 'to be edited');
    const pinned = await post(bobAccount.client, townSquare.id, 'to be pinned');
    const deleted = await post(aliceAccount.client, townSquare.id, 'to be deleted');
    await postWith(bob.page, 'to be deleted').waitFor();
    await aliceAccount.client.patchPost({ id: edited.id, message: 'now edited' } as Post);
    await aliceAccount.client.pinPost(pinned.id);
    await aliceAccount.client.deletePost(deleted.id);
    await postWith(bob.page, 'now edited').getByText('Edited', { exact: true }).waitFor();
    await postWith(bob.page, 'to be pinned').getByText('Pinned', { exact: true }).waitFor();
    await bob.page.locator(`li.post[data-post-id="${deleted.id}"]`).getByText('(message deleted)').waitFor();
  });

  it('scrolls back through a long channel, keeping the post in view where it was', async () => {
    const channel = await aliceAccount.client.createChannel({ team_id: team.id, name: 'history', display_name: 'History', type: 'O' } as Channel);
    await bobAccount.client.addToChannel(bobAccount.user.id, channel.id);
    for (let i = 1; i <= 150; i++) await post(aliceAccount.client, channel.id, `history message ${i}`);
    const loads: string[] = [];
    bob.page.on('request', (req) => {
      if (/\/channels\/[^/]+\/posts\?/.test(req.url()) && req.url().includes('before=')) loads.push(req.url());
    });
    // Bob was added through the API: the sidebar learns of it on the next load (channel events are not shown live yet).
    await bob.page.goto(channelPath('history'));
    await postWith(bob.page, 'history message 150').waitFor();
    // The channel opens at its newest post with the newest page (60 posts).
    expect(await postWith(bob.page, 'history message 91').count()).toBe(1);
    expect(await postWith(bob.page, 'history message 90').count()).toBe(0);

    const list = messages(bob.page);
    const anchor = postWith(bob.page, 'history message 91');
    await list.evaluate((el) => (el.scrollTop = 0));
    await postWith(bob.page, 'history message 31').waitFor();
    // The post the reader was looking at stays near the top instead of jumping away.
    const [listBox, anchorBox] = await Promise.all([list.boundingBox(), anchor.boundingBox()]);
    expect(Math.abs(anchorBox!.y - listBox!.y)).toBeLessThan(150);
    await list.evaluate((el) => (el.scrollTop = 0));
    await postWith(bob.page, /history message 1(?!\d)/).waitFor();
    await bob.page.getByText('Beginning of the channel').waitFor();
    expect(loads.length).toBe(2);
    // New posts at the bottom: seen when the reader is there.
    await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await post(aliceAccount.client, channel.id, 'history message 151');
    const newest = postWith(bob.page, 'history message 151');
    await newest.waitFor();
    await expect.poll(() => newest.isVisible()).toBe(true);
    await expect.poll(() => list.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight)).toBeLessThan(5);
    await bob.page.getByRole('navigation', { name: 'Channels' }).getByRole('link', { name: 'Town Square' }).click();
    await messages(bob.page).waitFor();
  });

  it("shows bob's reaction to alice live, with who reacted, and takes it back on a second click", async () => {
    const target = await post(aliceAccount.client, townSquare.id, 'react to this');
    const item = postWith(bob.page, 'react to this');
    await item.waitFor();
    await item.hover();
    await item.getByRole('button', { name: 'Add a reaction' }).click();
    await bob.page.getByRole('dialog', { name: 'Choose a reaction' }).getByRole('button', { name: ':tada:' }).click();

    const onAlice = postWith(alice.page, 'react to this').getByRole('group', { name: 'Reactions' });
    const tada = onAlice.getByRole('button', { name: /reacted with :tada:/ });
    await tada.waitFor({ timeout: 10_000 });
    expect(await tada.getAttribute('title')).toBe('bob reacted with :tada:');
    expect(await tada.getAttribute('aria-pressed')).toBe('false');
    expect(await tada.locator('.reaction-count').innerText()).toBe('1');

    // Alice adds hers with a click on the same emoji: two, and pressed for her.
    await tada.click();
    await expect.poll(() => tada.getAttribute('title')).toBe('You and bob reacted with :tada:');
    expect(await tada.getAttribute('aria-pressed')).toBe('true');
    const onBob = item.getByRole('button', { name: /reacted with :tada:/ });
    await expect.poll(() => onBob.getAttribute('title')).toBe('You and alice reacted with :tada:');

    // Bob takes his back: alice sees one again.
    await onBob.click();
    await expect.poll(() => tada.getAttribute('title')).toBe('You reacted with :tada:');
    const reactions = await aliceAccount.client.getReactionsForPost(target.id);
    expect(reactions.map((r) => [r.user_id, r.emoji_name])).toEqual([[aliceAccount.user.id, 'tada']]);
  });

  it('opens a thread beside the channel; a reply there reaches the other live, and stays out of the channel (collapsed threads)', async () => {
    await post(aliceAccount.client, townSquare.id, 'a thread root');
    for (const person of [alice, bob]) {
      const root = postWith(person.page, 'a thread root');
      await root.waitFor();
      await root.hover();
      await root.getByRole('button', { name: 'Reply in a thread' }).click();
      await person.page.getByRole('complementary', { name: 'Thread' }).getByRole('log', { name: 'Thread messages' }).getByText('a thread root').waitFor();
    }
    const box = bob.page.getByRole('textbox', { name: 'Reply to the thread' });
    await box.fill('a reply from bob');
    await box.press('Enter');
    const aliceThread = alice.page.getByRole('complementary', { name: 'Thread' });
    await aliceThread.getByText('a reply from bob').waitFor({ timeout: 10_000 });
    expect(await aliceThread.getByText('1 reply').count()).toBe(1);
    // In the channel the root counts the reply; the reply itself is not listed there.
    await postWith(alice.page, 'a thread root').getByRole('button', { name: '1 reply' }).waitFor();
    expect(await messages(alice.page).getByText('a reply from bob').count()).toBe(0);
    await browser.screenshot(alice.page, 'thread');
    expect(await accessibilityViolations(alice.page)).toEqual([]);
  });

  it('lists followed threads in the Threads view, marking unread ones until they are opened', async () => {
    await alice.page.getByRole('complementary', { name: 'Thread' }).getByRole('button', { name: 'Close the thread' }).click();
    const root = await post(aliceAccount.client, townSquare.id, 'another thread');
    await post(bobAccount.client, townSquare.id, 'bob answers in the thread', { root_id: root.id });
    const sidebar = alice.page.getByRole('navigation', { name: 'Channels' });
    // Alice follows her thread: the sidebar's Threads link says it has unread replies.
    const threadsLink = sidebar.getByRole('link', { name: /Threads\W+1 unread/ });
    await threadsLink.waitFor({ timeout: 10_000 });
    await threadsLink.click();
    await alice.page.waitForURL(`**/${team.name}/threads`);
    const list = alice.page.getByRole('list', { name: 'Followed threads' });
    const unread = list.getByRole('link', { name: /Unread/ });
    await unread.waitFor();
    expect(await unread.innerText()).toContain('another thread');
    expect(await list.getByRole('link').count()).toBe(2);
    await unread.click();
    await alice.page.waitForURL(`**/${team.name}/threads/${root.id}`);
    await alice.page.getByRole('complementary', { name: 'Thread' }).getByText('bob answers in the thread').waitFor();
    await expect.poll(() => list.getByRole('link', { name: /Unread/ }).count()).toBe(0);
    await expect.poll(() => sidebar.getByRole('link', { name: /unread/ }).count()).toBe(0);
    // A new reply while alice reads the thread shows up in it, and stays read.
    await post(bobAccount.client, townSquare.id, 'and one more', { root_id: root.id });
    await alice.page.getByRole('complementary', { name: 'Thread' }).getByText('and one more').waitFor();
    await expect.poll(async () => (await aliceAccount.client.getUserThread(aliceAccount.user.id, team.id, root.id)).unread_replies).toBe(0);
    await sidebar.getByRole('link', { name: 'Town Square' }).click();
    await messages(alice.page).waitFor();
  });

  it('uploads files dropped on the channel and posts them: the other sees the thumbnail, opens the preview, and gets a download card', async () => {
    const png = await sharp({ create: { width: 640, height: 320, channels: 3, background: { r: 30, g: 120, b: 200 } } })
      .png()
      .toBuffer();
    await dropFiles(alice.page, messages(alice.page), [
      { name: 'photo.png', type: 'image/png', bytes: png },
      { name: 'notes.txt', type: 'text/plain', bytes: Buffer.from('hello notes\n') },
    ]);
    const thumb = messages(bob.page).getByRole('img', { name: 'photo.png' });
    await thumb.waitFor({ timeout: 15_000 });
    // The box is reserved from the FileInfo before the image loads: 640×320 fits 120×100 as 120×60.
    expect([await thumb.getAttribute('width'), await thumb.getAttribute('height')]).toEqual(['120', '60']);
    expect(await thumb.getAttribute('src')).toMatch(/^\/api\/v4\/files\/[a-z0-9]{26}\/thumbnail$/);
    await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(120);
    const card = messages(bob.page).getByRole('link', { name: /notes\.txt/ });
    expect(await card.innerText()).toContain('Text · 12 B');
    expect(await card.getAttribute('href')).toMatch(/\/api\/v4\/files\/[a-z0-9]{26}\?download=1$/);
    // Alice's progress list empties once the post is made.
    await expect.poll(() => alice.page.getByRole('region', { name: 'Dropped files' }).count()).toBe(0);

    await browser.screenshot(bob.page, 'channel-files');
    expect(await accessibilityViolations(bob.page)).toEqual([]);
    await messages(bob.page).getByRole('button', { name: 'Open photo.png' }).click();
    const preview = bob.page.getByRole('dialog', { name: 'photo.png' });
    const full = preview.getByRole('img', { name: 'photo.png' });
    await expect.poll(() => full.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(640);
    await bob.page.keyboard.press('Escape');
    await expect.poll(() => preview.count()).toBe(0);
  });

  it("attaches a file with the composer's picker and sends it with the message; the other sees them together, and sees the sender typing", async () => {
    const png = await sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 200, g: 60, b: 60 } } })
      .png()
      .toBuffer();
    const box = alice.page.getByRole('textbox', { name: /^Write to Town Square/ });
    await box.click();
    await box.pressSequentially('a picture from the picker');
    await messages(bob.page)
      .page()
      .getByText(/is typing/)
      .waitFor();
    await alice.page.getByTestId('composer-file-input').setInputFiles({ name: 'picked.png', mimeType: 'image/png', buffer: png });
    // The message waits for the upload; Enter sends both.
    await expect.poll(() => alice.page.getByRole('list', { name: 'Uploads' }).getByText('picked.png').count()).toBe(1);
    await expect.poll(async () => (await alice.page.getByRole('list', { name: 'Uploads' }).innerText()).includes('%')).toBe(false);
    await box.press('Enter');
    const sent = postWith(bob.page, 'a picture from the picker');
    await sent.waitFor();
    await sent.getByRole('img', { name: 'picked.png' }).waitFor({ timeout: 15_000 });
    await expect.poll(() => alice.page.getByRole('list', { name: 'Uploads' }).count()).toBe(0);
  });

  it('shows that bob is typing a reply to the thread alice has open, until his reply arrives', async () => {
    await post(aliceAccount.client, townSquare.id, 'who is typing here?');
    for (const person of [alice, bob]) {
      const root = postWith(person.page, 'who is typing here?');
      await root.waitFor();
      await root.hover();
      await root.getByRole('button', { name: 'Reply in a thread' }).click();
      await person.page.getByRole('complementary', { name: 'Thread' }).getByText('who is typing here?').first().waitFor();
    }
    const box = bob.page.getByRole('textbox', { name: 'Reply to the thread' });
    // Typed over a few seconds: the server lets one notice per person and channel through every
    // 2.5 s (half of TimeBetweenUserTypingUpdatesMilliseconds), and bob typed in this channel a moment ago.
    await box.pressSequentially('I am typing', { delay: 300 });
    const indicator = alice.page.getByRole('complementary', { name: 'Thread' }).locator('.typing-indicator');
    await expect.poll(() => indicator.innerText(), { timeout: 10_000 }).toBe('bob is typing…');
    // Not for the channel itself: the notice names the thread.
    expect(await alice.page.getByRole('main').locator('.typing-indicator').innerText()).toBe('');
    await box.press('Enter');
    await alice.page.getByRole('complementary', { name: 'Thread' }).getByText('I am typing').waitFor();
    await expect.poll(() => indicator.innerText()).toBe('');
  });

  it("marks a channel unread with its mentions in the other's sidebar, live, and clears it when they open it", async () => {
    const offTopic = await aliceAccount.client.getChannelByName(team.id, 'off-topic');
    await bobAccount.client.addToChannel(bobAccount.user.id, offTopic.id).catch(() => undefined);
    const sidebar = bob.page.getByRole('navigation', { name: 'Channels' });
    // Bob opens the channel once (now that he is in it) and goes back to Town Square.
    await bob.page.goto(channelPath('off-topic'));
    await messages(bob.page).waitFor();
    await sidebar.getByRole('link', { name: 'Town Square' }).click();
    await messages(bob.page).waitFor();
    const link = sidebar.getByRole('link', { name: /Off-Topic/ });
    // History was read to its last post while bob had it open (he left it within a second of that post).
    expect(await sidebar.getByRole('link', { name: /History/ }).evaluate((a) => a.textContent)).not.toMatch(/unread/);
    expect(await link.getAttribute('aria-label')).toBeNull();
    expect(await link.innerText()).not.toMatch(/unread/);

    await post(aliceAccount.client, offTopic.id, 'news in off-topic');
    await expect.poll(() => link.evaluate((a) => a.textContent)).toMatch(/, unread$/);
    expect(await link.evaluate((a) => getComputedStyle(a).fontWeight)).toBe('700');
    await post(aliceAccount.client, offTopic.id, 'and @bob should see this');
    await post(aliceAccount.client, offTopic.id, '@bob twice');
    await expect.poll(() => link.locator('.channel-mention-badge').innerText()).toMatch(/^2\b/);
    await browser.screenshot(bob.page, 'sidebar-unread');
    expect(await accessibilityViolations(bob.page)).toEqual([]);

    // Opening it reads it: the badge goes, here and on the server.
    await link.click();
    await postWith(bob.page, '@bob twice').waitFor();
    await sidebar.getByRole('link', { name: 'Town Square' }).click();
    await messages(bob.page).waitFor();
    expect(await link.locator('.channel-mention-badge').count()).toBe(0);
    expect(await link.evaluate((a) => a.textContent)).not.toMatch(/unread/);
    const member = await bobAccount.client.getMyChannelMember(offTopic.id);
    expect(member.mention_count).toBe(0);
    expect(member.msg_count).toBe((await bobAccount.client.getChannel(offTopic.id)).total_msg_count);

    // Muted (mark_unread: mention): dimmed, and new posts do not make it unread.
    await bobAccount.client.updateChannelNotifyProps({ channel_id: offTopic.id, user_id: bobAccount.user.id, mark_unread: 'mention' });
    await expect.poll(() => link.evaluate((a) => a.textContent)).toMatch(/, muted/);
    expect(Number(await link.evaluate((a) => getComputedStyle(a).opacity))).toBeLessThan(1);
    await post(aliceAccount.client, offTopic.id, 'quiet news');
    await post(aliceAccount.client, offTopic.id, 'but @bob is mentioned');
    await expect.poll(() => link.locator('.channel-mention-badge').count()).toBe(1);
    expect(await link.evaluate((a) => a.textContent)).not.toMatch(/unread/);
  });

  it("draws a webhook's Slack attachment (colour, title, fields) and runs its button through the integration, which updates the post", async () => {
    // The integration: answers a click with an update of the post and a note for the clicker alone.
    const clicks: Array<Record<string, unknown>> = [];
    const integration: Server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        clicks.push(JSON.parse(body) as Record<string, unknown>);
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ update: { message: 'Deploy approved' }, ephemeral_text: 'You approved the deploy.' }));
      });
    });
    await new Promise<void>((r) => integration.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(integration.address() as AddressInfo).port}/approve`;
      const hook = await aliceAccount.client.createIncomingWebhook({ channel_id: townSquare.id, display_name: 'deploys' } as IncomingWebhook);
      const payload = {
        text: 'Deploy waiting',
        attachments: [
          {
            fallback: 'Deploy 7 waiting',
            color: 'warning',
            title: 'Deploy 7',
            title_link: 'https://ci.example.com/7',
            text: 'Ready for **production**',
            fields: [
              { title: 'Branch', value: 'main', short: true },
              { title: 'Commit', value: 'abc123', short: true },
            ],
            actions: [{ name: 'Approve', integration: { url, context: { deploy: 7 } } }],
          },
        ],
      };
      const answer = await fetch(`${server.url}/hooks/${hook.id}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(payload),
      });
      expect(answer.status).toBe(200);

      const item = postWith(bob.page, 'Deploy waiting');
      const card = item.getByRole('region', { name: 'Deploy 7' });
      await card.waitFor({ timeout: 10_000 });
      expect(await card.getByRole('link', { name: 'Deploy 7' }).getAttribute('href')).toBe('https://ci.example.com/7');
      expect(await card.locator('strong').innerText()).toBe('production');
      expect(await card.locator('dt').allInnerTexts()).toEqual(['Branch', 'Commit']);
      expect(await card.evaluate((el) => getComputedStyle(el).borderLeftColor)).toBe('rgb(218, 160, 56)');
      expect(await accessibilityViolations(bob.page)).toEqual([]);
      await browser.screenshot(bob.page, 'message-attachment');

      await card.getByRole('button', { name: 'Approve' }).click();
      // The integration got Mattermost's request, and its answer reaches both pages.
      await expect.poll(() => clicks.length, { timeout: 10_000 }).toBe(1);
      expect(clicks[0]).toMatchObject({ user_id: bobAccount.user.id, channel_id: townSquare.id, context: { deploy: 7 } });
      await postWith(alice.page, 'Deploy approved').waitFor({ timeout: 10_000 });
      await postWith(bob.page, 'Deploy approved').waitFor({ timeout: 10_000 });
      // The note for the clicker alone goes into the post's thread (collapsed threads: the panel).
      const updated = postWith(bob.page, 'Deploy approved');
      await updated.hover();
      await updated.getByRole('button', { name: 'Reply in a thread' }).click();
      await bob.page.getByRole('complementary', { name: 'Thread' }).getByText('You approved the deploy.').waitFor({ timeout: 10_000 });
      expect(await alice.page.getByText('You approved the deploy.').count()).toBe(0);
    } finally {
      await new Promise<void>((r) => integration.close(() => r()));
    }
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
});

/**
 * A second server with collapsed reply threads off (replies show in the channel, under the post
 * they answer) and link previews with the image proxy on, against a local site that serves an
 * OpenGraph page and its picture.
 */
describe.skipIf(!!missing)(`replies in the channel and link previews, in Chromium${missing ? ` — ${missing}` : ''}`, () => {
  let site: Server;
  let siteUrl = '';
  let server2: TestServer;
  let browser2: TestBrowser;
  let carol: NewUser;
  let dave: NewUser;
  let person: Person;
  let channel: Channel;

  beforeAll(async () => {
    const picture = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 80, b: 40 } } })
      .png()
      .toBuffer();
    site = createServer((req, res) => {
      if (req.url === '/article') {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end(
          '<!doctype html><html><head><meta property="og:title" content="Release notes"><meta property="og:description" content="What changed this week">' +
            '<meta property="og:site_name" content="Local news"><meta property="og:image" content="/picture.png"></head><body></body></html>',
        );
      } else if (req.url === '/picture.png') {
        res.writeHead(200, { 'Content-Type': 'image/png' }).end(picture);
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    server2 = await startServer({
      MM_SERVICESETTINGS_COLLAPSEDTHREADS: 'disabled',
      MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS: '127.0.0.1',
      MM_IMAGEPROXYSETTINGS_ENABLE: 'true',
    });
    carol = await server2.newUser({ username: 'carol' });
    dave = await server2.newUser({ username: 'dave' });
    const team2 = await carol.client.createTeam({ name: 'crt-off', display_name: 'No CRT', type: 'O' } as Team);
    await carol.client.addToTeam(team2.id, dave.user.id);
    channel = await carol.client.getChannelByName(team2.id, 'town-square');
    browser2 = await TestBrowser.launch('web');
    person = await browser2.person('carol', server2.url);
    await logIn(person, carol, `/${team2.name}/channels/town-square`);
  }, 90_000);

  afterAll(async () => {
    await browser2?.close();
    await server2?.stop();
    await new Promise<void>((resolve) => (site ? site.close(() => resolve()) : resolve()));
  });

  it('shows replies in the channel under the post they answer, and no Threads view', async () => {
    const root = await post(carol.client, channel.id, 'a question for the channel');
    await post(dave.client, channel.id, 'an answer in the channel', { root_id: root.id });
    const reply = postWith(person.page, 'an answer in the channel');
    await reply.waitFor({ timeout: 10_000 });
    expect(await reply.getByRole('button', { name: /^Commented on carol's message: a question for the channel$/ }).count()).toBe(1);
    await postWith(person.page, 'a question for the channel').getByRole('button', { name: '1 reply' }).waitFor();
    expect(
      await person.page
        .getByRole('navigation', { name: 'Channels' })
        .getByRole('link', { name: /Threads/ })
        .count(),
    ).toBe(0);
    // The reply opens its thread beside the channel.
    await reply.getByRole('button', { name: /^Commented on/ }).click();
    await person.page.getByRole('complementary', { name: 'Thread' }).getByText('an answer in the channel').waitFor();
    await person.page.getByRole('button', { name: 'Close the thread' }).click();
  });

  it("previews a link from the page's OpenGraph, its picture through the server's image proxy", async () => {
    await post(dave.client, channel.id, `read ${siteUrl}/article today`);
    const preview = postWith(person.page, 'read http').getByRole('complementary', { name: 'Preview of Release notes' });
    await preview.waitFor({ timeout: 15_000 });
    expect(await preview.innerText()).toContain('Local news');
    expect(await preview.innerText()).toContain('What changed this week');
    expect(await preview.getByRole('link', { name: 'Release notes' }).getAttribute('href')).toBe(`${siteUrl}/article`);
    const img = preview.locator('img');
    expect(await img.getAttribute('src')).toBe(`/api/v4/image?url=${encodeURIComponent(`${siteUrl}/picture.png`)}`);
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(64);
    expect(person.cspViolations).toEqual([]);
    expect(person.console.filter((line) => line.startsWith('pageerror:'))).toEqual([]);
  });
});
