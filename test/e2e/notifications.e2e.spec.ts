/**
 * Who hears of a post (the notifications area) as the apps see it over the WebSocket: the
 * `posted` event's `mentions` and `followers`, the warning when channel-wide mentions are off in
 * a large channel, and edits that notify nobody (as in Mattermost). Push and email delivery have
 * their own suites (push.e2e, email.e2e, notifications-delivery.e2e).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import { NewUser, TestServer, TestSocket } from '#testing';
import { ChannelSuite, post, startChannelSuite, stopChannelSuite } from './fixtures.js';

let suite: ChannelSuite;
let server: TestServer;
let alice: NewUser, bob: NewUser, admin: NewUser;
let team: Team, pub: Channel;
let bobSocket: TestSocket, aliceSocket: TestSocket;

beforeAll(async () => {
  suite = await startChannelSuite({
    team: { name: `team-n${Date.now()}`, display_name: 'Notifications' },
    pub: { name: 'notify-pub', display_name: 'Notify Public' },
    priv: { name: 'notify-priv', display_name: 'Notify Private' },
  });
  ({ server, admin, alice, bob, team, pub } = suite);
  [bobSocket] = suite.sockets;
  aliceSocket = await server.socket(alice.client);
});
afterAll(async () => {
  aliceSocket?.close();
  await stopChannelSuite(suite);
});

const postedOf = (socket: TestSocket, postId: string) =>
  socket.waitFor('posted', (e) => (JSON.parse(e.data.post as string) as Post).id === postId || (e.data.post as string).includes(postId));

describe('the posted event', () => {
  it("names the thread's followers to notify on the desktop, never the replier", async () => {
    const root = await post(alice.client, pub.id, 'a root for followers');
    const reply = await post(bob.client, pub.id, 'a reply', { root_id: root.id });
    const event = await postedOf(aliceSocket, reply.id);
    // alice started the thread, so the reply makes her follow it; bob wrote it.
    expect(JSON.parse(event.data.followers as string)).toEqual([alice.user.id]);
    expect(event.data.mentions).toBeUndefined();
  });

  it('leaves out followers whose thread notifications are for mentions only, unless mentioned', async () => {
    await alice.client.patchMe({ notify_props: { ...alice.user.notify_props, desktop_threads: 'mention' } } as never);
    try {
      const root = await post(alice.client, pub.id, 'a quieter root');
      const first = await post(bob.client, pub.id, 'no mention here', { root_id: root.id });
      expect((await postedOf(aliceSocket, first.id)).data.followers).toBeUndefined();
      const second = await post(bob.client, pub.id, `now @${alice.user.username}`, { root_id: root.id });
      const event = await postedOf(aliceSocket, second.id);
      expect(JSON.parse(event.data.followers as string)).toEqual([alice.user.id]);
      expect(JSON.parse(event.data.mentions as string)).toEqual([alice.user.id]);
    } finally {
      await alice.client.patchMe({ notify_props: { ...alice.user.notify_props, desktop_threads: 'all' } } as never);
    }
  });

  it('an edit that adds a mention notifies nobody (Mattermost notifies on creation only)', async () => {
    const p = await post(bob.client, pub.id, 'plain words');
    await bob.client.patchPost({ id: p.id, message: `plain words for @${alice.user.username}` } as Post);
    const edited = await aliceSocket.waitFor('post_edited', (e) => (e.data.post as string).includes(p.id));
    expect(edited.data.mentions).toBeUndefined();
    const member = await alice.client.getMyChannelMember(pub.id);
    const before = member.mention_count;
    await bob.client.patchPost({ id: p.id, message: `again @${alice.user.username}` } as Post);
    expect((await alice.client.getMyChannelMember(pub.id)).mention_count).toBe(before);
  });
});

describe('replies without collapsed threads', () => {
  /** Runs `work` with collapsed threads off by default and alice's `comments` setting as given, then puts both back. */
  async function withComments(comments: 'root' | 'any', work: () => Promise<void>): Promise<void> {
    const config = await admin.client.getConfig();
    await admin.client.updateConfig({ ...config, ServiceSettings: { ...config.ServiceSettings, CollapsedThreads: 'default_off' as never } });
    await alice.client.patchMe({ notify_props: { ...alice.user.notify_props, comments } } as never);
    try {
      await work();
    } finally {
      await alice.client.patchMe({ notify_props: { ...alice.user.notify_props, comments: 'never' } } as never);
      await admin.client.updateConfig(config);
    }
  }

  it("mention the thread's author when their comments setting asks for it, and count it", () =>
    withComments('root', async () => {
      const root = await post(alice.client, pub.id, 'tell me when someone answers');
      const before = (await alice.client.getMyChannelMember(pub.id)).mention_count;
      const reply = await post(bob.client, pub.id, 'an answer', { root_id: root.id });
      const event = await postedOf(aliceSocket, reply.id);
      expect(JSON.parse(event.data.mentions as string)).toEqual([alice.user.id]);
      expect(event.data.followers).toBeUndefined();
      expect((await alice.client.getMyChannelMember(pub.id)).mention_count).toBe(before + 1);
    }));

  it('mention everyone who replied in the thread when their comments setting is any, and only them', () =>
    withComments('any', async () => {
      // A thread alice has only replied in (the thread's participants), and one she has not.
      const joined = await post(bob.client, pub.id, 'who can help?');
      await post(alice.client, pub.id, 'me', { root_id: joined.id });
      const other = await post(bob.client, pub.id, 'another question');
      const inJoined = await post(admin.client, pub.id, 'thanks both', { root_id: joined.id });
      expect(JSON.parse((await postedOf(aliceSocket, inJoined.id)).data.mentions as string)).toEqual([alice.user.id]);
      const inOther = await post(admin.client, pub.id, 'an answer', { root_id: other.id });
      expect((await postedOf(aliceSocket, inOther.id)).data.mentions).toBeUndefined();
    }));
});

describe('channel-wide mentions in a large channel', () => {
  it('tell the poster they are off, by an ephemeral post, and mention nobody', async () => {
    const config = await admin.client.getConfig();
    await admin.client.updateConfig({ ...config, TeamSettings: { ...config.TeamSettings, MaxNotificationsPerChannel: 1 } });
    try {
      const p = await post(bob.client, pub.id, 'hello @channel and @here');
      const event = await postedOf(aliceSocket, p.id);
      expect(event.data.mentions).toBeUndefined();
      const notes = await Promise.all([
        bobSocket.waitFor('ephemeral_message', (e) => (e.data.post as string).includes('@channel has been disabled')),
        bobSocket.waitFor('ephemeral_message', (e) => (e.data.post as string).includes('@here has been disabled')),
      ]);
      const note = JSON.parse(notes[0].data.post as string) as Post;
      expect(note).toMatchObject({ channel_id: pub.id, type: 'system_ephemeral', create_at: p.create_at + 1 });
      expect(note.message).toBe('@channel has been disabled because the channel has more than 1 users.');
      await aliceSocket.expectNone('ephemeral_message', (e) => (e.data.post as string).includes('has been disabled'));
    } finally {
      await admin.client.updateConfig(config);
    }
  });

  it('below the limit, @channel mentions every member who accepts channel mentions', async () => {
    const p = await post(bob.client, pub.id, 'all hands @channel');
    const event = await postedOf(aliceSocket, p.id);
    expect(JSON.parse(event.data.mentions as string)).toContain(alice.user.id);
    expect(JSON.parse(event.data.mentions as string)).not.toContain(bob.user.id);
    expect(team.id).toBe(event.data.team_id);
  });
});
