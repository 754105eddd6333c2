import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhooksTestbed } from './in-memory-webhooks.js';
import { decodeResponse, encodePayload, type OutgoingWebhookPayload } from './outgoing-webhook-sender.service.js';
import type { OutgoingWebhookInput } from './outgoing-webhooks.service.js';
import { firedHooks } from './webhook.model.js';

/** A callback on loopback: records each request and answers what `answer` says for its path. */
let server: Server;
let base: string;
const requests: Array<{ path: string; type: string; body: string }> = [];
const answer = new Map<string, string>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      requests.push({ path, type: req.headers['content-type'] ?? '', body: Buffer.concat(chunks).toString() });
      res.end(answer.get(path) ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function setup() {
  const bed = new WebhooksTestbed();
  bed.config.ServiceSettings.AllowedUntrustedInternalConnections = '127.0.0.1';
  const team = bed.namedTeam('alpha');
  const [admin, member] = [bed.user(), bed.user()];
  bed.joinTeam(team, admin.user.id, 'admin');
  bed.joinTeam(team, member.user.id);
  const open = bed.channel(team, 'O', 'open');
  const other = bed.channel(team, 'O', 'other');
  const closed = bed.channel(team, 'P', 'closed');
  const hook = (extra: Partial<OutgoingWebhookInput>) =>
    bed.outgoing.create(admin.session, {
      team_id: team,
      channel_id: '',
      creator_id: '',
      trigger_words: [],
      trigger_when: 0,
      callback_urls: [],
      display_name: 'Bot',
      description: '',
      content_type: 'application/json',
      username: '',
      icon_url: '',
      ...extra,
    });
  return { bed, team, admin, member, open, other, closed, hook };
}

const payload: OutgoingWebhookPayload = {
  token: 't',
  team_id: 'tm',
  team_domain: 'alpha',
  channel_id: 'c',
  channel_name: 'open',
  timestamp: 1700000000999,
  user_id: 'u',
  user_name: 'bob',
  post_id: 'p',
  text: 'a & b',
  trigger_word: 'a',
  file_ids: 'f1,f2',
};

describe('matching hooks to a post', () => {
  const h = (channel_id: string, trigger_words: string[], trigger_when = 0) => ({ channel_id, trigger_words, trigger_when });

  it('a channel hook without words fires on every post there; words fire on the first word, exact or as a prefix', () => {
    const hooks = [h('c1', []), h('', ['go']), h('', ['de'], 1), h('c2', ['go']), h('c1', ['stop'])];
    const fired = (channel: string, message: string) => firedHooks(hooks, channel, message).map((f) => [hooks.indexOf(f.hook), f.triggerWord]);
    expect(fired('c1', '  go now')).toEqual([
      [0, ''],
      [1, 'go'],
    ]);
    expect(fired('c1', 'deploy go')).toEqual([
      [0, ''],
      [2, 'de'],
    ]);
    expect(fired('c2', 'go')).toEqual([
      [1, 'go'],
      [3, 'go'],
    ]);
    expect(fired('c3', 'gone')).toEqual([]);
    expect(fired('c3', '')).toEqual([]);
  });
});

describe('the request and the answer', () => {
  it('encodes JSON with milliseconds, or a form with seconds for any other content type', () => {
    expect(JSON.parse(encodePayload(payload, 'application/json').body)).toEqual(payload);
    const form = encodePayload(payload, '');
    expect(form.type).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(form.body))).toEqual({ ...payload, timestamp: '1700000000' });
  });

  it('decodes an answer: nothing for an empty body or null, text present even when empty', () => {
    expect(decodeResponse(Buffer.from(''))).toBeNull();
    expect(decodeResponse(Buffer.from('null'))).toBeNull();
    expect(decodeResponse(Buffer.from('{"text": ""}'))).toMatchObject({ hasText: true, responseType: '' });
    expect(decodeResponse(Buffer.from('{"response_type": "comment", "attachments": [{"text": "a"}]}'))).toMatchObject({
      hasText: false,
      responseType: 'comment',
    });
    expect(() => decodeResponse(Buffer.from('<html>'))).toThrow(SyntaxError);
  });
});

describe('sending outgoing webhooks', () => {
  it('POSTs to every callback of every hook fired and posts the answers by the hook creator', async () => {
    const { bed, admin, member, open, hook } = setup();
    answer.set('/s1', JSON.stringify({ text: 'reply', response_type: 'comment', props: { k: 'v' } }));
    const a = await hook({ trigger_words: ['ship'], callback_urls: [`${base}/s1`, `${base}/s2`] });
    await hook({ channel_id: open.id, callback_urls: [`${base}/s3`], content_type: 'application/x-www-form-urlencoded' });
    const event = bed.postCreated(open, member.user.id, 'ship it', { file_ids: ['f1', 'f2'] });
    const before = requests.length;
    await bed.sender.onPostCreated(event);
    const mine = requests.slice(before).sort((x, y) => x.path.localeCompare(y.path));
    expect(mine.map((r) => [r.path, r.type])).toEqual([
      ['/s1', 'application/json'],
      ['/s2', 'application/json'],
      ['/s3', 'application/x-www-form-urlencoded'],
    ]);
    expect(JSON.parse(mine[0].body)).toMatchObject({ token: a.token, team_domain: 'alpha', trigger_word: 'ship', file_ids: 'f1,f2', text: 'ship it' });
    expect(new URLSearchParams(mine[2].body).get('trigger_word')).toBe('');
    expect(bed.integrationPosts).toHaveLength(1);
    const reply = bed.integrationPosts[0];
    expect(reply).toMatchObject({ channel_id: open.id, message: 'reply', root_id: (event.post as { id: string }).id });
    expect(reply.poster.id).toBe(admin.user.id);
    expect(reply.props).toEqual({ from_webhook: 'true', k: 'v', webhook_display_name: 'Bot' });
  });

  it('answers a reply in its thread; gives the hook its name and icon when overrides are on', async () => {
    const { bed, member, open, hook } = setup();
    bed.config.ServiceSettings.EnablePostUsernameOverride = true;
    bed.config.ServiceSettings.EnablePostIconOverride = true;
    answer.set('/thread', JSON.stringify({ text: 'in thread', response_type: 'comment' }));
    await hook({ trigger_words: ['t'], callback_urls: [`${base}/thread`], username: 'hooky', icon_url: 'http://i.test/h.png' });
    await bed.sender.onPostCreated(bed.postCreated(open, member.user.id, 't', { root_id: 'r'.repeat(26) }));
    expect(bed.integrationPosts[0]).toMatchObject({ root_id: 'r'.repeat(26), senderName: 'hooky' });
    expect(bed.integrationPosts[0].props).toMatchObject({ override_username: 'hooky', override_icon_url: 'http://i.test/h.png' });
  });

  it('does nothing for private channels, with the feature off, or when the answer has no text nor attachments', async () => {
    const { bed, member, open, closed, hook } = setup();
    answer.set('/quiet', JSON.stringify({ username: 'only a name' }));
    await hook({ trigger_words: ['q'], callback_urls: [`${base}/quiet`] });
    const before = requests.length;
    await bed.sender.onPostCreated(bed.postCreated(closed, member.user.id, 'q'));
    expect(requests.length).toBe(before);
    await bed.sender.onPostCreated(bed.postCreated(open, member.user.id, 'q'));
    expect(requests.length).toBe(before + 1);
    expect(bed.integrationPosts).toHaveLength(0);
    bed.config.ServiceSettings.EnableOutgoingWebhooks = false;
    await bed.sender.onPostCreated(bed.postCreated(open, member.user.id, 'q'));
    expect(requests.length).toBe(before + 1);
  });

  it('never reaches an address the SSRF guard refuses, and survives a bad answer', async () => {
    const { bed, member, open, hook } = setup();
    answer.set('/bad', 'not json');
    const port = new URL(base).port;
    await hook({ trigger_words: ['x'], callback_urls: [`http://localhost:${port}/ssrf`, `${base}/bad`] });
    const before = requests.length;
    await bed.sender.onPostCreated(bed.postCreated(open, member.user.id, 'x'));
    expect(requests.slice(before).map((r) => r.path)).toEqual(['/bad']);
    expect(bed.integrationPosts).toHaveLength(0);
  });
});
