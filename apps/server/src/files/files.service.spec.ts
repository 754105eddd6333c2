import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalFileStore } from '#storage';
import { expectAppError } from '#testing';
import type { ChannelRow } from '../channels/channel.model.js';
import { ChannelsTestbed } from '../channels/in-memory-channels.js';
import type { Session } from '../common/session.js';
import type { PostAccess } from '../posts/post-access.service.js';
import { FileIntake } from './file-intake.service.js';
import type { FileInfosRepository } from './file-infos.repository.js';
import { FilesService } from './files.service.js';
import { MemoryFileInfos } from './in-memory-file-infos.js';

/** Who may upload and read attachments (api4/file.go): upload_file to put one in, the channel's readers to get it. */
describe('FilesService', () => {
  let bed: ChannelsTestbed;
  let table: MemoryFileInfos;
  let dir: string;
  let service: FilesService;
  let member: Session, teammate: Session, admin: Session;
  let pub: ChannelRow;

  beforeEach(() => {
    bed = new ChannelsTestbed();
    table = new MemoryFileInfos();
    dir = mkdtempSync(join(tmpdir(), 'files-spec-'));
    const store = new LocalFileStore(dir);
    // GET /posts/{id}/files/info is the posts area's check (PostAccess), covered by the e2e suite.
    service = new FilesService(
      table as unknown as FileInfosRepository,
      store,
      bed.permissions,
      bed.configService,
      undefined as unknown as PostAccess,
      new FileIntake(store),
    );
    const team = bed.team();
    const users = [bed.user(), bed.user(), bed.user('system_user system_admin')];
    [member, teammate, admin] = users.map((u) => u.session);
    for (const u of users.slice(0, 2)) bed.joinTeam(team, u.user.id);
    pub = bed.channel(team, 'O');
    bed.joinChannel(pub, member.user_id);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const raw = (s: Session, channelId: string, data = 'hello', headers: Record<string, string> = {}) =>
    service.upload(s, {
      headers: { 'content-type': 'text/plain', 'content-length': String(data.length), ...headers },
      body: Readable.from([Buffer.from(data)]),
      query: { channel_id: channelId, filename: 'a.txt' },
    });
  const stored = () => readdirSync(dir, { recursive: true }).filter((p) => String(p).endsWith('.txt'));

  it('lets a channel member upload; the row and the bytes are stored', async () => {
    const { file_infos } = await raw(member, pub.id);
    expect(file_infos[0]).toMatchObject({ user_id: member.user_id, channel_id: pub.id, name: 'a.txt', size: 5, post_id: '' });
    expect(table.rows.has(file_infos[0].id)).toBe(true);
    expect(stored()).toHaveLength(1);
  });

  it('refuses upload_file to a team member outside the channel, storing nothing; a system admin may', async () => {
    const err = await expectAppError(raw(teammate, pub.id));
    expect([err.statusCode, err.detailedError]).toEqual([403, expect.stringContaining('upload_file')]);
    expect([table.rows.size, stored().length]).toEqual([0, 0]);
    await expect(raw(admin, pub.id)).resolves.toBeDefined();
  });

  it('refuses a declared length over MaxFileSize with 413 before reading, and everything while attachments are off', async () => {
    bed.config.FileSettings.MaxFileSize = 4;
    expect((await expectAppError(raw(member, pub.id))).statusCode).toBe(413);
    bed.config.FileSettings.EnableFileAttachments = false;
    expect((await expectAppError(raw(member, pub.id, 'x'))).id).toBe('api.file.attachments.disabled.app_error');
    expect(stored()).toHaveLength(0);
  });

  it("gives a file to its uploader and the channel's readers, not to the rest of the team", async () => {
    const id = (await raw(member, pub.id)).file_infos[0].id;
    await expect(service.info(member, id)).resolves.toMatchObject({ id });
    await expect(service.info(admin, id)).resolves.toMatchObject({ id });
    expect((await expectAppError(service.info(teammate, id))).statusCode).toBe(403);
    bed.joinChannel(pub, teammate.user_id);
    await expect(service.download(teammate, id, 'file', { forceDownload: false })).resolves.toMatchObject({ status: 200 });
  });

  it('answers 404 for a deleted file (its post deleted), also to its uploader', async () => {
    const id = (await raw(member, pub.id)).file_infos[0].id;
    table.rows.get(id)!.delete_at = Date.now();
    expect((await expectAppError(service.info(member, id))).statusCode).toBe(404);
    expect((await expectAppError(service.download(admin, id, 'file', { forceDownload: false }))).statusCode).toBe(404);
  });
});
