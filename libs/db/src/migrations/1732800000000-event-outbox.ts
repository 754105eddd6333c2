import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Events committed with their data but not yet confirmed as delivered to every node. If the
 * node that wrote a row dies, a surviving node publishes the event in its place.
 */
export class EventOutbox1732800000000 implements MigrationInterface {
  name = 'EventOutbox1732800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE event_outbox (
        kind varchar(32) NOT NULL,
        ref_id varchar(26) NOT NULL,
        node_id varchar(26) NOT NULL,
        create_at bigint NOT NULL,
        PRIMARY KEY (kind, ref_id)
      );
      CREATE INDEX event_outbox_node ON event_outbox (node_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS event_outbox');
  }
}
