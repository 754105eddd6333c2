/**
 * Scheduled posts through Mattermost's own Client4 and WebSocketClient: creating, listing,
 * updating and deleting them with their events and refusals, and the scheduled_posts job sending
 * a post at its time exactly once (the job runs every second here instead of every minute).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client4 } from '@mattermost/client';
import type { Channel } from '@mattermost/types/channels';
import type { ScheduledPost } from '@mattermost/types/schedule_post';
import { eventually, expectClientError, sleep, startServer, type TestSocket } from '#testing';
import { openSockets, PERMISSION, signUpCast, teamWithChannels, type Cast, type TeamWithChannels } from './fixtures.js';

let server: Awaited<ReturnType<typeof startServer>>;
let cast: Cast;
let parts: TeamWithChannels;
/** alice's two devices, bob's socket. */
let aliceA: TestSocket;
let aliceB: TestSocket;
let bobSocket: TestSocket;

beforeAll(async () => {
  server = await startServer({ MM_JOBSETTINGS_SCHEDULEDPOSTSINTERVALSECONDS: '1' });
  cast = await signUpCast(server);
  parts = await teamWithChannels(cast, {
    team: { name: 'sched-team', display_name: 'Scheduled' },
    pub: { name: 'sched-pub', display_name: 'Scheduled public' },
    priv: { name: 'sched-priv', display_name: 'Scheduled private' },
  });
  [aliceA, aliceB, bobSocket] = await openSockets(server, [cast.alice, cast.alice, cast.bob]);
});
afterAll(async () => {
  for (const socket of [aliceA, aliceB, bobSocket]) socket?.close();
  await server?.stop();
});

const HOUR = 3_600_000;
const connectionId = (socket: TestSocket): string => socket.events.find((e) => e.event === 'hello')!.data.connection_id;
const scheduled = (channelId: string, message: string, at: number, extra: Partial<ScheduledPost> = {}) =>
  ({ channel_id: channelId, root_id: '', message, props: {}, scheduled_at: at, ...extra }) as ScheduledPost;
const create = async (c: Client4, p: ScheduledPost, conn = ''): Promise<ScheduledPost> => (await c.createScheduledPost(p, conn)).data;
const eventPost = (e: { data: Record<string, any> }): ScheduledPost => JSON.parse(e.data.scheduledPost);
const postsIn = async (c: Client4, channelId: string) => Object.values((await c.getPosts(channelId, 0, 200)).posts);

describe('creating and listing scheduled posts', () => {
  it('creates one (201, Mattermost shape), with scheduled_post_created to the owner’s other devices', async () => {
    const at = Date.now() + HOUR;
    const { response, data } = await cast.alice.client.createScheduledPost(scheduled(parts.pub.id, 'later', at), connectionId(aliceA));
    expect(response.status).toBe(201);
    expect(data).toEqual({
      id: expect.any(String),
      create_at: expect.any(Number),
      update_at: expect.any(Number),
      delete_at: 0,
      user_id: cast.alice.user.id,
      channel_id: parts.pub.id,
      root_id: '',
      message: 'later',
      props: {},
      scheduled_at: at,
      processed_at: 0,
      error_code: '',
    });
    const ev = await aliceB.waitFor('scheduled_post_created', (e) => eventPost(e).id === data.id);
    expect(ev.broadcast.user_id).toBe(cast.alice.user.id);
    expect(eventPost(ev)).toEqual(data);
    await aliceA.expectNone('scheduled_post_created', (e) => eventPost(e).id === data.id, 300);
    await bobSocket.expectNone('scheduled_post_created', () => true, 100);
  });

  it('lists the team’s, and the direct channels’ when asked, soonest first; never another user’s', async () => {
    const soon = await create(cast.alice.client, scheduled(parts.priv.id, 'sooner', Date.now() + HOUR / 2));
    const dm = await create(cast.alice.client, scheduled(parts.dm.id, 'to bob', Date.now() + HOUR));
    await create(cast.bob.client, scheduled(parts.pub.id, 'bob’s own', Date.now() + HOUR));
    const { data } = await cast.alice.client.getScheduledPosts(parts.team.id, true);
    expect(Object.keys(data).sort()).toEqual(['directChannels', parts.team.id].sort());
    const team = data[parts.team.id]!;
    expect(team[0].id).toBe(soon.id);
    expect(team.map((p) => p.message)).toEqual(['sooner', 'later']);
    expect(data.directChannels!.map((p) => p.id)).toEqual([dm.id]);
    expect([...team, ...data.directChannels!].every((p) => p.user_id === cast.alice.user.id)).toBe(true);
    const teamOnly = (await cast.alice.client.getScheduledPosts(parts.team.id, false)).data;
    expect(Object.keys(teamOnly)).toEqual([parts.team.id]);
  });

  it('announces ScheduledPosts in the client config', async () => {
    expect((await cast.alice.client.getClientConfig()).ScheduledPosts).toBe('true');
  });
});

describe('refusals', () => {
  it('refuses a time in the past, an empty post and a bad body with Mattermost’s 400s', async () => {
    const past = await expectClientError(() => create(cast.alice.client, scheduled(parts.pub.id, 'x', Date.now() - 60_000)));
    expect([past.status_code, past.server_error_id]).toEqual([400, 'model.scheduled_post.is_valid.scheduled_at.app_error']);
    const empty = await expectClientError(() => create(cast.alice.client, scheduled(parts.pub.id, '', Date.now() + HOUR)));
    expect([empty.status_code, empty.server_error_id]).toEqual([400, 'model.scheduled_post.is_valid.empty_post.app_error']);
    const bad = await expectClientError(() => create(cast.alice.client, { ...scheduled(parts.pub.id, 'x', 0), scheduled_at: 'soon' as any }));
    expect([bad.status_code, bad.server_error_id]).toEqual([400, 'api.context.invalid_body_param.app_error']);
  });

  it('refuses channels the user cannot post in, and teams they are not on', async () => {
    const notMember = await expectClientError(() => create(cast.dave.client, scheduled(parts.priv.id, 'x', Date.now() + HOUR)));
    expect([notMember.status_code, notMember.server_error_id]).toEqual([403, PERMISSION]);
    const offTeam = await expectClientError(() => cast.carol.client.getScheduledPosts(parts.team.id, true));
    expect([offTeam.status_code, offTeam.server_error_id]).toEqual([403, PERMISSION]);
    const old = await cast.alice.client.createChannel({ team_id: parts.team.id, name: 'sched-old', display_name: 'Old', type: 'O' } as Channel);
    await cast.alice.client.deleteChannel(old.id);
    const archived = await expectClientError(() => create(cast.alice.client, scheduled(old.id, 'x', Date.now() + HOUR)));
    expect([archived.status_code, archived.server_error_id]).toEqual([400, 'app.save_scheduled_post.channel_deleted.app_error']);
  });

  it('lets only the owner update or delete one', async () => {
    const mine = await create(cast.alice.client, scheduled(parts.pub.id, 'alice only', Date.now() + HOUR));
    const upd = await expectClientError(() => cast.bob.client.updateScheduledPost({ ...mine, message: 'hijacked' }, ''));
    expect([upd.status_code, upd.server_error_id]).toEqual([403, 'app.update_scheduled_post.update_permission.error']);
    const del = await expectClientError(() => cast.bob.client.deleteScheduledPost(cast.bob.user.id, mine.id, ''));
    expect([del.status_code, del.server_error_id]).toEqual([403, 'app.delete_scheduled_post.delete_permission.error']);
    const gone = await expectClientError(() => cast.alice.client.deleteScheduledPost(cast.alice.user.id, 'c'.repeat(26), ''));
    expect([gone.status_code, gone.server_error_id]).toEqual([404, 'app.delete_scheduled_post.existing_scheduled_post.not_exist']);
    const list = (await cast.alice.client.getScheduledPosts(parts.team.id, false)).data[parts.team.id]!;
    expect(list.find((p) => p.id === mine.id)?.message).toBe('alice only');
  });
});

describe('updating and deleting', () => {
  it('updates the message and time (201) with scheduled_post_updated; the id, author and channel stay', async () => {
    const p = await create(cast.alice.client, scheduled(parts.pub.id, 'draft one', Date.now() + HOUR));
    const at = Date.now() + 2 * HOUR;
    const { response, data } = await cast.alice.client.updateScheduledPost(
      { ...p, message: 'draft two', scheduled_at: at, channel_id: parts.pub.id, user_id: cast.alice.user.id },
      connectionId(aliceA),
    );
    expect(response.status).toBe(201);
    expect(data).toMatchObject({
      id: p.id,
      message: 'draft two',
      scheduled_at: at,
      user_id: cast.alice.user.id,
      channel_id: parts.pub.id,
      create_at: p.create_at,
    });
    const ev = await aliceB.waitFor('scheduled_post_updated', (e) => eventPost(e).id === p.id);
    expect(eventPost(ev).message).toBe('draft two');
  });

  it('deletes one (201 with the deleted post) with scheduled_post_deleted', async () => {
    const p = await create(cast.alice.client, scheduled(parts.pub.id, 'never mind', Date.now() + HOUR));
    const { response, data } = await cast.alice.client.deleteScheduledPost(cast.alice.user.id, p.id, connectionId(aliceA));
    expect(response.status).toBe(201);
    expect(data.id).toBe(p.id);
    await aliceB.waitFor('scheduled_post_deleted', (e) => eventPost(e).id === p.id);
    const list = (await cast.alice.client.getScheduledPosts(parts.team.id, false)).data[parts.team.id]!;
    expect(list.some((x) => x.id === p.id)).toBe(false);
  });
});

describe('the scheduled_posts job', () => {
  it('posts a due post at its time, exactly once, and removes it from the list', async () => {
    const message = `on time ${Date.now()}`;
    const p = await create(cast.alice.client, scheduled(parts.pub.id, message, Date.now() + 2000));
    const posted = await bobSocket.waitFor('posted', (e) => JSON.parse(e.data.post).message === message, 15_000);
    const post = JSON.parse(posted.data.post);
    expect(post.user_id).toBe(cast.alice.user.id);
    expect(post.create_at).toBeGreaterThanOrEqual(p.scheduled_at);
    await aliceA.waitFor('scheduled_post_deleted', (e) => eventPost(e).id === p.id, 5000);
    // Several more runs of the job: still one post.
    await sleep(3000);
    expect((await postsIn(cast.bob.client, parts.pub.id)).filter((x) => x.message === message)).toHaveLength(1);
    expect(bobSocket.count('posted', (e) => JSON.parse(e.data.post).message === message)).toBe(1);
    const list = (await cast.alice.client.getScheduledPosts(parts.team.id, false)).data[parts.team.id]!;
    expect(list.some((x) => x.id === p.id)).toBe(false);
  });

  it('records why it could not send one (error_code) and sends nothing', async () => {
    const side = await cast.alice.client.createChannel({ team_id: parts.team.id, name: 'sched-side', display_name: 'Side', type: 'O' } as Channel);
    const p = await create(cast.alice.client, scheduled(side.id, 'into the archive', Date.now() + 1500));
    await cast.alice.client.deleteChannel(side.id);
    const ev = await aliceA.waitFor('scheduled_post_updated', (e) => eventPost(e).id === p.id, 15_000);
    expect(eventPost(ev)).toMatchObject({ id: p.id, error_code: 'channel_archived' });
    expect(eventPost(ev).processed_at).toBeGreaterThan(0);
    await eventually(async () => {
      const list = (await cast.alice.client.getScheduledPosts(parts.team.id, false)).data[parts.team.id]!;
      expect(list.find((x) => x.id === p.id)?.error_code).toBe('channel_archived');
    }, 3000);
    const archived = await cast.alice.client.getPosts(side.id, 0, 50);
    expect(Object.values(archived.posts).some((x) => x.message === 'into the archive')).toBe(false);
  });
});

describe('ServiceSettings.ScheduledPosts off', () => {
  it('answers 400 api.scheduled_posts.feature_disabled and says so in the client config', async () => {
    await cast.admin.client.patchConfig({ ServiceSettings: { ScheduledPosts: false } } as any);
    try {
      const err = await expectClientError(() => create(cast.alice.client, scheduled(parts.pub.id, 'x', Date.now() + HOUR)));
      expect([err.status_code, err.server_error_id]).toEqual([400, 'api.scheduled_posts.feature_disabled']);
      const list = await expectClientError(() => cast.alice.client.getScheduledPosts(parts.team.id, true));
      expect([list.status_code, list.server_error_id]).toEqual([400, 'api.scheduled_posts.feature_disabled']);
      expect((await cast.alice.client.getClientConfig()).ScheduledPosts).toBe('false');
    } finally {
      await cast.admin.client.patchConfig({ ServiceSettings: { ScheduledPosts: true } } as any);
    }
  });
});
