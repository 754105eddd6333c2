import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Attachments (Mattermost's FileInfo store): one row per uploaded file, pointing at its bytes in
 * the file store (`path`, and for images `thumbnail_path` / `preview_path`). A row is written only
 * once its file is whole in the store, so an upload cut off midway leaves neither. `post_id` is
 * empty until a post takes the file (file_ids on create); `delete_at` follows the post's deletion.
 * `content` holds extracted text for file search (ExtractContent), `mini_preview` the tiny JPEG
 * the apps blur while the preview loads.
 */
export class FileInfos1735010000000 implements MigrationInterface {
  name = 'FileInfos1735010000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE file_infos (
        id varchar(26) PRIMARY KEY,
        creator_id varchar(26) NOT NULL,
        post_id varchar(26) NOT NULL DEFAULT '',
        channel_id varchar(26) NOT NULL,
        create_at bigint NOT NULL,
        update_at bigint NOT NULL,
        delete_at bigint NOT NULL DEFAULT 0,
        path text NOT NULL,
        thumbnail_path text NOT NULL DEFAULT '',
        preview_path text NOT NULL DEFAULT '',
        name text NOT NULL,
        extension varchar(64) NOT NULL DEFAULT '',
        size bigint NOT NULL,
        mime_type text NOT NULL DEFAULT '',
        width integer NOT NULL DEFAULT 0,
        height integer NOT NULL DEFAULT 0,
        has_preview_image boolean NOT NULL DEFAULT false,
        mini_preview bytea,
        content text NOT NULL DEFAULT '',
        remote_id varchar(26) NOT NULL DEFAULT '',
        archived boolean NOT NULL DEFAULT false
      );
      CREATE INDEX file_infos_post_id ON file_infos (post_id) WHERE post_id <> '';
      CREATE INDEX file_infos_channel_id ON file_infos (channel_id, create_at);
      CREATE INDEX file_infos_creator_id ON file_infos (creator_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS file_infos');
  }
}
