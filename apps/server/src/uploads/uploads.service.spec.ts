import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalFileStore } from '#storage';
import { expectAppError, memoryDatabase } from '#testing';
import { ChannelsTestbed } from '../channels/in-memory-channels.js';
import type { ChannelRow } from '../channels/channel.model.js';
import type { Session } from '../common/session.js';
import type { FileInfoRow } from '../files/file-info.model.js';
import type { FileInfosRepository } from '../files/file-infos.repository.js';
import { FileIntake } from '../files/file-intake.service.js';
import { localSession } from '../local-mode/local-session.js';
import { MemoryUploadSessions } from './in-memory-upload-sessions.js';
import { UploadsService } from './uploads.service.js';

const PERMISSION = 'api.context.permissions.app_error';

describe('UploadsService', () => {
  let bed: ChannelsTestbed;
  let sessions: MemoryUploadSessions;
  let fileInfos: FileInfoRow[];
  let dir: string;
  let service: UploadsService;
  let member: Session;
  let nonMember: Session;
  let admin: Session;
  let channel: ChannelRow;

  beforeEach(() => {
    bed = new ChannelsTestbed();
    sessions = new MemoryUploadSessions();
    fileInfos = [];
    dir = mkdtempSync(join(tmpdir(), 'uploads-spec-'));
    const store = new LocalFileStore(dir);
    const infos = { insert: async (_tx: unknown, row: FileInfoRow) => void fileInfos.push(row) } as unknown as FileInfosRepository;
    service = new UploadsService(
      sessions.asRepository(),
      infos,
      bed.channels.asRepository(),
      bed.permissions,
      bed.configService,
      store,
      new FileIntake(store),
      memoryDatabase,
    );
    const team = bed.team();
    channel = bed.channel(team, 'O');
    const m = bed.user();
    const n = bed.user();
    bed.joinTeam(team, m.user.id);
    bed.joinTeam(team, n.user.id);
    bed.joinChannel(channel, m.user.id);
    [member, nonMember, admin] = [m.session, n.session, bed.user('system_user system_admin').session];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const create = (s: Session, over: Partial<{ channel_id: string; filename: string; file_size: number; type: string; user_id: string }> = {}) =>
    service.create(s, { channel_id: channel.id, filename: 'a.txt', file_size: 3, type: '', ...over });
  const chunk = (data: string, headers: Record<string, string> = {}) => ({
    headers: { 'content-length': String(Buffer.byteLength(data)), ...headers },
    body: Readable.from([Buffer.from(data)]),
  });
  const failure = async (call: Promise<unknown>) => {
    const err = await expectAppError(call);
    return [err.statusCode, err.id];
  };

  it('creating needs upload_file in the channel: a team member outside it is refused before the size is looked at', async () => {
    expect(await failure(create(nonMember, { file_size: 10 ** 12 }))).toEqual([403, PERMISSION]);
    expect(await failure(create(member, { file_size: bed.config.FileSettings.MaxFileSize + 1 }))).toEqual([
      413,
      'api.upload.create.upload_too_large.app_error',
    ]);
    const us = await create(member);
    expect(us).toMatchObject({ type: 'attachment', user_id: member.user_id, channel_id: channel.id, file_offset: 0, file_size: 3 });
    expect(sessions.rows.get(us.id)!.path).toMatch(new RegExp(`/channels/${channel.id}/users/${member.user_id}/${us.id}/a.txt$`));
  });

  it('a system admin passes the permission anywhere, so the channel itself is checked (400)', async () => {
    expect(await failure(create(admin, { channel_id: 'c'.repeat(26) }))).toEqual([400, 'app.upload.create.incorrect_channel_id.app_error']);
    expect(await failure(create(admin, { channel_id: 'bad' }))).toEqual([400, 'model.upload_session.is_valid.channel_id.app_error']);
    expect(await failure(create(member, { channel_id: 'bad' }))).toEqual([403, PERMISSION]);
    channel.delete_at = 1;
    expect(await failure(create(admin))).toEqual([400, 'app.upload.create.cannot_upload_to_deleted_channel.app_error']);
  });

  it('attachments off answer 501 first; import uploads are for system admins', async () => {
    bed.config.FileSettings.EnableFileAttachments = false;
    expect(await failure(create(nonMember))).toEqual([501, 'api.file.attachments.disabled.app_error']);
    bed.config.FileSettings.EnableFileAttachments = true;
    expect(await failure(create(member, { type: 'import' }))).toEqual([403, PERMISSION]);
    expect(await failure(create(admin, { type: 'import', file_size: bed.config.FileSettings.MaxFileSize + 1 }))).toEqual([
      413,
      'api.upload.create.upload_too_large.app_error',
    ]);
    expect(await failure(create(admin, { type: 'import', filename: '..' }))).toEqual([400, 'model.upload_session.is_valid.filename.app_error']);
  });

  it('an import upload: no channel, any system admin continues it, and the file lands as <ImportSettings.Directory>/<id>_<name> with no FileInfo row', async () => {
    const us = await create(admin, { type: 'import', channel_id: '', filename: 'some/dir/export.zip', file_size: 6 });
    expect(us).toMatchObject({ type: 'import', filename: 'export.zip', file_size: 6 });
    expect(us).not.toHaveProperty('channel_id');
    expect(await failure(service.upload(member, us.id, chunk('abc')))).toEqual([403, PERMISSION]);
    const other = bed.user('system_user system_admin').session;
    const info = await service.upload(other, us.id, chunk('abcdef'));
    expect(info).toMatchObject({ name: 'export.zip', size: 6, channel_id: '' });
    expect(readFileSync(join(dir, 'import', `${us.id}_export.zip`), 'utf8')).toBe('abcdef');
    expect(readdirSync(join(dir, 'import'))).toEqual([`${us.id}_export.zip`]);
    expect(fileInfos).toEqual([]);
  });

  it("reading a session: its creator or a system admin; someone else's is 403, a missing one 404", async () => {
    const us = await create(member);
    expect(await service.get(member, us.id)).toEqual(us);
    expect(await service.get(admin, us.id)).toEqual(us);
    expect(await failure(service.get(nonMember, us.id))).toEqual([403, 'api.upload.get_upload.forbidden.app_error']);
    expect(await failure(service.get(member, 'x'.repeat(26)))).toEqual([404, 'app.upload.get.app_error']);
  });

  it('listing sessions: only one’s own, whoever asks', async () => {
    const us = await create(member);
    expect(await service.forUser(member, member.user_id)).toEqual([us]);
    expect(await failure(service.forUser(admin, member.user_id))).toEqual([403, 'api.user.get_uploads_for_user.forbidden.app_error']);
  });

  it('over the local socket (no user): the session is the user_id the body names, "nouser" as mmctl --local sends; anyone\'s are listed there', async () => {
    const local = localSession();
    expect(await failure(create(local, { type: 'import', channel_id: '', filename: 'x.zip' }))).toEqual([
      400,
      'model.upload_session.is_valid.user_id.app_error',
    ]);
    const us = await create(local, { type: 'import', channel_id: '', filename: 'x.zip', user_id: 'nouser' });
    expect(us).toMatchObject({ type: 'import', user_id: 'nouser' });
    expect(await service.forUser(local, 'nouser')).toEqual([us]);
    expect(await service.get(local, us.id)).toEqual(us);
    // Anyone else's over the socket too (api4/user_local.go has no check); over TCP only one's own.
    const mine = await create(member);
    expect(await service.forUser(local, member.user_id)).toEqual([mine]);
    expect(await failure(service.forUser(admin, 'nouser'))).toEqual([403, 'api.user.get_uploads_for_user.forbidden.app_error']);
    // A signed-in caller's session is theirs, whatever the body says.
    expect(await create(admin, { type: 'import', channel_id: '', filename: 'y.zip', user_id: 'nouser' })).toMatchObject({ user_id: admin.user_id });
    const info = await service.upload(local, us.id, chunk('abc'));
    expect(info).toMatchObject({ name: 'x.zip', size: 3 });
  });

  it('sending data: the creator only (not even a system admin), and only while they may still upload to the channel', async () => {
    const us = await create(member);
    expect(await failure(service.upload(admin, us.id, chunk('abc')))).toEqual([403, PERMISSION]);
    expect(await failure(service.upload(nonMember, us.id, chunk('abc')))).toEqual([403, PERMISSION]);
    await bed.channelMembers.delete(channel.id, member.user_id);
    expect(await failure(service.upload(member, us.id, chunk('abc')))).toEqual([403, PERMISSION]);
    bed.joinChannel(channel, member.user_id);
    expect(await failure(service.upload(member, us.id, chunk('abcd')))).toEqual([400, 'api.upload.upload_data.invalid_content_length']);
    const info = await service.upload(member, us.id, chunk('abc'));
    expect(info).toMatchObject({ name: 'a.txt', size: 3, user_id: member.user_id, channel_id: channel.id });
    expect(fileInfos.map((r) => r.id)).toEqual([info!.id]);
    expect(sessions.rows.size).toBe(0);
    expect(await failure(service.upload(member, us.id, chunk('abc')))).toEqual([404, 'app.upload.get.app_error']);
  });
});
