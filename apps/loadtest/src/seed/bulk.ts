/**
 * The bulk seeding paths: rows written straight into the server's schema
 * (libs/db/src/migrations/*-initial-schema.ts), far faster than the REST API for 200,000 posts.
 *
 * - Users are copies of a template user the server created through the API: every column but
 *   id, username and email comes from it (so the defaults are the server's own), including its
 *   bcrypt hash, which verifies the same password for all of them.
 * - Posts are inserted in one transaction together with everything the server derives from
 *   them, so that the data set is as if the posts had been created one by one:
 *   channels.total_msg_count(_root) and last_(root_)post_at, the threads rows (reply_count,
 *   last_reply_at, participants in order of their first reply), the roots' update_at moved to
 *   their last reply, and every member's read state (msg_count, last_viewed_at) caught up.
 */
import pg from 'pg';
import { newId } from '../../../../libs/common/src/ids.js';
import type { SeedConfig } from '../config.js';
import { composeMessage, permalinkUrl } from '../model/messages.js';
import { seededRandom } from '#testing';
import { postsPerChannel } from './plan.js';
import { ProgressBar } from './progress-bar.js';

const BATCH = 5000;
export const POSTS_MARKER = 'LoadTestSeedPosts';

/** A pg client that reads bigint (ms timestamps) as numbers, as the server does. */
export async function connect(databaseUrl: string): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: databaseUrl,
    types: { getTypeParser: ((oid: number, format?: any) => (oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format))) as any },
  });
  await client.connect();
  return client;
}

/** Inserts users `names` as copies of `templateUsername`; returns how many were new. */
export async function bulkUsers(db: pg.Client, templateUsername: string, names: string[], emailDomain: string): Promise<number> {
  const cols = (
    await db.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'users' AND is_generated = 'NEVER' ORDER BY ordinal_position`,
    )
  ).rows.map((r) => r.column_name);
  const now = Date.now();
  const select = cols.map((c) => {
    if (c === 'id') return 'n.id';
    if (c === 'username') return 'n.username';
    if (c === 'email') return 'n.email';
    if (['create_at', 'update_at', 'last_password_update'].includes(c)) return `${now}::bigint`;
    return `t.${c}`;
  });
  const bar = new ProgressBar('users (bulk)', names.length);
  let inserted = 0;
  for (let i = 0; i < names.length; i += BATCH) {
    const chunk = names.slice(i, i + BATCH);
    const res = await db.query(
      `INSERT INTO users (${cols.join(', ')})
       SELECT ${select.join(', ')}
         FROM unnest($1::varchar[], $2::varchar[], $3::varchar[]) AS n(id, username, email)
         CROSS JOIN (SELECT * FROM users WHERE username = $4) t
       ON CONFLICT DO NOTHING`,
      [chunk.map(() => newId()), chunk, chunk.map((u) => `${u}@${emailDomain}`), templateUsername],
    );
    inserted += res.rowCount ?? 0;
    bar.tick(chunk.length);
  }
  bar.finish(`${inserted} new`);
  return inserted;
}

interface SeedChannel {
  id: string;
  type: string;
  teamName: string;
  members: Array<{ id: string; username: string }>;
}

interface NewPost {
  id: string;
  create_at: number;
  update_at: number;
  user_id: string;
  channel_id: string;
  root_id: string;
  message: string;
}

/**
 * Generates one channel's posts, oldest first: times spread over the span, 18 % replies to one of
 * the channel's recent roots, Mattermost's message sizes, some mentions, links and permalinks.
 */
function channelPosts(
  ch: SeedChannel,
  n: number,
  c: SeedConfig & {
    percentReplies: number;
    percentMentions: number;
    percentLinks: number;
    percentPermalinks: number;
    avgWordsPerPost: number;
    avgWordsPerReply: number;
    siteUrl: string;
  },
  rand: () => number,
  now: number,
) {
  const span = c.postSpanDays * 86_400_000;
  const times = Array.from({ length: n }, () => now - 60_000 - Math.floor(rand() * span)).sort((a, b) => a - b);
  for (let i = 1; i < times.length; i++) if (times[i] <= times[i - 1]) times[i] = times[i - 1] + 1;
  const posts: NewPost[] = [];
  const roots: NewPost[] = [];
  const threads = new Map<string, { reply_count: number; last_reply_at: number; participants: string[] }>();
  for (let i = 0; i < n; i++) {
    const author = ch.members[Math.floor(rand() * ch.members.length)];
    const isReply = roots.length > 0 && rand() < c.percentReplies;
    // Replies go to one of the 20 most recent roots, as conversations do.
    const root = isReply ? roots[Math.max(0, roots.length - 1 - Math.floor(rand() * 20))] : undefined;
    const mention = rand() < c.percentMentions ? ch.members[Math.floor(rand() * ch.members.length)].username : undefined;
    const target = posts.length && rand() < c.percentPermalinks ? posts[Math.floor(rand() * posts.length)] : undefined;
    const message = composeMessage(
      { isReply, mention, link: rand() < c.percentLinks, permalink: target ? permalinkUrl(c.siteUrl, ch.teamName, target.id) : undefined },
      { post: c.avgWordsPerPost, reply: c.avgWordsPerReply },
      rand,
    );
    const post: NewPost = { id: newId(), create_at: times[i], update_at: times[i], user_id: author.id, channel_id: ch.id, root_id: root?.id ?? '', message };
    posts.push(post);
    if (root) {
      const t = threads.get(root.id) ?? { reply_count: 0, last_reply_at: 0, participants: [] };
      t.reply_count++;
      t.last_reply_at = post.create_at;
      if (!t.participants.includes(author.id)) t.participants.push(author.id);
      threads.set(root.id, t);
      root.update_at = Math.max(root.update_at, post.create_at);
    } else {
      roots.push(post);
    }
  }
  return { posts, roots: roots.length, threads };
}

export async function bulkPosts(
  db: pg.Client,
  channels: SeedChannel[],
  opts: SeedConfig & {
    percentReplies: number;
    percentMentions: number;
    percentLinks: number;
    percentPermalinks: number;
    avgWordsPerPost: number;
    avgWordsPerReply: number;
    siteUrl: string;
  },
): Promise<{ posts: number; replies: number; threads: number }> {
  const rand = seededRandom(opts.randomSeed + 1);
  const kindOf = (t: string) => (t === 'O' ? 'public' : t === 'P' ? 'private' : t === 'D' ? 'direct' : 'group');
  const kinds = { public: [], private: [], direct: [], group: [] } as Record<'public' | 'private' | 'direct' | 'group', Array<{ id: string; members: number }>>;
  for (const ch of channels) if (ch.members.length) kinds[kindOf(ch.type)].push({ id: ch.id, members: ch.members.length });
  const plan = postsPerChannel(kinds, opts.posts, opts.postShares, rand);
  const total = [...plan.values()].reduce((a, b) => a + b, 0);
  const bar = new ProgressBar('posts (bulk)', total);
  const now = Date.now();
  let replies = 0;
  let threadCount = 0;
  await db.query('BEGIN');
  try {
    let pending: NewPost[] = [];
    const flush = async () => {
      if (!pending.length) return;
      await db.query(
        `INSERT INTO posts (id, create_at, update_at, user_id, channel_id, root_id, message)
         SELECT * FROM unnest($1::varchar[], $2::bigint[], $3::bigint[], $4::varchar[], $5::varchar[], $6::varchar[], $7::varchar[])`,
        [
          pending.map((p) => p.id),
          pending.map((p) => p.create_at),
          pending.map((p) => p.update_at),
          pending.map((p) => p.user_id),
          pending.map((p) => p.channel_id),
          pending.map((p) => p.root_id),
          pending.map((p) => p.message),
        ],
      );
      bar.tick(pending.length);
      pending = [];
    };
    const counters: Array<{ id: string; n: number; roots: number; last: number; lastRoot: number }> = [];
    for (const ch of channels) {
      const n = plan.get(ch.id) ?? 0;
      if (!n) continue;
      const { posts, roots, threads } = channelPosts(ch, n, opts, rand, now);
      replies += n - roots;
      threadCount += threads.size;
      const lastRoot = posts.filter((p) => !p.root_id).at(-1)?.create_at ?? 0;
      counters.push({ id: ch.id, n, roots, last: posts.at(-1)!.create_at, lastRoot });
      // Roots first within the batch order does not matter to PostgreSQL; threads rows refer to roots by id only.
      pending.push(...posts);
      if (threads.size) {
        const ids = [...threads.keys()];
        await db.query(
          `INSERT INTO threads (post_id, channel_id, reply_count, last_reply_at, participants)
           SELECT t.id, $2, t.n, t.last, t.parts::jsonb FROM unnest($1::varchar[], $3::bigint[], $4::bigint[], $5::text[]) AS t(id, n, last, parts)`,
          [
            ids,
            ch.id,
            ids.map((id) => threads.get(id)!.reply_count),
            ids.map((id) => threads.get(id)!.last_reply_at),
            ids.map((id) => JSON.stringify(threads.get(id)!.participants)),
          ],
        );
      }
      if (pending.length >= BATCH) await flush();
    }
    await flush();
    await db.query(
      `UPDATE channels c SET total_msg_count = c.total_msg_count + u.n, total_msg_count_root = c.total_msg_count_root + u.roots,
              last_post_at = GREATEST(c.last_post_at, u.last), last_root_post_at = GREATEST(c.last_root_post_at, u.last_root)
         FROM unnest($1::varchar[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[]) AS u(id, n, roots, last, last_root)
        WHERE c.id = u.id`,
      [counters.map((x) => x.id), counters.map((x) => x.n), counters.map((x) => x.roots), counters.map((x) => x.last), counters.map((x) => x.lastRoot)],
    );
    // Everyone has read everything so far: the load test's own posts make the unreads.
    await db.query(
      `UPDATE channel_members cm SET msg_count = c.total_msg_count, msg_count_root = c.total_msg_count_root,
              last_viewed_at = GREATEST(cm.last_viewed_at, c.last_post_at), mention_count = 0, mention_count_root = 0,
              urgent_mention_count = 0, last_update_at = $2
         FROM channels c WHERE c.id = cm.channel_id AND c.id = ANY($1)`,
      [counters.map((x) => x.id), now],
    );
    await db.query(`INSERT INTO systems (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`, [
      POSTS_MARKER,
      JSON.stringify({ posts: total, replies, threads: threadCount, at: now }),
    ]);
    await db.query('COMMIT');
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  bar.finish(`${replies} replies in ${threadCount} threads`);
  return { posts: total, replies, threads: threadCount };
}

export type { SeedChannel };
