import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Resumable uploads (Mattermost's UploadSessions table): one row per upload under way, deleted
 * when its file is whole and its FileInfo written. `file_offset` counts the bytes kept so far.
 * An S3 object cannot be appended to, so every chunk is stored as a part object of its own
 * (`parts`, the part names in file order, beside the file's folder); completion joins them into
 * the file at `path`. A part's name is recorded in the same UPDATE that moves `file_offset`
 * on, compared with the offset it was written at, so two writers of one session (two nodes) can
 * never both count their bytes.
 */
export class UploadSessions1735060000000 implements MigrationInterface {
  name = 'UploadSessions1735060000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE upload_sessions (
        id varchar(26) PRIMARY KEY,
        type varchar(32) NOT NULL,
        create_at bigint NOT NULL,
        user_id varchar(26) NOT NULL,
        channel_id varchar(26) NOT NULL DEFAULT '',
        filename text NOT NULL,
        path text NOT NULL,
        file_size bigint NOT NULL,
        file_offset bigint NOT NULL DEFAULT 0,
        remote_id varchar(26) NOT NULL DEFAULT '',
        req_file_id varchar(26) NOT NULL DEFAULT '',
        parts text[] NOT NULL DEFAULT '{}'
      );
      CREATE INDEX upload_sessions_user_id ON upload_sessions (user_id, create_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS upload_sessions');
  }
}
