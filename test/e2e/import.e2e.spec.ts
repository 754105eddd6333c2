/**
 * Bulk import (import_process), the counterpart of export_process: a server seeded with teams,
 * channels (public, private, archived), users with roles and preferences, posts, threads,
 * reactions, files, DMs and GMs is exported with its attachments; the archive is uploaded to a
 * second server on a fresh database through an upload session of type "import" (as mmctl import
 * upload does), listed by GET /imports, imported by the job, and every record the export carries
 * is compared field by field (import-compare.ts). Then: importing again adds nothing, a bad line
 * fails the job with its number and Mattermost's error id and writes nothing, a batch that fails
 * while writing leaves none of its lines, and the jobs CLI imports a zip from the disk.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client4 } from '@mattermost/client';
import type { Job } from '@mattermost/types/jobs';
import type { Post } from '@mattermost/types/posts';
import pg from 'pg';
import { LocalFileStore } from '#storage';
import { databaseUrl, expectClientError, sleep, startServer, TestServer, NewUser } from '#testing';
import { ZipWriter } from '../../apps/server/src/jobs/export/zip-writer.js';
import { Cast, PERMISSION, post, signUpCast, teamWithChannels, TeamWithChannels, uploadFile } from './fixtures.js';
import { diffSnapshots, snapshot, Snapshot } from './import-compare.js';

const FINISHED = ['success', 'error', 'canceled', 'warning'];

let source: TestServer;
let target: TestServer;
let cast: Cast;
let parts: TeamWithChannels;
let importer: NewUser;
let sourceDb: pg.Client;
let targetDb: pg.Client;
let archive: string;
let usernames: string[];
let before: Snapshot;
let imported: Job;

// ---- the Go client's upload calls (Client4 in JavaScript has none): through its own fetch ----
const createUpload = (c: Client4, body: Record<string, unknown>): Promise<{ id: string; type: string; filename: string }> =>
  (c as any).doFetch(`${c.getBaseRoute()}/uploads`, { method: 'post', body: JSON.stringify(body) });
async function uploadData(c: Client4, id: string, data: Buffer): Promise<{ status: number; info?: any }> {
  const { response, data: info } = await (c as any).doFetchWithResponse(`${c.getBaseRoute()}/uploads/${id}`, { method: 'post', body: new Uint8Array(data) });
  return { status: response.status, info: response.status === 204 ? undefined : info };
}
const listImports = (c: Client4): Promise<string[]> => (c as any).doFetch(`${c.getBaseRoute()}/imports`, { method: 'get' });
const deleteImport = (c: Client4, name: string): Promise<unknown> => (c as any).doFetch(`${c.getBaseRoute()}/imports/${name}`, { method: 'delete' });

async function runJob(c: Client4, type: string, data: Record<string, string>, timeoutMs = 60_000): Promise<Job> {
  const created = await c.createJob({ type, data } as any);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await c.getJob(created.id);
    if (FINISHED.includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${job.id} still ${job.status} after ${timeoutMs} ms`);
    await sleep(50);
  }
}

const importDir = () => join(target.dir, 'data', 'import');

/** Writes an archive with these lines (and files under data/) straight into the target's import folder. */
async function writeArchive(name: string, lines: unknown[], files: Record<string, Buffer> = {}): Promise<void> {
  const writer = await new LocalFileStore(join(target.dir, 'data')).openWriter(`import/${name}`);
  const zip = new ZipWriter(writer);
  const jsonl = await zip.entry('import.jsonl');
  await jsonl.write(lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l)) + '\n').join(''));
  await jsonl.end();
  for (const [path, bytes] of Object.entries(files)) {
    const e = await zip.entry(`data/${path}`);
    await e.write(bytes);
    await e.end();
  }
  await zip.finish();
  await writer.commit();
}

async function counts(db: pg.Client): Promise<Record<string, number>> {
  const tables = ['teams', 'channels', 'users', 'team_members', 'channel_members', 'posts', 'threads', 'reactions', 'file_infos', 'preferences'];
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = Number((await db.query(`SELECT count(*) AS n FROM ${t}`)).rows[0].n);
  return out;
}

beforeAll(async () => {
  source = await startServer();
  cast = await signUpCast(source);
  parts = await teamWithChannels(cast, {
    team: { name: 'import-team', display_name: 'Import Team' },
    pub: { name: 'import-pub', display_name: 'Import Public' },
    priv: { name: 'import-priv', display_name: 'Import Private' },
  });
  const { admin, alice, bob, carol, dave } = cast;
  // Roles: bob is team admin and admin of the public channel; a second, invite-only team with carol.
  await alice.client.updateTeamMemberSchemeRoles(parts.team.id, bob.user.id, true, true);
  await alice.client.updateChannelMemberSchemeRoles(parts.pub.id, bob.user.id, true, true);
  const other = await carol.client.createTeam({ name: 'import-other', display_name: 'Other Team', type: 'I', description: 'invite only' } as any);
  await alice.client.patchChannel(parts.pub.id, { header: 'the header', purpose: 'the purpose' } as any);
  // Profiles and preferences.
  await alice.client.patchMe({
    nickname: 'Al',
    first_name: 'Alice',
    last_name: 'Liddell',
    position: 'Lead',
    notify_props: { ...alice.user.notify_props, desktop: 'all', comments: 'any' },
  } as any);
  await bob.client.updateChannelNotifyProps({ channel_id: parts.pub.id, user_id: bob.user.id, desktop: 'all', push: 'none', mark_unread: 'mention' } as any);
  await bob.client.savePreferences(bob.user.id, [{ user_id: bob.user.id, category: 'favorite_channel', name: parts.priv.id, value: 'true' }]);
  // Posts, a thread, reactions, a pin, an edit, a flag, and files on a root and a reply.
  const photo = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#336699' } })
    .png()
    .toBuffer();
  const pic = await uploadFile(alice.client, parts.pub.id, 'photo.png', photo);
  const doc = await uploadFile(bob.client, parts.pub.id, 'notes.txt', 'some notes');
  const root = await post(alice.client, parts.pub.id, 'a root with a #tag and a photo', { file_ids: [pic.id], props: { custom: 'yes' } } as Partial<Post>);
  const reply = await post(bob.client, parts.pub.id, 'a reply with notes', { root_id: root.id, file_ids: [doc.id] } as Partial<Post>);
  await post(alice.client, parts.pub.id, 'a second reply', { root_id: root.id } as Partial<Post>);
  await bob.client.addReaction(bob.user.id, root.id, 'smile');
  await alice.client.addReaction(alice.user.id, reply.id, 'tada');
  await alice.client.pinPost(root.id);
  const edited = await post(bob.client, parts.priv.id, 'before the edit');
  await bob.client.patchPost({ id: edited.id, message: 'after the edit' } as Post);
  await bob.client.savePreferences(bob.user.id, [{ user_id: bob.user.id, category: 'flagged_post', name: root.id, value: 'true' }]);
  await post(carol.client, (await carol.client.getChannelByName(other.id, 'town-square')).id, 'on the other team');
  // An archived channel (the export leaves it out).
  const archived = await alice.client.createChannel({ team_id: parts.team.id, name: 'import-old', display_name: 'Old', type: 'O' } as any);
  await post(alice.client, archived.id, 'in an archived channel');
  await alice.client.deleteChannel(archived.id);
  // Direct and group messages, a DM header and favourite, a file in a DM, a deactivated user.
  await alice.client.patchChannel(parts.dm.id, { header: 'our dm' } as any);
  await alice.client.savePreferences(alice.user.id, [{ user_id: alice.user.id, category: 'favorite_channel', name: parts.dm.id, value: 'true' }]);
  const dmFile = await uploadFile(alice.client, parts.dm.id, 'direct.txt', 'for bob only');
  const dmRoot = await post(alice.client, parts.dm.id, 'hello bob', { file_ids: [dmFile.id] } as Partial<Post>);
  await post(bob.client, parts.dm.id, 'hello alice', { root_id: dmRoot.id } as Partial<Post>);
  await bob.client.addReaction(bob.user.id, dmRoot.id, 'wave');
  const gm = await alice.client.createGroupChannel([alice.user.id, bob.user.id, carol.user.id]);
  await post(carol.client, gm.id, 'hi group');
  const gone = await source.newUser();
  await alice.client.addToTeam(parts.team.id, gone.user.id);
  await admin.client.updateUserActive(gone.user.id, false);
  usernames = [admin, alice, bob, carol, dave, { user: gone.user }].map((u) => u.user.username);

  sourceDb = new pg.Client({ connectionString: databaseUrl(source.database) });
  await sourceDb.connect();
  const exported = await runJob(admin.client, 'export_process', { include_attachments: 'true' });
  expect(exported).toMatchObject({ status: 'success', data: { attachments_exported: '3' } });
  archive = join(source.dir, 'data', exported.data.export_file);
  before = await snapshot(sourceDb, join(source.dir, 'data'), usernames);

  target = await startServer();
  importer = await target.newUser();
  targetDb = new pg.Client({ connectionString: databaseUrl(target.database) });
  await targetDb.connect();
}, 240_000);

afterAll(async () => {
  await sourceDb?.end();
  await targetDb?.end();
  await source?.stop();
  await target?.stop();
});

describe('import_process: the round trip of an export', () => {
  it('uploads the archive with an upload session of type import; GET /imports lists it', async () => {
    const bytes = readFileSync(archive);
    const us = await createUpload(importer.client, { type: 'import', filename: 'mmchat-export.zip', file_size: bytes.length });
    expect(us).toMatchObject({ type: 'import', filename: 'mmchat-export.zip' });
    const done = await uploadData(importer.client, us.id, bytes);
    expect(done.status).toBe(200);
    expect(done.info).toMatchObject({ name: 'mmchat-export.zip', size: bytes.length });
    expect(await listImports(importer.client)).toEqual([`${us.id}_mmchat-export.zip`]);
    expect(readFileSync(join(importDir(), `${us.id}_mmchat-export.zip`)).equals(bytes)).toBe(true);

    const socket = await target.socket(importer.client);
    try {
      imported = await runJob(importer.client, 'import_process', { import_file: `${us.id}_mmchat-export.zip` });
      expect(imported, JSON.stringify(imported.data)).toMatchObject({ status: 'success', progress: 100 });
      // job_updated as for every job, the counts in its data.
      const done = await socket.waitFor('job_updated', (e) => JSON.parse(e.data.job).id === imported.id && JSON.parse(e.data.job).status === 'success');
      expect(JSON.parse(done.data.job).data).toMatchObject({ posts_imported: expect.any(String), lines_checked: expect.any(String) });
    } finally {
      socket.close();
    }
    // Imported, the file is removed, as Mattermost's worker does.
    expect(await listImports(importer.client)).toEqual([]);
  });

  it('carries every record the export has, field by field', async () => {
    const after = await snapshot(targetDb, join(target.dir, 'data'), usernames);
    expect(diffSnapshots(before, after)).toEqual([]);
    // The comparison is about something: each kind is there.
    expect(Object.keys(after.teams).sort()).toEqual(['import-other', 'import-team']);
    expect(after.channels['import-team/import-pub']).toMatchObject({ header: 'the header', purpose: 'the purpose', type: 'O' });
    expect(after.channels['import-team/import-priv']).toMatchObject({ type: 'P' });
    expect(after.teamMembers[`import-team/${cast.bob.user.username}`]).toMatchObject({ scheme_admin: true });
    expect(after.channelMembers[`import-team/import-pub/${cast.bob.user.username}`]).toMatchObject({
      scheme_admin: true,
      notify_props: { desktop: 'all', push: 'none', mark_unread: 'mention' },
    });
    expect(Object.keys(after.posts)).toHaveLength(8);
    expect(after.reactions).toHaveLength(3);
    expect(after.flags).toHaveLength(1);
    expect(Object.values(after.files)).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'photo.png', width: 40, height: 30, has_preview_image: true })]),
    );
    expect(Object.keys(after.files)).toHaveLength(3);
    expect(Object.keys(after.directChannels)).toHaveLength(2);
    expect(after.favorites).toHaveLength(2);
    // The deactivated user stays deactivated.
    expect(Number((after.users[usernames[5]] as { delete_at: string }).delete_at)).toBeGreaterThan(0);
    // What the export leaves out stays out: the archived channel and its post.
    expect(after.channels['import-team/import-old']).toBeUndefined();
    // The import analysed the tables it grew (autovacuum's own runs count as last_autoanalyze).
    const analysed = await targetDb.query(`SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL AND relname = ANY($1)`, [
      ['posts', 'channel_members', 'users'],
    ]);
    expect(analysed.rows.map((r) => r.relname).sort()).toEqual(['channel_members', 'posts', 'users']);
    expect(imported.data).toMatchObject({
      teams_imported: '2',
      users_imported: String(usernames.length),
      attachments_imported: '3',
      direct_channels_imported: '2',
    });
  });

  it('the imported server serves what it imported: threads, files, unread counts', async () => {
    const c = target.client();
    await c.login(importer.user.username, importer.password);
    const team = await c.getTeamByName('import-team');
    const pub = await c.getChannelByName(team.id, 'import-pub');
    expect(pub.total_msg_count).toBeGreaterThanOrEqual(3);
    const list = await c.getPosts(pub.id);
    const root = Object.values(list.posts).find((p) => p.message.startsWith('a root'))!;
    expect(root).toMatchObject({ reply_count: 2, is_pinned: true, has_reactions: true, props: { custom: 'yes' }, hashtags: '#tag' });
    const photo = await fetch(c.getFileThumbnailUrl(root.file_ids![0], 0), { headers: { Authorization: `Bearer ${c.getToken()}` } });
    expect(photo.status).toBe(200);
  });

  it('importing the same archive again adds nothing and changes nothing', async () => {
    const first = await counts(targetDb);
    mkdirSync(importDir(), { recursive: true });
    copyFileSync(archive, join(importDir(), 'again.zip'));
    const job = await runJob(importer.client, 'import_process', { import_file: 'again.zip' });
    expect(job.status, JSON.stringify(job.data)).toBe('success');
    expect(await counts(targetDb)).toEqual(first);
    expect(diffSnapshots(before, await snapshot(targetDb, join(target.dir, 'data'), usernames))).toEqual([]);
  });
});

describe('import_process: refusals', () => {
  it('a bad line fails the job with its line number and error id, and nothing of the file is written', async () => {
    await writeArchive('bad-line.zip', [
      { type: 'version', version: 1 },
      { type: 'team', team: { name: 'never-team', display_name: 'Never', type: 'O' } },
      { type: 'channel', channel: { team: 'never-team', name: 'never-chan', display_name: 'Never', type: 'O' } },
      { type: 'user', user: { username: 'neveruser', email: 'never@example.com' } },
      { type: 'post', post: { team: 'never-team', channel: 'never-chan', user: 'neveruser', message: 'x', create_at: 0 } },
    ]);
    const job = await runJob(importer.client, 'import_process', { import_file: 'bad-line.zip' });
    expect(job).toMatchObject({ status: 'error', data: { line_number: '5', error_id: 'app.import.validate_post_import_data.create_at_zero.error' } });
    expect(job.data.error).toContain('line 5');
    expect((await targetDb.query(`SELECT 1 FROM teams WHERE name = 'never-team'`)).rowCount).toBe(0);
    expect((await targetDb.query(`SELECT 1 FROM users WHERE username = 'neveruser'`)).rowCount).toBe(0);
    // A failed import keeps its file, for another try once fixed.
    expect(await listImports(importer.client)).toContain('bad-line.zip');
  });

  it('names a line that is not JSON, a post of a user nobody declared, and a file missing from data/', async () => {
    await writeArchive('not-json.zip', [{ type: 'version', version: 1 }, '{"type": "team", ']);
    expect((await runJob(importer.client, 'import_process', { import_file: 'not-json.zip' })).data).toMatchObject({
      line_number: '2',
      error_id: 'app.import.bulk_import.json_decode.error',
    });
    await writeArchive('no-user.zip', [
      { type: 'version', version: 1 },
      { type: 'post', post: { team: 'import-team', channel: 'import-pub', user: 'nobody-here', message: 'x', create_at: 5 } },
    ]);
    expect((await runJob(importer.client, 'import_process', { import_file: 'no-user.zip' })).data).toMatchObject({
      line_number: '2',
      error_id: 'app.import.import_post.user_not_found.error',
    });
    await writeArchive('no-file.zip', [
      { type: 'version', version: 1 },
      {
        type: 'post',
        post: { team: 'import-team', channel: 'import-pub', user: cast.alice.user.username, message: 'x', create_at: 5, attachments: [{ path: 'a/b.txt' }] },
      },
    ]);
    expect((await runJob(importer.client, 'import_process', { import_file: 'no-file.zip' })).data).toMatchObject({
      line_number: '2',
      error_id: 'app.import.validate_post_import_data.attachment.error',
    });
    const missing = await runJob(importer.client, 'import_process', { import_file: 'not-there.zip' });
    expect(missing).toMatchObject({ status: 'error', data: { error_id: 'import_process.worker.do_job.file_exists' } });
  });

  it('a batch that fails while writing leaves none of its lines; the batches before it stay', async () => {
    await writeArchive('clash.zip', [
      { type: 'version', version: 1 },
      { type: 'team', team: { name: 'batch-team', display_name: 'Batch', type: 'O' } },
      { type: 'user', user: { username: 'batchok', email: 'batchok@example.com', teams: [{ name: 'batch-team' }] } },
      // The importer's email: a second account cannot have it.
      { type: 'user', user: { username: 'batchclash', email: importer.user.email } },
    ]);
    const job = await runJob(importer.client, 'import_process', { import_file: 'clash.zip' });
    expect(job).toMatchObject({ status: 'error', data: { error_id: 'app.import.import_user.save_failed.error', line_number: '3', teams_imported: '1' } });
    expect((await targetDb.query(`SELECT 1 FROM teams WHERE name = 'batch-team'`)).rowCount).toBe(1);
    expect((await targetDb.query(`SELECT 1 FROM users WHERE username IN ('batchok', 'batchclash')`)).rowCount).toBe(0);
  });

  it('creating the job needs manage_jobs; the imports routes manage_system; DELETE /imports/{name} removes a file', async () => {
    const bob = await target.newUser();
    expect(await expectClientError(() => bob.client.createJob({ type: 'import_process', data: { import_file: 'x.zip' } } as any))).toMatchObject({
      status_code: 403,
      server_error_id: PERMISSION,
    });
    expect(await expectClientError(() => listImports(bob.client))).toMatchObject({ status_code: 403 });
    expect(await expectClientError(() => createUpload(bob.client, { type: 'import', filename: 'x.zip', file_size: 3 }))).toMatchObject({ status_code: 403 });
    expect(await expectClientError(() => deleteImport(importer.client, 'not-a-zip.txt'))).toMatchObject({ status_code: 400 });
    expect(await listImports(importer.client)).toContain('clash.zip');
    await deleteImport(importer.client, 'clash.zip');
    expect(await listImports(importer.client)).not.toContain('clash.zip');
    expect(existsSync(join(importDir(), 'clash.zip'))).toBe(false);
  });

  it('npm run jobs -- run import_process import_file=<path> imports a zip from the disk and leaves it there', async () => {
    const root = resolve(import.meta.dirname, '../..');
    const env = {
      ...process.env,
      MM_CONFIG: join(target.dir, 'config.json'),
      MM_SQLSETTINGS_DATASOURCE: databaseUrl(target.database),
      MM_FILESETTINGS_DIRECTORY: join(target.dir, 'data'),
    };
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((done) =>
      execFile(
        process.execPath,
        [join(root, 'dist/apps/server/src/jobs/cli.js'), 'run', 'import_process', `import_file=${archive}`],
        { cwd: dirname(archive), env, timeout: 120_000 },
        (err, stdout, stderr) => done({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      ),
    );
    expect(run.code, run.stderr).toBe(0);
    const job = JSON.parse(run.stdout) as Job;
    expect(job).toMatchObject({ type: 'import_process', status: 'success', data: { local_mode: 'true', import_file: archive } });
    expect(existsSync(archive)).toBe(true);
    // Nothing changed but for the team the failed batch test left behind.
    const diff = diffSnapshots(before, await snapshot(targetDb, join(target.dir, 'data'), usernames));
    expect(diff.filter((d) => !d.includes('batch-team'))).toEqual([]);
  });
});
