import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client4 } from '@mattermost/client';
import type { Channel } from '@mattermost/types/channels';
import type { Reaction } from '@mattermost/types/reactions';
import type { Team } from '@mattermost/types/teams';
import { expectClientError, NewUser, TestServer, TestSocket } from '#testing';
import { ChannelSuite, PERMISSION, post, startChannelSuite, stopChannelSuite } from './fixtures.js';

let suite: ChannelSuite;
let server: TestServer;
// The cast of fixtures.ts: alice owns the team, bob is in every channel, dave in none, carol not on the team.
let admin: NewUser, alice: NewUser, bob: NewUser, dave: NewUser, carol: NewUser;
let team: Team, pub: Channel, priv: Channel, dm: Channel;
let bobSocket: TestSocket, daveSocket: TestSocket, carolSocket: TestSocket;

beforeAll(async () => {
  suite = await startChannelSuite({
    team: { name: `team-r${Date.now()}`, display_name: 'Reactions' },
    pub: { name: 'reacting', display_name: 'Reacting' },
    priv: { name: 'private-reacting', display_name: 'Private' },
  });
  ({ server, admin, alice, bob, dave, carol, team, pub, priv, dm } = suite);
  [bobSocket, daveSocket, carolSocket] = suite.sockets;
});
afterAll(() => stopChannelSuite(suite));

const bulk = (c: Client4, postIds: unknown) =>
  (c as any).doFetch(`${c.getPostsRoute()}/ids/reactions`, { method: 'post', body: JSON.stringify(postIds) }) as Promise<Record<string, Reaction[]>>;
const rawSave = (c: Client4, body: unknown) =>
  fetch(`${server.url}/api/v4/reactions`, { method: 'POST', headers: { Authorization: `Bearer ${c.getToken()}` }, body: JSON.stringify(body) });

describe('adding reactions', () => {
  it('returns the reaction, marks the post and publishes reaction_added to members only', async () => {
    const p = await post(alice.client, priv.id, 'react to me');
    const reaction = await bob.client.addReaction(bob.user.id, p.id, '+1');
    expect(reaction).toMatchObject({ user_id: bob.user.id, post_id: p.id, emoji_name: '+1', channel_id: priv.id, delete_at: 0, remote_id: '' });
    expect(reaction.create_at).toBeGreaterThan(0);
    expect((reaction as any).update_at).toBe(reaction.create_at);

    const event = await bobSocket.waitFor('reaction_added', (e) => JSON.parse(e.data.reaction).post_id === p.id);
    expect(typeof event.data.reaction).toBe('string');
    expect(JSON.parse(event.data.reaction)).toEqual(reaction);
    expect(event.broadcast.channel_id).toBe(priv.id);
    await daveSocket.expectNone('reaction_added', (e) => JSON.parse(e.data.reaction).post_id === p.id, 300);
    await carolSocket.expectNone('reaction_added', undefined, 0);

    const fresh = await alice.client.getPost(p.id);
    expect((fresh as any).has_reactions).toBe(true);
    expect(fresh.metadata.reactions).toEqual([reaction]);
    expect(fresh.update_at).toBeGreaterThanOrEqual(reaction.create_at);
  });

  it('reacting twice with the same emoji keeps one reaction', async () => {
    const p = await post(alice.client, pub.id, 'twice');
    await bob.client.addReaction(bob.user.id, p.id, 'smile');
    await bob.client.addReaction(bob.user.id, p.id, 'smile');
    expect(await bob.client.getReactionsForPost(p.id)).toHaveLength(1);
  });

  it('refuses reacting as someone else, with invalid input, on unknown posts, for non-members', async () => {
    const p = await post(alice.client, priv.id, 'guarded');
    expect(await expectClientError(() => bob.client.addReaction(alice.user.id, p.id, 'smile'))).toMatchObject({
      status_code: 403,
      server_error_id: 'api.reaction.save_reaction.user_id.app_error',
    });
    expect(await expectClientError(() => bob.client.addReaction(bob.user.id, p.id, 'not valid!'))).toMatchObject({
      status_code: 400,
      server_error_id: 'model.reaction.is_valid.emoji_name.app_error',
    });
    expect(await expectClientError(() => bob.client.addReaction(bob.user.id, p.id, 'x'.repeat(65)))).toMatchObject({
      status_code: 400,
      server_error_id: 'api.reaction.save_reaction.invalid.app_error',
    });
    expect(await expectClientError(() => bob.client.addReaction(bob.user.id, 'bad', 'smile'))).toMatchObject({ status_code: 400 });
    expect(await expectClientError(() => bob.client.addReaction(bob.user.id, 'n'.repeat(26), 'smile'))).toMatchObject({
      status_code: 403,
      server_error_id: PERMISSION,
    });
    expect(await expectClientError(() => dave.client.addReaction(dave.user.id, p.id, 'smile'))).toMatchObject({
      status_code: 403,
      server_error_id: PERMISSION,
    });
    const direct = await post(alice.client, dm.id, 'dm');
    expect(await expectClientError(() => carol.client.addReaction(carol.user.id, direct.id, 'smile'))).toMatchObject({ status_code: 403 });
    // a public channel still needs membership to react
    const open = await post(alice.client, pub.id, 'open');
    expect(await expectClientError(() => dave.client.addReaction(dave.user.id, open.id, 'smile'))).toMatchObject({ status_code: 403 });

    const wrongType = await rawSave(bob.client, { user_id: bob.user.id, post_id: p.id, emoji_name: 7 });
    expect(wrongType.status).toBe(400);
    expect((await rawSave(bob.client, ['x'])).status).toBe(400);
  });

  it('refuses reactions on deleted posts and in archived channels', async () => {
    const gone = await post(alice.client, pub.id, 'gone');
    await alice.client.deletePost(gone.id);
    expect(await expectClientError(() => bob.client.addReaction(bob.user.id, gone.id, 'smile'))).toMatchObject({ status_code: 404 });

    const channel = await alice.client.createChannel({ team_id: team.id, name: `archived-${Date.now()}`, display_name: 'Archived', type: 'O' } as Channel);
    const p = await post(alice.client, channel.id, 'frozen');
    await alice.client.addReaction(alice.user.id, p.id, 'smile');
    await alice.client.deleteChannel(channel.id);
    expect(await expectClientError(() => alice.client.addReaction(alice.user.id, p.id, 'heart'))).toMatchObject({
      status_code: 403,
      server_error_id: 'api.reaction.save.archived_channel.app_error',
    });
    expect(await expectClientError(() => alice.client.removeReaction(alice.user.id, p.id, 'smile'))).toMatchObject({
      status_code: 403,
      server_error_id: 'api.reaction.delete.archived_channel.app_error',
    });
  });

  it('caps a post at 50 different emoji', async () => {
    const p = await post(alice.client, pub.id, 'so many');
    for (let i = 0; i < 50; i++) await alice.client.addReaction(alice.user.id, p.id, `emoji_${i}`);
    expect(await expectClientError(() => bob.client.addReaction(bob.user.id, p.id, 'one_more'))).toMatchObject({
      status_code: 400,
      server_error_id: 'app.reaction.save.save.too_many_reactions',
    });
    // an emoji already on the post can still be added by someone else
    expect((await bob.client.addReaction(bob.user.id, p.id, 'emoji_0')).emoji_name).toBe('emoji_0');
  });
});

describe('listing reactions', () => {
  it("lists a post's reactions for readers, 403 for others", async () => {
    const p = await post(alice.client, priv.id, 'list me');
    await alice.client.addReaction(alice.user.id, p.id, 'smile');
    await bob.client.addReaction(bob.user.id, p.id, 'tada');
    const list = await bob.client.getReactionsForPost(p.id);
    expect(list.map((r) => `${r.user_id}:${r.emoji_name}`)).toEqual([`${alice.user.id}:smile`, `${bob.user.id}:tada`]);
    expect(await expectClientError(() => dave.client.getReactionsForPost(p.id))).toMatchObject({ status_code: 403, server_error_id: PERMISSION });
    expect(await expectClientError(() => bob.client.getReactionsForPost('bad'))).toMatchObject({ status_code: 400 });
    expect(await bob.client.getReactionsForPost((await post(alice.client, priv.id, 'none')).id)).toEqual([]);
  });

  it('bulk-lists reactions by post id, with empty lists for posts without any', async () => {
    const a = await post(alice.client, pub.id, 'bulk a');
    const b = await post(alice.client, pub.id, 'bulk b');
    await bob.client.addReaction(bob.user.id, a.id, 'eyes');
    const result = await bulk(bob.client, [a.id, b.id]);
    expect(Object.keys(result).sort()).toEqual([a.id, b.id].sort());
    expect(result[a.id].map((r) => r.emoji_name)).toEqual(['eyes']);
    expect(result[b.id]).toEqual([]);

    const secret = await post(alice.client, priv.id, 'bulk secret');
    expect(await expectClientError(() => bulk(dave.client, [a.id, secret.id]))).toMatchObject({ status_code: 403 });
    expect(await expectClientError(() => bulk(bob.client, ['nope']))).toMatchObject({ status_code: 400 });
    expect(await expectClientError(() => bulk(bob.client, { ids: [a.id] }))).toMatchObject({ status_code: 400 });
  });
});

describe('removing reactions', () => {
  it('removes your own reaction and publishes reaction_removed to members only', async () => {
    const p = await post(alice.client, priv.id, 'unreact');
    await bob.client.addReaction(bob.user.id, p.id, 'smile');
    expect(await bob.client.removeReaction(bob.user.id, p.id, 'smile')).toEqual({ status: 'OK' });
    const event = await bobSocket.waitFor('reaction_removed', (e) => JSON.parse(e.data.reaction).post_id === p.id);
    expect(typeof event.data.reaction).toBe('string');
    expect(JSON.parse(event.data.reaction)).toMatchObject({ user_id: bob.user.id, post_id: p.id, emoji_name: 'smile', channel_id: priv.id });
    await daveSocket.expectNone('reaction_removed', (e) => JSON.parse(e.data.reaction).post_id === p.id, 300);
    expect(await bob.client.getReactionsForPost(p.id)).toEqual([]);
    const fresh = await alice.client.getPost(p.id);
    expect((fresh as any).has_reactions).toBeUndefined();
    expect(fresh.metadata.reactions).toBeUndefined();
  });

  it("refuses removing others' reactions unless system admin", async () => {
    const p = await post(alice.client, pub.id, 'hands off');
    await bob.client.addReaction(bob.user.id, p.id, 'heart');
    expect(await expectClientError(() => alice.client.removeReaction(bob.user.id, p.id, 'heart'))).toMatchObject({
      status_code: 403,
      server_error_id: PERMISSION,
    });
    expect(await expectClientError(() => dave.client.removeReaction(bob.user.id, p.id, 'heart'))).toMatchObject({ status_code: 403 });
    expect(await admin.client.removeReaction(bob.user.id, p.id, 'heart')).toEqual({ status: 'OK' });
    expect(await bob.client.getReactionsForPost(p.id)).toEqual([]);
  });

  it('validates the URL', async () => {
    const p = await post(alice.client, pub.id, 'urls');
    expect(await expectClientError(() => bob.client.removeReaction(bob.user.id, p.id, 'bad%20name'))).toMatchObject({
      status_code: 400,
      server_error_id: 'api.context.invalid_url_param.app_error',
    });
    expect(await expectClientError(() => bob.client.removeReaction(bob.user.id, 'bad', 'smile'))).toMatchObject({ status_code: 400 });
    expect(await expectClientError(() => bob.client.removeReaction('me', 'm'.repeat(26), 'smile'))).toMatchObject({ status_code: 403 });
  });
});
