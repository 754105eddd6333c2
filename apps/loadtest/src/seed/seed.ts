/**
 * `npm run loadtest:seed`: builds the data set the simulated users work on.
 *
 * Through the REST API (as the admin, the first account of the server): the admin account,
 * config checks, teams, team memberships, public and private channels with their members, DMs,
 * and GMs (created by one of their members). Users and posts go through the bulk path into
 * PostgreSQL by default (seed.usersPath / seed.postsPath = 'sql'; see bulk.ts) or through the API.
 * Every step skips what already exists, so a seed can be re-run or extended.
 */
import '#testing'; // the WebSocket and CloseEvent globals the client needs
import mm from '@mattermost/client';
import type { Client4 as Client4Type } from '@mattermost/client';
import type { UserProfile } from '@mattermost/types/users';
import type { LoadTestConfig } from '../config.js';
import { composeMessage } from '../model/messages.js';
import { seededRandom } from '#testing';
import { mapLimit } from '../../../../bench/load.js';
import { bulkPosts, bulkUsers, connect, POSTS_MARKER, type SeedChannel } from './bulk.js';
import { planDataSet, postsPerChannel, type SeedPlan } from './plan.js';
import { ProgressBar } from './progress-bar.js';

const { Client4 } = mm;

const TEAM_BATCH = 200;
const CHANNEL_BATCH = 1000;

export interface SeedSummary {
  teams: number;
  users: number;
  publicChannels: number;
  privateChannels: number;
  directChannels: number;
  groupChannels: number;
  posts: number;
  seconds: number;
  paths: { users: string; posts: string };
}

function log(msg: string) {
  process.stderr.write(`[seed ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

function clientFor(url: string, token?: string): Client4Type {
  const c = new Client4();
  c.setUrl(url);
  if (token) c.setToken(token);
  return c;
}

export const userName = (config: LoadTestConfig, i: number) => `${config.users.usernamePrefix}${i}`;

async function exists<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err: any) {
    if (err?.status_code === 404) return undefined;
    throw err;
  }
}

/** Logs in as the admin, signing it up first on a server without users (its first account is the admin). */
async function adminClient(config: LoadTestConfig): Promise<Client4Type> {
  const { adminUsername: username, adminPassword: password } = config.users;
  const c = clientFor(config.target.url);
  try {
    await c.login(username, password);
  } catch (err: any) {
    if (err?.server_error_id !== 'api.user.login.invalid_credentials_email_username') throw err;
    await c.createUser({ username, email: `${username}@${config.users.emailDomain}`, password } as UserProfile, '', '');
    await c.login(username, password);
  }
  const me = await c.getMe();
  if (!me.roles.includes('system_admin'))
    throw new Error(`${username} is not a system admin: seed a server whose first account is ${username}, or set users.adminUsername/adminPassword`);
  return c;
}

/** Team size and sign-ups must allow the data set (env overrides win over this, as in Mattermost). */
async function checkServerConfig(admin: Client4Type, config: LoadTestConfig): Promise<void> {
  const cfg = (await admin.getConfig()) as any;
  const needed = Math.max(config.seed.users, config.coordinator.maxActiveUsers, config.bounded.users) + 10;
  const patch: Record<string, Record<string, unknown>> = {};
  if (cfg.TeamSettings?.MaxUsersPerTeam < needed) patch.TeamSettings = { MaxUsersPerTeam: needed };
  if (!cfg.TeamSettings?.EnableOpenServer) patch.TeamSettings = { ...patch.TeamSettings, EnableOpenServer: true };
  if (cfg.RateLimitSettings?.Enable) patch.RateLimitSettings = { Enable: false };
  // This server's login limits (a Mattermost target has no such settings): all simulated users
  // log in from this one machine.
  if (cfg.ServiceSettings?.LoginRateLimitPerSec > 0 || cfg.ServiceSettings?.LoginRateLimitPerAccountPerSec > 0) {
    patch.ServiceSettings = { LoginRateLimitPerSec: 0, LoginRateLimitPerAccountPerSec: 0 };
  }
  if (Object.keys(patch).length) {
    log(`patching the server config for the load test: ${JSON.stringify(patch)}`);
    await admin.patchConfig(patch as never);
  }
}

export async function seed(config: LoadTestConfig): Promise<SeedSummary> {
  const started = Date.now();
  const c = config.seed;
  const usersPath = c.usersPath === 'sql' && config.target.databaseUrl ? 'sql' : 'api';
  const postsPath = c.postsPath === 'sql' && config.target.databaseUrl ? 'sql' : 'api';
  if (c.usersPath === 'sql' && usersPath !== 'sql') log('no target.databaseUrl: users go through the REST API');
  if (c.postsPath === 'sql' && postsPath !== 'sql') log('no target.databaseUrl: posts go through the REST API (slow)');
  const plan = planDataSet(c);
  log(
    `plan: ${plan.teams.length} teams, ${plan.users} users, ${plan.channels.length} channels, ${plan.directs.length} DMs, ${plan.groups.length} GMs, ${c.posts} posts (users via ${usersPath}, posts via ${postsPath})`,
  );

  const admin = await adminClient(config);
  const adminId = (await admin.getMe()).id;
  await checkServerConfig(admin, config);

  // ---- teams ------------------------------------------------------------------------------------
  const teamIds: string[] = [];
  for (const name of plan.teams) {
    const team =
      (await exists(() => admin.getTeamByName(name))) ??
      (await admin.createTeam({ name, display_name: name.replace('lt-', 'Load test '), type: 'O', allow_open_invite: true } as never));
    teamIds.push(team.id);
  }
  log(`teams ready (${teamIds.length})`);

  // ---- users ------------------------------------------------------------------------------------
  const names = Array.from({ length: plan.users }, (_, i) => userName(config, i));
  const password = config.users.password;
  const createViaApi = async (username: string) => {
    try {
      await admin.createUser({ username, email: `${username}@${config.users.emailDomain}`, password } as UserProfile, '', '');
    } catch (err: any) {
      if (err?.server_error_id !== 'app.user.save.username_exists.app_error') throw err;
    }
  };
  if (usersPath === 'sql') {
    await createViaApi(names[0]); // the template: created by the server itself
    const db = await connect(config.target.databaseUrl);
    try {
      await bulkUsers(db, names[0], names.slice(1), config.users.emailDomain);
    } finally {
      await db.end();
    }
  } else {
    const bar = new ProgressBar('users (API)', names.length);
    await mapLimit(names, c.concurrency, async (n) => {
      await createViaApi(n);
      bar.tick();
    });
    bar.finish();
  }
  const ids = await userIds(admin, names);

  // ---- team memberships (the admin joins every team to create its channels) ----------------------
  const memberships = plan.membersOfTeam.reduce((s, m) => s + m.length, 0);
  const teamBar = new ProgressBar('team members', memberships);
  for (let t = 0; t < teamIds.length; t++) {
    await admin.addToTeam(teamIds[t], adminId).catch(() => undefined);
    const members = plan.membersOfTeam[t].map((u) => ids[u]);
    for (let i = 0; i < members.length; i += TEAM_BATCH) {
      const batch = members.slice(i, i + TEAM_BATCH);
      await admin.addUsersToTeamGracefully(teamIds[t], batch);
      teamBar.tick(batch.length);
    }
  }
  teamBar.finish();

  // ---- channels -----------------------------------------------------------------------------------
  const channelBar = new ProgressBar('channels + members', plan.channels.length);
  const seedChannels: SeedChannel[] = [];
  const usernameOf = new Map(names.map((n, i) => [ids[i], n]));
  await mapLimit(plan.channels, c.concurrency, async (pc) => {
    const teamId = teamIds[pc.team];
    const ch =
      (await exists(() => admin.getChannelByName(teamId, pc.name))) ??
      (await admin.createChannel({
        team_id: teamId,
        name: pc.name,
        display_name: pc.name.replace('lt-pub-', 'Public ').replace('lt-priv-', 'Private '),
        type: pc.type,
      }));
    const memberIds = pc.members.map((u) => ids[u]);
    for (let i = 0; i < memberIds.length; i += CHANNEL_BATCH) await admin.addToChannels(memberIds.slice(i, i + CHANNEL_BATCH), ch.id);
    seedChannels.push({ id: ch.id, type: pc.type, teamName: plan.teams[pc.team], members: memberIds.map((id) => ({ id, username: usernameOf.get(id)! })) });
    channelBar.tick();
  });
  channelBar.finish();

  // ---- DMs (the admin may create them between any two users) ---------------------------------------
  const dmBar = new ProgressBar('direct channels', plan.directs.length);
  await mapLimit(plan.directs, c.concurrency, async ([a, b]) => {
    const ch = await admin.createDirectChannel([ids[a], ids[b]]);
    seedChannels.push({ id: ch.id, type: 'D', teamName: plan.teams[plan.teamsOfUser[a][0]], members: [a, b].map((u) => ({ id: ids[u], username: names[u] })) });
    dmBar.tick();
  });
  dmBar.finish();

  // ---- GMs (each created by its first member, logged in once) -----------------------------------------
  const gmBar = new ProgressBar('group channels', plan.groups.length);
  const sessions = new Map<number, Client4Type>();
  const sessionOf = async (u: number) => {
    let s = sessions.get(u);
    if (!s) {
      s = clientFor(config.target.url);
      await s.login(names[u], password);
      sessions.set(u, s);
    }
    return s;
  };
  for (const creator of new Set(plan.groups.map((g) => g.creator))) await sessionOf(creator);
  await mapLimit(plan.groups, c.concurrency, async (g) => {
    const s = await sessionOf(g.creator);
    const ch = await s.createGroupChannel(g.members.map((u) => ids[u]));
    seedChannels.push({
      id: ch.id,
      type: 'G',
      teamName: plan.teams[plan.teamsOfUser[g.creator][0]],
      members: g.members.map((u) => ({ id: ids[u], username: names[u] })),
    });
    gmBar.tick();
  });
  gmBar.finish();
  for (const s of sessions.values()) await s.logout().catch(() => undefined);

  // ---- posts ----------------------------------------------------------------------------------------
  const u = config.userController;
  const postOpts = {
    ...c,
    percentReplies: u.percentReplies,
    percentMentions: u.percentMentions,
    percentLinks: u.percentLinks,
    percentPermalinks: u.percentPermalinks,
    avgWordsPerPost: u.avgWordsPerPost,
    avgWordsPerReply: u.avgWordsPerReply,
    siteUrl: config.target.url,
  };
  let posts = 0;
  seedChannels.sort((a, b) => a.id.localeCompare(b.id)); // a stable order for the seeded generator
  if (postsPath === 'sql') {
    const db = await connect(config.target.databaseUrl);
    try {
      const marker = (await db.query<{ value: string }>('SELECT value FROM systems WHERE name = $1', [POSTS_MARKER])).rows[0];
      if (marker) log(`posts already seeded (${marker.value}); skipping`);
      else posts = (await bulkPosts(db, seedChannels, postOpts)).posts;
    } finally {
      await db.end();
    }
  } else {
    posts = await apiPosts(config, seedChannels, postOpts, names, ids);
  }
  if (config.target.databaseUrl) await settle(config.target.databaseUrl);

  const summary: SeedSummary = {
    teams: teamIds.length,
    users: names.length,
    publicChannels: plan.channels.filter((x) => x.type === 'O').length,
    privateChannels: plan.channels.filter((x) => x.type === 'P').length,
    directChannels: plan.directs.length,
    groupChannels: plan.groups.length,
    posts,
    seconds: Math.round((Date.now() - started) / 100) / 10,
    paths: { users: usersPath, posts: postsPath },
  };
  log(`done in ${summary.seconds} s: ${JSON.stringify(summary)}`);
  return summary;
}

/**
 * Leaves the database as a server that has run a while would be: planner statistics for the
 * bulk-loaded tables (ANALYZE) and the written pages flushed (CHECKPOINT), so that the run does
 * not pay for the seed: the first checkpoint of a run would otherwise write out the whole data
 * set while the users are on. CHECKPOINT needs a superuser or pg_checkpoint; without either it is
 * skipped.
 */
async function settle(databaseUrl: string): Promise<void> {
  const db = await connect(databaseUrl);
  try {
    await db.query('ANALYZE');
    await db.query('CHECKPOINT').catch((err: Error) => log(`no CHECKPOINT after the seed: ${err.message}`));
  } finally {
    await db.end();
  }
}

/** Ids of the users, by username, through the API (POST /users/usernames, 100 at a time). */
async function userIds(admin: Client4Type, names: string[]): Promise<string[]> {
  const byName = new Map<string, string>();
  for (let i = 0; i < names.length; i += 100) {
    for (const p of await admin.getProfilesByUsernames(names.slice(i, i + 100))) byName.set(p.username, p.id);
  }
  const missing = names.filter((n) => !byName.has(n));
  if (missing.length) throw new Error(`${missing.length} seeded users are missing (e.g. ${missing[0]})`);
  return names.map((n) => byName.get(n)!);
}

/**
 * Posts through the API, as their authors (each author logs in once): slow — a bcrypt login per
 * author and one request per post — and the posts all get the current time.
 */
async function apiPosts(
  config: LoadTestConfig,
  channels: SeedChannel[],
  opts: Parameters<typeof bulkPosts>[2],
  names: string[],
  ids: string[],
): Promise<number> {
  const rand = seededRandom(opts.randomSeed + 2);
  const kindOf = (t: string) => (t === 'O' ? 'public' : t === 'P' ? 'private' : t === 'D' ? 'direct' : 'group');
  const kinds = { public: [], private: [], direct: [], group: [] } as Record<'public' | 'private' | 'direct' | 'group', Array<{ id: string; members: number }>>;
  for (const ch of channels) kinds[kindOf(ch.type)].push({ id: ch.id, members: ch.members.length });
  const plan = postsPerChannel(kinds, opts.posts, opts.postShares, rand);
  const total = [...plan.values()].reduce((a, b) => a + b, 0);
  const bar = new ProgressBar('posts (API)', total);
  const sessions = new Map<string, Promise<Client4Type>>();
  const nameOf = new Map(ids.map((id, i) => [id, names[i]]));
  const session = (userId: string) => {
    let s = sessions.get(userId);
    if (!s) {
      s = (async () => {
        const client = clientFor(config.target.url);
        await client.login(nameOf.get(userId)!, config.users.password);
        return client;
      })();
      sessions.set(userId, s);
    }
    return s;
  };
  await mapLimit(channels, opts.concurrency, async (ch) => {
    const roots: string[] = [];
    for (let i = 0; i < (plan.get(ch.id) ?? 0); i++) {
      const author = ch.members[Math.floor(rand() * ch.members.length)];
      const isReply = roots.length > 0 && rand() < opts.percentReplies;
      const message = composeMessage({ isReply, link: rand() < opts.percentLinks }, { post: opts.avgWordsPerPost, reply: opts.avgWordsPerReply }, rand);
      const client = await session(author.id);
      const post = await client.createPost({
        channel_id: ch.id,
        message,
        root_id: isReply ? roots[Math.max(0, roots.length - 1 - Math.floor(rand() * 20))] : '',
      } as never);
      if (!isReply) roots.push(post.id);
      bar.tick();
    }
  });
  bar.finish();
  return total;
}

export type { SeedPlan };
