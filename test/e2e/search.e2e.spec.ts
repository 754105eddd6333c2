import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client4 } from '@mattermost/client';
import type { Channel } from '@mattermost/types/channels';
import type { Post, PostSearchResults } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import { expectClientError, NewUser, sleep, startServer, TestServer } from '#testing';
import { post as createPost, signUpCast, teamWithChannels } from './fixtures.js';

let server: TestServer;
// The cast of fixtures.ts: alice owns both teams; bob is in every channel of team A, dave in none; carol is on team B only.
let admin: NewUser, alice: NewUser, bob: NewUser, dave: NewUser, carol: NewUser;
let teamA: Team, teamB: Team;
let pub: Channel, priv: Channel, dm: Channel;
let other: Channel; // team B, alice and carol
const posts: Record<string, Post> = {};

const post = async (key: string, c: Client4, channelId: string, message: string, extra: Partial<Post> = {}) => {
  posts[key] = await createPost(c, channelId, message, extra);
  await sleep(2); // distinct create_at for a stable order
  return posts[key];
};

const search = (c: Client4, teamId: string, terms: string, extra: Record<string, unknown> = {}) =>
  c.searchPostsWithParams(teamId, { terms, is_or_search: false, ...extra } as any) as Promise<PostSearchResults>;
const found = async (c: Client4, teamId: string, terms: string, extra: Record<string, unknown> = {}) =>
  (await search(c, teamId, terms, extra)).order.map((id) => Object.keys(posts).find((k) => posts[k].id === id) ?? id);

beforeAll(async () => {
  server = await startServer();
  const cast = await signUpCast(server);
  ({ admin, alice, bob, dave, carol } = cast);
  ({
    team: teamA,
    pub,
    priv,
    dm,
  } = await teamWithChannels(cast, {
    team: { name: `team-s${Date.now()}`, display_name: 'Search A' },
    pub: { name: 'search-public', display_name: 'Search Public' },
    priv: { name: 'search-private', display_name: 'Search Private' },
  }));
  teamB = await alice.client.createTeam({ name: `team-t${Date.now()}`, display_name: 'Search B', type: 'O' } as Team);
  await alice.client.addToTeam(teamB.id, carol.user.id);
  other = await alice.client.createChannel({ team_id: teamB.id, name: 'elsewhere', display_name: 'Elsewhere', type: 'O' } as Channel);
  await alice.client.addToChannel(carol.user.id, other.id);

  await post('quickFox', alice.client, pub.id, 'The quick brown fox jumps over the lazy dog');
  await post('deploy', bob.client, pub.id, 'Deploying the release tonight #release #ops');
  await post('secretFox', alice.client, priv.id, 'secret fox plans');
  await post('dmFox', alice.client, dm.id, 'fox in the direct message');
  await post('historic1', admin.client, pub.id, 'historic meeting notes', { create_at: Date.UTC(2024, 0, 10, 12) });
  await post('historic2', admin.client, pub.id, 'another historic entry', { create_at: Date.UTC(2024, 0, 20, 12) });
  await post('runners', alice.client, pub.id, 'running runners run');
  await post('otherTeamFox', alice.client, other.id, 'fox from the other team');
  await post('deletedFox', alice.client, pub.id, 'fox that was deleted');
  await alice.client.deletePost(posts.deletedFox.id);
  await post('replyFox', bob.client, pub.id, 'a fox reply', { root_id: posts.quickFox.id });
});

afterAll(() => server?.stop());

describe('words', () => {
  it('finds a word in the member channels of the team and its DMs, newest first, with matches', async () => {
    const result = await search(alice.client, teamA.id, 'fox');
    const keys = await found(alice.client, teamA.id, 'fox');
    expect(keys).toEqual(['replyFox', 'dmFox', 'secretFox', 'quickFox']);
    expect(result.matches[posts.quickFox.id]).toEqual(['fox']);
    expect(result).toMatchObject({ next_post_id: '', prev_post_id: '', first_inaccessible_post_time: 0 });
    expect(result.posts[posts.replyFox.id].root_id).toBe(posts.quickFox.id);
  });

  it('searches only channels the user belongs to', async () => {
    expect(await found(dave.client, teamA.id, 'fox')).toEqual([]);
    expect(await found(bob.client, teamA.id, 'fox')).toEqual(['replyFox', 'dmFox', 'secretFox', 'quickFox']);
    expect(await found(carol.client, teamB.id, 'fox')).toEqual(['otherTeamFox']);
  });

  it('searches every team with POST /posts/search', async () => {
    expect(await found(alice.client, '', 'fox')).toEqual(['replyFox', 'otherTeamFox', 'dmFox', 'secretFox', 'quickFox']);
  });

  it('ANDs words by default and ORs them with is_or_search', async () => {
    expect(await found(alice.client, teamA.id, 'quick dog')).toEqual(['quickFox']);
    expect(await found(alice.client, teamA.id, 'quick secret')).toEqual([]);
    expect(await found(alice.client, teamA.id, 'quick secret', { is_or_search: true })).toEqual(['secretFox', 'quickFox']);
  });

  it('matches quoted phrases in order', async () => {
    expect(await found(alice.client, teamA.id, '"lazy dog"')).toEqual(['quickFox']);
    expect(await found(alice.client, teamA.id, '"dog lazy"')).toEqual([]);
  });

  it('stems words and supports trailing * prefixes', async () => {
    expect(await found(alice.client, teamA.id, 'deploy')).toEqual(['deploy']);
    expect(await found(alice.client, teamA.id, 'jum*')).toEqual(['quickFox']);
    expect(await found(alice.client, teamA.id, 'runner*')).toEqual(['runners']);
  });

  it('excludes -words', async () => {
    expect(await found(alice.client, teamA.id, 'fox -secret -"direct message"')).toEqual(['replyFox', 'quickFox']);
  });

  it('searches hashtags exactly', async () => {
    expect(await found(alice.client, teamA.id, '#release')).toEqual(['deploy']);
    expect(await found(alice.client, teamA.id, '#RELEASE tonight')).toEqual(['deploy']);
    expect(await found(alice.client, teamA.id, '#rel')).toEqual([]);
    expect(await found(alice.client, teamA.id, 'fox -#ops', { is_or_search: false })).toEqual(['replyFox', 'dmFox', 'secretFox', 'quickFox']);
    const result = await search(alice.client, teamA.id, '#ops');
    expect(result.matches[posts.deploy.id]).toEqual(['#ops']);
  });
});

describe('filters', () => {
  it('from: and -from:', async () => {
    expect(await found(alice.client, teamA.id, `from:${bob.user.username} fox`)).toEqual(['replyFox']);
    expect(await found(alice.client, teamA.id, `fox -from:${alice.user.username}`)).toEqual(['replyFox']);
    expect(await found(alice.client, teamA.id, `from:@${bob.user.username}`)).toEqual(['replyFox', 'deploy']);
    expect(await found(alice.client, teamA.id, 'from:nobody-at-all fox')).toEqual([]);
  });

  it('in: a channel name or @username for a DM, and -in:', async () => {
    expect(await found(alice.client, teamA.id, `in:${priv.name} fox`)).toEqual(['secretFox']);
    expect(await found(alice.client, teamA.id, `in:@${bob.user.username} fox`)).toEqual(['dmFox']);
    expect(await found(alice.client, teamA.id, `fox -in:${pub.name}`)).toEqual(['dmFox', 'secretFox']);
    expect(await found(alice.client, teamA.id, 'in:no-such-channel fox')).toEqual([]);
    // a channel the user is not in finds nothing
    expect(await found(dave.client, teamA.id, `in:${priv.name} fox`)).toEqual([]);
  });

  it("on:, after: and before:, in the searcher's time zone", async () => {
    expect(await found(alice.client, teamA.id, 'historic on:2024-01-10')).toEqual(['historic1']);
    expect(await found(alice.client, teamA.id, 'historic after:2024-01-15')).toEqual(['historic2']);
    expect(await found(alice.client, teamA.id, 'historic before:2024-01-15')).toEqual(['historic1']);
    expect(await found(alice.client, teamA.id, 'historic after:2024-01-01 before:2024-01-31')).toEqual(['historic2', 'historic1']);
    expect(await found(alice.client, teamA.id, 'historic -on:2024-01-10')).toEqual(['historic2']);
    // 12:00 UTC on the 10th is 02:00 on the 11th at UTC+14
    const tz = { time_zone_offset: 14 * 3600 };
    expect(await found(alice.client, teamA.id, 'historic on:2024-01-10', tz)).toEqual([]);
    expect(await found(alice.client, teamA.id, 'historic on:2024-01-11', tz)).toEqual(['historic1']);
  });

  it('pages results', async () => {
    expect(await found(alice.client, teamA.id, 'fox', { per_page: 2, page: 0 })).toEqual(['replyFox', 'dmFox']);
    expect(await found(alice.client, teamA.id, 'fox', { per_page: 2, page: 1 })).toEqual(['secretFox', 'quickFox']);
    expect(await found(alice.client, teamA.id, 'fox', { per_page: 2, page: 2 })).toEqual([]);
  });

  it('leaves out archived channels unless include_deleted_channels', async () => {
    const archived = await alice.client.createChannel({ team_id: teamA.id, name: `archived-${Date.now()}`, display_name: 'Archived', type: 'O' } as Channel);
    await post('archived', alice.client, archived.id, 'zebra crossing');
    await alice.client.deleteChannel(archived.id);
    expect(await found(alice.client, teamA.id, 'zebra')).toEqual([]);
    expect(await found(alice.client, teamA.id, 'zebra', { include_deleted_channels: true })).toEqual(['archived']);
  });
});

describe('refusals', () => {
  it('400 for missing or mistyped terms and bodies', async () => {
    expect(await expectClientError(() => search(alice.client, teamA.id, ''))).toMatchObject({
      status_code: 400,
      server_error_id: 'api.context.invalid_body_param.app_error',
    });
    expect(await expectClientError(() => alice.client.searchPostsWithParams(teamA.id, { terms: 5 } as any))).toMatchObject({
      status_code: 400,
      server_error_id: 'api.post.search_posts.invalid_body.app_error',
    });
    expect(await expectClientError(() => search(alice.client, teamA.id, 'fox', { page: -1 }))).toMatchObject({ status_code: 400 });
    expect(await expectClientError(() => search(alice.client, 'bad', 'fox'))).toMatchObject({ status_code: 400 });
  });

  it('403 searching a team you are not on, 401 without a session', async () => {
    expect(await expectClientError(() => search(carol.client, teamA.id, 'fox'))).toMatchObject({
      status_code: 403,
      server_error_id: 'api.context.permissions.app_error',
    });
    expect(await expectClientError(() => search(server.client(), teamA.id, 'fox'))).toMatchObject({ status_code: 401 });
  });

  it('400, not a PostgreSQL stack overflow, for more words than a search may hold', async () => {
    const words = (n: number, word: (i: number) => string) => Array.from({ length: n }, (_, i) => word(i)).join(' ');
    const tooMany = [
      words(30_000, (i) => `w${i}`),
      words(30_000, (i) => `-w${i}`),
      `"${words(30_000, () => 'x')}"`, // one phrase, 30,000 words
      words(101, (i) => `#tag${i}`),
    ];
    for (const terms of tooMany) {
      expect(await expectClientError(() => search(alice.client, teamA.id, terms))).toMatchObject({
        status_code: 400,
        server_error_id: 'api.context.invalid_body_param.app_error',
      });
    }
    // A search at the limit still runs.
    expect(await found(alice.client, teamA.id, `fox ${words(99, () => 'fox')}`, { is_or_search: true })).toContain('quickFox');
  });

  it('a search of only wildcards finds nothing rather than everything', async () => {
    expect(await found(alice.client, teamA.id, '*')).toEqual([]);
  });

  it('501 when post search is disabled', async () => {
    const closed = await startServer({ MM_SERVICESETTINGS_ENABLEPOSTSEARCH: 'false' });
    try {
      const user = await closed.newUser();
      expect(await expectClientError(() => search(user.client, '', 'fox'))).toMatchObject({
        status_code: 501,
        server_error_id: 'store.sql_post.search.disabled',
      });
    } finally {
      await closed.stop();
    }
  });
});
