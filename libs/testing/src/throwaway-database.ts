/**
 * A migrated throwaway database on the machine's PostgreSQL for repository and service specs that
 * need the real thing (row locks, SKIP LOCKED, advisory locks, races between nodes). Each "node" is
 * its own pool of the server's Database class, which is what two servers are to PostgreSQL.
 */
import { Database } from '#db';
import { createDatabase, databaseUrl, dropDatabase } from './database.js';

export class ThrowawayDatabase {
  readonly nodes: Database[] = [];

  private constructor(
    readonly name: string,
    private readonly maxConnections: number,
  ) {}

  /** Creates the database, migrates it through the first node and opens `nodes` pools in all. */
  static async create({ nodes = 1, maxConnections = 4 }: { nodes?: number; maxConnections?: number } = {}): Promise<ThrowawayDatabase> {
    const created = new ThrowawayDatabase(await createDatabase(), maxConnections);
    try {
      await (await created.connect()).migrate();
      while (created.nodes.length < nodes) await created.connect();
    } catch (err) {
      await created.drop();
      throw err;
    }
    return created;
  }

  /** The first node: the one that migrated. */
  get db(): Database {
    return this.nodes[0];
  }

  /** One more node on the same database, closed by drop(). */
  async connect(): Promise<Database> {
    const db = await Database.connect({ url: databaseUrl(this.name), maxConnections: this.maxConnections, queryTimeoutSeconds: 10 });
    this.nodes.push(db);
    return db;
  }

  /** Closes every node's pool and drops the database (even if a connection lingers). */
  async drop(): Promise<void> {
    await Promise.all(this.nodes.splice(0).map((db) => db.close()));
    await dropDatabase(this.name);
  }
}
