/**
 * mmctl's export and import commands end to end, in both of its modes (a token from `auth login`,
 * and --local over the node's Unix socket): a seeded server is exported with `export create`,
 * followed with `export job show` and fetched with `export download`; the archive goes to a second
 * server on a fresh database with `import upload`, is seen in `import list available`, imported
 * with `import process` and followed with `import job show/list` to success; then what arrived is
 * compared with the source (import-compare.ts, by names, never ids) and read back through Client4.
 * `import process --bypass-upload` reads the zip from the server's disk over the socket only. Last,
 * an upload left unfinished is listed by `import list incomplete` (over the socket it is
 * "nouser"'s, as mmctl --local makes it) and finished with `import upload --resume`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Job } from '@mattermost/types/jobs';
import type { Post } from '@mattermost/types/posts';
import pg from 'pg';
import { databaseUrl, NewUser, runMmctl, startServer, TestServer, until } from '#testing';
import { Cast, post, signUpCast, teamWithChannels, TeamWithChannels, uploadFile } from './fixtures.js';
import { diffSnapshots, snapshot, Snapshot } from './import-compare.js';

// Every command is a process of its own, and two servers take their time to start.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

type Mode = 'token' | 'local';
const FINISHED = ['success', 'error', 'canceled', 'warning'];
/** The first chunk of a resumable upload must bring at least this much (the server's MIN_FIRST_PART, Mattermost's minFirstPartSize). */
const FIRST_PART = 5 * 1024 * 1024;

const home = mkdtempSync(join(tmpdir(), 'mmctl-import-'));
const sourceSocket = join(home, 'source.socket');
/** The CLI's environment for the source: its own credentials folder, and its socket for --local. */
const sourceEnv = { XDG_CONFIG_HOME: join(home, 'source-config'), MMCTL_LOCAL_SOCKET_PATH: sourceSocket };

let source: TestServer;
let cast: Cast;
let parts: TeamWithChannels;
let usernames: string[];
let before: Snapshot;

const cli = (env: Record<string, string>, mode: Mode, ...args: string[]) =>
  runMmctl(mode === 'local' ? ['--local', ...args] : args, env, { timeoutMs: 60_000 });

async function login(server: TestServer, user: NewUser, env: Record<string, string>): Promise<void> {
  const passwordFile = join(home, `${user.user.username}.password`);
  writeFileSync(passwordFile, `${user.password}\n`);
  const r = await runMmctl(['auth', 'login', server.url, '--name', 'e2e', '--username', user.user.username, '--password-file', passwordFile], env);
  expect(r.code, r.stderr).toBe(0);
}

/** A job as `<export|import> job show <id> --json` prints it, followed until it ends. */
async function followJob(env: Record<string, string>, mode: Mode, kind: 'export' | 'import', id: string): Promise<Job> {
  return until(
    async () => {
      const show = await cli(env, mode, kind, 'job', 'show', id, '--json');
      expect(show.code, show.stderr).toBe(0);
      const [job] = show.json<Job[]>();
      return FINISHED.includes(job.status) ? job : undefined;
    },
    120_000,
    `${kind} job ${id} to end`,
    250,
  );
}

/**
 * A request as mmctl makes it: over TCP with the admin's token, or over the target's socket with
 * none. The test's own requests, for what no mmctl command does (leave an upload half done).
 */
function raw(
  mode: Mode,
  target: { server: TestServer; socket: string; admin: NewUser },
  method: string,
  path: string,
  body: Buffer | object,
): Promise<{ status: number; body: any }> {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  const headers: Record<string, string> = {
    'Content-Type': Buffer.isBuffer(body) ? 'application/octet-stream' : 'application/json',
    'Content-Length': String(bytes.length),
  };
  if (mode === 'token') headers.Authorization = `Bearer ${target.admin.client.getToken()}`;
  const where = mode === 'local' ? { socketPath: target.socket } : { host: '127.0.0.1', port: target.server.port };
  return new Promise((resolve, reject) => {
    const req = request({ ...where, method, path: `/api/v4${path}`, headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(bytes);
  });
}

beforeAll(async () => {
  source = await startServer({ MM_SERVICESETTINGS_ENABLELOCALMODE: 'true', MM_SERVICESETTINGS_LOCALMODESOCKETLOCATION: sourceSocket });
  cast = await signUpCast(source);
  parts = await teamWithChannels(cast, {
    team: { name: 'cli-team', display_name: 'CLI Team' },
    pub: { name: 'cli-pub', display_name: 'CLI Public' },
    priv: { name: 'cli-priv', display_name: 'CLI Private' },
  });
  const { alice, bob, carol } = cast;
  await alice.client.patchChannel(parts.pub.id, { header: 'exported by mmctl' } as never);
  const notes = await uploadFile(alice.client, parts.pub.id, 'notes.txt', 'carried in the archive');
  const root = await post(alice.client, parts.pub.id, 'a root with a file', { file_ids: [notes.id] } as Partial<Post>);
  await post(bob.client, parts.pub.id, 'a reply', { root_id: root.id } as Partial<Post>);
  await bob.client.addReaction(bob.user.id, root.id, 'smile');
  await post(bob.client, parts.priv.id, 'in the private channel');
  await post(alice.client, parts.dm.id, 'a direct message');
  const gm = await alice.client.createGroupChannel([alice.user.id, bob.user.id, carol.user.id]);
  await post(carol.client, gm.id, 'a group message');
  usernames = Object.values(cast).map((u) => u.user.username);

  const db = new pg.Client({ connectionString: databaseUrl(source.database) });
  await db.connect();
  try {
    before = await snapshot(db, join(source.dir, 'data'), usernames);
  } finally {
    await db.end();
  }
  await login(source, cast.admin, sourceEnv);
});

afterAll(async () => {
  await source?.stop();
});

describe.each<Mode>(['token', 'local'])('mmctl export → import, with %s', (mode) => {
  const socket = join(home, `target-${mode}.socket`);
  /** The CLI's environment for this mode's target. */
  const env = { XDG_CONFIG_HOME: join(home, `target-${mode}-config`), MMCTL_LOCAL_SOCKET_PATH: socket };
  const archive = join(home, `export-${mode}.zip`);
  let target: TestServer;
  let admin: NewUser;
  let db: pg.Client;
  let importName: string;

  beforeAll(async () => {
    // A second server on a fresh database, with an admin of its own (not one of the source's users).
    target = await startServer({ MM_SERVICESETTINGS_ENABLELOCALMODE: 'true', MM_SERVICESETTINGS_LOCALMODESOCKETLOCATION: socket });
    admin = await target.newUser();
    db = new pg.Client({ connectionString: databaseUrl(target.database) });
    await db.connect();
    await login(target, admin, env);
  });
  afterAll(async () => {
    await db?.end();
    await target?.stop();
  });

  it('export create, export job show until it succeeds, export list, export download', async () => {
    const create = await cli(sourceEnv, mode, 'export', 'create', '--json');
    expect(create.code, create.stderr).toBe(0);
    const created = create.json<Job>();
    expect(created).toMatchObject({ type: 'export_process', data: { include_attachments: 'true' } });
    const done = await followJob(sourceEnv, mode, 'export', created.id);
    expect(done.status, JSON.stringify(done.data)).toBe('success');
    const plain = await cli(sourceEnv, mode, 'export', 'job', 'show', created.id);
    expect(plain.stdout).toContain(`  ID: ${created.id}\n  Type: export_process\n  Status: success\n`);
    const jobs = await cli(sourceEnv, mode, 'export', 'job', 'list', '--json');
    expect(jobs.json<Job[]>()).toEqual(expect.arrayContaining([expect.objectContaining({ id: created.id, status: 'success' })]));

    const name = `${created.id}_export.zip`;
    expect((await cli(sourceEnv, mode, 'export', 'list')).stdout.split('\n')).toContain(name);
    const download = await cli(sourceEnv, mode, 'export', 'download', name, archive);
    expect(download.code, download.stderr).toBe(0);
    expect(download.stdout).toBe(`Export file downloaded to "${archive}"\n`);
    expect(String(readFileSync(archive).length)).toBe(done.data.export_size);
  });

  it('import upload, import list available, import process, import job show/list until it succeeds', async () => {
    const upload = await cli(env, mode, 'import', 'upload', archive);
    expect(upload.code, upload.stderr).toBe(0);
    // mmctl's hint over the socket: --bypass-upload needs no upload (tested below).
    expect(upload.stderr).toEqual(mode === 'local' ? expect.stringContaining("WARNING: In --local mode, you don't need to upload the file") : '');
    const id = /^Upload session successfully created, ID: ([a-z0-9]{26}) \n/.exec(upload.stdout)?.[1];
    expect(id, upload.stdout).toBeDefined();
    importName = `${id}_export-${mode}.zip`;
    expect(upload.stdout).toBe(`Upload session successfully created, ID: ${id} \nImport file successfully uploaded, name: ${importName}\n`);
    // The bytes are the archive's, where the import job reads them.
    expect(readFileSync(join(target.dir, 'data', 'import', importName)).equals(readFileSync(archive))).toBe(true);

    const available = await cli(env, mode, 'import', 'list', 'available');
    expect(available.code, available.stderr).toBe(0);
    expect(available.stdout).toBe(`${importName}\n`);

    const start = await cli(env, mode, 'import', 'process', importName, '--json');
    expect(start.code, start.stderr).toBe(0);
    const created = start.json<Job>();
    expect(created).toMatchObject({ type: 'import_process', data: { import_file: importName } });
    const done = await followJob(env, mode, 'import', created.id);
    expect(done, JSON.stringify(done.data)).toMatchObject({
      status: 'success',
      progress: 100,
      data: { teams_imported: '1', users_imported: String(usernames.length), direct_channels_imported: '2', attachments_imported: '1' },
    });
    const plain = await cli(env, mode, 'import', 'job', 'show', created.id);
    expect(plain.stdout).toContain(`  ID: ${created.id}\n  Type: import_process\n  Status: success\n`);
    expect(plain.stdout).toMatch(/  Data: map\[.*posts_imported:\d+/);
    const list = await cli(env, mode, 'import', 'job', 'list', '--json');
    expect(list.code, list.stderr).toBe(0);
    expect(list.json<Job[]>()).toEqual([expect.objectContaining({ id: created.id, status: 'success' })]);
    // Imported, the file is gone from the import folder, as Mattermost's worker removes it.
    expect((await cli(env, mode, 'import', 'list', 'available')).stdout).toBe('No import files found\n');
  });

  it('everything the export carries arrived: the same records, and Client4 reads them', async () => {
    const after = await snapshot(db, join(target.dir, 'data'), usernames);
    expect(diffSnapshots(before, after)).toEqual([]);
    expect(Object.keys(after.posts)).toHaveLength(5);
    expect(Object.keys(after.files)).toHaveLength(1);
    expect(after.reactions).toHaveLength(1);

    // Through the API, as the target's admin sees it.
    const c = admin.client;
    const team = await c.getTeamByName('cli-team');
    expect(team).toMatchObject({ display_name: 'CLI Team', type: 'O' });
    const members = await c.getTeamMembers(team.id);
    const alice = await c.getUserByUsername(cast.alice.user.username);
    const bob = await c.getUserByUsername(cast.bob.user.username);
    expect(alice.email).toBe(cast.alice.user.email);
    expect(members.map((m) => m.user_id)).toEqual(expect.arrayContaining([alice.id, bob.id]));
    const pub = await c.getChannelByName(team.id, 'cli-pub');
    expect(pub).toMatchObject({ display_name: 'CLI Public', header: 'exported by mmctl', type: 'O' });
    expect((await c.getChannelByName(team.id, 'cli-priv', true)).type).toBe('P');
    const posts = Object.values((await c.getPosts(pub.id)).posts);
    const root = posts.find((p) => p.message === 'a root with a file');
    expect(root).toMatchObject({ user_id: alice.id, reply_count: 1, has_reactions: true });
    expect(root!.file_ids).toHaveLength(1);
    expect(posts.find((p) => p.message === 'a reply')).toMatchObject({ user_id: bob.id, root_id: root!.id });
    const file = await c.getFileInfosForPost(root!.id);
    expect(file).toEqual([expect.objectContaining({ name: 'notes.txt', size: 'carried in the archive'.length })]);
  });

  it(
    mode === 'local'
      ? "import process --bypass-upload imports a zip from the server's disk, and leaves it there"
      : 'import process --bypass-upload has no effect over TCP; POST /jobs refuses local_mode from a remote caller',
    async () => {
      const run = await cli(env, mode, 'import', 'process', archive, '--bypass-upload', '--json');
      expect(run.code, run.stderr).toBe(0);
      const created = run.json<Job>();
      const done = await followJob(env, mode, 'import', created.id);
      if (mode === 'local') {
        const missing = await cli(env, mode, 'import', 'process', join(home, 'nothing-here.zip'), '--bypass-upload');
        expect(missing.code).toBe(1);
        expect(missing.stderr).toContain(`Error: file ${join(home, 'nothing-here.zip')} doesn't exist.`);
        expect(created.data).toMatchObject({ import_file: archive, local_mode: 'true' });
        expect(done.status, JSON.stringify(done.data)).toBe('success');
        expect(existsSync(archive)).toBe(true);
        // The same archive again: nothing changes.
        expect(diffSnapshots(before, await snapshot(db, join(target.dir, 'data'), usernames))).toEqual([]);
      } else {
        expect(run.stderr).toBe('WARNING: --bypass-upload has no effect in non-local mode.\n');
        expect(created.data).toMatchObject({ import_file: archive, local_mode: 'false' });
        // The path is no name in the import folder.
        expect(done).toMatchObject({ status: 'error', data: { error_id: 'import_process.worker.do_job.file_exists' } });
        const refused = await raw(mode, { server: target, socket, admin }, 'POST', '/jobs', {
          type: 'import_process',
          data: { import_file: archive, local_mode: 'true' },
        });
        expect(refused).toMatchObject({ status: 400, body: { id: 'api.job.create.local_mode.app_error' } });
      }
    },
  );

  it('import list incomplete shows an upload left half done; import upload --resume finishes it', async () => {
    const tgt = { server: target, socket, admin };
    const bytes = randomBytes(FIRST_PART + 1024 * 1024);
    const big = join(home, `big-${mode}.zip`);
    writeFileSync(big, bytes);
    expect((await cli(env, mode, 'import', 'list', 'incomplete')).stdout).toBe('No incomplete import uploads found\n');

    // The session mmctl would create (over the socket "nouser"'s), and its first chunk only.
    const created = await raw(mode, tgt, 'POST', '/uploads', {
      type: 'import',
      filename: 'big.zip',
      file_size: bytes.length,
      ...(mode === 'local' ? { user_id: 'nouser' } : {}),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const us = created.body as { id: string; user_id: string };
    expect(us.user_id).toBe(mode === 'local' ? 'nouser' : admin.user.id);
    expect((await raw(mode, tgt, 'POST', `/uploads/${us.id}`, bytes.subarray(0, FIRST_PART))).status).toBe(204);

    const incomplete = await cli(env, mode, 'import', 'list', 'incomplete');
    expect(incomplete.code, incomplete.stderr).toBe(0);
    expect(incomplete.stdout).toBe(`  ID: ${us.id}\n  Name: big.zip\n  Uploaded: ${FIRST_PART}/${bytes.length} (83%)\n\n`);
    const asJson = await cli(env, mode, 'import', 'list', 'incomplete', '--json');
    expect(asJson.json()).toEqual([expect.objectContaining({ id: us.id, type: 'import', file_offset: FIRST_PART, file_size: bytes.length })]);
    // Half done, it is not available for import yet.
    expect((await cli(env, mode, 'import', 'list', 'available')).stdout).toBe('No import files found\n');

    const wrongId = await cli(env, mode, 'import', 'upload', big, '--resume', '--upload', 'nope');
    expect(wrongId.code).toBe(1);
    expect(wrongId.stderr).toContain('Error: upload session ID is missing or invalid\n');
    const otherFile = join(home, `small-${mode}.zip`);
    writeFileSync(otherFile, 'not the same size');
    const wrongSize = await cli(env, mode, 'import', 'upload', otherFile, '--resume', '--upload', us.id);
    expect(wrongSize.code).toBe(1);
    expect(wrongSize.stderr).toContain('Error: file sizes do not match\n');

    const resume = await cli(env, mode, 'import', 'upload', big, '--resume', '--upload', us.id);
    expect(resume.code, resume.stderr).toBe(0);
    expect(resume.stdout).toBe(`Import file successfully uploaded, name: ${us.id}_big.zip\n`);
    expect(readFileSync(join(target.dir, 'data', 'import', `${us.id}_big.zip`)).equals(bytes)).toBe(true);
    expect((await cli(env, mode, 'import', 'list', 'incomplete')).stdout).toBe('No incomplete import uploads found\n');
    expect((await cli(env, mode, 'import', 'list', 'available')).stdout).toBe(`${us.id}_big.zip\n`);
  });
});
