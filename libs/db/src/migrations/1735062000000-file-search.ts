import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * File search (POST /teams/{id}/files/search, /files/search) on PostgreSQL full text, the way
 * posts.search_vector serves post search: a stored tsvector of the file name, of the name with
 * `.` `,` `-` read as spaces (so "quarterly-report.pdf" also yields "quarter" and "report"), and
 * of the text extracted for ExtractContent, as Mattermost's SqlFileInfoStore.Search matches those
 * three. The GIN index covers only files a search can return: attached to a post, not deleted.
 */
export class FileSearch1735062000000 implements MigrationInterface {
  name = 'FileSearch1735062000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE file_infos ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        to_tsvector('english', name)
          || to_tsvector('english', translate(name, '.,-', '   '))
          || to_tsvector('english', content)
      ) STORED;
      CREATE INDEX file_infos_search_vector ON file_infos USING gin (search_vector) WHERE delete_at = 0 AND post_id <> '';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX IF EXISTS file_infos_search_vector;
      ALTER TABLE file_infos DROP COLUMN IF EXISTS search_vector;
    `);
  }
}
