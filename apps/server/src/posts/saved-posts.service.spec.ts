import { describe, expect, it } from 'vitest';
import type { PostPriorityRepository } from './post-priority.repository.js';
import type { FileInfosRepository } from '../files/file-infos.repository.js';
import { MemoryFileInfos } from '../files/in-memory-file-infos.js';
import { MarksWorld } from './post-marks.memory.js';
import type { PreviewsService } from '../previews/previews.service.js';
import type { ThreadMembershipsRepository } from '../threads/thread-memberships.repository.js';
import { PostViews } from './post-views.service.js';
import type { ReactionsRepository } from './reactions.repository.js';
import { SavedPostsService } from './saved-posts.service.js';
import type { UsersService } from '../users/users.service.js';

function setup() {
  const world = new MarksWorld();
  const alice = world.person('alice');
  const bob = world.person('bob');
  const dave = world.person('dave');
  const root = world.person('root', 'system_user system_admin', null);
  const pub = world.channel('O', [alice, bob]);
  const priv = world.channel('P', [alice, bob]);
  const dm = world.channel('D', [alice, bob]);
  const otherTeam = world.channel('O', [alice, bob], { teamId: 'otherteamotherteamotherte' });
  const views = new PostViews(
    world.postsRepository(),
    { forPosts: async () => [] } as unknown as ReactionsRepository,
    world.usersRepository(),
    undefined as unknown as UsersService,
    world.priorityRepository() as PostPriorityRepository,
    world.configService(),
    { linksOf: () => [], warm: async () => undefined, addEmbedsAndImages: async () => undefined } as unknown as PreviewsService,
    { followingOf: async () => new Map() } as unknown as ThreadMembershipsRepository,
    new MemoryFileInfos() as unknown as FileInfosRepository,
  );
  const service = new SavedPostsService(world.postsRepository(), world.channelsRepository(), world.access(), views, world.permissions());
  return { world, alice, bob, dave, root, pub, priv, dm, otherTeam, service };
}

const query = (over: Partial<{ channelId: string; teamId: string; page: number; perPage: number }> = {}) => ({
  channelId: '',
  teamId: '',
  page: 0,
  perPage: 60,
  ...over,
});

describe('SavedPostsService', () => {
  it("lists the user's flagged live posts newest first, filtered by channel or by team with DMs", async () => {
    const { world, alice, bob, pub, priv, dm, otherTeam, service } = setup();
    const a = world.post(pub, alice, 'a');
    const b = world.post(priv, alice, 'b');
    const c = world.post(dm, alice, 'c');
    const d = world.post(otherTeam, alice, 'd');
    const gone = world.post(pub, alice, 'gone', { delete_at: 1 });
    world.post(pub, alice, 'not flagged');
    for (const p of [a, b, c, d, gone]) world.flag(bob.user_id, p.id);

    expect((await service.flagged(bob, bob.user_id, query())).order).toEqual([d.id, c.id, b.id, a.id]);
    expect((await service.flagged(bob, bob.user_id, query({ channelId: priv }))).order).toEqual([b.id]);
    expect((await service.flagged(bob, bob.user_id, query({ teamId: world.channels.get(pub)!.team_id }))).order).toEqual([c.id, b.id, a.id]);
    expect((await service.flagged(bob, bob.user_id, query({ page: 1, perPage: 3 }))).order).toEqual([a.id]);
  });

  it('leaves out channels the caller cannot read and refuses others without edit_other_users', async () => {
    const { world, alice, bob, dave, root, pub, priv, service } = setup();
    const a = world.post(pub, alice, 'a');
    const b = world.post(priv, alice, 'b');
    world.flag(bob.user_id, a.id);
    world.flag(bob.user_id, b.id);
    await expect(service.flagged(dave, bob.user_id, query())).rejects.toMatchObject({ statusCode: 403, id: 'api.context.permissions.app_error' });
    expect((await service.flagged(root, bob.user_id, query())).order).toEqual([b.id, a.id]);
    // bob keeps the flag but loses the private channel: it drops out.
    world.members.delete(`${priv}:${bob.user_id}`);
    expect((await service.flagged(bob, bob.user_id, query())).order).toEqual([a.id]);
  });
});
