/**
 * Custom emoji through Mattermost's own Client4: creating (name rules, system names, size and type
 * checks, decompression bombs), listing, reading, the image, search and autocomplete, deleting
 * (who may), the emoji_added event on another user's socket, and a reaction with a custom emoji.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import type { CustomEmoji } from '@mattermost/types/emojis';
import { expectClientError } from '#testing';
import { PERMISSION, post, startChannelSuite, stopChannelSuite, type ChannelSuite } from './fixtures.js';

let s: ChannelSuite;
let smallPng: Buffer;

beforeAll(async () => {
  s = await startChannelSuite({
    team: { name: 'emoji-team', display_name: 'Emoji' },
    pub: { name: 'emoji-pub', display_name: 'Emoji public' },
    priv: { name: 'emoji-priv', display_name: 'Emoji private' },
  });
  smallPng = await png(32, 32);
});
afterAll(() => stopChannelSuite(s));

const png = (width: number, height: number, compressionLevel = 6) =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .png({ compressionLevel })
    .toBuffer();
const file = (data: Buffer, name = 'emoji.png', type = 'image/png') => new File([new Uint8Array(data)], name, { type });
const create = (who: ChannelSuite['alice'], name: string, data: Buffer = smallPng, type?: string) =>
  who.client.createCustomEmoji({ name, creator_id: who.user.id }, file(data, 'emoji', type));

describe('creating custom emoji', () => {
  it('creates one (201, Mattermost shape), serves its image and tells everyone with emoji_added', async () => {
    const emoji = await create(s.alice, 'party_parrot');
    expect(emoji).toEqual({
      id: expect.stringMatching(/^[a-z0-9]{26}$/),
      create_at: expect.any(Number),
      update_at: emoji.create_at,
      delete_at: 0,
      creator_id: s.alice.user.id,
      name: 'party_parrot',
      description: '',
    });
    // carol is on no team of alice's: custom emoji are server-wide.
    const ev = await s.sockets[2].waitFor('emoji_added', (e) => JSON.parse(e.data.emoji).name === 'party_parrot');
    expect(JSON.parse(ev.data.emoji)).toEqual(emoji);

    const res = await fetch(s.bob.client.getCustomEmojiImageUrl(emoji.id), { headers: { Authorization: `Bearer ${s.bob.client.getToken()}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer()).equals(smallPng)).toBe(true);
  });

  it('scales an image over 128 px down to fit 128×128 and keeps a GIF animated', async () => {
    const big = await create(s.alice, 'big_one', await png(400, 200));
    const res = await fetch(s.alice.client.getCustomEmojiImageUrl(big.id), { headers: { Authorization: `Bearer ${s.alice.client.getToken()}` } });
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 128, 64]);

    const black = await sharp({ create: { width: 300, height: 300, channels: 4, background: '#000' } })
      .png()
      .toBuffer();
    const white = await sharp({ create: { width: 300, height: 300, channels: 4, background: '#fff' } })
      .png()
      .toBuffer();
    const pages = await sharp([black, white], { join: { animated: true } })
      .gif({ loop: 0 })
      .toBuffer();
    const made = await create(s.alice, 'blinker', pages, 'image/gif');
    const stored = await fetch(s.alice.client.getCustomEmojiImageUrl(made.id), { headers: { Authorization: `Bearer ${s.alice.client.getToken()}` } });
    expect(stored.headers.get('content-type')).toBe('image/gif');
    const gmeta = await sharp(Buffer.from(await stored.arrayBuffer()), { animated: true }).metadata();
    expect([gmeta.pages, gmeta.width, gmeta.pageHeight]).toEqual([2, 128, 128]);
  });

  it('refuses a name already taken, bad names and system emoji names (400)', async () => {
    await create(s.alice, 'taken');
    const clash = await expectClientError(() => create(s.bob, 'taken'));
    expect([clash.status_code, clash.server_error_id]).toEqual([400, 'api.emoji.create.duplicate.app_error']);
    for (const name of ['', 'has space', 'x'.repeat(65), 'semi;colon', 'ünï']) {
      const bad = await expectClientError(() => create(s.alice, name));
      expect([bad.status_code, bad.server_error_id]).toEqual([400, 'model.emoji.name.app_error']);
    }
    for (const name of ['thumbsup', '+1', 'smile']) {
      const sys = await expectClientError(() => create(s.alice, name));
      expect([sys.status_code, sys.server_error_id]).toEqual([400, 'model.emoji.system_emoji_name.app_error']);
    }
  });

  it('refuses creating in another user’s name (403)', async () => {
    const err = await expectClientError(() => s.bob.client.createCustomEmoji({ name: 'not_mine', creator_id: s.alice.user.id }, file(smallPng)));
    expect([err.status_code, err.server_error_id]).toEqual([403, 'api.emoji.create.other_user.app_error']);
  });

  it('refuses an image over 1 MB (413), a text file (400), a PNG bomb and a truncated image (400), and stays up', async () => {
    const tooBig = await expectClientError(() => create(s.alice, 'too_big', Buffer.alloc((1 << 20) + 10, 7)));
    expect([tooBig.status_code, tooBig.server_error_id]).toEqual([413, 'api.emoji.create.too_large.app_error']);

    // Without a Content-Length (chunked), the form is cut off at 1 MB while it streams.
    const boundary = 'matrixboundary';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="emoji"\r\n\r\n${JSON.stringify({ name: 'chunked_big', creator_id: s.alice.user.id })}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="big.png"\r\nContent-Type: image/png\r\n\r\n`,
    );
    const chunks = [head, ...Array.from({ length: 24 }, () => Buffer.alloc(64 * 1024, 1)), Buffer.from(`\r\n--${boundary}--\r\n`)];
    const chunked = await fetch(`${s.server.url}/api/v4/emoji`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${s.alice.client.getToken()}`, 'Content-Type': `multipart/form-data; boundary=${boundary}` },
      body: new ReadableStream({
        pull(controller) {
          const next = chunks.shift();
          if (next) controller.enqueue(new Uint8Array(next));
          else controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(((await chunked.json()) as { id: string }).id).toBe('api.emoji.create.too_large.app_error');

    const text = await expectClientError(() => create(s.alice, 'text_file', Buffer.from('just some text, not an image\n'), 'text/plain'));
    expect([text.status_code, text.server_error_id]).toEqual([400, 'api.emoji.upload.image.app_error']);

    // 20 megapixels of one colour: a few kB of PNG that would be 60 MB once decoded.
    const bomb = await png(5000, 4000, 9);
    expect(bomb.length).toBeLessThan(1 << 20);
    const refused = await expectClientError(() => create(s.alice, 'png_bomb', bomb));
    expect([refused.status_code, refused.server_error_id]).toEqual([400, 'api.emoji.upload.large_image.too_large.app_error']);

    const truncated = await expectClientError(() => create(s.alice, 'truncated', smallPng.subarray(0, smallPng.length - 40)));
    expect([truncated.status_code, truncated.server_error_id]).toEqual([400, 'api.emoji.upload.image.app_error']);

    for (const name of ['png_bomb', 'chunked_big', 'too_big']) {
      const missing = await expectClientError(() => s.alice.client.getCustomEmojiByName(name));
      expect(missing.status_code).toBe(404);
    }
    expect((await s.alice.client.ping(false)).status).toBe('OK');
  });
});

describe('reading custom emoji', () => {
  let a: CustomEmoji;
  let b: CustomEmoji;
  beforeAll(async () => {
    b = await create(s.bob, 'zz_read_b');
    a = await create(s.alice, 'aa_read_a');
  });

  it('lists them by creation or by name, pages them, and reads one by id or name', async () => {
    const byName = await s.dave.client.getCustomEmojis(0, 200, 'name');
    const names = byName.map((e) => e.name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['aa_read_a', 'zz_read_b']));
    const byCreation = (await s.dave.client.getCustomEmojis(0, 200)).map((e) => e.name);
    expect(byCreation.indexOf('zz_read_b')).toBeLessThan(byCreation.indexOf('aa_read_a'));
    expect(await s.dave.client.getCustomEmojis(0, 1, 'name')).toHaveLength(1);
    expect(await s.dave.client.getCustomEmojis(1000, 60)).toEqual([]);
    const sort = await expectClientError(() => s.dave.client.getCustomEmojis(0, 10, 'create_at'));
    expect(sort.status_code).toBe(400);

    expect(await s.carol.client.getCustomEmoji(a.id)).toEqual(a);
    expect(await s.carol.client.getCustomEmojiByName('zz_read_b')).toEqual(b);
    const none = await expectClientError(() => s.carol.client.getCustomEmojiByName('no_such_emoji'));
    expect([none.status_code, none.server_error_id]).toEqual([404, 'app.emoji.get_by_name.no_result']);
    const byNames = await s.carol.client.getCustomEmojisByNames(['aa_read_a', 'no_such_emoji', 'zz_read_b']);
    expect(byNames.map((e) => e.name).sort()).toEqual(['aa_read_a', 'zz_read_b']);
  });

  it('searches (anywhere or by prefix) and autocompletes, with LIKE wildcards taken literally', async () => {
    expect((await s.bob.client.searchCustomEmoji('read')).map((e) => e.name).sort()).toEqual(['aa_read_a', 'zz_read_b']);
    expect((await s.bob.client.searchCustomEmoji('read', { prefix_only: true })).map((e) => e.name)).toEqual([]);
    expect((await s.bob.client.searchCustomEmoji('aa_', { prefix_only: true })).map((e) => e.name)).toEqual(['aa_read_a']);
    expect(await s.bob.client.searchCustomEmoji('%')).toEqual([]);
    expect((await s.bob.client.autocompleteCustomEmoji('zz_')).map((e) => e.name)).toEqual(['zz_read_b']);
    const empty = await expectClientError(() => s.bob.client.searchCustomEmoji(''));
    expect(empty.status_code).toBe(400);
  });
});

describe('deleting custom emoji and reacting with them', () => {
  it('lets the creator delete, not another user; an admin may', async () => {
    const mine = await create(s.bob, 'bobs_emoji');
    const denied = await expectClientError(() => s.dave.client.deleteCustomEmoji(mine.id));
    expect([denied.status_code, denied.server_error_id]).toEqual([403, PERMISSION]);
    expect(await s.bob.client.deleteCustomEmoji(mine.id)).toEqual({ status: 'OK' });
    const gone = await expectClientError(() => s.bob.client.getCustomEmoji(mine.id));
    expect(gone.status_code).toBe(404);
    const image = await fetch(s.bob.client.getCustomEmojiImageUrl(mine.id), { headers: { Authorization: `Bearer ${s.bob.client.getToken()}` } });
    expect(image.status).toBe(404);
    // The name is free again.
    const again = await create(s.dave, 'bobs_emoji');
    expect(await s.admin.client.deleteCustomEmoji(again.id)).toEqual({ status: 'OK' });
  });

  it('accepts a reaction with a custom emoji’s name', async () => {
    await create(s.alice, 'team_spirit');
    const p = await post(s.alice.client, s.pub.id, 'react to me');
    const reaction = await s.bob.client.addReaction(s.bob.user.id, p.id, 'team_spirit');
    expect(reaction.emoji_name).toBe('team_spirit');
    expect((await s.alice.client.getReactionsForPost(p.id)).map((r) => r.emoji_name)).toEqual(['team_spirit']);
  });

  it('answers 501 on every route while EnableCustomEmoji is off', async () => {
    await s.admin.client.patchConfig({ ServiceSettings: { EnableCustomEmoji: false } } as any);
    try {
      const off = await expectClientError(() => s.alice.client.getCustomEmojis(0, 60));
      expect([off.status_code, off.server_error_id]).toEqual([501, 'api.emoji.disabled.app_error']);
      const create501 = await expectClientError(() => create(s.alice, 'while_off'));
      expect(create501.status_code).toBe(501);
    } finally {
      await s.admin.client.patchConfig({ ServiceSettings: { EnableCustomEmoji: true } } as any);
    }
  });
});
