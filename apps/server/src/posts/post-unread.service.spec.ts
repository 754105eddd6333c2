import { describe, expect, it } from 'vitest';
import { newId } from '#common';
import type { Session } from '../common/session.js';
import { ReadStateListeners } from '../membership/read-state-listeners.js';
import { MarksWorld } from './post-marks.memory.js';
import { PostUnreadService } from './post-unread.service.js';
import { PostsService } from './posts.service.js';

/**
 * alice and bob share a public channel and a DM; dave is on the team only; root is a system admin.
 * `crt` stands for the user's collapsed threads setting (PostsService.collapsedThreadsFor).
 */
function setup(opts: { crt?: boolean; bobNotify?: Record<string, string> } = {}) {
  const world = new MarksWorld();
  const alice = world.person('alice');
  const bob = world.person('bob', 'system_user', 'team_user', opts.bobNotify ?? {});
  const dave = world.person('dave');
  const root = world.person('root', 'system_user system_admin', null);
  const pub = world.channel('O', [alice, bob]);
  const dm = world.channel('D', [alice, bob]);
  const posts = { collapsedThreadsFor: async () => opts.crt ?? true } as unknown as PostsService;
  const service = new PostUnreadService(
    world.postsRepository(),
    world.priorityRepository(),
    world.membersRepository(),
    world.usersRepository(),
    world.access(),
    posts,
    world.permissions(),
    world.configService(),
    world.publisher,
    new ReadStateListeners(),
  );
  return { world, alice, bob, dave, root, pub, dm, service };
}

const denied = (permission: string) => ({
  statusCode: 403,
  id: 'api.context.permissions.app_error',
  detailedError: expect.stringContaining(`permission=${permission}`),
});
const mark = (s: ReturnType<typeof setup>['service'], who: Session, postId: string, crt = true) => s.markUnread(who, who.user_id, postId, crt);

describe('PostUnreadService: the counts after marking a post unread', () => {
  it('counts the posts from the marked one on, and the mentions among them', async () => {
    const { world, alice, bob, pub, service } = setup();
    world.post(pub, alice, 'before');
    const marked = world.post(pub, alice, 'hi @bob');
    world.post(pub, alice, 'nothing for bob');
    world.post(pub, alice, '@channel listen');
    world.post(pub, bob, 'my own @bob');
    world.post(pub, alice, '`@bob` in code');
    const state = await mark(service, bob, marked.id);
    expect(state).toMatchObject({
      msg_count: 1,
      msg_count_root: 1,
      mention_count: 2,
      mention_count_root: 2,
      urgent_mention_count: 0,
      last_viewed_at: marked.create_at - 1,
    });
    expect(world.member(pub, bob.user_id)).toMatchObject({ last_viewed_at: marked.create_at - 1, mention_count: 2, msg_count: 1 });
  });

  it('honours the member ignoring channel mentions, first-name and custom keys, and add-to-channel posts', async () => {
    const { world, alice, bob, pub, service } = setup({ bobNotify: { first_name: 'true', mention_keys: 'deploy' } });
    world.member(pub, bob.user_id)!.notify_props.ignore_channel_mentions = 'on';
    const marked = world.post(pub, alice, '@here anyone');
    world.post(pub, alice, 'bob, look');
    world.post(pub, alice, 'the deploy is done');
    world.post(pub, alice, 'added', { type: 'system_add_to_channel', props: { addedUserId: bob.user_id } });
    const state = await mark(service, bob, marked.id);
    // "bob," trims to "bob", bob's first name; "deploy" is a key; the add post names him.
    expect(state.mention_count).toBe(3);
  });

  it('counts replies in threads the user started, and with comments "any" in threads they replied in', async () => {
    const { world, alice, bob, pub, service } = setup({ bobNotify: { comments: 'any' } });
    const bobsRoot = world.post(pub, bob, 'my question');
    const alicesRoot = world.post(pub, alice, 'her question');
    const marked = world.post(pub, alice, 'answer to bob', { root_id: bobsRoot.id });
    world.post(pub, alice, 'her own follow-up', { root_id: alicesRoot.id });
    world.post(pub, bob, 'my reply to her', { root_id: alicesRoot.id });
    world.post(pub, alice, 'answer after bob replied', { root_id: alicesRoot.id });
    const state = await mark(service, bob, marked.id);
    expect(state).toMatchObject({ mention_count: 2, mention_count_root: 0 });

    const rootOnly = setup({ bobNotify: { comments: 'root' } });
    const r = rootOnly.world.post(rootOnly.pub, rootOnly.alice, 'hers');
    rootOnly.world.post(rootOnly.pub, rootOnly.bob, 'mine', { root_id: r.id });
    const later = rootOnly.world.post(rootOnly.pub, rootOnly.alice, 'again', { root_id: r.id });
    expect((await mark(rootOnly.service, rootOnly.bob, later.id)).mention_count).toBe(0);
  });

  it("counts every other member's post in a direct message, and urgent ones when priority is on", async () => {
    const { world, alice, bob, dm, service } = setup();
    const marked = world.post(dm, alice, 'one');
    world.post(dm, bob, 'mine');
    const urgent = world.post(dm, alice, 'two');
    world.priorities.set(urgent.id, { post_id: urgent.id, channel_id: dm, priority: 'urgent', requested_ack: false, persistent_notifications: false });
    expect(await mark(service, bob, marked.id)).toMatchObject({ mention_count: 2, mention_count_root: 2, urgent_mention_count: 1, team_id: '' });
    world.config.ServiceSettings.PostPriority = false;
    expect(await mark(service, bob, marked.id)).toMatchObject({ urgent_mention_count: 0 });
  });

  it('leaves root counts read for a reply without collapsed threads, and sets them with', async () => {
    const { world, alice, bob, pub, service } = setup();
    const rootPost = world.post(pub, alice, 'root @bob');
    const reply = world.post(pub, alice, 'reply @bob', { root_id: rootPost.id });
    expect(await mark(service, bob, reply.id, false)).toMatchObject({ mention_count: 1, mention_count_root: 0, msg_count_root: 1, msg_count: 1 });
    const crtOff = setup({ crt: false });
    const r = crtOff.world.post(crtOff.pub, crtOff.alice, 'root');
    const rep = crtOff.world.post(crtOff.pub, crtOff.alice, 'reply @bob', { root_id: r.id });
    // The client supports collapsed threads, the user has them off: as without.
    expect(await mark(crtOff.service, crtOff.bob, rep.id, true)).toMatchObject({ msg_count_root: 1 });
    const withCrt = setup();
    const r2 = withCrt.world.post(withCrt.pub, withCrt.alice, 'root');
    const rep2 = withCrt.world.post(withCrt.pub, withCrt.alice, 'reply @bob', { root_id: r2.id });
    expect(await mark(withCrt.service, withCrt.bob, rep2.id, true)).toMatchObject({ msg_count_root: 1, msg_count: 1, mention_count: 1 });
  });

  it('sends post_unread to the user only, with the counts', async () => {
    const { world, alice, bob, pub, service } = setup();
    const marked = world.post(pub, alice, 'hi');
    const state = await mark(service, bob, marked.id);
    expect(world.publisher.events).toEqual([
      {
        event: 'post_unread',
        data: {
          msg_count: state.msg_count,
          msg_count_root: state.msg_count_root,
          mention_count: 0,
          mention_count_root: 0,
          urgent_mention_count: 0,
          last_viewed_at: marked.create_at - 1,
          post_id: marked.id,
        },
        broadcast: expect.objectContaining({ user_id: bob.user_id, channel_id: pub, team_id: state.team_id }),
      },
    ]);
  });
});

describe('PostUnreadService: who may mark a post unread', () => {
  it('the user themself with read_channel_content, or a system admin for them', async () => {
    const { world, alice, bob, dave, root, pub, service } = setup();
    const marked = world.post(pub, alice, 'hi');
    await expect(service.markUnread(bob, alice.user_id, marked.id, true)).rejects.toMatchObject(denied('edit_other_users'));
    await expect(mark(service, dave, marked.id)).rejects.toMatchObject(denied('read_channel_content'));
    await expect(mark(service, bob, newId())).rejects.toMatchObject(denied('read_channel_content'));
    await expect(service.markUnread(root, bob.user_id, marked.id, true)).resolves.toMatchObject({ user_id: bob.user_id });
    // A system admin reads every channel but is no member of this one.
    await expect(mark(service, root, marked.id)).rejects.toMatchObject({ statusCode: 404, id: 'app.channel.get_member.missing.app_error' });
    expect(world.publisher.events).toHaveLength(1);
  });

  it('answers a deleted post with 404', async () => {
    const { world, alice, bob, pub, service } = setup();
    const gone = world.post(pub, alice, 'gone', { delete_at: 5 });
    await expect(mark(service, bob, gone.id)).rejects.toMatchObject({ statusCode: 404, id: 'app.post.get.app_error' });
  });
});
