/**
 * Profile pictures and team icons: POST/DELETE /users/{id}/image with GET serving the stored
 * picture or the generated default, and GET/POST/DELETE /teams/{id}/image; the events that make
 * other clients refresh; who may change them; and images the server must refuse with a clear 400
 * (not an image, a decompression bomb, a truncated JPEG) while staying up.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import type { Team } from '@mattermost/types/teams';
import { expectClientError, startServer, type NewUser, type TestServer } from '#testing';
import { PERMISSION } from './fixtures.js';

// 4K (3840×2160): a 20-megapixel image is over it. Mattermost's default is 7680×4320.
const MAX_IMAGE_RESOLUTION = 3840 * 2160;

let server: TestServer;
let admin: NewUser;
let alice: NewUser;
let bob: NewUser;
let team: Team;

beforeAll(async () => {
  server = await startServer({ MM_FILESETTINGS_MAXIMAGERESOLUTION: String(MAX_IMAGE_RESOLUTION) });
  admin = await server.newUser();
  alice = await server.newUser();
  bob = await server.newUser();
  team = await alice.client.createTeam({ name: 'pictures', display_name: 'Pictures', type: 'O' } as Team);
  await alice.client.addToTeam(team.id, bob.user.id);
}, 60_000);
afterAll(() => server?.stop());

const solid = (width: number, height: number, rgb: [number, number, number]) =>
  sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } });
const file = (data: Buffer, name: string, type: string) => new File([new Uint8Array(data)], name, { type });
const redJpeg = async () => file(await solid(300, 200, [255, 0, 0]).jpeg().toBuffer(), 'red.jpg', 'image/jpeg');

async function get(url: string, token: string): Promise<{ status: number; body: Buffer; headers: Headers }> {
  const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

async function centrePixel(png: Buffer): Promise<{ width?: number; height?: number; format?: string; rgb: number[] }> {
  const meta = await sharp(png).metadata();
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (Math.floor(info.height / 2) * info.width + Math.floor(info.width / 2)) * info.channels;
  return { width: meta.width, height: meta.height, format: meta.format, rgb: [data[at], data[at + 1], data[at + 2]] };
}

describe('profile pictures', () => {
  it('stores an upload as a 128×128 PNG, serves it, sets last_picture_update and tells other clients', async () => {
    const bobSocket = await server.socket(bob.client);
    const before = Date.now();
    await alice.client.uploadProfileImage(alice.user.id, await redJpeg());
    const me = await alice.client.getMe();
    expect(me.last_picture_update).toBeGreaterThanOrEqual(before);
    const event = await bobSocket.waitFor(
      'user_updated',
      (e) => e.data.user?.id === alice.user.id && e.data.user.last_picture_update === me.last_picture_update,
    );
    expect(event.data.user).not.toHaveProperty('password');
    bobSocket.close();

    const served = await get(bob.client.getProfilePictureUrl(alice.user.id, me.last_picture_update), bob.client.getToken());
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    const picture = await centrePixel(served.body);
    expect(picture).toMatchObject({ width: 128, height: 128, format: 'png' });
    expect(picture.rgb[0]).toBeGreaterThan(240);
    expect(picture.rgb[1]).toBeLessThan(15);

    // Mattermost's ETag is last_picture_update as it is; the apps and the Go client (load-test
    // agent: GetProfileImage(id, strconv.Itoa(lastPictureUpdate))) revalidate with that value.
    expect(served.headers.get('etag')).toBe(String(me.last_picture_update));
    expect(served.headers.get('cache-control')).toBe('max-age=86400, private');
    const again = await fetch(bob.client.getProfilePictureUrl(alice.user.id, me.last_picture_update), {
      headers: { Authorization: `Bearer ${bob.client.getToken()}`, 'If-None-Match': String(me.last_picture_update) },
    });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(String(me.last_picture_update));
    expect((await again.arrayBuffer()).byteLength).toBe(0);
    // An older picture's tag is not this one: the picture is sent again.
    const stale = await fetch(bob.client.getProfilePictureUrl(alice.user.id, me.last_picture_update), {
      headers: { Authorization: `Bearer ${bob.client.getToken()}`, 'If-None-Match': String(me.last_picture_update - 1) },
    });
    expect(stale.status).toBe(200);
    expect(Buffer.from(await stale.arrayBuffer()).equals(served.body)).toBe(true);
  });

  it('goes back to the generated default on DELETE, with a negative last_picture_update', async () => {
    await alice.client.uploadProfileImage(alice.user.id, await redJpeg());
    const bobSocket = await server.socket(bob.client);
    await alice.client.setDefaultProfileImage(alice.user.id);
    const me = await alice.client.getMe();
    expect(me.last_picture_update).toBeLessThan(0);
    await bobSocket.waitFor('user_updated', (e) => e.data.user?.id === alice.user.id && e.data.user.last_picture_update === me.last_picture_update);
    bobSocket.close();
    const served = await get(alice.client.getProfilePictureUrl(alice.user.id, me.last_picture_update), bob.client.getToken());
    const generated = await get(alice.client.getDefaultProfilePictureUrl(alice.user.id), bob.client.getToken());
    expect(served.status).toBe(200);
    expect(served.body.equals(generated.body)).toBe(true);
    expect(served.headers.get('etag')).toBe(String(me.last_picture_update));
    // The default's own route has no ETag to revalidate (getDefaultProfileImage).
    expect(generated.headers.get('etag')).toBeNull();
  });

  it('sends the default without an ETag, cached 5 minutes, when the stored picture cannot be read', async () => {
    await alice.client.uploadProfileImage(alice.user.id, await redJpeg());
    const me = await alice.client.getMe();
    // An operator moved the files away: GetProfileImage's readFailed answer, not a 500.
    await rm(join(server.dir, 'data', 'users', alice.user.id, 'profile.png'));
    const served = await get(alice.client.getProfilePictureUrl(alice.user.id, me.last_picture_update), bob.client.getToken());
    const generated = await get(alice.client.getDefaultProfilePictureUrl(alice.user.id), bob.client.getToken());
    expect(served.status).toBe(200);
    expect(served.body.equals(generated.body)).toBe(true);
    expect(served.headers.get('etag')).toBeNull();
    expect(served.headers.get('cache-control')).toBe('max-age=300, private');
  });

  it("is refused on someone else's account without edit_other_users, allowed for a system admin", async () => {
    const err = await expectClientError(async () => bob.client.uploadProfileImage(alice.user.id, await redJpeg()));
    expect([err.status_code, err.server_error_id]).toEqual([403, PERMISSION]);
    const del = await expectClientError(() => bob.client.setDefaultProfileImage(alice.user.id));
    expect([del.status_code, del.server_error_id]).toEqual([403, PERMISSION]);
    await admin.client.uploadProfileImage(bob.user.id, await redJpeg());
    expect((await bob.client.getMe()).last_picture_update).toBeGreaterThan(0);
  });

  it('refuses a text file, a request without the image and a 20-megapixel PNG bomb with a clear 400', async () => {
    const text = await expectClientError(() => alice.client.uploadProfileImage(alice.user.id, file(Buffer.from('not a picture\n'), 'a.png', 'image/png')));
    expect([text.status_code, text.server_error_id]).toEqual([400, 'api.user.upload_profile_user.decode.app_error']);

    const none = await expectClientError(() =>
      (alice.client as any).doFetch(`${alice.client.getUserRoute(alice.user.id)}/image`, { method: 'post', body: new FormData() }),
    );
    expect([none.status_code, none.server_error_id]).toEqual([400, 'api.user.upload_profile_user.no_file.app_error']);

    // 5000×4000 of one colour: a small file that would decode to 60 MB.
    const bomb = await solid(5000, 4000, [0, 0, 255]).png({ compressionLevel: 9 }).toBuffer();
    expect(bomb.length).toBeLessThan(1_000_000);
    const big = await expectClientError(() => alice.client.uploadProfileImage(alice.user.id, file(bomb, 'bomb.png', 'image/png')));
    expect([big.status_code, big.server_error_id]).toEqual([400, 'api.user.upload_profile_user.check_image_limits.app_error']);
    expect((await alice.client.getMe()).id).toBe(alice.user.id);
  });

  it('refuses a truncated JPEG with a clear 400 and keeps the last picture', async () => {
    await alice.client.uploadProfileImage(alice.user.id, await redJpeg());
    const before = (await alice.client.getMe()).last_picture_update;
    const jpeg = await solid(400, 300, [0, 255, 0]).jpeg().toBuffer();
    const cut = jpeg.subarray(0, Math.floor(jpeg.length / 2));
    const err = await expectClientError(() => alice.client.uploadProfileImage(alice.user.id, file(cut, 'cut.jpg', 'image/jpeg')));
    expect([err.status_code, err.server_error_id]).toEqual([400, 'api.user.upload_profile_user.decode.app_error']);
    const me = await alice.client.getMe();
    expect(me.last_picture_update).toBe(before);
    const served = await get(alice.client.getProfilePictureUrl(alice.user.id, me.last_picture_update), alice.client.getToken());
    expect((await centrePixel(served.body)).rgb[0]).toBeGreaterThan(240);
  });
});

describe('team icons', () => {
  it('has none at first (404), then stores, serves and announces one with update_team', async () => {
    const none = await get(alice.client.getTeamIconUrl(team.id, 0), bob.client.getToken());
    expect(none.status).toBe(404);
    expect(JSON.parse(none.body.toString()).id).toBe('api.team.get_team_icon.read_file.app_error');

    const bobSocket = await server.socket(bob.client);
    await alice.client.setTeamIcon(team.id, await redJpeg());
    const updated = await alice.client.getTeam(team.id);
    expect(updated.last_team_icon_update).toBeGreaterThan(0);
    const event = await bobSocket.waitFor('update_team', (e) => JSON.parse(e.data.team).id === team.id);
    expect(JSON.parse(event.data.team).last_team_icon_update).toBe(updated.last_team_icon_update);
    bobSocket.close();

    const served = await get(bob.client.getTeamIconUrl(team.id, updated.last_team_icon_update!), bob.client.getToken());
    expect(served.status).toBe(200);
    expect(await centrePixel(served.body)).toMatchObject({ width: 128, height: 128, format: 'png' });
    expect(served.headers.get('etag')).toBe(String(updated.last_team_icon_update));
    const again = await fetch(bob.client.getTeamIconUrl(team.id, updated.last_team_icon_update!), {
      headers: { Authorization: `Bearer ${bob.client.getToken()}`, 'If-None-Match': String(updated.last_team_icon_update) },
    });
    expect(again.status).toBe(304);
  });

  it('needs manage_team to set or remove, and removing brings back the 404', async () => {
    const set = await expectClientError(async () => bob.client.setTeamIcon(team.id, await redJpeg()));
    expect([set.status_code, set.server_error_id]).toEqual([403, PERMISSION]);
    const del = await expectClientError(() => bob.client.removeTeamIcon(team.id));
    expect([del.status_code, del.server_error_id]).toEqual([403, PERMISSION]);

    await alice.client.setTeamIcon(team.id, await redJpeg());
    const bobSocket = await server.socket(bob.client);
    await alice.client.removeTeamIcon(team.id);
    // The team JSON leaves out a zero last_team_icon_update (omitempty in model.Team).
    await bobSocket.waitFor('update_team', (e) => !JSON.parse(e.data.team).last_team_icon_update);
    bobSocket.close();
    expect((await alice.client.getTeam(team.id)).last_team_icon_update).toBeFalsy();
    expect((await get(alice.client.getTeamIconUrl(team.id, 0), alice.client.getToken())).status).toBe(404);
  });

  it('refuses a text file and a truncated JPEG with a clear 400', async () => {
    const text = await expectClientError(() => alice.client.setTeamIcon(team.id, file(Buffer.from('hello'), 'a.png', 'image/png')));
    expect([text.status_code, text.server_error_id]).toEqual([400, 'api.team.set_team_icon.decode.app_error']);
    const jpeg = await solid(400, 300, [0, 255, 0]).jpeg().toBuffer();
    const cut = await expectClientError(() => alice.client.setTeamIcon(team.id, file(jpeg.subarray(0, jpeg.length >> 1), 'cut.jpg', 'image/jpeg')));
    expect([cut.status_code, cut.server_error_id]).toEqual([400, 'api.team.set_team_icon.decode.app_error']);
  });
});
