/**
 * A node that dies between committing a post and announcing it: the post is in the database and
 * in the dead node's outbox row. A survivor must announce it, so that every client on the other
 * nodes gets `posted` over its socket, exactly once. (The failover suite reaches this window only
 * when the kill happens to land in it; this suite puts the cluster in that state on purpose.)
 */
import type { Channel } from '@mattermost/types/channels';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterSocket, eventually, NewUser, TestCluster } from '#testing';
import { createPost, duplicates, openChannelWith, startFormedCluster } from './cluster-fixtures.js';

const DYING = 1;

let cluster: TestCluster;
let admin: NewUser;
let member: NewUser;
let channel: Channel;
let nodeIds: Map<number, string>;

beforeAll(async () => {
  ({ cluster, admin, nodeIds } = await startFormedCluster());
  member = await cluster.newUser({ admin });
  channel = await openChannelWith(admin, [member]);
});

afterAll(() => cluster?.stop());

describe('outbox recovery', () => {
  it('announces, from a survivor, a post its node committed but never announced', async () => {
    const sockets: ClusterSocket[] = [await cluster.socket(admin.client, 0), await cluster.socket(member.client, 2)];
    const announced = await createPost(cluster.clientAs(member, DYING), channel.id, 'announced by its own node');
    await eventually(() => sockets.forEach((s) => expect(s.postedIds(channel.id)).toContain(announced.id)), 5_000);

    // The state the dying node leaves when killed right after its transaction committed: the post
    // (here a copy of the announced one under a new id) and its outbox row.
    const orphanId = 'orphan' + announced.id.slice(6);
    const columns = (
      await cluster.query<{ name: string }>(`SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'posts' AND is_generated = 'NEVER'`)
    ).map((c) => c.name);
    const copied = columns.map((c) => ({ id: '$2', message: '$3', create_at: 'create_at + 1' })[c] ?? c);
    await cluster.query(`INSERT INTO posts (${columns.join(', ')}) SELECT ${copied.join(', ')} FROM posts WHERE id = $1`, [
      announced.id,
      orphanId,
      'committed, never announced',
    ]);
    await cluster.query('INSERT INTO event_outbox (kind, ref_id, node_id, create_at) VALUES ($1, $2, $3, $4)', [
      'posted',
      orphanId,
      nodeIds.get(DYING),
      Date.now(),
    ]);
    await cluster.node(DYING).kill('SIGKILL');

    // Eviction (~2 s) plus the grace a survivor gives a young row (3.5 s).
    await eventually(() => sockets.forEach((s) => expect(s.postedIds(channel.id)).toContain(orphanId)), 15_000, 100);
    for (const s of sockets) {
      expect(duplicates(s.postedIds(channel.id))).toEqual([]);
      expect(s.posted(channel.id).find((p) => p.id === orphanId)?.message).toBe('committed, never announced');
      expect(s.seqProblems()).toEqual([]);
    }
    expect(await cluster.query('SELECT 1 FROM event_outbox WHERE ref_id = $1', [orphanId])).toEqual([]);
  });
});
