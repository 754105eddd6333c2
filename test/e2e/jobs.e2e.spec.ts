/**
 * Jobs API (api4/job.go) on a single node with the in-process queue: permissions and errors of
 * every endpoint, job_updated to admins only, and each job type doing its real work.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client4 } from '@mattermost/client';
import type { Job } from '@mattermost/types/jobs';
import type { Post } from '@mattermost/types/posts';
import pg from 'pg';
import { exportLines, readZip } from '../jobs/zip-reader.js';
import { Cast, PERMISSION, post, signUpCast, teamWithChannels, TeamWithChannels, uploadFile } from './fixtures.js';
import { databaseUrl, expectClientError, sleep, startServer, startSmtpServer, SmtpHarness, TestServer, TestSocket } from '#testing';

let server: TestServer;
let smtp: SmtpHarness;
let cast: Cast;
let parts: TeamWithChannels;
let db: pg.Client;
let adminSocket: TestSocket;
let userSocket: TestSocket;

const DAY = 86_400_000;
const FINISHED = ['success', 'error', 'canceled', 'warning'];

beforeAll(async () => {
  smtp = await startSmtpServer();
  server = await startServer({
    ...smtp.env,
    MM_SERVICESETTINGS_ENABLEUSERACCESSTOKENS: 'true',
    MM_DATARETENTIONSETTINGS_ENABLEMESSAGEDELETION: 'true',
    MM_DATARETENTIONSETTINGS_ENABLEFILEDELETION: 'true',
    MM_DATARETENTIONSETTINGS_MESSAGERETENTIONDAYS: '30',
    MM_DATARETENTIONSETTINGS_FILERETENTIONDAYS: '30',
    MM_DATARETENTIONSETTINGS_BATCHSIZE: '7',
  });
  cast = await signUpCast(server);
  parts = await teamWithChannels(cast, {
    team: { name: 'jobs-team', display_name: 'Jobs Team' },
    pub: { name: 'jobs-pub', display_name: 'Jobs Public' },
    priv: { name: 'jobs-priv', display_name: 'Jobs Private' },
  });
  db = new pg.Client({ connectionString: databaseUrl(server.database) });
  await db.connect();
  adminSocket = await server.socket(cast.admin.client);
  userSocket = await server.socket(cast.bob.client);
});
afterAll(async () => {
  adminSocket?.close();
  userSocket?.close();
  await db?.end();
  await server?.stop();
  await smtp?.close();
});

const call = <T>(c: Client4, url: string, method = 'get', body?: unknown): Promise<T> =>
  (c as any).doFetch(url, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
const jobsRoute = (c: Client4) => c.getJobsRoute();

async function runJob(type: string, data: Record<string, string> = {}): Promise<Job> {
  const created = await cast.admin.client.createJob({ type, data } as any);
  return waitForJob(created.id);
}

async function waitForJob(id: string, statuses = FINISHED, timeoutMs = 20_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await cast.admin.client.getJob(id);
    if (statuses.includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status} after ${timeoutMs} ms`);
    await sleep(50);
  }
}

const jobOf = (e: { data: Record<string, any> }) => JSON.parse(e.data.job) as Job;

describe('POST /jobs and the job life cycle', () => {
  it('creates a job (201, pending or later), runs it, and tells admins — only admins — each status change', async () => {
    const created = await cast.admin.client.createJob({ type: 'cleanup_expired_sessions', data: { note: 'hello' } } as any);
    expect(created).toMatchObject({ type: 'cleanup_expired_sessions', priority: 0, data: { note: 'hello' } });
    expect(created.id).toHaveLength(26);
    expect(created.create_at).toBeGreaterThan(0);
    const done = await waitForJob(created.id);
    expect(done).toMatchObject({ id: created.id, status: 'success', progress: 100 });
    expect(done.start_at).toBeGreaterThanOrEqual(created.create_at);
    expect(done.data).toMatchObject({ note: 'hello', deleted_sessions: '0' });

    const started = await adminSocket.waitFor('job_updated', (e) => jobOf(e).id === created.id && jobOf(e).status === 'in_progress');
    const success = await adminSocket.waitFor('job_updated', (e) => jobOf(e).id === created.id && jobOf(e).status === 'success');
    expect(typeof success.data.job).toBe('string');
    expect(success.broadcast).toMatchObject({ user_id: '', channel_id: '', team_id: '', contains_sensitive_data: true });
    expect(jobOf(started).type).toBe('cleanup_expired_sessions');
    await userSocket.expectNone('job_updated', () => true, 300);
  });

  it('refuses non-admins (403) and anonymous callers (401)', async () => {
    const err = await expectClientError(() => cast.bob.client.createJob({ type: 'export_process' } as any));
    expect(err).toMatchObject({ status_code: 403, server_error_id: PERMISSION });
    const dr = await expectClientError(() => cast.bob.client.createJob({ type: 'data_retention' } as any));
    expect(dr).toMatchObject({ status_code: 403, server_error_id: PERMISSION });
    const anon = await expectClientError(() => server.client().createJob({ type: 'export_process' } as any));
    expect(anon.status_code).toBe(401);
  });

  it('refuses a type the API does not allow, a type this server has no worker for, and malformed bodies (400)', async () => {
    const unknown = await expectClientError(() => cast.admin.client.createJob({ type: 'not_a_type' } as any));
    expect(unknown).toMatchObject({ status_code: 400, server_error_id: 'api.job.unable_to_create_job.incorrect_job_type' });
    const missing = await expectClientError(() => call(cast.admin.client, jobsRoute(cast.admin.client), 'post', {}));
    expect(missing).toMatchObject({ status_code: 400, server_error_id: 'api.job.unable_to_create_job.incorrect_job_type' });
    const noWorker = await expectClientError(() => cast.admin.client.createJob({ type: 'message_export' } as any));
    expect(noWorker).toMatchObject({ status_code: 400, server_error_id: 'model.job.is_valid.type.app_error' });
    for (const body of [[], 'x', { type: 7 }, { type: 'export_process', data: { n: 1 } }, { type: 'export_process', data: ['a'] }]) {
      const bad = await expectClientError(() => call(cast.admin.client, jobsRoute(cast.admin.client), 'post', body));
      expect(bad, JSON.stringify(body)).toMatchObject({ status_code: 400, server_error_id: 'api.context.invalid_body_param.app_error' });
    }
  });
});

describe('GET /jobs, /jobs/{id}, /jobs/type/{type}', () => {
  let job: Job;
  beforeAll(async () => {
    job = await runJob('cleanup_expired_access_tokens');
  });

  it('gets one job; 404 for an unknown id, 400 for a malformed one, 403 for non-admins', async () => {
    expect(await cast.admin.client.getJob(job.id)).toEqual(job);
    const missing = await expectClientError(() => cast.admin.client.getJob('a'.repeat(26)));
    expect(missing).toMatchObject({ status_code: 404, server_error_id: 'app.job.get.app_error' });
    const malformed = await expectClientError(() => cast.admin.client.getJob('abc'));
    expect(malformed).toMatchObject({ status_code: 400, server_error_id: 'api.context.invalid_url_param.app_error' });
    const denied = await expectClientError(() => cast.bob.client.getJob(job.id));
    expect(denied).toMatchObject({ status_code: 403, server_error_id: PERMISSION });
  });

  it('lists jobs newest first, filtered by type and status, paged', async () => {
    const newer = await runJob('cleanup_expired_access_tokens');
    const all = await cast.admin.client.getJobs(0, 200);
    const ids = all.map((j) => j.id);
    expect(ids.indexOf(newer.id)).toBeLessThan(ids.indexOf(job.id));
    const byType = await cast.admin.client.getJobsByType('cleanup_expired_access_tokens' as any, 0, 200);
    expect(byType.map((j) => j.id)).toEqual(expect.arrayContaining([job.id, newer.id]));
    expect(byType.every((j) => (j.type as string) === 'cleanup_expired_access_tokens')).toBe(true);
    const page = await cast.admin.client.getJobsByType('cleanup_expired_access_tokens' as any, 0, 1);
    expect(page.map((j) => j.id)).toEqual([newer.id]);
    const viaQuery = await call<Job[]>(cast.admin.client, `${jobsRoute(cast.admin.client)}?job_type=cleanup_expired_access_tokens&status=success&per_page=200`);
    expect(viaQuery.map((j) => j.id)).toEqual(expect.arrayContaining([job.id, newer.id]));
    const noneCanceled = await call<Job[]>(cast.admin.client, `${jobsRoute(cast.admin.client)}?job_type=cleanup_expired_access_tokens&status=canceled`);
    expect(noneCanceled).toEqual([]);
  });

  it('refuses bad filters and non-admins', async () => {
    const badType = await expectClientError(() => call(cast.admin.client, `${jobsRoute(cast.admin.client)}?job_type=nope`));
    expect(badType).toMatchObject({ status_code: 400, server_error_id: 'api.context.invalid_url_param.app_error' });
    const badStatus = await expectClientError(() => call(cast.admin.client, `${jobsRoute(cast.admin.client)}?status=bogus`));
    expect(badStatus).toMatchObject({ status_code: 400, server_error_id: 'api.job.status.invalid' });
    const noPermissionType = await expectClientError(() => cast.admin.client.getJobsByType('no_such_type' as any));
    expect(noPermissionType).toMatchObject({ status_code: 400, server_error_id: 'api.job.retrieve.nopermissions' });
    const listDenied = await expectClientError(() => cast.bob.client.getJobs());
    expect(listDenied).toMatchObject({ status_code: 403, server_error_id: PERMISSION });
    const typeDenied = await expectClientError(() => cast.bob.client.getJobsByType('data_retention'));
    expect(typeDenied).toMatchObject({ status_code: 403, server_error_id: PERMISSION });
  });
});

describe('POST /jobs/{id}/cancel', () => {
  it('stops a running job, which ends canceled', async () => {
    // Enough old posts, deleted 7 at a time, that the job is still running when the cancel arrives.
    const channel = (await cast.alice.client.createChannel({ team_id: parts.team.id, name: 'jobs-bulk', display_name: 'Bulk', type: 'O' } as any)).id;
    await db.query(
      `INSERT INTO posts (id, create_at, update_at, user_id, channel_id, message)
       SELECT substr(md5(random()::text || i), 1, 26), $1::bigint - i, $1::bigint - i, $2, $3, 'bulk ' || i FROM generate_series(1, 5000) i`,
      [Date.now() - 100 * DAY, cast.alice.user.id, channel],
    );
    const created = await cast.admin.client.createJob({ type: 'data_retention' } as any);
    await waitForJob(created.id, ['in_progress']);
    expect(await cast.admin.client.cancelJob(created.id)).toEqual({ status: 'OK' });
    const done = await waitForJob(created.id);
    expect(done.status).toBe('canceled');
    await adminSocket.waitFor('job_updated', (e) => jobOf(e).id === created.id && jobOf(e).status === 'cancel_requested');
    await adminSocket.waitFor('job_updated', (e) => jobOf(e).id === created.id && jobOf(e).status === 'canceled');
    const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM posts WHERE channel_id = $1`, [channel])).rows;
    expect(n).toBeGreaterThan(0); // it stopped before the end

    const again = await expectClientError(() => cast.admin.client.cancelJob(created.id));
    expect(again).toMatchObject({ status_code: 400, server_error_id: 'jobs.request_cancellation.status.error' });
    // Finish the deletion so the other suites start from a clean slate.
    expect((await runJob('data_retention')).status).toBe('success');
  });

  it('cancels a pending job at once', async () => {
    // A job that is pending in the table (as one created while the queue was unreachable).
    const id = 'pend1ngjob' + 'x'.repeat(16);
    await db.query(`INSERT INTO jobs (id, type, create_at, status, data) VALUES ($1, 'export_process', $2, 'pending', '{}')`, [id, Date.now() + 60_000]);
    await cast.admin.client.cancelJob(id);
    expect((await cast.admin.client.getJob(id)).status).toBe('canceled');
  });

  it('refuses non-admins, unknown and malformed ids', async () => {
    const job = await runJob('cleanup_expired_sessions');
    const denied = await expectClientError(() => cast.bob.client.cancelJob(job.id));
    expect(denied).toMatchObject({ status_code: 403, server_error_id: PERMISSION });
    const unknown = await expectClientError(() => cast.admin.client.cancelJob('b'.repeat(26)));
    expect(unknown).toMatchObject({ status_code: 404, server_error_id: 'app.job.get.app_error' });
    const malformed = await expectClientError(() => cast.admin.client.cancelJob('short'));
    expect(malformed).toMatchObject({ status_code: 400, server_error_id: 'api.context.invalid_url_param.app_error' });
  });
});

describe('export_process', () => {
  it('writes teams, channels, users, posts and direct messages as Mattermost JSONL in a zip in the file store', async () => {
    const root = await post(cast.alice.client, parts.pub.id, 'root for export');
    await post(cast.bob.client, parts.pub.id, 'a reply', { root_id: root.id } as Partial<Post>);
    await cast.bob.client.addReaction(cast.bob.user.id, root.id, 'smile');
    await post(cast.alice.client, parts.priv.id, 'private words');
    await post(cast.alice.client, parts.dm.id, 'hello bob, directly');

    const job = await runJob('export_process');
    expect(job).toMatchObject({ status: 'success', progress: 100 });
    expect(job.data.export_file).toBe(`export/${job.id}_export.zip`);
    const file = join(server.dir, 'data', job.data.export_file);
    const lines = exportLines(readFileSync(file));
    expect(Number(job.data.export_size)).toBe(readFileSync(file).length);

    expect(lines[0]).toMatchObject({ type: 'version', version: 1 });
    const kinds = lines.map((l) => l.type);
    // The order an import needs.
    const order = ['version', 'team', 'channel', 'user', 'post', 'direct_channel', 'direct_post'];
    expect([...new Set(kinds)]).toEqual(order);
    expect(lines.find((l) => l.type === 'team' && l.team.name === 'jobs-team')?.team).toMatchObject({
      name: 'jobs-team',
      display_name: 'Jobs Team',
      type: 'O',
      description: '',
    });
    expect(lines.filter((l) => l.type === 'channel').map((l) => l.channel.name)).toEqual(expect.arrayContaining(['jobs-pub', 'jobs-priv', 'town-square']));
    const bobLine = lines.find((l) => l.type === 'user' && l.user.username === cast.bob.user.username)!.user;
    expect(bobLine.email).toBe(cast.bob.user.email);
    const bobTeam = bobLine.teams.find((t: any) => t.name === 'jobs-team');
    expect(bobTeam.channels.map((c: any) => c.name)).toEqual(expect.arrayContaining(['jobs-pub', 'jobs-priv']));
    expect(JSON.stringify(bobLine)).not.toContain('password');

    const rootLine = lines.find((l) => l.type === 'post' && l.post.message === 'root for export')!.post;
    expect(rootLine).toMatchObject({ team: 'jobs-team', channel: 'jobs-pub', user: cast.alice.user.username, create_at: root.create_at });
    expect(rootLine.replies).toEqual([expect.objectContaining({ user: cast.bob.user.username, message: 'a reply' })]);
    expect(rootLine.reactions).toEqual([expect.objectContaining({ user: cast.bob.user.username, emoji_name: 'smile' })]);
    // Replies are inside their root, never on their own line; each post appears once.
    expect(lines.filter((l) => l.type === 'post' && l.post.message === 'a reply')).toEqual([]);
    expect(lines.filter((l) => l.type === 'post' && l.post.message === 'root for export')).toHaveLength(1);

    const dmMembers = [cast.alice.user.username, cast.bob.user.username].sort();
    expect(lines.find((l) => l.type === 'direct_channel')?.direct_channel.members).toEqual(dmMembers);
    expect(lines.find((l) => l.type === 'direct_post')?.direct_post).toMatchObject({
      channel_members: dmMembers,
      user: cast.alice.user.username,
      message: 'hello bob, directly',
    });
    expect(job.data).toMatchObject({ teams_exported: '1', direct_posts_exported: '1' });
    expect(Number(job.data.posts_exported)).toBe(lines.filter((l) => l.type === 'post').length);
  });
});

describe('export_process with attachments', () => {
  const archive = (job: Job) => readFileSync(join(server.dir, 'data', job.data.export_file));
  const dataEntries = (zip: Map<string, Buffer>) => [...zip.keys()].filter((n) => n.startsWith('data/')).sort();
  const pathOf = async (id: string) => (await db.query<{ path: string }>('SELECT path FROM file_infos WHERE id = $1', [id])).rows[0].path;

  it('names the files of posts, replies and direct posts by store path and streams each into data/<path>, byte for byte; without the flag, none', async () => {
    const photo = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#117733' } })
      .png()
      .toBuffer();
    const blob = randomBytes(300_000);
    const a = await uploadFile(cast.alice.client, parts.pub.id, 'photo.png', photo);
    const b = await uploadFile(cast.bob.client, parts.pub.id, 'data.bin', blob);
    const c = await uploadFile(cast.alice.client, parts.dm.id, 'direct.txt', 'for bob only');
    const root = await post(cast.alice.client, parts.pub.id, 'root with a photo', { file_ids: [a.id] } as Partial<Post>);
    await post(cast.bob.client, parts.pub.id, 'reply with data', { root_id: root.id, file_ids: [b.id] } as Partial<Post>);
    await post(cast.alice.client, parts.dm.id, 'direct with a file', { file_ids: [c.id] } as Partial<Post>);
    // A file of a deleted post is not exported.
    const d = await uploadFile(cast.alice.client, parts.pub.id, 'deleted.txt', 'gone with its post');
    const deleted = await post(cast.alice.client, parts.pub.id, 'deleted, with a file', { file_ids: [d.id] } as Partial<Post>);
    await cast.alice.client.deletePost(deleted.id);
    const paths = { a: await pathOf(a.id), b: await pathOf(b.id), c: await pathOf(c.id) };

    const job = await runJob('export_process', { include_attachments: 'true' });
    expect(job).toMatchObject({ status: 'success', progress: 100 });
    expect(job.data).toMatchObject({ include_attachments: 'true', attachments_exported: '3' });
    expect(job.data.num_warnings).toBeUndefined();
    const zip = readZip(archive(job));
    const lines = exportLines(archive(job));
    const rootLine = lines.find((l) => l.type === 'post' && l.post.message === 'root with a photo')!.post;
    expect(rootLine.attachments).toEqual([{ path: paths.a }]);
    expect(rootLine.replies).toEqual([expect.objectContaining({ message: 'reply with data', attachments: [{ path: paths.b }] })]);
    expect(lines.find((l) => l.type === 'direct_post' && l.direct_post.message === 'direct with a file')!.direct_post.attachments).toEqual([{ path: paths.c }]);
    expect(dataEntries(zip)).toEqual([`data/${paths.a}`, `data/${paths.b}`, `data/${paths.c}`].sort());
    expect(zip.get(`data/${paths.a}`)!.equals(photo)).toBe(true);
    expect(zip.get(`data/${paths.b}`)!.equals(blob)).toBe(true);
    expect(zip.get(`data/${paths.c}`)!.toString()).toBe('for bob only');
    expect(zip.has('warnings.txt')).toBe(false);

    const plain = await runJob('export_process');
    expect(plain.status).toBe('success');
    expect(plain.data.attachments_exported).toBeUndefined();
    expect(dataEntries(readZip(archive(plain)))).toEqual([]);
    const plainLines = exportLines(archive(plain));
    expect(plainLines.find((l) => l.type === 'post' && l.post.message === 'root with a photo')!.post).not.toHaveProperty('attachments');
    expect(plainLines.find((l) => l.type === 'direct_post' && l.direct_post.message === 'direct with a file')!.direct_post.attachments).toBeNull();
  });

  it('npm run jobs -- run export_process --attachments (mmctl export create --attachments) writes the files too', async () => {
    // The jobs CLI on the server's database and folder: it runs the job in its own process.
    const cli = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
        const root = resolve(import.meta.dirname, '../..');
        const env = {
          ...process.env,
          MM_CONFIG: join(server.dir, 'config.json'),
          MM_SQLSETTINGS_DATASOURCE: databaseUrl(server.database),
          MM_FILESETTINGS_DIRECTORY: join(server.dir, 'data'),
        };
        execFile(process.execPath, [join(root, 'dist/apps/server/src/jobs/cli.js'), ...args], { cwd: root, env, timeout: 60_000 }, (err, stdout, stderr) =>
          done({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
        );
      });
    const run = await cli('run', 'export_process', '--attachments');
    expect(run.code, run.stderr).toBe(0);
    const job = JSON.parse(run.stdout) as Job;
    expect(job).toMatchObject({ type: 'export_process', status: 'success', data: { include_attachments: 'true', attachments_exported: '3' } });
    expect(dataEntries(readZip(archive(job)))).toHaveLength(3);
    const unknown = await cli('run', 'export_process', '--nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown flag --nope');
  });

  it('leaves out a file whose bytes are gone, and names it in warnings.txt (num_warnings)', async () => {
    const lost = await uploadFile(cast.alice.client, parts.pub.id, 'lost.txt', 'soon without bytes');
    await post(cast.alice.client, parts.pub.id, 'a post whose file lost its bytes', { file_ids: [lost.id] } as Partial<Post>);
    const lostPath = await pathOf(lost.id);
    rmSync(join(server.dir, 'data', lostPath));

    const job = await runJob('export_process', { include_attachments: 'true' });
    expect(job.status).toBe('success');
    expect(job.data).toMatchObject({ attachments_exported: '3', num_warnings: '1' });
    const zip = readZip(archive(job));
    expect(zip.has(`data/${lostPath}`)).toBe(false);
    expect(zip.get('warnings.txt')!.toString()).toContain(`attachment ${lostPath} left out`);
    const line = exportLines(archive(job)).find((l) => l.type === 'post' && l.post.message === 'a post whose file lost its bytes')!.post;
    expect(line.attachments).toEqual([{ path: lostPath }]);
  });
});

describe('data_retention', () => {
  it('deletes posts older than MessageRetentionDays in batches, with their reactions, and day folders older than FileRetentionDays', async () => {
    const old = await post(cast.alice.client, parts.pub.id, 'an old post');
    await cast.bob.client.addReaction(cast.bob.user.id, old.id, 'ghost');
    const oldReply = await post(cast.bob.client, parts.pub.id, 'an old reply', { root_id: old.id } as Partial<Post>);
    const kept = await post(cast.alice.client, parts.pub.id, 'a recent post');
    const olds = [old.id, oldReply.id];
    for (let i = 0; i < 12; i++) olds.push((await post(cast.alice.client, parts.priv.id, `old ${i}`)).id);
    await db.query('UPDATE posts SET create_at = $2 WHERE id = ANY($1)', [olds, Date.now() - 31 * DAY]);

    const files = join(server.dir, 'data');
    const oldDay = join(files, '20000102', 'teams', 'x');
    const recent = new Date();
    const recentDay = join(files, `${recent.getFullYear()}${String(recent.getMonth() + 1).padStart(2, '0')}${String(recent.getDate()).padStart(2, '0')}`);
    mkdirSync(oldDay, { recursive: true });
    writeFileSync(join(oldDay, 'file.txt'), 'old attachment');
    mkdirSync(recentDay, { recursive: true });
    writeFileSync(join(recentDay, 'file.txt'), 'new attachment');
    mkdirSync(join(files, '1999-not-a-day'), { recursive: true });

    const job = await runJob('data_retention');
    expect(job).toMatchObject({ status: 'success', progress: 100 });
    expect(job.data).toMatchObject({ deleted_posts: String(olds.length), deleted_reactions: '1', deleted_file_folders: '1', message_deletion: 'true' });

    for (const id of olds) {
      const gone = await expectClientError(() => cast.alice.client.getPost(id));
      expect(gone.status_code).toBe(404);
    }
    expect((await cast.alice.client.getPost(kept.id)).message).toBe('a recent post');
    const [{ n }] = (await db.query('SELECT count(*)::int AS n FROM reactions WHERE post_id = $1', [old.id])).rows;
    expect(n).toBe(0);
    expect(existsSync(join(files, '20000102'))).toBe(false);
    expect(existsSync(join(recentDay, 'file.txt'))).toBe(true);
    expect(existsSync(join(files, '1999-not-a-day'))).toBe(true); // not a day folder: untouched

    // Nothing left to do: a second run deletes nothing.
    expect((await runJob('data_retention')).data).toMatchObject({ deleted_posts: '0', deleted_file_folders: '0' });
  });

  it('deletes files older than FileRetentionDays and the files of deleted posts — rows and bytes, thumbnail and preview with the folder — and keeps newer ones', async () => {
    const data = join(server.dir, 'data');
    const png = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#3366aa' } })
      .png()
      .toBuffer();
    const up = (name: string, bytes: Buffer | string) => uploadFile(cast.alice.client, parts.pub.id, name, bytes);
    const oldImage = await up('old.png', png); // old, on a recent post
    const oldLoose = await up('never-posted.txt', 'old and never posted');
    const bytesGone = await up('bytes-gone.txt', 'a run removed my bytes, then crashed');
    const recent = await up('recent.txt', 'recent, on a recent post');
    const recentLoose = await up('recent-loose.txt', 'recent, never posted');
    const ofOldPost = await up('of-old-post.txt', 'recent, on an old post');
    const keptPost = await post(cast.alice.client, parts.pub.id, 'recent, with files', { file_ids: [oldImage.id, recent.id] } as Partial<Post>);
    const oldPost = await post(cast.alice.client, parts.pub.id, 'old, with a file', { file_ids: [ofOldPost.id] } as Partial<Post>);
    await db.query('UPDATE posts SET create_at = $2 WHERE id = $1', [oldPost.id, Date.now() - 31 * DAY]);
    await db.query('UPDATE file_infos SET create_at = $2 WHERE id = ANY($1)', [[oldImage.id, oldLoose.id, bytesGone.id], Date.now() - 31 * DAY]);

    type Paths = { id: string; path: string; thumbnail_path: string; preview_path: string };
    const paths = new Map<string, Paths>(
      (
        await db.query<Paths>('SELECT id, path, thumbnail_path, preview_path FROM file_infos WHERE id = ANY($1)', [
          [oldImage, oldLoose, bytesGone, recent, recentLoose, ofOldPost].map((f) => f.id),
        ])
      ).rows.map((r) => [r.id, r]),
    );
    const image = paths.get(oldImage.id)!;
    for (const p of [image.path, image.thumbnail_path, image.preview_path]) expect(existsSync(join(data, p)), p).toBe(true);
    const folderOf = (id: string) => dirname(join(data, paths.get(id)!.path));
    rmSync(folderOf(bytesGone.id), { recursive: true });
    // A row another tool wrote into an old day folder (its date and path disagree): the folder stays with the row.
    const imported = { id: 'imp0rted' + 'x'.repeat(18), path: '20000105/imported/kept.txt' };
    await db.query(
      `INSERT INTO file_infos (id, creator_id, channel_id, create_at, update_at, path, name, size) VALUES ($1, $2, $3, $4, $4, $5, 'kept.txt', 4)`,
      [imported.id, cast.alice.user.id, parts.pub.id, Date.now(), imported.path],
    );
    mkdirSync(join(data, '20000105', 'imported'), { recursive: true });
    writeFileSync(join(data, imported.path), 'kept');
    // An old day folder no row points into: swept.
    mkdirSync(join(data, '20000106', 'teams', 'noteam'), { recursive: true });
    writeFileSync(join(data, '20000106', 'teams', 'noteam', 'stray.bin'), 'stray');

    // An unfinished resumable upload (no file_infos row yet) writing its parts into an old day folder: it stays.
    const unfinished = { id: 'unf1n1shed' + 'x'.repeat(16), path: '20000107/teams/noteam/upload/big.bin' };
    await db.query(
      `INSERT INTO upload_sessions (id, type, create_at, user_id, channel_id, filename, path, file_size) VALUES ($1, 'attachment', $2, $3, $4, 'big.bin', $5, 100)`,
      [unfinished.id, Date.now(), cast.alice.user.id, parts.pub.id, unfinished.path],
    );
    mkdirSync(join(data, '20000107', 'teams', 'noteam', 'upload', '~parts'), { recursive: true });
    writeFileSync(join(data, '20000107', 'teams', 'noteam', 'upload', '~parts', '0'), 'part');

    const job = await runJob('data_retention');
    expect(job).toMatchObject({ status: 'success', progress: 100 });
    expect(job.data).toMatchObject({ deleted_posts: '1', deleted_files: '4', deleted_file_folders: '1', file_deletion: 'true' });
    expect(Number(job.data.file_retention_cutoff)).toBeLessThan(Date.now() - 30 * DAY + 60_000);

    const left = (await db.query<{ id: string }>('SELECT id FROM file_infos WHERE id = ANY($1)', [[...paths.keys(), imported.id]])).rows.map((r) => r.id);
    expect(left.sort()).toEqual([recent.id, recentLoose.id, imported.id].sort());
    for (const gone of [oldImage, oldLoose, bytesGone, ofOldPost]) expect(existsSync(folderOf(gone.id)), gone.name).toBe(false);
    for (const kept of [recent, recentLoose]) expect(readFileSync(join(data, paths.get(kept.id)!.path), 'utf8')).toContain('recent');
    expect(readFileSync(join(data, imported.path), 'utf8')).toBe('kept');
    expect(existsSync(join(data, '20000106'))).toBe(false);
    expect(existsSync(join(data, '20000107', 'teams', 'noteam', 'upload', '~parts', '0'))).toBe(true);
    expect((await cast.alice.client.getFileInfosForPost(keptPost.id)).map((f) => f.id)).toEqual([recent.id]);
    const served = await fetch(cast.alice.client.getFileUrl(oldImage.id, 0), { headers: { Authorization: `Bearer ${cast.alice.client.getToken()}` } });
    expect(served.status).toBe(404);

    expect((await runJob('data_retention')).data).toMatchObject({ deleted_posts: '0', deleted_files: '0', deleted_file_folders: '0' });
    // Once the upload is gone, so is its folder.
    await db.query('DELETE FROM upload_sessions WHERE id = $1', [unfinished.id]);
    expect((await runJob('data_retention')).data).toMatchObject({ deleted_file_folders: '1' });
  });
});

describe('session and access token cleanup', () => {
  it('cleanup_expired_sessions deletes sessions that expired more than an hour ago, and only those', async () => {
    const extra = await server.newUser();
    const second = server.client();
    await second.login(extra.user.username, extra.password);
    const sessions = (await db.query('SELECT id FROM sessions WHERE user_id = $1 ORDER BY create_at', [extra.user.id])).rows.map((r) => r.id);
    expect(sessions).toHaveLength(2);
    await db.query('UPDATE sessions SET expires_at = $2 WHERE id = $1', [sessions[0], Date.now() - 2 * 3_600_000]);
    const job = await runJob('cleanup_expired_sessions');
    expect(Number(job.data.deleted_sessions)).toBeGreaterThanOrEqual(1);
    const left = (await db.query('SELECT id FROM sessions WHERE user_id = $1', [extra.user.id])).rows.map((r) => r.id);
    expect(left).toEqual([sessions[1]]);
    expect((await second.getMe()).id).toBe(extra.user.id);
  });

  it('cleanup_expired_sessions also deletes mailed link tokens past their lifetime (24 h, invitations 48 h)', async () => {
    const now = Date.now();
    const HOUR = 3_600_000;
    const rows: Array<[string, string, number]> = [
      ['a'.repeat(64), 'password_recovery', now - 25 * HOUR],
      ['b'.repeat(64), 'password_recovery', now - 23 * HOUR],
      ['c'.repeat(64), 'team_invitation', now - 47 * HOUR],
      ['d'.repeat(64), 'team_invitation', now - 49 * HOUR],
      ['e'.repeat(64), 'verify_email', now - 25 * HOUR],
    ];
    for (const [token, type, at] of rows) await db.query('INSERT INTO tokens (token, create_at, type) VALUES ($1, $2, $3)', [token, at, type]);
    const job = await runJob('cleanup_expired_sessions');
    expect(job.data.deleted_link_tokens).toBe('3');
    const left = (await db.query('SELECT token FROM tokens WHERE token = ANY($1) ORDER BY token', [rows.map((r) => r[0])])).rows.map((r) => r.token[0]);
    expect(left).toEqual(['b', 'c']);
  });

  it('cleanup_expired_access_tokens deletes expired tokens and their sessions; others stay', async () => {
    const owner = cast.dave;
    const expiring = await cast.admin.client.createUserAccessToken(owner.user.id, 'expires soon', Date.now() + 1500);
    const lasting = await cast.admin.client.createUserAccessToken(owner.user.id, 'never expires');
    expect(expiring.expires_at).toBeGreaterThan(Date.now());
    expect(lasting.expires_at).toBeUndefined();
    const negative = await expectClientError(() => cast.admin.client.createUserAccessToken(owner.user.id, 'bad', -5));
    expect(negative).toMatchObject({ status_code: 400, server_error_id: 'model.user_access_token.is_valid.expires_at.app_error' });
    const viaToken = server.client();
    viaToken.setToken(expiring.token!);
    expect((await viaToken.getMe()).id).toBe(owner.user.id);
    await sleep(1600);
    const job = await runJob('cleanup_expired_access_tokens');
    expect(job.data).toMatchObject({ deleted_tokens: '1', deleted_sessions: '1' });
    const gone = await expectClientError(() => cast.admin.client.getUserAccessToken(expiring.id!));
    expect(gone.status_code).toBe(404);
    expect((await expectClientError(() => viaToken.getMe())).status_code).toBe(401);
    expect((await cast.admin.client.getUserAccessToken(lasting.id!)).id).toBe(lasting.id);
    const stillWorks = server.client();
    stillWorks.setToken(lasting.token!);
    expect((await stillWorks.getMe()).id).toBe(owner.user.id);
  });
});

describe('expiry_notify', () => {
  it('mails the owner of each mobile session that expired in the last hour, once, through SMTP', async () => {
    const mobile = await server.newUser();
    await db.query(`UPDATE sessions SET device_id = 'apple_rn-v2:abc', expires_at = $2 WHERE user_id = $1`, [mobile.user.id, Date.now() - 10 * 60_000]);
    const job = await runJob('expiry_notify');
    expect(job.status).toBe('success');
    expect(Number(job.data.notified)).toBeGreaterThanOrEqual(1);
    expect(job.data.mail_failed).toBe('0');
    const mail = await smtp.nextMail(mobile.user.email);
    expect(mail.subject).toContain('Session expired');
    expect(mail.text).toContain('log in again');
    expect(mail.html).toContain('<h1');
    const [{ notified }] = (await db.query('SELECT bool_and(expired_notify) AS notified FROM sessions WHERE user_id = $1', [mobile.user.id])).rows;
    expect(notified).toBe(true);

    await runJob('expiry_notify');
    expect(smtp.mailsTo(mobile.user.email)).toHaveLength(1);
  });

  it('a dead SMTP server: the job ends with a warning naming the failure, and the sessions are not notified twice', async () => {
    const mobile = await server.newUser();
    await db.query(`UPDATE sessions SET device_id = 'android_rn-v2:def', expires_at = $2 WHERE user_id = $1`, [mobile.user.id, Date.now() - 5 * 60_000]);
    await smtp.stop();
    let job: Job;
    try {
      job = await runJob('expiry_notify');
    } finally {
      await smtp.start();
    }
    expect(job.status).toBe('warning');
    expect(Number(job.data.mail_failed)).toBeGreaterThanOrEqual(1);
    expect(job.data.warning).toMatch(/not sent/);
    await runJob('expiry_notify');
    expect(smtp.mailsTo(mobile.user.email)).toHaveLength(0);
  });
});
