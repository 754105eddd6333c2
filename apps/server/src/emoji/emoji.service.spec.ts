import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalFileStore } from '#storage';
import { expectAppError } from '#testing';
import { ChannelsTestbed } from '../channels/in-memory-channels.js';
import type { Session } from '../common/session.js';
import { EmojiService } from './emoji.service.js';
import { MemoryEmoji } from './in-memory-emoji.js';

const png = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: '#3a3' } })
    .png()
    .toBuffer();

describe('EmojiService', () => {
  let bed: ChannelsTestbed;
  let table: MemoryEmoji;
  let dir: string;
  let files: LocalFileStore;
  let service: EmojiService;
  let alice: Session;
  let bob: Session;
  let admin: Session;
  let small: Buffer;

  beforeEach(async () => {
    bed = new ChannelsTestbed();
    table = new MemoryEmoji();
    dir = mkdtempSync(join(tmpdir(), 'emoji-spec-'));
    files = new LocalFileStore(dir);
    service = new EmojiService(table.asRepository(), bed.permissions, bed.configService, bed.publisher, files);
    [alice, bob, admin] = [bed.user().session, bed.user().session, bed.user('system_user system_admin').session];
    small = await png(16, 16);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const create = (s: Session, name: string, image: Buffer = small, creator = s.user_id) =>
    service.create(s, async () => ({ emoji: JSON.stringify({ name, creator_id: creator }), image }));

  it('stores the image at emoji/<id>/image and tells everyone', async () => {
    const emoji = await create(alice, 'yay');
    expect((await files.readFile(`emoji/${emoji.id}/image`)).equals(small)).toBe(true);
    const ev = bed.events.find((e) => e.event === 'emoji_added')!;
    expect(ev.broadcast).toMatchObject({ user_id: '', channel_id: '', team_id: '' });
    expect(JSON.parse(ev.data.emoji as string)).toEqual(emoji);
  });

  it('does not read the body while custom emoji are off (501) or for someone else (403)', async () => {
    bed.config.ServiceSettings.EnableCustomEmoji = false;
    let read = false;
    const off = await expectAppError(
      service.create(alice, async () => {
        read = true;
        return {};
      }),
    );
    expect([off.statusCode, off.id, read]).toEqual([501, 'api.emoji.disabled.app_error', false]);
    bed.config.ServiceSettings.EnableCustomEmoji = true;
    const other = await expectAppError(create(bob, 'not_bobs', small, alice.user_id));
    expect([other.statusCode, other.id]).toEqual([403, 'api.emoji.create.other_user.app_error']);
  });

  it('refuses bad and system names, a taken name and a missing image, leaving nothing stored', async () => {
    await create(alice, 'mine');
    for (const [name, id] of [
      ['bad name', 'model.emoji.name.app_error'],
      ['heart', 'model.emoji.system_emoji_name.app_error'],
      ['mine', 'api.emoji.create.duplicate.app_error'],
    ]) {
      const err = await expectAppError(create(bob, name));
      expect([err.statusCode, err.id]).toEqual([400, id]);
    }
    const noImage = await expectAppError(service.create(bob, async () => ({ emoji: JSON.stringify({ name: 'no_image', creator_id: bob.user_id }) })));
    expect([noImage.statusCode, noImage.id]).toEqual([400, 'api.context.invalid_body_param.app_error']);
    expect((await expectAppError(create(bob, 'empty_image', Buffer.alloc(0)))).statusCode).toBe(400);
    expect(table.rows.size).toBe(1);
    expect(await files.list('emoji')).toHaveLength(1);
  });

  it('refuses an image over 1028 px a side from its header alone', async () => {
    const err = await expectAppError(create(alice, 'huge', await png(2000, 10)));
    expect([err.statusCode, err.id]).toEqual([400, 'api.emoji.upload.large_image.too_large.app_error']);
  });

  it('lets the creator delete, others only with delete_others_emojis; the image goes too', async () => {
    const emoji = await create(alice, 'gone_soon');
    const denied = await expectAppError(service.delete(bob, emoji.id));
    expect([denied.statusCode, denied.id]).toEqual([403, 'api.context.permissions.app_error']);
    await service.delete(alice, emoji.id);
    expect(await files.exists(`emoji/${emoji.id}/image`)).toBe(false);
    expect((await expectAppError(service.get(emoji.id))).statusCode).toBe(404);
    const again = await create(bob, 'gone_soon');
    await service.delete(admin, again.id);
  });

  it('caps names at 200 and checks sort, search term and autocomplete name', async () => {
    const many = await expectAppError(service.getByNames(Array.from({ length: 201 }, (_, i) => `n${i}`)));
    expect([many.statusCode, many.id]).toEqual([400, 'api.emoji.get_multiple_by_name_too_many.request.error']);
    expect((await expectAppError(service.list(0, 10, 'create_at'))).statusCode).toBe(400);
    expect((await expectAppError(service.search('', false))).statusCode).toBe(400);
    expect((await expectAppError(service.autocomplete(''))).statusCode).toBe(400);
  });
});
