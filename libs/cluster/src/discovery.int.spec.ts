/** DatabaseDiscovery against a throwaway database on the machine's PostgreSQL. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '#db';
import { ThrowawayDatabase } from '#testing';
import { testNodeInfo } from '../test-fixtures/swim-test-kit.js';
import { DatabaseDiscovery, seedOf } from './discovery.js';

describe('DatabaseDiscovery', () => {
  let pg: ThrowawayDatabase;
  let db: Database;

  beforeAll(async () => {
    pg = await ThrowawayDatabase.create();
    db = pg.db;
  });

  afterAll(() => pg?.drop());

  beforeEach(async () => {
    await db.query('DELETE FROM cluster_discovery');
  });

  const rowIds = async () => (await db.query<{ id: string }>('SELECT id FROM cluster_discovery ORDER BY id')).map((r) => r.id);

  it('registers a node with its address, ports and version, timestamped by the database', async () => {
    const node = testNodeInfo('10.0.0.1', 8074, { streamingPort: 8075, version: '11.2.0' });
    const before = Date.now();
    await new DatabaseDiscovery(db).register(node);
    const [row] = await db.query('SELECT * FROM cluster_discovery');
    expect(row).toMatchObject({
      id: node.id,
      type: 'mattermost_app',
      cluster_name: 'test-cluster',
      hostname: '10.0.0.1',
      gossip_port: 8074,
      streaming_port: 8075,
      version: '11.2.0',
    });
    expect(row.create_at).toBe(row.last_ping_at);
    expect(Math.abs(row.create_at - before)).toBeLessThan(5000);
  });

  it('lists fresh peers of its own cluster only, never itself', async () => {
    const [a, b, c] = ['10.0.0.1', '10.0.0.2', '10.0.0.3'].map((h) => testNodeInfo(h, 8074));
    const other = testNodeInfo('10.0.0.4', 8074, { clusterName: 'other-cluster' });
    const discoveries = [a, b, c, other].map(() => new DatabaseDiscovery(db));
    await Promise.all([a, b, c, other].map((n, i) => discoveries[i].register(n)));
    // c has not pinged for two minutes.
    await db.query('UPDATE cluster_discovery SET last_ping_at = last_ping_at - 120000 WHERE id = $1', [c.id]);

    const peers = await discoveries[0].peers(60_000);
    expect(peers.map((p) => p.id)).toEqual([b.id]);
    expect(peers[0]).toEqual({
      id: b.id,
      cluster_name: 'test-cluster',
      hostname: '10.0.0.2',
      gossip_port: 8074,
      streaming_port: 8075,
      version: '11.0.0',
      create_at: expect.any(Number),
      last_ping_at: expect.any(Number),
    });
    expect(seedOf(peers[0])).toBe('10.0.0.2:8074');
    expect((await discoveries[0].peers(10 * 60_000)).map((p) => p.id).sort()).toEqual([b.id, c.id].sort());
  });

  it('on register, removes rows not pinged for 30 minutes and its own previous row, keeping the rest', async () => {
    const dead = testNodeInfo('10.0.0.9', 8074);
    const alive = testNodeInfo('10.0.0.2', 8074);
    const previousLife = testNodeInfo('10.0.0.1', 8074, { clusterName: 'renamed-cluster' });
    const otherPort = testNodeInfo('10.0.0.1', 9074);
    for (const n of [dead, alive, previousLife, otherPort]) await new DatabaseDiscovery(db).register(n);
    await db.query('UPDATE cluster_discovery SET last_ping_at = last_ping_at - 31 * 60000 WHERE id = $1', [dead.id]);
    await db.query('UPDATE cluster_discovery SET last_ping_at = last_ping_at - 29 * 60000 WHERE id = $1', [alive.id]);

    const restarted = testNodeInfo('10.0.0.1', 8074);
    await new DatabaseDiscovery(db).register(restarted);
    expect(await rowIds()).toEqual([alive.id, otherPort.id, restarted.id].sort());
  });

  it('heartbeat refreshes last_ping_at, and puts the row back if another node cleaned it up', async () => {
    const node = testNodeInfo('10.0.0.1', 8074);
    const discovery = new DatabaseDiscovery(db);
    await discovery.register(node);
    await db.query('UPDATE cluster_discovery SET last_ping_at = last_ping_at - 50000');
    await discovery.heartbeat();
    const [row] = await db.query('SELECT last_ping_at FROM cluster_discovery WHERE id = $1', [node.id]);
    expect(Date.now() - row.last_ping_at).toBeLessThan(5000);

    await db.query('DELETE FROM cluster_discovery');
    await discovery.heartbeat();
    expect(await rowIds()).toEqual([node.id]);
  });

  it('unregister deletes only its own row, and is a no-op before register', async () => {
    const a = new DatabaseDiscovery(db);
    const b = new DatabaseDiscovery(db);
    const nodeA = testNodeInfo('10.0.0.1', 8074);
    const nodeB = testNodeInfo('10.0.0.2', 8074);
    await a.register(nodeA);
    await b.register(nodeB);
    await a.unregister();
    expect(await rowIds()).toEqual([nodeB.id]);
    await new DatabaseDiscovery(db).unregister();
    await expect(new DatabaseDiscovery(db).heartbeat()).rejects.toThrow(/register\(\) first/);
    await expect(new DatabaseDiscovery(db).peers(1000)).rejects.toThrow(/register\(\) first/);
  });
});
