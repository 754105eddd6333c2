import { beforeEach, describe, expect, it } from 'vitest';
import { AppError, badRequest, newId } from '#common';
import { ChannelsTestbed } from '../channels/in-memory-channels.js';
import type { Session } from '../common/session.js';
import type { PostsRepository } from '../posts/posts.repository.js';
import type { NewPostInput, PostsService } from '../posts/posts.service.js';
import type { UsersRepository } from '../users/users.repository.js';
import { MemoryScheduledPosts } from './in-memory-scheduled-posts.js';
import { ScheduledPostSender, SEND_WINDOW_MS, STUCK_CLAIM_MS } from './scheduled-post-sender.js';
import { ScheduledPostInput, ScheduledPostRow } from './scheduled-post.model.js';
import { ScheduledPostsService } from './scheduled-posts.service.js';

const HOUR = 3_600_000;

async function refusal(p: Promise<unknown>): Promise<[number, string]> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`expected an AppError, got ${String(err)}`);
  return [err.statusCode, err.id];
}

/** PostsService.create as the sender sees it: records each post, after a turn of the event loop. */
class RecordingPosts {
  readonly made: Array<{ userId: string; input: NewPostInput }> = [];
  failWith: AppError | null = null;

  async create(session: Session, input: NewPostInput): Promise<unknown> {
    await new Promise((r) => setTimeout(r, 1));
    if (this.failWith) throw this.failWith;
    this.made.push({ userId: session.user_id, input });
    return {};
  }
}

describe('scheduled posts', () => {
  let bed: ChannelsTestbed;
  let rows: MemoryScheduledPosts;
  let service: ScheduledPostsService;
  let posts: RecordingPosts;
  let rootPosts: Map<string, { delete_at: number }>;
  let team: string;
  let alice: Session;
  let bob: Session;
  let dave: Session;
  let outsider: Session;
  let pub: string;
  let priv: string;

  const sender = () =>
    new ScheduledPostSender(
      rows.asRepository(),
      posts as unknown as PostsService,
      { byId: async (id: string) => rootPosts.get(id) } as unknown as PostsRepository,
      bed.channels.asRepository(),
      bed.users as unknown as UsersRepository,
      bed.permissions,
      bed.configService,
      bed.publisher,
    );

  const input = (channelId: string, message: string, at: number, extra: Partial<ScheduledPostInput> = {}): ScheduledPostInput => ({
    id: '',
    channel_id: channelId,
    root_id: '',
    message,
    props: {},
    file_ids: [],
    priority: {},
    scheduled_at: at,
    error_code: '',
    ...extra,
  });

  /** A row already in the table (as if created earlier), due at `at`. */
  const stored = async (owner: Session, channelId: string, at: number, extra: Partial<ScheduledPostRow> = {}): Promise<ScheduledPostRow> => {
    const row: ScheduledPostRow = {
      id: newId(),
      create_at: at - 1000,
      update_at: at - 1000,
      user_id: owner.user_id,
      channel_id: channelId,
      root_id: '',
      message: `due at ${at}`,
      props: {},
      file_ids: [],
      priority: {},
      scheduled_at: at,
      processed_at: 0,
      error_code: '',
      claimed_at: 0,
      ...extra,
    };
    await rows.insert(row);
    if (extra.claimed_at) rows.rows.get(row.id)!.claimed_at = extra.claimed_at;
    return row;
  };

  beforeEach(() => {
    bed = new ChannelsTestbed();
    rows = new MemoryScheduledPosts(bed);
    posts = new RecordingPosts();
    rootPosts = new Map();
    service = new ScheduledPostsService(rows.asRepository(), bed.permissions, bed.channels.asRepository(), bed.configService, bed.publisher);
    team = bed.team();
    [alice, bob, dave, outsider] = [bed.user().session, bed.user().session, bed.user().session, bed.user().session];
    for (const s of [alice, bob, dave]) bed.joinTeam(team, s.user_id);
    const p = bed.channel(team, 'O');
    const q = bed.channel(team, 'P');
    for (const s of [alice, bob]) {
      bed.joinChannel(p, s.user_id);
      bed.joinChannel(q, s.user_id);
    }
    [pub, priv] = [p.id, q.id];
  });

  describe('the API’s rules', () => {
    it('creates one for a channel member, announced to them alone', async () => {
      const made = await service.create(alice, input(priv, 'later', Date.now() + HOUR), 'conn-1');
      expect(made).toMatchObject({ user_id: alice.user_id, channel_id: priv, processed_at: 0, error_code: '' });
      expect(bed.events.map((e) => [e.event, e.broadcast.user_id, e.broadcast.omit_connection_id])).toEqual([
        ['scheduled_post_created', alice.user_id, 'conn-1'],
      ]);
      expect(JSON.parse(bed.events[0].data.scheduledPost as string)).toEqual(made);
    });

    it('refuses channels the user may not post in, including one that does not exist', async () => {
      expect(await refusal(service.create(dave, input(priv, 'x', Date.now() + HOUR), ''))).toEqual([403, 'api.context.permissions.app_error']);
      expect(await refusal(service.create(outsider, input(pub, 'x', Date.now() + HOUR), ''))).toEqual([403, 'api.context.permissions.app_error']);
      const admin = bed.user('system_user system_admin').session;
      expect(await refusal(service.create(admin, input(newId(), 'x', Date.now() + HOUR), ''))).toEqual([403, 'api.context.permissions.app_error']);
    });

    it('wants scheduled_at no more than 5 s in the past, and something to post', async () => {
      expect(await refusal(service.create(alice, input(pub, 'x', Date.now() - 10_000), ''))).toEqual([
        400,
        'model.scheduled_post.is_valid.scheduled_at.app_error',
      ]);
      expect(await service.create(alice, input(pub, 'x', Date.now() - 1000), '')).toBeDefined();
      expect(await refusal(service.create(alice, input(pub, '', Date.now() + HOUR), ''))).toEqual([400, 'model.scheduled_post.is_valid.empty_post.app_error']);
    });

    it('refuses an archived channel after the other checks', async () => {
      bed.channels.rows.get(pub)!.delete_at = 1;
      expect(await refusal(service.create(alice, input(pub, 'x', Date.now() + HOUR), ''))).toEqual([400, 'app.save_scheduled_post.channel_deleted.app_error']);
    });

    it('lets only the owner update or delete, and lists only the caller’s own', async () => {
      const mine = await service.create(alice, input(pub, 'mine', Date.now() + HOUR), '');
      await service.create(bob, input(pub, 'bob’s', Date.now() + HOUR), '');
      const edit = { ...input(pub, 'hijack', Date.now() + HOUR), id: mine.id, create_at: mine.create_at, user_id: bob.user_id };
      expect(await refusal(service.update(bob, mine.id, edit, ''))).toEqual([403, 'app.update_scheduled_post.update_permission.error']);
      expect(await refusal(service.delete(bob, mine.id, ''))).toEqual([403, 'app.delete_scheduled_post.delete_permission.error']);
      expect(await refusal(service.delete(alice, newId(), ''))).toEqual([404, 'app.delete_scheduled_post.existing_scheduled_post.not_exist']);
      const listed = await service.listForTeam(alice, team, true);
      expect(listed[team].map((p) => p.message)).toEqual(['mine']);
      expect(listed.directChannels).toEqual([]);
      expect(await refusal(service.listForTeam(outsider, team, false))).toEqual([403, 'api.context.permissions.app_error']);
    });

    it('an update keeps the id, author, channel and thread, and must name the same id', async () => {
      const mine = await service.create(alice, input(pub, 'v1', Date.now() + HOUR), '');
      const edit = { ...input(pub, 'v2', Date.now() + 2 * HOUR), id: mine.id, create_at: mine.create_at, user_id: alice.user_id, root_id: newId() };
      expect(await refusal(service.update(alice, newId(), edit, ''))).toEqual([400, 'api.context.invalid_url_param.app_error']);
      const updated = await service.update(alice, mine.id, edit, 'c');
      expect(updated).toMatchObject({ id: mine.id, user_id: alice.user_id, channel_id: pub, root_id: '', message: 'v2' });
      expect(bed.events.at(-1)!.event).toBe('scheduled_post_updated');
    });

    it('a post being sent cannot be edited; a failed one can, and clearing its error sends it again', async () => {
      const inFlight = await stored(alice, pub, Date.now() - 1000, { claimed_at: Date.now() });
      const edit = (row: ScheduledPostRow, errorCode: string) => ({
        ...input(pub, 'edited', Date.now() + 1000, { error_code: errorCode }),
        id: row.id,
        create_at: row.create_at,
        user_id: alice.user_id,
      });
      expect(await refusal(service.update(alice, inFlight.id, edit(inFlight, ''), ''))).toEqual([
        404,
        'app.update_scheduled_post.existing_scheduled_post.not_exist',
      ]);
      const failed = await stored(alice, pub, Date.now() - 1000, { claimed_at: Date.now(), error_code: 'unknown' });
      await service.update(alice, failed.id, edit(failed, ''), '');
      expect(rows.rows.get(failed.id)).toMatchObject({ error_code: '', claimed_at: 0 });
    });

    it('ServiceSettings.ScheduledPosts off refuses every route', async () => {
      bed.config.ServiceSettings.ScheduledPosts = false;
      expect(await refusal(service.create(alice, input(pub, 'x', Date.now() + HOUR), ''))).toEqual([400, 'api.scheduled_posts.feature_disabled']);
      expect(await refusal(service.listForTeam(alice, team, true))).toEqual([400, 'api.scheduled_posts.feature_disabled']);
      expect(await refusal(service.delete(alice, newId(), ''))).toEqual([400, 'api.scheduled_posts.feature_disabled']);
    });
  });

  describe('sending: each post once', () => {
    it('sends what is due as its author, deletes it, and leaves what is not due', async () => {
      const due = await stored(alice, pub, Date.now() - 100);
      const later = await stored(alice, pub, Date.now() + HOUR);
      expect(await sender().sendDue()).toEqual({ sent: 1, failed: 0, expired: 0 });
      expect(posts.made).toEqual([{ userId: alice.user_id, input: expect.objectContaining({ channel_id: pub, message: due.message, root_id: '' }) }]);
      expect(rows.rows.has(due.id)).toBe(false);
      expect(rows.rows.has(later.id)).toBe(true);
      expect(bed.events.map((e) => [e.event, JSON.parse(e.data.scheduledPost as string).id])).toEqual([['scheduled_post_deleted', due.id]]);
    });

    it('two nodes running at once, and a retried run after them, post each row exactly once', async () => {
      const due = await Promise.all(Array.from({ length: 20 }, (_, i) => stored(i % 2 ? alice : bob, pub, Date.now() - 1000 + i)));
      const [a, b] = await Promise.all([sender().sendDue(), sender().sendDue()]);
      expect(a.sent + b.sent).toBe(20);
      expect(a.sent).toBeGreaterThan(0);
      expect(b.sent).toBeGreaterThan(0);
      await sender().sendDue();
      expect(posts.made.map((m) => m.input.message).sort()).toEqual(due.map((d) => d.message).sort());
      expect(rows.rows.size).toBe(0);
    });

    it('never sends a row another run claimed, even if that run died; a stale claim becomes unable_to_send', async () => {
      const claimed = await stored(alice, pub, Date.now() - 1000, { claimed_at: Date.now() - 1000 });
      expect(await sender().sendDue()).toEqual({ sent: 0, failed: 0, expired: 0 });
      rows.rows.get(claimed.id)!.claimed_at = Date.now() - STUCK_CLAIM_MS - 1;
      expect(await sender().sendDue()).toEqual({ sent: 0, failed: 0, expired: 1 });
      expect(rows.rows.get(claimed.id)).toMatchObject({ error_code: 'unable_to_send' });
      expect(posts.made).toEqual([]);
    });

    it('gives up on posts due more than a day ago (unable_to_send)', async () => {
      const old = await stored(alice, pub, Date.now() - SEND_WINDOW_MS - 60_000);
      expect(await sender().sendDue()).toEqual({ sent: 0, failed: 0, expired: 1 });
      expect(rows.rows.get(old.id)!.error_code).toBe('unable_to_send');
      expect(bed.events.map((e) => e.event)).toEqual(['scheduled_post_updated']);
    });

    it('records why a post could not go out, and does not try it again', async () => {
      const archived = bed.channel(team, 'O');
      bed.joinChannel(archived, alice.user_id);
      bed.channels.rows.get(archived.id)!.delete_at = 1;
      const left = bed.channel(team, 'P');
      const gone = newId();
      rootPosts.set(gone, { delete_at: 5 });
      const cases: Array<[ScheduledPostRow, string]> = [
        [await stored(alice, archived.id, Date.now() - 900), 'channel_archived'],
        [await stored(alice, left.id, Date.now() - 800), 'no_channel_permission'],
        [await stored(alice, newId(), Date.now() - 700), 'channel_not_found'],
        [await stored(alice, pub, Date.now() - 600, { root_id: gone }), 'thread_deleted'],
        [await stored(alice, pub, Date.now() - 500, { root_id: newId() }), 'thread_deleted'],
        [await stored({ ...alice, user_id: newId() }, pub, Date.now() - 400), 'user_missing'],
      ];
      expect(await sender().sendDue()).toEqual({ sent: 0, failed: cases.length, expired: 0 });
      for (const [row, code] of cases) expect([row.id, rows.rows.get(row.id)!.error_code]).toEqual([row.id, code]);
      expect(bed.events.every((e) => e.event === 'scheduled_post_updated')).toBe(true);
      expect(await sender().sendDue()).toEqual({ sent: 0, failed: 0, expired: 0 });
      expect(posts.made).toEqual([]);
    });

    it('a deleted author is user_deleted; a post the post path refuses is unknown', async () => {
      bed.users.rows.get(bob.user_id)!.delete_at = 1;
      const byDeleted = await stored(bob, pub, Date.now() - 500);
      posts.failWith = badRequest('model.post.is_valid.msg.app_error', 'too long');
      const refused = await stored(alice, pub, Date.now() - 400);
      await sender().sendDue();
      expect(rows.rows.get(byDeleted.id)!.error_code).toBe('user_deleted');
      expect(rows.rows.get(refused.id)!.error_code).toBe('unknown');
    });

    it('does nothing while ServiceSettings.ScheduledPosts is off', async () => {
      await stored(alice, pub, Date.now() - 100);
      bed.config.ServiceSettings.ScheduledPosts = false;
      expect(await sender().sendDue()).toEqual({ sent: 0, failed: 0, expired: 0 });
      expect(posts.made).toEqual([]);
    });
  });
});
