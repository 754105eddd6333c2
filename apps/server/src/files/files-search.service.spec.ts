import { describe, expect, it } from 'vitest';
import type { ChannelsRepository } from '../channels/channels.repository.js';
import { MarksWorld, TEAM } from '../posts/post-marks.memory.js';
import type { SearchScope } from '../posts/search/search-query.js';
import type { ParsedSearch } from '../posts/search/search-terms.js';
import type { UsersRepository } from '../users/users.repository.js';
import type { FileInfoRow } from './file-info.model.js';
import { newFileInfo } from './file-intake.service.js';
import type { FileInfosRepository } from './file-infos.repository.js';
import { FilesSearchService } from './files-search.service.js';

function setup() {
  const world = new MarksWorld();
  const alice = world.person('alice');
  const bob = world.person('bob');
  const outsider = world.person('carol', 'system_user', null); // on no team
  const calls: Array<{ parsed: ParsedSearch; scope: SearchScope }> = [];
  const hits: FileInfoRow[] = [];
  const repo = {
    async search(parsed: ParsedSearch, scope: SearchScope) {
      calls.push({ parsed, scope });
      return hits;
    },
  } as unknown as FileInfosRepository;
  const users = {
    async byUsernames(names: string[]) {
      return [...world.users.values()].filter((u) => names.includes(u.username));
    },
  } as unknown as UsersRepository;
  // Channel names resolve among the searcher's channels only; here "town" is bob's.
  const channels = {
    async idsByNamesForMember(names: string[], _teamId: string | null, userId: string) {
      return names.flatMap((n) => (n === 'town' && userId === bob.user_id ? ['towntowntowntowntowntownto'] : n.includes('__') ? [n] : []));
    },
  } as unknown as ChannelsRepository;
  const service = new FilesSearchService(repo, channels, users, world.permissions(), world.configService());
  return { world, alice, bob, outsider, service, calls, hits };
}

const input = (terms: string, over: Partial<{ isOrSearch: boolean; includeDeletedChannels: boolean; page: number; perPage: number }> = {}) => ({
  terms,
  isOrSearch: false,
  timeZoneOffset: 3600,
  includeDeletedChannels: false,
  page: 0,
  perPage: 60,
  ...over,
});

describe('FilesSearchService', () => {
  it('answers a FileInfoList of the rows, in their order, without content or store paths', async () => {
    const { bob, service, hits } = setup();
    const a = { ...newFileInfo(bob.user_id, 'chan', 'a.txt'), post_id: 'post', content: 'secret text' };
    const b = { ...newFileInfo(bob.user_id, 'chan', 'b.pdf'), post_id: 'post' };
    hits.push(b, a);
    const list = await service.search(bob, TEAM, input('a'));
    expect(list.order).toEqual([b.id, a.id]);
    expect(list.file_infos[a.id]).toMatchObject({ id: a.id, name: 'a.txt', channel_id: 'chan', post_id: 'post', user_id: bob.user_id });
    expect(list.file_infos[a.id]).not.toHaveProperty('content');
    expect(list.file_infos[a.id]).not.toHaveProperty('path');
    expect(list).toMatchObject({ next_file_info_id: '', prev_file_info_id: '', first_inaccessible_file_time: 0 });
  });

  it('the team route needs view_team, checked before the EnableFileSearch 501; the team-less route needs a session only', async () => {
    const { world, bob, outsider, service, calls } = setup();
    await expect(service.search(outsider, TEAM, input('x'))).rejects.toMatchObject({ statusCode: 403, id: 'api.context.permissions.app_error' });
    expect((await service.search(outsider, null, input('x'))).order).toEqual([]);
    expect(calls.map((c) => c.scope.teamId)).toEqual([null]);
    world.config.ServiceSettings.EnableFileSearch = false;
    await expect(service.search(outsider, TEAM, input('x'))).rejects.toMatchObject({ statusCode: 403 });
    for (const team of [TEAM, null]) {
      await expect(service.search(bob, team, input('x'))).rejects.toMatchObject({ statusCode: 501, id: 'store.sql_file_info.search.disabled' });
    }
    expect(calls).toHaveLength(1);
  });

  it('scopes the search to the caller, the team and the page; archived channels only when the server shows them', async () => {
    const { world, bob, service, calls } = setup();
    await service.search(bob, TEAM, input('x', { isOrSearch: true, includeDeletedChannels: true, page: 2, perPage: 25 }));
    expect(calls[0].scope).toMatchObject({
      userId: bob.user_id,
      teamId: TEAM,
      orTerms: true,
      includeDeletedChannels: true,
      timeZoneOffset: 3600,
      offset: 50,
      limit: 25,
    });
    world.config.TeamSettings.ExperimentalViewArchivedChannels = false;
    await service.search(bob, TEAM, input('x', { includeDeletedChannels: true }));
    expect(calls[1].scope.includeDeletedChannels).toBe(false);
  });

  it('resolves from: and in: among what the caller may see; an unknown name resolves to nothing', async () => {
    const { alice, bob, service, calls } = setup();
    await service.search(bob, TEAM, input('plan from:alice -from:nobody in:town -in:elsewhere in:@alice ext:pdf'));
    expect(calls[0].parsed.extensions).toEqual(['pdf']);
    expect(calls[0].scope).toMatchObject({
      fromUserIds: [alice.user_id],
      excludedUserIds: [],
      inChannelIds: ['towntowntowntowntowntownto', [alice.user_id, bob.user_id].sort().join('__')],
      excludedChannelIds: [],
    });
    await service.search(alice, TEAM, input('in:town from:ghost'));
    expect(calls[1].scope).toMatchObject({ fromUserIds: [], inChannelIds: [] });
  });

  it('refuses more than 100 words (400) before touching the database', async () => {
    const { bob, service, calls } = setup();
    await expect(service.search(bob, TEAM, input('w '.repeat(101)))).rejects.toMatchObject({ statusCode: 400, id: 'api.context.invalid_body_param.app_error' });
    expect(calls).toHaveLength(0);
  });
});
