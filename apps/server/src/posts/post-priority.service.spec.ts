import { afterEach, describe, expect, it, vi } from 'vitest';
import { newId } from '#common';
import { checkPriority, parsePriorityInput, PriorityRules } from './post-priority.js';
import { MarksWorld } from './post-marks.memory.js';

/** alice posts in a public channel she shares with bob; dave is on the team only; root is a system admin. */
function setup() {
  const world = new MarksWorld();
  const alice = world.person('alice');
  const bob = world.person('bob');
  const dave = world.person('dave');
  const root = world.person('root', 'system_user system_admin', null);
  const pub = world.channel('O', [alice, bob]);
  const priv = world.channel('P', [alice, bob]);
  const asked = world.post(pub, alice, 'please confirm');
  return { world, alice, bob, dave, root, pub, priv, asked, service: world.priorityService() };
}

const denied = (permission: string) => ({
  statusCode: 403,
  id: 'api.context.permissions.app_error',
  detailedError: expect.stringContaining(`permission=${permission}`),
});

afterEach(() => vi.useRealTimers());

describe('PostPriorityService: acknowledgements', () => {
  it('saves a channel member acknowledgement, moves the post and announces it to the channel', async () => {
    const { world, bob, pub, asked, service } = setup();
    const ack = await service.acknowledge(bob, bob.user_id, asked.id);
    expect(ack).toEqual({ user_id: bob.user_id, post_id: asked.id, channel_id: pub, acknowledged_at: expect.any(Number) });
    expect(world.acks.get(`${asked.id}:${bob.user_id}`)).toEqual(ack);
    expect(world.posts.get(asked.id)!.update_at).toBeGreaterThanOrEqual(ack.acknowledged_at);
    expect(world.publisher.events).toEqual([
      {
        event: 'post_acknowledgement_added',
        data: { acknowledgement: JSON.stringify(ack) },
        broadcast: expect.objectContaining({ channel_id: pub, user_id: '' }),
      },
    ]);
  });

  it('refuses acting for someone else without edit_other_users, and readers without read_channel_content', async () => {
    const { world, alice, bob, dave, root, asked, service } = setup();
    await expect(service.acknowledge(bob, alice.user_id, asked.id)).rejects.toMatchObject(denied('edit_other_users'));
    // dave may read the public channel through the team, but read_channel_content is its members'.
    await expect(service.acknowledge(dave, dave.user_id, asked.id)).rejects.toMatchObject(denied('read_channel_content'));
    // A post that does not exist grants nothing (SessionHasPermissionToChannelByPost).
    await expect(service.acknowledge(bob, bob.user_id, newId())).rejects.toMatchObject(denied('read_channel_content'));
    expect(world.acks.size).toBe(0);
    await expect(service.acknowledge(root, bob.user_id, asked.id)).resolves.toMatchObject({ user_id: bob.user_id });
  });

  it('answers a deleted post with 404 and an archived channel with 403', async () => {
    const { world, alice, bob, service } = setup();
    const archived = world.channel('O', [alice, bob], { deleteAt: 5 });
    const old = world.post(archived, alice, 'old');
    await expect(service.acknowledge(bob, bob.user_id, old.id)).rejects.toMatchObject({
      statusCode: 403,
      id: 'api.acknowledgement.save.archived_channel.app_error',
    });
    await expect(service.unacknowledge(bob, bob.user_id, old.id)).rejects.toMatchObject({
      statusCode: 403,
      id: 'api.acknowledgement.delete.archived_channel.app_error',
    });
    const gone = world.post(world.channel('O', [alice, bob]), alice, 'gone', { delete_at: 9 });
    await expect(service.acknowledge(bob, bob.user_id, gone.id)).rejects.toMatchObject({ statusCode: 404, id: 'app.post.get.app_error' });
  });

  it('takes an acknowledgement back within five minutes only, and a missing one is a 404', async () => {
    const { world, bob, asked, service } = setup();
    await expect(service.unacknowledge(bob, bob.user_id, asked.id)).rejects.toMatchObject({ statusCode: 404, id: 'app.acknowledgement.get.app_error' });

    vi.useFakeTimers({ now: 10_000_000, toFake: ['Date'] });
    const ack = await service.acknowledge(bob, bob.user_id, asked.id);
    vi.setSystemTime(10_000_000 + 5 * 60 * 1000 + 1);
    await expect(service.unacknowledge(bob, bob.user_id, asked.id)).rejects.toMatchObject({
      statusCode: 403,
      id: 'api.acknowledgement.delete.deadline.app_error',
    });
    expect(world.acks.size).toBe(1);

    vi.setSystemTime(10_000_000 + 5 * 60 * 1000);
    await service.unacknowledge(bob, bob.user_id, asked.id);
    expect(world.acks.size).toBe(0);
    expect(world.publisher.events.map((e) => e.event)).toEqual(['post_acknowledgement_added', 'post_acknowledgement_removed']);
    expect(world.publisher.events[1].data).toEqual({ acknowledgement: JSON.stringify(ack) });
  });
});

describe('PostPriorityService: priority of a new post', () => {
  const poster = (roles = 'system_user') => ({ id: newId(), roles });

  it('saves the priority and counts an urgent post as an urgent mention of those it mentions', async () => {
    const { world, alice, bob, pub, service } = setup();
    const row = world.post(pub, alice, `@bob now`);
    await service.saveForNewPost(undefined as never, row, { priority: 'urgent', requested_ack: true, persistent_notifications: false }, [bob.user_id]);
    expect(world.priorities.get(row.id)).toMatchObject({ post_id: row.id, channel_id: pub, priority: 'urgent', requested_ack: true });
    expect(world.member(pub, bob.user_id)!.urgent_mention_count).toBe(1);

    const important = world.post(pub, alice, '@bob soon');
    await service.saveForNewPost(undefined as never, important, { priority: 'important', requested_ack: false, persistent_notifications: false }, [
      bob.user_id,
    ]);
    expect(world.member(pub, bob.user_id)!.urgent_mention_count).toBe(1);
  });

  it('does nothing without a priority and refuses one on a reply, before the post is written', async () => {
    const { world, alice, pub, asked, service } = setup();
    const plain = world.post(pub, alice, 'plain');
    service.checkForNewPost(null, plain, poster());
    await service.saveForNewPost(undefined as never, plain, null, []);
    expect(world.priorities.size).toBe(0);
    const reply = world.post(pub, alice, 'reply', { root_id: asked.id });
    expect(() => service.checkForNewPost({ priority: 'important', requested_ack: false, persistent_notifications: false }, reply, poster())).toThrow(
      expect.objectContaining({ statusCode: 400, id: 'api.post.post_priority.priority_post_only_allowed_for_root_post.request_error' }),
    );
  });
});

describe('checkPriority and parsePriorityInput', () => {
  const on: PriorityRules = { enabled: true, persistentNotifications: true, persistentNotificationsForGuests: false };
  const ctx = { userId: 'u', isGuest: false, rootId: '' };
  const p = (priority: string, persistent = false) => ({ priority, requested_ack: false, persistent_notifications: persistent });

  it('follows postPriorityCheck', () => {
    expect(() => checkPriority(p('urgent', true), ctx, on)).not.toThrow();
    expect(() => checkPriority(p(''), ctx, { ...on, enabled: false })).toThrow(
      expect.objectContaining({ statusCode: 403, id: 'api.post.post_priority.priority_post_not_allowed_for_user.request_error' }),
    );
    expect(() => checkPriority(p('important', true), ctx, on)).toThrow(
      expect.objectContaining({ statusCode: 400, id: 'api.post.post_priority.urgent_persistent_notification_post.request_error' }),
    );
    expect(() => checkPriority(p('urgent', true), ctx, { ...on, persistentNotifications: false })).toThrow(expect.objectContaining({ statusCode: 403 }));
    expect(() => checkPriority(p('urgent', true), { ...ctx, isGuest: true }, on)).toThrow(expect.objectContaining({ statusCode: 403 }));
    expect(() => checkPriority(p('urgent', true), { ...ctx, isGuest: true }, { ...on, persistentNotificationsForGuests: true })).not.toThrow();
  });

  it('reads metadata.priority with Go zero values and refuses unknown priorities', () => {
    expect(parsePriorityInput(undefined)).toBeNull();
    expect(parsePriorityInput({ embeds: [] })).toBeNull();
    expect(parsePriorityInput({ priority: { priority: 'urgent' } })).toEqual(p('urgent'));
    expect(parsePriorityInput({ priority: {} })).toEqual(p(''));
    expect(() => parsePriorityInput({ priority: { priority: 'soon' } })).toThrow(expect.objectContaining({ statusCode: 400 }));
    expect(() => parsePriorityInput({ priority: { requested_ack: 'yes' } })).toThrow(expect.objectContaining({ statusCode: 400 }));
  });
});
