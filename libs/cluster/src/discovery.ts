import type { Database } from '#db';
import type { Discovery, DiscoveryRow, NodeInfo } from './contracts.js';

/** Mattermost's ClusterDiscovery type for app servers. */
export const DISCOVERY_TYPE = 'mattermost_app';
/** Rows not pinged for this long belong to dead nodes (Mattermost's cleanup age). */
export const STALE_DISCOVERY_MS = 30 * 60 * 1000;

// Timestamps come from the database clock, so nodes with skewed clocks still agree on freshness.
const DB_NOW = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;
const COLUMNS = 'id, cluster_name, hostname, gossip_port, streaming_port, version, create_at, last_ping_at';

/**
 * Discovery through the cluster_discovery table: every node inserts its own row and pings it, and
 * reads the rows of its cluster to find gossip seeds, so no seed list is configured anywhere.
 */
export class DatabaseDiscovery implements Discovery {
  private self: NodeInfo | null = null;

  constructor(
    private readonly db: Pick<Database, 'query' | 'transaction'>,
    private readonly staleAfterMs = STALE_DISCOVERY_MS,
  ) {}

  async register(self: NodeInfo): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(`DELETE FROM cluster_discovery WHERE last_ping_at < ${DB_NOW} - $1`, [this.staleAfterMs]);
      // Our previous life: the same address can only be one node, whatever cluster it was in.
      await tx.query('DELETE FROM cluster_discovery WHERE type = $1 AND hostname = $2 AND gossip_port = $3', [DISCOVERY_TYPE, self.hostname, self.gossipPort]);
      await this.insert(tx, self);
    });
    this.self = self;
  }

  async heartbeat(): Promise<void> {
    const self = this.registered();
    const updated = await this.db.query(`UPDATE cluster_discovery SET last_ping_at = ${DB_NOW} WHERE id = $1 RETURNING id`, [self.id]);
    // Another node's cleanup removed us (we were paused longer than the stale age): come back.
    if (updated.length === 0) await this.insert(this.db, self);
  }

  async peers(freshMs: number): Promise<DiscoveryRow[]> {
    const self = this.registered();
    return this.db.query<DiscoveryRow>(
      `SELECT ${COLUMNS} FROM cluster_discovery
        WHERE type = $1 AND cluster_name = $2 AND id <> $3 AND last_ping_at >= ${DB_NOW} - $4
        ORDER BY id`,
      [DISCOVERY_TYPE, self.clusterName, self.id, freshMs],
    );
  }

  async unregister(): Promise<void> {
    if (!this.self) return;
    await this.db.query('DELETE FROM cluster_discovery WHERE id = $1', [this.self.id]);
    this.self = null;
  }

  private async insert(db: Pick<Database, 'query'>, self: NodeInfo): Promise<void> {
    // One reading of the clock for both columns: two readings can straddle a millisecond.
    await db.query(
      // One reading of the clock for both columns (clock_timestamp() moves within a statement).
      `INSERT INTO cluster_discovery (id, type, cluster_name, hostname, gossip_port, streaming_port, version, create_at, last_ping_at)
       SELECT $1, $2, $3, $4, $5, $6, $7, now_ms, now_ms FROM (SELECT ${DB_NOW} AS now_ms) AS clock
       ON CONFLICT (id) DO UPDATE SET last_ping_at = EXCLUDED.last_ping_at`,
      [self.id, DISCOVERY_TYPE, self.clusterName, self.hostname, self.gossipPort, self.streamingPort, self.version],
    );
  }

  private registered(): NodeInfo {
    if (!this.self) throw new Error('DatabaseDiscovery: register() first');
    return this.self;
  }
}

/** The gossip seed ("host:port") of a discovery row. */
export function seedOf(row: Pick<DiscoveryRow, 'hostname' | 'gossip_port'>): string {
  return `${row.hostname}:${row.gossip_port}`;
}
