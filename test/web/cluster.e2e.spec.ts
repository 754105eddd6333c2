/**
 * The web client on a three-node cluster behind nginx (libs/testing's startCluster: real nodes on
 * 127.0.0.1–3, one database, the deploy config's nginx), in Debian's Chromium:
 *
 * - alice's browser talks to node 1 and bob's to node 3 directly (pinned by address): they open a
 *   new channel and chat live across nodes, a thread reply and an image post reach them;
 * - an admin (through nginx) opens the System Console: the cluster page lists three nodes, and a
 *   config saved there is what every node serves;
 * - then both chat through nginx with their sockets on node 1 (nginx is pointed at node 1 alone
 *   while their pages load, then at all three again), node 1 is SIGKILLed mid-conversation, and
 *   both go on through the other nodes with every message on both screens; the console shows two
 *   nodes.
 *
 * Screenshots: test-artifacts/web/console-cluster.png, console-config.png, cluster-chat.png,
 * console-cluster-after-kill.png. The ports of a cluster are fixed (8065/8074/8075 on 127.0.0.x):
 * this suite runs in the `browser` project, one file at a time after the cluster suites.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Channel } from '@mattermost/types/channels';
import type { Team } from '@mattermost/types/teams';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumMissing,
  eventually,
  HTTP_PORT,
  nodeHost,
  REPO_ROOT,
  shippedServerParameters,
  sleep,
  TestBrowser,
  type NewUser,
  type Person,
  type TestCluster,
} from '#testing';
import { startFormedCluster, teamWith } from '../cluster/cluster-fixtures.js';

const missing = chromiumMissing() ?? (existsSync('/usr/sbin/nginx') ? undefined : 'no nginx at /usr/sbin/nginx: the cluster browser test is skipped');
if (missing) console.warn(missing);

/** Node 1 and node 3 of the issue, by index. */
const NODE_1 = 0;
const NODE_3 = 2;

let cluster: TestCluster;
let admin: NewUser;
let alice: NewUser;
let bob: NewUser;
let team: Team;
let channel: Channel;
let browser: TestBrowser;
let alicePerson: Person;
let bobPerson: Person;
let adminPerson: Person;

const channelPath = () => `/${team.name}/channels/${channel.name}`;
const composer = (page: Page) => page.getByRole('textbox', { name: /^Write to / });
const messages = (page: Page) => page.getByRole('log', { name: 'Messages' });
/** A message on a person's screen, by its whole text. */
const onScreen = (page: Page, text: string) => messages(page).getByText(text, { exact: true });
const nodeRows = (page: Page) => page.getByRole('table', { name: 'Cluster nodes' }).locator('tbody tr');

async function logIn(page: Page, user: NewUser): Promise<void> {
  await page.getByLabel('Email or username', { exact: true }).fill(user.user.username);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** Signs a person in on `baseUrl` through the login page and opens `path`. */
async function signIn(person: Person, user: NewUser, baseUrl: string, path: string): Promise<void> {
  await person.page.goto(`${baseUrl}${path}`);
  // Signed out here, the app sends the person to the login page (with redirect_to) once it has booted.
  const loginPage = person.page.getByRole('heading', { name: 'Log in' });
  await Promise.race([loginPage.waitFor(), messages(person.page).waitFor()]);
  if (await loginPage.isVisible()) await logIn(person.page, user);
  await person.page.waitForURL(`${baseUrl}${path}`);
  await messages(person.page)
    .waitFor()
    .catch(async (err: Error) => {
      throw new Error(`${err.message}\npage: ${await person.page.locator('body').innerText()}\nconsole: ${person.console.join('\n')}`);
    });
}

/** Whether the channel (through nginx) has a post with this message: the server's word on a send. */
async function committed(message: string): Promise<boolean> {
  const list = await cluster.clientAs(admin, 'nginx').getPosts(channel.id, 0, 200);
  return Object.values(list.posts).some((p) => p.message === message);
}

/**
 * Types a message and sends it as a person would: when sending fails (the composer gets the text
 * back with the error), tries again a moment later; done when the server has the post. Returns
 * how many times it was sent.
 */
async function say(page: Page, message: string): Promise<number> {
  const box = composer(page);
  await box.fill(message);
  const deadline = Date.now() + 45_000;
  for (let sends = 1; ; sends++) {
    await box.press('Enter');
    for (;;) {
      if (Date.now() > deadline) throw new Error(`"${message}" was never sent`);
      await sleep(150);
      if (await committed(message).catch(() => false)) {
        // Sent (even when the answer was lost on the way: the person sees it arrive and moves on).
        if ((await box.inputValue()) === message) await box.fill('');
        return sends;
      }
      if ((await box.inputValue()) === message) break; // refused or lost: the text is back; send again
    }
    await sleep(750);
  }
}

/** Points nginx at these nodes only (SIGHUP: new workers; open connections stay with the old ones) and waits until it uses them. */
async function routeTo(nodes: number[]): Promise<void> {
  const nginx = cluster.nginx!;
  const params = shippedServerParameters();
  writeFileSync(join(nginx.dir, 'conf/mattermost-site/upstream.conf'), nodes.map((i) => `server ${nodeHost(i)}:${HTTP_PORT} ${params};\n`).join(''));
  process.kill(nginx.pids[0]!, 'SIGHUP');
  const expected = new Set(nodes.map((i) => `${nodeHost(i)}:${HTTP_PORT}`));
  await eventually(
    async () => {
      const since = Date.now();
      for (let i = 0; i < 6; i++) await fetch(`${nginx.url}/api/v4/system/ping`);
      const used = nginx.accessLog().filter((e) => e.uri === '/api/v4/system/ping' && e.at >= since);
      expect(used).toHaveLength(6);
      expect(used.every((e) => expected.has(e.upstream))).toBe(true);
    },
    10_000,
    200,
  );
}

/** What a page's WebSockets did: how many opened and closed, and each `hello`'s connection id. */
function watchSockets(page: Page): { opened: number; closed: number; hellos: string[] } {
  const seen = { opened: 0, closed: 0, hellos: [] as string[] };
  page.on('websocket', (ws) => {
    seen.opened++;
    ws.on('framereceived', ({ payload }) => {
      const text = typeof payload === 'string' ? payload : payload.toString();
      if (text.includes('"event":"hello"')) seen.hellos.push((JSON.parse(text) as { data: { connection_id: string } }).data.connection_id);
    });
    ws.on('close', () => seen.closed++);
  });
  return seen;
}

describe.skipIf(!!missing)(`the web client on a cluster behind nginx${missing ? ` — ${missing}` : ''}`, () => {
  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'dist/web/index.html'))) throw new Error('dist/web is missing: run `npm run build` (it builds the web app too)');
    ({ cluster, admin } = await startFormedCluster());
    alice = await cluster.newUser({ admin, username: 'alice' });
    bob = await cluster.newUser({ admin, username: 'bob' });
    team = await teamWith(admin, [alice, bob]);
    browser = await TestBrowser.launch('web');
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  it('signs alice in on node 1 and bob on node 3, each in their own browser context', async () => {
    alicePerson = await browser.person('alice', cluster.url(NODE_1));
    bobPerson = await browser.person('bob', cluster.url(NODE_3));
    const townSquare = `/${team.name}/channels/town-square`;
    await signIn(alicePerson, alice, cluster.url(NODE_1), townSquare);
    await signIn(bobPerson, bob, cluster.url(NODE_3), townSquare);
  });

  it('has alice create a channel; both open it and chat live across the two nodes', async () => {
    channel = await cluster.clientAs(alice, NODE_1).createChannel({ team_id: team.id, name: 'launch', display_name: 'Launch', type: 'O' } as Channel);
    await alicePerson.page.goto(`${cluster.url(NODE_1)}${channelPath()}`);
    await messages(alicePerson.page).waitFor();
    // Bob joins by opening the public channel's URL (as Mattermost's web app does).
    await bobPerson.page.goto(`${cluster.url(NODE_3)}${channelPath()}`);
    await messages(bobPerson.page).waitFor();

    await composer(alicePerson.page).fill('Hello Bob, from node 1');
    await composer(alicePerson.page).press('Enter');
    await onScreen(bobPerson.page, 'Hello Bob, from node 1').waitFor({ timeout: 10_000 });
    await composer(bobPerson.page).fill('Hi Alice, from node 3');
    await composer(bobPerson.page).press('Enter');
    await onScreen(alicePerson.page, 'Hi Alice, from node 3').waitFor({ timeout: 10_000 });
  });

  it('has them react, reply in a thread, attach an image and type through their pages, each seeing the other live across nodes', async () => {
    // Alice (node 1) reacts to bob's message through the picker; bob (node 3) sees it.
    const onAlice = messages(alicePerson.page).locator('li.post', { hasText: 'Hi Alice, from node 3' });
    await onAlice.hover();
    await onAlice.getByRole('button', { name: 'Add a reaction' }).click();
    await alicePerson.page.getByRole('dialog', { name: 'Choose a reaction' }).getByRole('button', { name: ':tada:' }).click();
    const bobsItem = messages(bobPerson.page).locator('li.post', { hasText: 'Hi Alice, from node 3' });
    await bobsItem.getByRole('button', { name: /alice reacted with :tada:/ }).waitFor({ timeout: 10_000 });

    // Bob opens the thread and sees alice typing her reply there, then the reply (collapsed threads: in the panel).
    await onAlice.hover();
    await onAlice.getByRole('button', { name: 'Reply in a thread' }).click();
    await bobsItem.hover();
    await bobsItem.getByRole('button', { name: 'Reply in a thread' }).click();
    const bobsThread = bobPerson.page.getByRole('complementary', { name: 'Thread' });
    await bobsThread.getByText('Hi Alice, from node 3').first().waitFor();
    const reply = alicePerson.page.getByRole('textbox', { name: 'Reply to the thread' });
    await reply.pressSequentially('Replying in the thread');
    await bobPerson.page.getByText('alice is typing…').waitFor({ timeout: 10_000 });
    await reply.press('Enter');
    await bobsThread.getByText('Replying in the thread').waitFor({ timeout: 10_000 });
    await bobsItem.getByRole('button', { name: '1 reply' }).waitFor({ timeout: 10_000 });

    // Alice attaches an image with the composer's picker; bob's page shows its thumbnail from node 3.
    const png = await sharp({ create: { width: 320, height: 200, channels: 3, background: '#3a7bd5' } })
      .png()
      .toBuffer();
    await composer(alicePerson.page).fill('A blue picture');
    await alicePerson.page.getByTestId('composer-file-input').setInputFiles({ name: 'blue.png', mimeType: 'image/png', buffer: png });
    const uploads = alicePerson.page.getByRole('list', { name: 'Uploads' });
    await expect.poll(async () => (await uploads.count()) === 1 && !(await uploads.innerText()).includes('%'), { timeout: 15_000 }).toBe(true);
    await composer(alicePerson.page).press('Enter');
    await onScreen(bobPerson.page, 'A blue picture').waitFor({ timeout: 10_000 });
    const thumb = messages(bobPerson.page).getByRole('img', { name: 'blue.png' });
    await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 10_000 }).toBeGreaterThan(0);
    const [image] = await cluster
      .clientAs(bob, NODE_3)
      .getFileInfosForPost(Object.values((await cluster.clientAs(bob, NODE_3).getPosts(channel.id, 0, 1)).posts)[0]!.id);
    expect(image).toMatchObject({ name: 'blue.png', width: 320, height: 200 });
  });

  it("shows an admin the cluster's three nodes in the System Console", async () => {
    adminPerson = await browser.person('admin', cluster.url('nginx'));
    await adminPerson.page.goto('/admin_console/environment/high_availability');
    await adminPerson.page.waitForURL('**/login?**');
    await logIn(adminPerson.page, admin);
    await adminPerson.page.waitForURL('**/admin_console/environment/high_availability');
    const page = adminPerson.page;
    await expect.poll(() => nodeRows(page).count(), { timeout: 15_000 }).toBe(3);
    const hosts = await nodeRows(page).locator('th').allTextContents();
    expect(hosts).toEqual([nodeHost(0), nodeHost(1), nodeHost(2)]);
    expect(await nodeRows(page).filter({ hasText: 'Leader' }).count()).toBe(1);
    expect(await nodeRows(page).filter({ hasText: 'alive' }).count()).toBe(3);
    await browser.screenshot(page, 'console-cluster');
  });

  it('saves a config change in the console that every node then serves', async () => {
    const page = adminPerson.page;
    await page.getByRole('navigation', { name: 'System Console' }).getByRole('link', { name: 'SMTP', exact: true }).click();
    await page.getByLabel('SMTP server', { exact: true }).fill('smtp.cluster.test');
    await page.getByLabel('Notification display name').fill('Cluster Chat');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Settings saved.').waitFor();
    await browser.screenshot(page, 'console-config');
    for (const node of [0, 1, 2]) {
      await eventually(
        async () => {
          const config = await cluster.clientAs(admin, node).getConfig();
          expect(config.EmailSettings, `node ${node + 1}`).toMatchObject({ SMTPServer: 'smtp.cluster.test', FeedbackName: 'Cluster Chat' });
        },
        10_000,
        200,
      );
    }
    // Every node advertises the new config's hash: the cluster page has no warning about it.
    await page.getByRole('navigation', { name: 'System Console' }).getByRole('link', { name: 'Cluster', exact: true }).click();
    await expect
      .poll(
        async () =>
          new Set(
            await nodeRows(page)
              .locator('td code')
              .evaluateAll((els) => els.map((e) => e.getAttribute('title'))),
          ).size,
        { timeout: 15_000 },
      )
      .toBe(1);
  });

  it('keeps both talking through nginx when node 1 dies under them, without losing a message on screen', { timeout: 180_000 }, async () => {
    const nginx = cluster.url('nginx');
    // Both pages load through nginx while it sends everything to node 1: their sockets live there.
    await routeTo([NODE_1]);
    const aliceSockets = watchSockets(alicePerson.page);
    const bobSockets = watchSockets(bobPerson.page);
    // Alice's cookies are for 127.0.0.1, nginx's host too; bob signs in again there.
    await signIn(alicePerson, alice, nginx, channelPath());
    await signIn(bobPerson, bob, nginx, channelPath());
    await expect.poll(() => aliceSockets.hellos.length > 0 && bobSockets.hellos.length > 0, { timeout: 15_000 }).toBe(true);
    await routeTo([0, 1, 2]);
    // The history is there through nginx too.
    await onScreen(alicePerson.page, 'A blue picture').waitFor();
    await onScreen(bobPerson.page, 'Hi Alice, from node 3').waitFor();

    const refetches = { alice: 0, bob: 0 };
    for (const [who, page] of [
      ['alice', alicePerson.page],
      ['bob', bobPerson.page],
    ] as const) {
      page.on('request', (r) => {
        if (r.url().includes(`/channels/${channel.id}/posts`)) refetches[who]++;
      });
    }

    // Both talk at once, one message after another each; node 1 dies a moment into it, while
    // messages are on their way.
    const sent: Array<{ message: string; sends: number }> = [];
    const talk = async (who: string, page: Page) => {
      for (let n = 1; n <= 8; n++) {
        const message = `${who} says ${n}`;
        sent.push({ message, sends: await say(page, message) });
        await sleep(200);
      }
    };
    const snapshot = (w: typeof aliceSockets) => ({ opened: w.opened, closed: w.closed, hellos: w.hellos.length });
    const before = { alice: snapshot(aliceSockets), bob: snapshot(bobSockets) };
    const killed = sleep(1500).then(() => cluster.node(NODE_1).kill('SIGKILL'));
    await Promise.all([talk('alice', alicePerson.page), talk('bob', bobPerson.page), killed]);

    // Their sockets were on node 1: both lost theirs and opened a new one, to another node.
    expect(aliceSockets.closed).toBeGreaterThan(before.alice.closed);
    expect(bobSockets.closed).toBeGreaterThan(before.bob.closed);
    await expect.poll(() => aliceSockets.opened > before.alice.opened && bobSockets.opened > before.bob.opened, { timeout: 30_000 }).toBe(true);
    // …and each page fetched the channel again after reconnecting (actions/socket.ts RESYNC).
    await expect.poll(() => refetches.alice, { timeout: 15_000 }).toBeGreaterThan(0);
    await expect.poll(() => refetches.bob, { timeout: 15_000 }).toBeGreaterThan(0);

    // Every message is on both screens (over the socket, or refetched after the gap), each once
    // unless a send failed ambiguously and the person sent it again.
    for (const { message, sends } of sent) {
      for (const person of [alicePerson, bobPerson]) {
        await eventually(
          async () => {
            const count = await onScreen(person.page, message).count();
            expect(count, `"${message}" on ${person.name}'s screen`).toBeGreaterThanOrEqual(1);
            if (sends === 1) expect(count, `"${message}" on ${person.name}'s screen`).toBe(1);
          },
          30_000,
          250,
        );
      }
    }
    const fresh = (now: { hellos: string[] }, then: { hellos: number }) => now.hellos.length - then.hellos;
    console.info(
      `failover: ${sent.length} messages, ${sent.filter((s) => s.sends > 1).length} sent again after a failed send; ` +
        `new sockets alice ${aliceSockets.opened - before.alice.opened} (fresh hellos ${fresh(aliceSockets, before.alice)}), ` +
        `bob ${bobSockets.opened - before.bob.opened} (fresh hellos ${fresh(bobSockets, before.bob)})`,
    );
    await browser.screenshot(bobPerson.page, 'cluster-chat');
  });

  it('shows the admin two nodes after the kill', async () => {
    const page = adminPerson.page;
    await expect.poll(() => nodeRows(page).count(), { timeout: 30_000 }).toBe(2);
    expect(await nodeRows(page).locator('th').allTextContents()).toEqual([nodeHost(1), nodeHost(2)]);
    await browser.screenshot(page, 'console-cluster-after-kill');
  });

  it('ran every page without a CSP violation or a script error', () => {
    for (const person of [alicePerson, bobPerson, adminPerson]) {
      expect(person.cspViolations, person.name).toEqual([]);
      expect(
        person.console.filter((line) => line.startsWith('pageerror:')),
        person.name,
      ).toEqual([]);
    }
  });
});
