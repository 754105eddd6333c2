import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Data retention deletes the oldest files first, a batch at a time (Mattermost's
 * FileInfoStore.PermanentDeleteBatch, over its idx_fileinfo_create_at): without an index on
 * create_at every batch would read and sort the whole table.
 */
export class FileInfosCreateAt1735083000000 implements MigrationInterface {
  name = 'FileInfosCreateAt1735083000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX IF NOT EXISTS file_infos_create_at ON file_infos (create_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX IF EXISTS file_infos_create_at');
  }
}
