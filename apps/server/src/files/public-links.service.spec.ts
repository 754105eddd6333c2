import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalFileStore } from '#storage';
import { expectAppError } from '#testing';
import { ChannelsTestbed } from '../channels/in-memory-channels.js';
import type { Session } from '../common/session.js';
import type { PostAccess } from '../posts/post-access.service.js';
import { FileIntake } from './file-intake.service.js';
import type { FileInfosRepository } from './file-infos.repository.js';
import { FilesService } from './files.service.js';
import { MemoryFileInfos } from './in-memory-file-infos.js';
import { publicLinkHash, publicLinkMatches } from './public-links.js';
import { PublicLinksService } from './public-links.service.js';

const SALT = 's'.repeat(32);

describe('public link hashes', () => {
  it("are Mattermost's: SHA-256 over salt then file id, base64url without padding, compared whole", () => {
    const id = 'f'.repeat(26);
    const hash = createHash('sha256')
      .update(SALT + id)
      .digest('base64')
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
    expect(publicLinkHash(id, SALT)).toBe(hash);
    expect(publicLinkMatches(hash, id, SALT)).toBe(true);
    expect(publicLinkMatches(hash.slice(1), id, SALT)).toBe(false);
    expect(publicLinkMatches(`${hash}=`, id, SALT)).toBe(false);
    expect(publicLinkMatches(hash, id, `${SALT}x`)).toBe(false);
    expect(publicLinkMatches(hash, 'g'.repeat(26), SALT)).toBe(false);
  });
});

/** Who gets a public link, and when a link opens (api4/file.go getFileLink, getPublicFile). */
describe('PublicLinksService', () => {
  let bed: ChannelsTestbed;
  let table: MemoryFileInfos;
  let dir: string;
  let files: FilesService;
  let links: PublicLinksService;
  let member: Session, teammate: Session;
  let fileId: string;

  beforeEach(async () => {
    bed = new ChannelsTestbed();
    bed.config.FileSettings.EnablePublicLink = true;
    bed.config.FileSettings.PublicLinkSalt = SALT;
    table = new MemoryFileInfos();
    dir = mkdtempSync(join(tmpdir(), 'links-spec-'));
    const store = new LocalFileStore(dir);
    const repo = table as unknown as FileInfosRepository;
    files = new FilesService(repo, store, bed.permissions, bed.configService, undefined as unknown as PostAccess, new FileIntake(store));
    links = new PublicLinksService(files, repo, bed.configService);
    const team = bed.team();
    const [m, t] = [bed.user(), bed.user()];
    [member, teammate] = [m.session, t.session];
    bed.joinTeam(team, m.user.id);
    bed.joinTeam(team, t.user.id);
    const channel = bed.channel(team, 'P');
    bed.joinChannel(channel, m.user.id);
    const { file_infos } = await files.upload(member, {
      headers: { 'content-type': 'text/plain', 'content-length': '5' },
      body: Readable.from([Buffer.from('hello')]),
      query: { channel_id: channel.id, filename: 'a.txt' },
    });
    fileId = file_infos[0].id;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const attach = () => void (table.rows.get(fileId)!.post_id = 'p'.repeat(26));
  const failure = async (call: Promise<unknown>) => {
    const err = await expectAppError(call);
    return [err.statusCode, err.id];
  };

  it('a link is for readers of a file on a post, under SiteURL', async () => {
    expect(await failure(links.link(member, fileId, 'http://x'))).toEqual([400, 'api.file.get_public_link.no_post.app_error']);
    attach();
    expect(await failure(links.link(teammate, fileId, 'http://x'))).toEqual([403, 'api.context.permissions.app_error']);
    expect(await links.link(member, fileId, 'https://chat.example.com/')).toEqual({
      link: `https://chat.example.com/files/${fileId}/public?h=${publicLinkHash(fileId, SALT)}`,
    });
  });

  it('a link opens for anyone with the hash while links are on, the salt unchanged and the file not deleted', async () => {
    attach();
    const h = publicLinkHash(fileId, SALT);
    expect((await links.publicFile(fileId, h, undefined)).status).toBe(200);
    expect(await failure(links.publicFile(fileId, '', undefined))).toEqual([400, 'api.file.get_file.public_invalid.app_error']);
    bed.config.FileSettings.PublicLinkSalt = 't'.repeat(32);
    expect(await failure(links.publicFile(fileId, h, undefined))).toEqual([400, 'api.file.get_file.public_invalid.app_error']);
    bed.config.FileSettings.PublicLinkSalt = SALT;
    bed.config.FileSettings.EnablePublicLink = false;
    expect(await failure(links.publicFile(fileId, h, undefined))).toEqual([403, 'api.file.get_public_link.disabled.app_error']);
    expect(await failure(links.link(member, fileId, 'http://x'))).toEqual([403, 'api.file.get_public_link.disabled.app_error']);
    bed.config.FileSettings.EnablePublicLink = true;
    table.rows.get(fileId)!.delete_at = 1;
    expect(await failure(links.publicFile(fileId, h, undefined))).toEqual([404, 'app.file_info.get.app_error']);
  });
});
