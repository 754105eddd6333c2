/**
 * Webhooks in a cluster of three nodes: a post made through an incoming webhook on one node
 * reaches sockets on every node, once; and an outgoing webhook fires exactly once per post (the
 * node that created the post sends it), whichever node the post was made through, counted by a
 * receiver on 127.0.0.1 that the nodes may reach (AllowedUntrustedInternalConnections). Each node
 * caches a team's hooks, so the hook is made after every node has read the team's empty list: a
 * node that kept it would miss the posts made through it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Channel } from '@mattermost/types/channels';
import type { OutgoingWebhook } from '@mattermost/types/integrations';
import type { Post } from '@mattermost/types/posts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, sleep, type ClusterSocket, type NewUser, type TestCluster } from '#testing';
import { channelPostIds, channelWith, createPost, duplicates, startFormedCluster, teamWith } from './cluster-fixtures.js';

const NODES = [0, 1, 2];
/** The node the outgoing webhook is made through. */
const WRITER = 0;

let cluster: TestCluster;
let admin: NewUser;
let members: NewUser[];
let pub: Channel;
let sockets: ClusterSocket[];
let receiver: Server;
let base: string;
/** The post ids the receiver was sent, in arrival order. */
const delivered: string[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { post_id: string; text: string };
      delivered.push(body.post_id);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ text: `ack ${body.text}`, response_type: 'comment' }));
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  ({ cluster, admin } = await startFormedCluster({ env: { MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS: '127.0.0.1' } }));
  members = [];
  for (const n of NODES) members.push(await cluster.newUser({ via: n }));
  const team = await teamWith(admin, members);
  pub = await channelWith(admin, team, 'O', members);
  sockets = [];
  for (const n of NODES) sockets.push(await cluster.socket(members[n].client, n));
});

afterAll(async () => {
  await cluster?.stop();
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
});

describe('webhooks across nodes', () => {
  it('a post made through an incoming webhook on one node reaches sockets on every node, once', async () => {
    const hook = await admin.client.createIncomingWebhook({ channel_id: pub.id, display_name: 'cluster' });
    for (const n of NODES) {
      const text = `from a webhook through node ${n}`;
      const res = await fetch(`${cluster.url(n)}/hooks/${hook.id}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ text }),
      });
      expect([res.status, await res.text()]).toEqual([200, 'ok']);
      const isIt = (e: { data: Record<string, any> }) => (JSON.parse(e.data.post) as Post).message === text;
      for (const socket of sockets) {
        const event = await socket.waitFor('posted', isIt, 10_000);
        expect((JSON.parse(event.data.post) as Post).props).toMatchObject({ from_webhook: 'true', webhook_display_name: 'cluster' });
      }
    }
    await sleep(1000);
    for (const socket of sockets) {
      for (const n of NODES) expect(socket.count('posted', (e) => (JSON.parse(e.data.post) as Post).message === `from a webhook through node ${n}`)).toBe(1);
    }
  });

  it('an outgoing webhook fires exactly once per post, whichever node made it, from the moment it is made', async () => {
    // Every node reads the team's hooks (none yet) for a post of its own, so each could have them cached.
    // (The hooks are read after a post's answer: the pause lets the last node read them before the hook exists.)
    for (const n of NODES) await createPost(cluster.clientAs(members[n], n), pub.id, `before the hook ${n}`);
    await sleep(500);
    await cluster.clientAs(admin, WRITER).createOutgoingWebhook({
      team_id: pub.team_id,
      trigger_words: ['fire'],
      callback_urls: [`${base}/count`],
      content_type: 'application/json',
      display_name: 'counter',
    } as OutgoingWebhook);
    // A post through the same node after the hook: once its event is on every node, so is the
    // invalidation of the team's hooks (sent before it on the same ordered stream).
    const marker = await createPost(cluster.clientAs(members[WRITER], WRITER), pub.id, 'the hook is made');
    for (const socket of sockets) await socket.waitFor('posted', (e) => (JSON.parse(e.data.post) as Post).id === marker.id, 10_000);
    const made: string[] = [];
    for (let round = 0; round < 4; round++) {
      for (const n of NODES) made.push((await createPost(cluster.clientAs(members[n], n), pub.id, `fire ${round}-${n}`)).id);
      // Through nginx too, landing on whichever node it picks.
      made.push((await createPost(members[round % NODES.length].client, pub.id, `fire ${round}-nginx`)).id);
    }
    await eventually(() => expect(delivered).toHaveLength(made.length), 20_000);
    // Late duplicates would show up now.
    await sleep(2000);
    expect(delivered).toHaveLength(made.length);
    expect([...delivered].sort()).toEqual([...made].sort());
    expect(duplicates(delivered)).toEqual([]);
    // Each answer was posted back once, in its thread.
    const replies = await eventually(async () => {
      const ids = await channelPostIds(admin.client, pub.id);
      const posts = await admin.client.getPostsByIds(ids);
      const answers = posts.filter((p) => p.props?.from_webhook === 'true' && p.root_id !== '');
      expect(answers).toHaveLength(made.length);
      return answers;
    }, 20_000);
    expect(replies.map((p) => p.root_id).sort()).toEqual([...made].sort());
  });
});
