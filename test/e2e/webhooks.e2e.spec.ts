/**
 * Incoming and outgoing webhooks through @mattermost/client and real peers: POST /hooks/{id} with
 * Mattermost and Slack payloads (JSON and form), the posts and `posted` events they make, and an
 * HTTP receiver on 127.0.0.1 that outgoing webhooks call (AllowedUntrustedInternalConnections lists
 * 127.0.0.1 only, so `localhost`, the same address by name, stands for a refused SSRF target).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Channel } from '@mattermost/types/channels';
import type { IncomingWebhook, IncomingWebhooksWithCount, OutgoingWebhook } from '@mattermost/types/integrations';
import type { Post } from '@mattermost/types/posts';
import { eventually, expectClientError, sleep, type WsEventMessage } from '#testing';
import { PERMISSION, post, startChannelSuite, stopChannelSuite, type ChannelSuite } from './fixtures.js';

interface Received {
  path: string;
  method: string;
  contentType: string;
  accept: string;
  body: string;
  at: number;
}

let s: ChannelSuite;
let receiver: Server;
let base: string;
let port: number;
const received: Received[] = [];
/** What the receiver answers, by path; an empty body by default. */
const answers = new Map<string, { body: string; delayMs?: number }>();

const config = (patch: Record<string, unknown>) => s.admin.client.patchConfig({ ServiceSettings: patch } as never);

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url!, 'http://x').pathname;
      const body = await readAll(req);
      received.push({ path, method: req.method!, contentType: req.headers['content-type'] ?? '', accept: req.headers.accept ?? '', body, at: Date.now() });
      const answer = answers.get(path);
      if (answer?.delayMs) await sleep(answer.delayMs);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(answer?.body ?? '');
    })();
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  port = (receiver.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  s = await startChannelSuite({
    team: { name: 'hookteam', display_name: 'Hook Team' },
    pub: { name: 'hook-pub', display_name: 'Hook Pub' },
    priv: { name: 'hook-priv', display_name: 'Hook Priv' },
  });
  await config({ AllowedUntrustedInternalConnections: '127.0.0.1' });
});
afterAll(async () => {
  await stopChannelSuite(s);
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});
beforeEach(async () => {
  await config({
    EnableIncomingWebhooks: true,
    EnableOutgoingWebhooks: true,
    EnableOnlyAdminIntegrations: true,
    EnablePostUsernameOverride: false,
    EnablePostIconOverride: false,
  });
});

const hookUrl = (id: string) => `${s.server.url}/hooks/${id}`;
const send = (id: string, body: string, contentType = 'application/json') =>
  fetch(hookUrl(id), { method: 'POST', headers: contentType ? { 'Content-Type': contentType } : {}, body });
const sendJson = (id: string, payload: unknown) => send(id, JSON.stringify(payload));
async function errorOf(res: Response): Promise<{ status: number; id: string }> {
  const body = (await res.json()) as { id: string; status_code: number };
  expect(body.status_code).toBe(res.status);
  return { status: res.status, id: body.id };
}

const newIncoming = (channel: Channel, extra: Partial<IncomingWebhook> = {}) =>
  s.alice.client.createIncomingWebhook({ channel_id: channel.id, display_name: 'CI', description: 'builds', ...extra });

/** The channel's newest posts, newest first. */
async function latest(channelId: string, n = 1): Promise<Post[]> {
  const list = await s.alice.client.getPosts(channelId, 0, n);
  return list.order.map((id) => list.posts[id]);
}

function fresh(): (e: WsEventMessage) => boolean {
  const mark = s.sockets[0].events.length;
  return (e) => s.sockets[0].events.indexOf(e) >= mark;
}

const postedIn = (channelId: string, after: (e: WsEventMessage) => boolean) => (e: WsEventMessage) =>
  after(e) && (JSON.parse(e.data.post) as Post).channel_id === channelId;

describe('incoming webhooks: CRUD', () => {
  it('creates a hook (201) with Mattermost JSON; lists, gets, updates (201) and deletes it', async () => {
    const hook = await newIncoming(s.pub, { username: 'ignored-bot', icon_url: 'http://x.test/i.png', channel_locked: false });
    expect(Object.keys(hook).sort()).toEqual(
      [
        'channel_id',
        'channel_locked',
        'create_at',
        'delete_at',
        'description',
        'display_name',
        'icon_url',
        'id',
        'team_id',
        'update_at',
        'user_id',
        'username',
      ].sort(),
    );
    // Overrides are off: the name and icon are not kept. A team admin may leave the hook unlocked.
    expect(hook).toMatchObject({ user_id: s.alice.user.id, channel_id: s.pub.id, team_id: s.team.id, display_name: 'CI', description: 'builds' });
    expect(hook).toMatchObject({ username: '', icon_url: '', channel_locked: false, delete_at: 0 });
    expect(hook.update_at).toBe(hook.create_at);

    expect(await s.alice.client.getIncomingWebhook(hook.id)).toEqual(hook);
    const listed = (await s.alice.client.getIncomingWebhooks(s.team.id, 0, 100)) as IncomingWebhook[];
    expect(listed.map((h) => h.id)).toContain(hook.id);
    const counted = (await s.alice.client.getIncomingWebhooks(s.team.id, 0, 100, true)) as IncomingWebhooksWithCount;
    expect(counted.total_count).toBe(counted.incoming_webhooks.length);

    const updated = await s.alice.client.updateIncomingWebhook({ ...hook, display_name: 'CI 2', channel_id: s.priv.id, channel_locked: true });
    expect(updated).toMatchObject({ id: hook.id, display_name: 'CI 2', channel_id: s.priv.id, channel_locked: true, create_at: hook.create_at });
    expect(updated.update_at).toBeGreaterThanOrEqual(hook.update_at);
    const raw = await fetch(`${s.server.url}/api/v4/hooks/incoming/${hook.id}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${s.alice.client.getToken()}` },
      body: JSON.stringify(updated),
    });
    expect(raw.status).toBe(201);
    const mismatch = await fetch(`${s.server.url}/api/v4/hooks/incoming/${hook.id}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${s.alice.client.getToken()}` },
      body: JSON.stringify({ ...updated, id: s.pub.id }),
    });
    expect(await errorOf(mismatch)).toEqual({ status: 400, id: 'api.context.invalid_body_param.app_error' });

    await s.alice.client.removeIncomingWebhook(hook.id);
    const gone = await expectClientError(() => s.alice.client.getIncomingWebhook(hook.id));
    expect([gone.status_code, gone.server_error_id]).toEqual([404, 'app.webhooks.get_incoming.app_error']);
  });

  it('with EnableOnlyAdminIntegrations only admins manage hooks; off, members manage their own, locked to their channel', async () => {
    const denied = await expectClientError(() => s.bob.client.createIncomingWebhook({ channel_id: s.pub.id }));
    expect([denied.status_code, denied.server_error_id]).toEqual([403, PERMISSION]);
    const list = await expectClientError(() => s.bob.client.getIncomingWebhooks(s.team.id));
    expect(list.status_code).toBe(403);

    await config({ EnableOnlyAdminIntegrations: false });
    const alices = await newIncoming(s.pub);
    const bobs = await s.bob.client.createIncomingWebhook({ channel_id: s.pub.id, channel_locked: false });
    // No bypass_incoming_webhook_channel_lock: a member's hook stays on its channel.
    expect(bobs).toMatchObject({ user_id: s.bob.user.id, channel_locked: true });
    const forAlice = await expectClientError(() => s.bob.client.createIncomingWebhook({ channel_id: s.pub.id, user_id: s.alice.user.id }));
    expect(forAlice.status_code).toBe(403);
    expect((await expectClientError(() => s.bob.client.getIncomingWebhook(alices.id))).status_code).toBe(403);
    const bobSees = (await s.bob.client.getIncomingWebhooks(s.team.id, 0, 200)) as IncomingWebhook[];
    expect(bobSees.map((h) => h.user_id)).toEqual(bobSees.map(() => s.bob.user.id));
    expect(bobSees.map((h) => h.id)).toContain(bobs.id);
    const aliceSees = (await s.alice.client.getIncomingWebhooks(s.team.id, 0, 200)) as IncomingWebhook[];
    expect(aliceSees.map((h) => h.id)).toEqual(expect.arrayContaining([alices.id, bobs.id]));
    // A private channel needs reading it: dave is on the team but not in it.
    const priv = await expectClientError(() => s.dave.client.createIncomingWebhook({ channel_id: s.priv.id }));
    expect([priv.status_code, priv.server_error_id]).toEqual([403, PERMISSION]);
    // carol is not on the team.
    expect((await expectClientError(() => s.carol.client.createIncomingWebhook({ channel_id: s.pub.id }))).status_code).toBe(403);
    // An admin creates one for bob.
    const made = await s.alice.client.createIncomingWebhook({ channel_id: s.pub.id, user_id: s.bob.user.id });
    expect(made.user_id).toBe(s.bob.user.id);
  });

  it('answers 501 when incoming webhooks are off, and 404 for an unknown channel', async () => {
    const missing = await expectClientError(() => s.alice.client.createIncomingWebhook({ channel_id: 'a'.repeat(26) }));
    expect([missing.status_code, missing.server_error_id]).toEqual([404, 'app.channel.get.existing.app_error']);
    const hook = await newIncoming(s.pub);
    await config({ EnableIncomingWebhooks: false });
    const off = await expectClientError(() => s.alice.client.createIncomingWebhook({ channel_id: s.pub.id }));
    expect([off.status_code, off.server_error_id]).toEqual([501, 'api.incoming_webhook.disabled.app_error']);
    expect((await expectClientError(() => s.alice.client.getIncomingWebhook(hook.id))).status_code).toBe(501);
    const posted = await errorOf(await sendJson(hook.id, { text: 'hi' }));
    expect(posted).toEqual({ status: 501, id: 'web.incoming_webhook.disabled.app_error' });
  });
});

describe('POST /hooks/{id}', () => {
  it('posts the text as the hook owner, answering a plain-text ok, with the posted event', async () => {
    const hook = await newIncoming(s.pub, { display_name: 'Deploys' });
    const after = fresh();
    const res = await sendJson(hook.id, { text: 'deployed **v1**', props: { card: 'details', from_bot: 'true' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(await res.text()).toBe('ok');
    const [p] = await latest(s.pub.id);
    expect(p).toMatchObject({ user_id: s.alice.user.id, message: 'deployed **v1**', type: '', root_id: '' });
    // from_bot is the server's to set; the sender's other props stay.
    expect(p.props).toEqual({ from_webhook: 'true', webhook_display_name: 'Deploys', card: 'details' });
    const event = await s.sockets[0].waitFor('posted', postedIn(s.pub.id, after));
    expect(JSON.parse(event.data.post)).toMatchObject({ id: p.id, props: { from_webhook: 'true' } });
    expect(event.data.sender_name).toBe(`@${s.alice.user.username}`);
    expect(event.data.set_online).toBe(false);
  });

  it('applies username, icon_url and icon_emoji only where the overrides are on', async () => {
    const hook = await newIncoming(s.pub);
    await sendJson(hook.id, { text: 'plain', username: 'robot', icon_url: 'http://x.test/r.png', icon_emoji: 'robot' });
    expect((await latest(s.pub.id))[0].props).toEqual({ from_webhook: 'true', webhook_display_name: 'CI' });
    await config({ EnablePostUsernameOverride: true, EnablePostIconOverride: true });
    const after = fresh();
    await sendJson(hook.id, { text: 'dressed', username: 'robot', icon_url: 'http://x.test/r.png', icon_emoji: 'robot' });
    expect((await latest(s.pub.id))[0].props).toEqual({
      from_webhook: 'true',
      webhook_display_name: 'CI',
      override_username: 'robot',
      override_icon_url: 'http://x.test/r.png',
      override_icon_emoji: 'robot',
    });
    const event = await s.sockets[0].waitFor('posted', postedIn(s.pub.id, after));
    expect(event.data.sender_name).toBe('robot');
    // No name given: Mattermost's default one.
    await sendJson(hook.id, { text: 'nameless' });
    expect((await latest(s.pub.id))[0].props.override_username).toBe('webhook');
  });

  it("posts a Slack form payload's attachments (fields, colors, buttons) as Mattermost stores them", async () => {
    const hook = await newIncoming(s.pub);
    const slack = {
      text: 'Build <https://ci.test/42|#42> finished <!channel>',
      attachments: [
        {
          fallback: 'Build 42 passed',
          color: '#36a64f',
          pretext: 'For <@' + s.bob.user.id + '>',
          author_name: 'CI',
          author_link: 'https://ci.test',
          author_icon: 'https://ci.test/a.png',
          title: 'Build 42',
          title_link: 'https://ci.test/42',
          text: 'All <https://ci.test/42/tests|tests> passed',
          fields: [{ title: 'Branch', value: 'main', short: true }, { title: 'Duration', value: 1000000, short: 'false' }, null],
          image_url: 'https://ci.test/i.png',
          thumb_url: 'https://ci.test/t.png',
          footer: 'ci',
          footer_icon: 'https://ci.test/f.png',
          ts: 1700000000,
          actions: [{ name: 'Rerun', integration: { url: 'https://ci.test/rerun', context: { build: 42 } } }],
        },
        { color: 'danger', text: 'second' },
      ],
    };
    const res = await send(hook.id, new URLSearchParams({ payload: JSON.stringify(slack) }).toString(), 'application/x-www-form-urlencoded');
    expect([res.status, await res.text()]).toEqual([200, 'ok']);
    const [p] = await latest(s.pub.id);
    expect(p.type).toBe('slack_attachment');
    expect(p.message).toBe('Build [#42](https://ci.test/42) finished @channel');
    expect(p.props.attachments).toEqual([
      {
        id: 0,
        fallback: 'Build 42 passed',
        color: '#36a64f',
        pretext: `For @${s.bob.user.username}`,
        author_name: 'CI',
        author_link: 'https://ci.test',
        author_icon: 'https://ci.test/a.png',
        title: 'Build 42',
        title_link: 'https://ci.test/42',
        text: 'All [tests](https://ci.test/42/tests) passed',
        fields: [
          { title: 'Branch', value: 'main', short: true },
          { title: 'Duration', value: '1e+06', short: false },
        ],
        image_url: 'https://ci.test/i.png',
        thumb_url: 'https://ci.test/t.png',
        footer: 'ci',
        footer_icon: 'https://ci.test/f.png',
        ts: 1700000000,
        // The button gets an id and keeps its integration on the server only (clients never see its URL).
        actions: [{ id: expect.stringMatching(/^[a-z0-9]{26}$/), name: 'Rerun' }],
      },
      {
        id: 0,
        fallback: '',
        color: 'danger',
        pretext: '',
        author_name: '',
        author_link: '',
        author_icon: '',
        title: '',
        title_link: '',
        text: 'second',
        fields: null,
        image_url: '',
        thumb_url: '',
        footer: '',
        footer_icon: '',
        ts: null,
      },
    ]);
  });

  it('converts Slack markup as Mattermost does: <!here>, <!all>, <@id>; <!everyone> and unknown ids stay', async () => {
    const hook = await newIncoming(s.pub);
    await sendJson(hook.id, { text: `<!here> <!all> <@${s.bob.user.id}> <@nobody> <!everyone> <mailto:a@b.test|mail me>` });
    expect((await latest(s.pub.id))[0].message).toBe(`@here @all @${s.bob.user.username} <@nobody> <!everyone> [mail me](mailto:a@b.test)`);
  });

  it('accepts JSON with raw newlines and tabs in its texts, and keys in any case', async () => {
    const hook = await newIncoming(s.pub);
    const res = await send(hook.id, '{"text": "line one\nline\ttwo"}');
    expect(res.status).toBe(200);
    expect((await latest(s.pub.id))[0].message).toBe('line one\nline\ttwo');
    expect((await send(hook.id, '{"TEXT": "shouted key", "Channel": ""}')).status).toBe(200);
    expect((await latest(s.pub.id))[0].message).toBe('shouted key');
    // No Content-Type at all is JSON too.
    expect((await send(hook.id, '{"text":"untyped"}', '')).status).toBe(200);
  });

  it("takes a multipart form of the text fields, by Go's field names", async () => {
    const hook = await newIncoming(s.pub);
    const form = new FormData();
    form.append('text', 'from a form');
    form.append('Type', 'custom_form');
    const res = await fetch(hookUrl(hook.id), { method: 'POST', body: form });
    expect([res.status, await res.text()]).toEqual([200, 'ok']);
    expect((await latest(s.pub.id))[0]).toMatchObject({ message: 'from a form', type: 'custom_form' });
    const bad = new FormData();
    bad.append('text', 'x');
    bad.append('attachments', '[]');
    expect(await errorOf(await fetch(hookUrl(hook.id), { method: 'POST', body: bad }))).toEqual({ status: 400, id: 'api.webhook.incoming.error' });
  });

  it('posts to the channel or direct message the payload names, unless the hook is locked', async () => {
    const other = await s.alice.client.createChannel({ team_id: s.team.id, name: 'hook-other', display_name: 'Other', type: 'O' } as Channel);
    const open = await newIncoming(s.pub, { channel_locked: false });
    expect((await sendJson(open.id, { text: 'to other', channel: 'hook-other' })).status).toBe(200);
    expect((await latest(other.id))[0].message).toBe('to other');
    expect((await sendJson(open.id, { text: 'to other again', channel: '#hook-other' })).status).toBe(200);
    expect((await latest(other.id))[0].message).toBe('to other again');
    expect((await sendJson(open.id, { text: 'to carol', channel: `@${s.carol.user.username}` })).status).toBe(200);
    const dm = await s.alice.client.createDirectChannel([s.alice.user.id, s.carol.user.id]);
    expect((await latest(dm.id))[0]).toMatchObject({ message: 'to carol', user_id: s.alice.user.id });
    expect(await errorOf(await sendJson(open.id, { text: 'x', channel: '#no-such' }))).toEqual({ status: 404, id: 'web.incoming_webhook.channel.app_error' });
    expect(await errorOf(await sendJson(open.id, { text: 'x', channel: '@no-such-user' }))).toEqual({ status: 400, id: 'web.incoming_webhook.user.app_error' });

    const locked = await newIncoming(s.pub, { channel_locked: true });
    expect(await errorOf(await sendJson(locked.id, { text: 'x', channel: 'hook-other' }))).toEqual({
      status: 403,
      id: 'web.incoming_webhook.channel_locked.app_error',
    });
    expect((await sendJson(locked.id, { text: 'own channel', channel: s.pub.name })).status).toBe(200);
  });

  it('needs the owner to read a private channel named in the payload', async () => {
    await config({ EnableOnlyAdminIntegrations: false });
    const dave = await s.dave.client.createIncomingWebhook({ channel_id: s.pub.id });
    // dave's own hook is locked to its channel (no bypass); the team admin unlocks it.
    const unlocked = await s.alice.client.updateIncomingWebhook({ ...dave, channel_locked: false });
    expect(unlocked.channel_locked).toBe(false);
    expect(await errorOf(await sendJson(dave.id, { text: 'x', channel: s.priv.name }))).toEqual({
      status: 403,
      id: 'web.incoming_webhook.permissions.app_error',
    });
  });

  it('splits a text longer than a post into several posts', async () => {
    const hook = await newIncoming(s.pub);
    const text = 'é'.repeat(16383) + 'tail';
    expect((await sendJson(hook.id, { text })).status).toBe(200);
    const [second, first] = await latest(s.pub.id, 2);
    expect([...first.message].length).toBe(16383);
    expect(second.message).toBe('tail');
    expect(second.props).toEqual(first.props);
  });

  it('takes custom_ post types and a priority; refuses system and unknown types', async () => {
    const hook = await newIncoming(s.pub);
    expect((await sendJson(hook.id, { text: 'typed', type: 'custom_build' })).status).toBe(200);
    expect((await latest(s.pub.id))[0].type).toBe('custom_build');
    expect(await errorOf(await sendJson(hook.id, { text: 'x', type: 'system_join_channel' }))).toEqual({
      status: 400,
      id: 'api.context.invalid_param.app_error',
    });
    expect(await errorOf(await sendJson(hook.id, { text: 'x', type: 'made_up' }))).toEqual({ status: 400, id: 'model.post.is_valid.type.app_error' });
    expect(await errorOf(await sendJson(hook.id, { text: 'x', priority: { requested_ack: true } }))).toEqual({
      status: 400,
      id: 'api.context.invalid_param.app_error',
    });
    expect((await sendJson(hook.id, { text: 'urgent', priority: { priority: 'urgent' } })).status).toBe(200);
    const [p] = await latest(s.pub.id);
    expect(p.metadata.priority).toMatchObject({ priority: 'urgent' });
  });

  it('refuses bad input with clear 4xx, never a 500', async () => {
    const hook = await newIncoming(s.pub);
    const unknown = 'z'.repeat(26);
    expect(await errorOf(await sendJson(unknown, { text: 'x' }))).toEqual({ status: 400, id: 'web.incoming_webhook.invalid.app_error' });
    expect(await errorOf(await sendJson(hook.id, { text: '' }))).toEqual({ status: 400, id: 'web.incoming_webhook.text.app_error' });
    expect(await errorOf(await sendJson(hook.id, null))).toEqual({ status: 400, id: 'web.incoming_webhook.text.app_error' });
    const parse = { status: 400, id: 'model.incoming_hook.parse_data.app_error' };
    expect(await errorOf(await send(hook.id, '{"text": '))).toEqual(parse);
    expect(await errorOf(await send(hook.id, ''))).toEqual(parse);
    expect(await errorOf(await send(hook.id, '[1,2]'))).toEqual(parse);
    expect(await errorOf(await sendJson(hook.id, { text: 5 }))).toEqual(parse);
    expect(await errorOf(await sendJson(hook.id, { text: 'x', attachments: [{ fields: [{ short: 'maybe' }] }] }))).toEqual(parse);
    expect(await errorOf(await sendJson(hook.id, { text: 'x', props: [] }))).toEqual(parse);
    expect(await errorOf(await sendJson(hook.id, { text: 'nul \u0000' }))).toEqual(parse);
    expect(await errorOf(await send(hook.id, 'payload=%7Bnot-json', 'application/x-www-form-urlencoded'))).toEqual(parse);
    expect(await errorOf(await send(hook.id, 'other=1', 'application/x-www-form-urlencoded'))).toEqual(parse);
    expect(await errorOf(await send(hook.id, '{"text":"x"}', 'not a type'))).toEqual({ status: 400, id: 'api.webhook.incoming.error' });
    const big = await sendJson(hook.id, { text: 'x'.repeat(300_001) });
    expect(await errorOf(big)).toEqual({ status: 413, id: 'api.context.request_body_too_large.app_error' });
    // Still alive and posting.
    expect((await sendJson(hook.id, { text: 'after the bad ones' })).status).toBe(200);
  });

  it('is limited by RateLimitSettings like the API: a plain-text 429 past the burst', async () => {
    const hook = await newIncoming(s.pub);
    await s.admin.client.patchConfig({ RateLimitSettings: { Enable: true, PerSec: 1, MaxBurst: 2, VaryByRemoteAddr: true } } as never);
    try {
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await sendJson(hook.id, { text: `burst ${i}` }));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429]);
      expect(answers[3].headers.get('x-ratelimit-limit')).toBe('3');
      expect(await answers[3].text()).toBe('limit exceeded\n');
    } finally {
      // One budget per client for /hooks and /api/v4, as Mattermost's limiter wraps the whole
      // router: the admin's request waits for a token like the hook's.
      await eventually(() => s.admin.client.patchConfig({ RateLimitSettings: { Enable: false } } as never), 10_000, 200);
    }
  });

  it("stops working once its channel is archived (the channel's hooks are deleted with it)", async () => {
    const doomed = await s.alice.client.createChannel({ team_id: s.team.id, name: 'hook-doomed', display_name: 'Doomed', type: 'O' } as Channel);
    const hook = await newIncoming(doomed);
    expect((await sendJson(hook.id, { text: 'before' })).status).toBe(200);
    await s.alice.client.deleteChannel(doomed.id);
    expect(await errorOf(await sendJson(hook.id, { text: 'after' }))).toEqual({ status: 400, id: 'web.incoming_webhook.invalid.app_error' });
    expect((await expectClientError(() => s.alice.client.getIncomingWebhook(hook.id))).status_code).toBe(404);
    await s.alice.client.unarchiveChannel(doomed.id);
    expect((await sendJson(hook.id, { text: 'restored' })).status).toBe(400);
  });
});

describe('outgoing webhooks', () => {
  const newOutgoing = (extra: Partial<OutgoingWebhook>) =>
    s.alice.client.createOutgoingWebhook({
      team_id: s.team.id,
      display_name: 'Bot',
      content_type: 'application/json',
      trigger_when: 0,
      ...extra,
    } as OutgoingWebhook);
  const to = (path: string) => received.filter((r) => r.path === path);

  it('POSTs the post as JSON with the token, and posts the answer back in the thread', async () => {
    answers.set('/json', { body: JSON.stringify({ text: `On it <@${s.bob.user.id}>`, response_type: 'comment', username: 'builder' }) });
    const hook = await newOutgoing({ trigger_words: ['build'], callback_urls: [`${base}/json`] });
    expect(hook).toMatchObject({
      creator_id: s.alice.user.id,
      team_id: s.team.id,
      channel_id: '',
      trigger_words: ['build'],
      trigger_when: 0,
      content_type: 'application/json',
    });
    expect(hook.token).toHaveLength(26);
    const after = fresh();
    const mine = await post(s.bob.client, s.pub.id, 'build  the thing');
    await eventually(() => expect(to('/json')).toHaveLength(1), 5000);
    const [req] = to('/json');
    expect([req.method, req.contentType, req.accept]).toEqual(['POST', 'application/json', 'application/json']);
    expect(JSON.parse(req.body)).toEqual({
      token: hook.token,
      team_id: s.team.id,
      team_domain: s.team.name,
      channel_id: s.pub.id,
      channel_name: s.pub.name,
      timestamp: mine.create_at,
      user_id: s.bob.user.id,
      user_name: s.bob.user.username,
      post_id: mine.id,
      text: 'build  the thing',
      trigger_word: 'build',
      file_ids: '',
    });
    const event = await s.sockets[0].waitFor('posted', (e) => after(e) && (JSON.parse(e.data.post) as Post).root_id === mine.id);
    const reply = JSON.parse(event.data.post) as Post;
    expect(reply).toMatchObject({ user_id: s.alice.user.id, channel_id: s.pub.id, root_id: mine.id, message: `On it @${s.bob.user.username}` });
    expect(reply.props).toEqual({ from_webhook: 'true', webhook_display_name: 'Bot' });
    // Only the first word counts, exactly.
    await post(s.bob.client, s.pub.id, 'rebuild');
    await post(s.bob.client, s.pub.id, 'please build');
    await sleep(500);
    expect(to('/json')).toHaveLength(1);
    await s.alice.client.removeOutgoingWebhook(hook.id);
  });

  it('sends a form (timestamp in seconds) to a starts-with hook; an answer with attachments is a new post', async () => {
    answers.set('/form', { body: JSON.stringify({ attachments: [{ text: 'deploying', color: 'good' }], props: { run: 7 } }) });
    await config({ EnablePostUsernameOverride: true });
    const hook = await newOutgoing({
      trigger_words: ['dep'],
      trigger_when: 1,
      content_type: 'application/x-www-form-urlencoded',
      callback_urls: [`${base}/form`],
      username: 'deployer',
    });
    const mine = await post(s.bob.client, s.pub.id, 'deploy prod');
    await eventually(() => expect(to('/form')).toHaveLength(1), 5000);
    const [req] = to('/form');
    expect(req.contentType).toBe('application/x-www-form-urlencoded');
    const form = Object.fromEntries(new URLSearchParams(req.body));
    expect(form).toEqual({
      token: hook.token,
      team_id: s.team.id,
      team_domain: s.team.name,
      channel_id: s.pub.id,
      channel_name: s.pub.name,
      timestamp: String(Math.floor(mine.create_at / 1000)),
      user_id: s.bob.user.id,
      user_name: s.bob.user.username,
      post_id: mine.id,
      text: 'deploy prod',
      trigger_word: 'dep',
      file_ids: '',
    });
    const answer = await eventually(async () => {
      const [p] = await latest(s.pub.id);
      expect(p.id).not.toBe(mine.id);
      return p;
    }, 5000);
    expect(answer).toMatchObject({ root_id: '', type: 'slack_attachment', message: '', user_id: s.alice.user.id });
    expect(answer.props).toMatchObject({ from_webhook: 'true', webhook_display_name: 'Bot', override_username: 'deployer', run: 7 });
    expect((answer.props.attachments as Array<{ text: string; color: string }>)[0]).toMatchObject({ text: 'deploying', color: 'good' });
    await s.alice.client.removeOutgoingWebhook(hook.id);
  });

  it("a channel hook fires on every post of its channel, not elsewhere, not on webhooks' own posts, not in private channels", async () => {
    const hook = await newOutgoing({ channel_id: s.pub.id, callback_urls: [`${base}/channel`] });
    await post(s.bob.client, s.pub.id, 'anything at all');
    await post(s.bob.client, s.priv.id, 'private words');
    const incoming = await newIncoming(s.pub);
    await sendJson(incoming.id, { text: 'from a webhook' });
    await eventually(() => expect(to('/channel')).toHaveLength(1), 5000);
    await sleep(500);
    expect(to('/channel').map((r) => JSON.parse(r.body).text)).toEqual(['anything at all']);
    expect(JSON.parse(to('/channel')[0].body).trigger_word).toBe('');
    await s.alice.client.removeOutgoingWebhook(hook.id);
  });

  it('regen_token changes the token the callback gets', async () => {
    const hook = await newOutgoing({ trigger_words: ['tok'], callback_urls: [`${base}/token`] });
    const regen = await s.alice.client.regenOutgoingHookToken(hook.id);
    expect(regen.token).not.toBe(hook.token);
    expect(regen.token).toHaveLength(26);
    await post(s.bob.client, s.pub.id, 'tok');
    await eventually(() => expect(to('/token')).toHaveLength(1), 5000);
    expect(JSON.parse(to('/token')[0].body).token).toBe(regen.token);
    await s.alice.client.removeOutgoingWebhook(hook.id);
  });

  it('follows changes to the hooks at once: an edited hook fires on its new trigger only, a removed one no more', async () => {
    // The team's hooks are cached on the node: each change must drop them.
    const hook = await newOutgoing({ trigger_words: ['before'], callback_urls: [`${base}/changes`] });
    await post(s.bob.client, s.pub.id, 'before the edit');
    await eventually(() => expect(to('/changes')).toHaveLength(1), 5000);
    await s.alice.client.updateOutgoingWebhook({ ...hook, trigger_words: ['after'] });
    await post(s.bob.client, s.pub.id, 'before again');
    await post(s.bob.client, s.pub.id, 'after the edit');
    await eventually(() => expect(to('/changes')).toHaveLength(2), 5000);
    await s.alice.client.removeOutgoingWebhook(hook.id);
    await post(s.bob.client, s.pub.id, 'after the removal');
    await sleep(500);
    expect(to('/changes').map((r) => JSON.parse(r.body).text)).toEqual(['before the edit', 'after the edit']);
  });

  it('never slows posting down: a slow callback answers after the post was created', async () => {
    answers.set('/slow', { body: JSON.stringify({ text: 'late' }), delayMs: 1500 });
    const hook = await newOutgoing({ trigger_words: ['slow'], callback_urls: [`${base}/slow`] });
    const started = Date.now();
    await post(s.bob.client, s.pub.id, 'slow please');
    expect(Date.now() - started).toBeLessThan(1000);
    await eventually(async () => expect((await latest(s.pub.id))[0].message).toBe('late'), 6000);
    await s.alice.client.removeOutgoingWebhook(hook.id);
  });

  it('refuses a callback to an address not allowed (SSRF): logged, never requested', async () => {
    const hook = await newOutgoing({ trigger_words: ['ssrf'], callback_urls: [`http://localhost:${port}/ssrf`] });
    await post(s.bob.client, s.pub.id, 'ssrf now');
    await eventually(() => expect(s.server.logs).toContain(`outgoing webhook ${hook.id}`), 5000);
    expect(s.server.logs).toMatch(/refused, the address is not allowed/);
    expect(to('/ssrf')).toHaveLength(0);
    await s.alice.client.removeOutgoingWebhook(hook.id);
  });

  it('validates hooks as Mattermost does, and checks who manages them', async () => {
    const bad = await expectClientError(() => newOutgoing({ trigger_words: ['x'], callback_urls: ['ftp://x.test'] }));
    expect([bad.status_code, bad.server_error_id]).toEqual([400, 'model.outgoing_hook.is_valid.url.app_error']);
    const none = await expectClientError(() => newOutgoing({ callback_urls: [`${base}/x`] }));
    expect([none.status_code, none.server_error_id]).toEqual([400, 'api.webhook.create_outgoing.triggers.app_error']);
    const priv = await expectClientError(() => newOutgoing({ channel_id: s.priv.id, callback_urls: [`${base}/x`] }));
    expect(priv.status_code).toBe(403);
    const when = await expectClientError(() => newOutgoing({ trigger_words: ['x'], trigger_when: 2, callback_urls: [`${base}/x`] }));
    expect(when.status_code).toBe(400);
    const hook = await newOutgoing({ trigger_words: ['same'], callback_urls: [`${base}/same`] });
    const twice = await expectClientError(() => newOutgoing({ trigger_words: ['same'], callback_urls: [`${base}/same`] }));
    expect([twice.status_code, twice.server_error_id]).toEqual([400, 'api.webhook.create_outgoing.intersect.app_error']);

    const member = await expectClientError(() =>
      s.bob.client.createOutgoingWebhook({ team_id: s.team.id, trigger_words: ['b'], callback_urls: [`${base}/b`] } as OutgoingWebhook),
    );
    expect([member.status_code, member.server_error_id]).toEqual([403, PERMISSION]);
    expect((await expectClientError(() => s.bob.client.getOutgoingWebhook(hook.id))).status_code).toBe(403);
    await config({ EnableOnlyAdminIntegrations: false });
    const bobs = await s.bob.client.createOutgoingWebhook({ team_id: s.team.id, trigger_words: ['b'], callback_urls: [`${base}/b`] } as OutgoingWebhook);
    expect(bobs.creator_id).toBe(s.bob.user.id);
    expect((await expectClientError(() => s.bob.client.getOutgoingWebhook(hook.id))).status_code).toBe(403);
    expect((await s.bob.client.getOutgoingWebhooks('', s.team.id)).map((h) => h.id)).toEqual([bobs.id]);
    const updated = await s.alice.client.updateOutgoingWebhook({ ...hook, display_name: 'Renamed', token: 'x'.repeat(26) });
    expect(updated).toMatchObject({ display_name: 'Renamed', token: hook.token, creator_id: s.alice.user.id });
    expect((await s.alice.client.getOutgoingWebhooks(s.pub.id)).map((h) => h.id)).toEqual([]);
    await s.alice.client.removeOutgoingWebhook(hook.id);
    await s.bob.client.removeOutgoingWebhook(bobs.id);
    expect((await expectClientError(() => s.alice.client.getOutgoingWebhook(hook.id))).status_code).toBe(404);
  });

  it('with EnableOutgoingWebhooks off answers 501 and fires nothing', async () => {
    const hook = await newOutgoing({ trigger_words: ['quiet'], callback_urls: [`${base}/quiet`] });
    await config({ EnableOutgoingWebhooks: false });
    const off = await expectClientError(() => s.alice.client.getOutgoingWebhook(hook.id));
    expect([off.status_code, off.server_error_id]).toEqual([501, 'api.outgoing_webhook.disabled.app_error']);
    await post(s.bob.client, s.pub.id, 'quiet please');
    await sleep(500);
    expect(to('/quiet')).toHaveLength(0);
    await config({ EnableOutgoingWebhooks: true });
    await s.alice.client.removeOutgoingWebhook(hook.id);
  });
});
