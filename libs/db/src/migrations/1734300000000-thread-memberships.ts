import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Collapsed reply threads, stored as Mattermost stores them:
 * - `threads` gains Mattermost's denormalised ThreadDeleteAt (the root's delete_at, so a deleted
 *   thread stays listable for mobile sync with `deleted=true`) and ThreadTeamId (the channel's
 *   team, '' for direct and group messages, so a team's thread list needs no channel join to
 *   filter by team). Existing rows are filled from their channel and root post.
 * - `thread_memberships` (ThreadMemberships): who follows which thread, how far they read it
 *   (last_viewed) and how many mentions they have not seen.
 *
 * Indexes, for the thread list of a user following hundreds of threads: the partial index on
 * (user_id, last_updated) of followed threads yields exactly the rows the list, its totals and
 * `since` read; each joins its `threads` row by primary key. Unread replies count a thread's
 * replies after a time, which the (root_id, create_at) index answers by a range scan; it replaces
 * the plain root_id index, whose lookups (and thread pages, ordered by create_at) it serves too.
 */
export class ThreadMemberships1734300000000 implements MigrationInterface {
  name = 'ThreadMemberships1734300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE threads
        ADD COLUMN thread_delete_at bigint NOT NULL DEFAULT 0,
        ADD COLUMN thread_team_id varchar(26) NOT NULL DEFAULT '';
      UPDATE threads t SET thread_team_id = c.team_id FROM channels c WHERE c.id = t.channel_id;
      UPDATE threads t SET thread_delete_at = p.delete_at FROM posts p WHERE p.id = t.post_id AND p.delete_at <> 0;

      CREATE TABLE thread_memberships (
        post_id varchar(26) NOT NULL,
        user_id varchar(26) NOT NULL,
        following boolean NOT NULL DEFAULT true,
        last_viewed bigint NOT NULL DEFAULT 0,
        last_updated bigint NOT NULL DEFAULT 0,
        unread_mentions bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (post_id, user_id)
      );
      CREATE INDEX thread_memberships_user_following ON thread_memberships (user_id, last_updated) WHERE following;

      CREATE INDEX posts_root_create_at ON posts (root_id, create_at) WHERE root_id <> '';
      DROP INDEX IF EXISTS posts_root_id;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX IF NOT EXISTS posts_root_id ON posts (root_id) WHERE root_id <> '';
      DROP INDEX IF EXISTS posts_root_create_at;
      DROP TABLE IF EXISTS thread_memberships;
      ALTER TABLE threads DROP COLUMN IF EXISTS thread_team_id, DROP COLUMN IF EXISTS thread_delete_at;
    `);
  }
}
