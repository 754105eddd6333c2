/**
 * The admin CLI (apps/mmctl) against a running node, in both of mmctl's modes: with credentials
 * from `auth login` (token over TCP) and with --local over the node's Unix socket
 * (ServiceSettings.EnableLocalMode). Each command group is run as a child process; stdout, --json,
 * exit codes and the server's state afterwards (read through Client4) are checked. Then the
 * socket's security: its file mode, nothing from TCP can act as local, the socket follows the
 * setting on config save and is gone when local mode is off or the node stops.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { clientFor, eventually, freePort, NewUser, runMmctl, SmtpHarness, startServer, startSmtpServer, TestServer } from '#testing';

// Each command is a process of its own: a test runs tens of them.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });

let server: TestServer;
let smtp: SmtpHarness;
let admin: NewUser;
let alice: NewUser;
let bob: NewUser;
const home = mkdtempSync(join(tmpdir(), 'mmctl-home-'));
const socketDir = mkdtempSync(join(tmpdir(), 'mmctl-sock-'));
const socket = join(socketDir, 'mattermost_local.socket');
/** The CLI's environment: its own config folder, and where --local finds the socket. */
const cliEnv = { XDG_CONFIG_HOME: join(home, 'config'), MMCTL_LOCAL_SOCKET_PATH: socket };
const credentialsFile = join(home, 'config', 'mmctl', 'config');

type Mode = 'token' | 'local';
const cli = (mode: Mode, ...args: string[]) => runMmctl(mode === 'local' ? ['--local', ...args] : args, cliEnv);

beforeAll(async () => {
  smtp = await startSmtpServer();
  server = await startServer({
    ...smtp.env,
    MM_SERVICESETTINGS_ENABLELOCALMODE: 'true',
    MM_SERVICESETTINGS_LOCALMODESOCKETLOCATION: socket,
    MM_SERVICESETTINGS_ENABLEUSERACCESSTOKENS: 'true',
  });
  admin = await server.newUser();
  alice = await server.newUser();
  bob = await server.newUser();
  const passwordFile = join(home, 'password');
  writeFileSync(passwordFile, `${admin.password}\n`);
  const login = await runMmctl(['auth', 'login', server.url, '--name', 'main', '--username', admin.user.username, '--password-file', passwordFile], cliEnv);
  expect(login.code, login.stderr).toBe(0);
});
afterAll(async () => {
  await server?.stop();
  await smtp?.close();
});

describe('auth', () => {
  it('stores the credentials as mmctl does: a JSON file of connections, mode 0600', async () => {
    expect(statSync(credentialsFile).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(credentialsFile, 'utf8'));
    expect(stored.main).toMatchObject({ name: 'main', username: admin.user.username, instanceUrl: server.url, authMethod: 'P', active: true });
    expect(stored.main.authToken).toMatch(/^[a-z0-9]{26}$/);
    const current = await runMmctl(['auth', 'current'], cliEnv);
    expect(current.code).toBe(0);
    expect(current.stdout).toContain(`found credentials for "main": "${admin.user.username}@${server.url}"`);
  });

  it('logs in with an access token, lists, switches and deletes connections', async () => {
    const token = await admin.client.createUserAccessToken(admin.user.id, 'mmctl e2e');
    const login = await runMmctl(['auth', 'login', server.url, '--name', 'bytoken', '--access-token', token.token!, '--no-activate'], cliEnv);
    expect(login.code, login.stderr).toBe(0);
    const list = await runMmctl(['auth', 'list', '--json'], cliEnv);
    expect(list.code).toBe(0);
    expect(list.json()).toEqual([
      expect.objectContaining({ name: 'bytoken', authMethod: 'T', active: false }),
      expect.objectContaining({ name: 'main', authMethod: 'P', active: true }),
    ]);
    const plain = await runMmctl(['auth', 'list'], cliEnv);
    expect(plain.stdout).toMatch(/\|\s+\*\s+\|\s+main\s+\|/);

    expect((await runMmctl(['auth', 'switch', 'bytoken'], cliEnv)).code).toBe(0);
    const me = await runMmctl(['user', 'search', admin.user.username, '--json'], cliEnv);
    expect(me.code, me.stderr).toBe(0);
    expect(me.json().id).toBe(admin.user.id);
    expect((await runMmctl(['auth', 'set', 'main'], cliEnv)).code).toBe(0);
    expect((await runMmctl(['auth', 'delete', 'bytoken'], cliEnv)).code).toBe(0);
    expect(Object.keys(JSON.parse(readFileSync(credentialsFile, 'utf8')))).toEqual(['main']);
    const missing = await runMmctl(['auth', 'set', 'bytoken'], cliEnv);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot find credentials for server "bytoken"');
  });

  it('refuses a wrong password with the server message, and stores nothing', async () => {
    const r = await runMmctl(['auth', 'login', server.url, '--name', 'bad', '--username', admin.user.username, '--password', 'wrong-password'], cliEnv);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: .*(password|credentials)/im);
    expect(JSON.parse(readFileSync(credentialsFile, 'utf8')).bad).toBeUndefined();
  });

  it('says clearly when the server cannot be reached', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const r = await runMmctl(['auth', 'login', dead, '--name', 'dead', '--username', 'x', '--password', 'y'], cliEnv);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`Error: cannot connect to the server at ${dead}: connection refused. Is it running, and is the address right?\n`);
    // A stored connection whose server is gone: the same message before the command runs.
    const env = { XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'mmctl-dead-')) };
    mkdtempSync(join(env.XDG_CONFIG_HOME, 'x'));
    const creds = { dead: { name: 'dead', username: 'x', authToken: 'x', authMethod: 'P', instanceUrl: dead, active: true } };
    spawnSync('mkdir', ['-p', join(env.XDG_CONFIG_HOME, 'mmctl')]);
    writeFileSync(join(env.XDG_CONFIG_HOME, 'mmctl', 'config'), JSON.stringify(creds));
    const list = await runMmctl(['user', 'list'], env);
    expect(list.code).toBe(1);
    expect(list.stderr).toContain(`cannot connect to the server at ${dead}`);
  });

  it('logs out: the session is revoked on the server and the credentials are gone', async () => {
    const passwordFile = join(home, 'alice-password');
    writeFileSync(passwordFile, alice.password);
    expect(
      (
        await runMmctl(
          ['auth', 'login', server.url, '--name', 'alice', '--username', alice.user.username, '--password-file', passwordFile, '--no-activate'],
          cliEnv,
        )
      ).code,
    ).toBe(0);
    const token = JSON.parse(readFileSync(credentialsFile, 'utf8')).alice.authToken as string;
    const asAlice = clientFor(server.url);
    asAlice.setToken(token);
    await asAlice.getMe();
    const out = await runMmctl(['auth', 'logout', 'alice'], cliEnv);
    expect(out.code, out.stderr).toBe(0);
    await expect(asAlice.getMe()).rejects.toMatchObject({ status_code: 401 });
    expect(JSON.parse(readFileSync(credentialsFile, 'utf8')).alice).toBeUndefined();
  });
});

describe.each<Mode>(['token', 'local'])('with %s', (mode) => {
  const tag = mode === 'local' ? 'l' : 't';

  it('config get/set/patch/show/reload', async () => {
    const get = await cli(mode, 'config', 'get', 'TeamSettings.MaxUsersPerTeam');
    expect(get.code, get.stderr).toBe(0);
    expect(JSON.parse(get.stdout)).toBe(10000);

    const set = await cli(mode, 'config', 'set', 'TeamSettings.SiteName', `Site ${tag}`);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toBe('Value changed successfully\n');
    expect((await admin.client.getConfig()).TeamSettings.SiteName).toBe(`Site ${tag}`);

    expect((await cli(mode, 'config', 'set', 'ServiceSettings.EnableCustomEmoji', 'true')).code).toBe(0);
    expect((await admin.client.getConfig()).ServiceSettings.EnableCustomEmoji).toBe(true);
    const list = await cli(mode, 'config', 'set', 'ServiceSettings.TrustedProxyIPHeader', 'X-Forwarded-For', 'X-Real-IP');
    expect(list.code, list.stderr).toBe(0);
    expect((await admin.client.getConfig()).ServiceSettings.TrustedProxyIPHeader).toEqual(['X-Forwarded-For', 'X-Real-IP']);

    const wrongType = await cli(mode, 'config', 'set', 'TeamSettings.MaxUsersPerTeam', 'many');
    expect(wrongType.code).toBe(1);
    expect(wrongType.stderr).toContain('TeamSettings.MaxUsersPerTeam is a number');
    const badKey = await cli(mode, 'config', 'get', 'NoSuchSettings.Nothing');
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toBe('Error: invalid key\n');
    // The server's validation message comes back as the error.
    const invalid = await cli(mode, 'config', 'set', 'TeamSettings.MaxChannelsPerTeam', '0');
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('TeamSettings.MaxChannelsPerTeam must be greater than 0');

    const patchFile = join(home, `patch-${tag}.json`);
    writeFileSync(patchFile, JSON.stringify({ TeamSettings: { MaxChannelsPerTeam: 1234 } }));
    const patch = await cli(mode, 'config', 'patch', patchFile, '--json');
    expect(patch.code, patch.stderr).toBe(0);
    expect(patch.json().TeamSettings.MaxChannelsPerTeam).toBe(1234);
    expect((await admin.client.getConfig()).TeamSettings.MaxChannelsPerTeam).toBe(1234);

    const show = await cli(mode, 'config', 'show');
    expect(show.code).toBe(0);
    const shown = show.json();
    expect(shown.TeamSettings.SiteName).toBe(`Site ${tag}`);
    expect(shown.SqlSettings.DataSource).toMatch(/^\*+$/); // sanitized, as GET /config
    expect((await cli(mode, 'config', 'reload')).code).toBe(0);
  });

  it('user create/list/search/deactivate/activate/roles/reset-password/change-password', async () => {
    const name = `cli${tag}${Date.now().toString(36)}`;
    const create = await cli(
      mode,
      'user',
      'create',
      '--email',
      `${name}@example.com`,
      '--username',
      name,
      '--password',
      'Passw0rd!x',
      '--firstname',
      'Ada',
      '--json',
    );
    expect(create.code, create.stderr).toBe(0);
    const created = create.json();
    expect(created).toMatchObject({ username: name, email: `${name}@example.com`, first_name: 'Ada' });
    const plainAdmin = await cli(
      mode,
      'user',
      'create',
      '--email',
      `${name}a@example.com`,
      '--username',
      `${name}a`,
      '--password',
      'Passw0rd!x',
      '--system-admin',
    );
    expect(plainAdmin.stdout).toBe(`Created user ${name}a\n`);
    expect((await admin.client.getUserByUsername(`${name}a`)).roles.split(' ')).toContain('system_admin');
    const missingFlag = await cli(mode, 'user', 'create', '--username', 'x');
    expect(missingFlag.code).toBe(1);
    expect(missingFlag.stderr).toContain("required option '--email <email>' not specified");

    const list = await cli(mode, 'user', 'list', '--all', '--json');
    expect(list.code).toBe(0);
    expect(list.json().map((u: { username: string }) => u.username)).toEqual(expect.arrayContaining([name, admin.user.username]));
    const plainList = await cli(mode, 'user', 'list', '--per-page', '500');
    expect(plainList.stdout).toContain(`${created.id}: ${name} (${name}@example.com)\n`);
    expect(plainList.stderr).toMatch(/^There are \d+ users/m);

    const search = await cli(mode, 'user', 'search', `${name}@example.com`);
    expect(search.stdout).toContain(`id: ${created.id}\ndeactivated: false\nusername: ${name}\n`);
    const notFound = await cli(mode, 'user', 'search', 'nosuchuser');
    expect(notFound.code).toBe(1);
    expect(notFound.stderr).toContain('user nosuchuser not found');

    expect((await cli(mode, 'user', 'deactivate', name)).code).toBe(0);
    expect((await admin.client.getUser(created.id)).delete_at).toBeGreaterThan(0);
    expect((await cli(mode, 'user', 'list', '--inactive', '--json')).json().map((u: { id: string }) => u.id)).toContain(created.id);
    expect((await cli(mode, 'user', 'activate', created.id)).code).toBe(0);
    expect((await admin.client.getUser(created.id)).delete_at).toBe(0);

    const promote = await cli(mode, 'roles', 'system-admin', name);
    expect(promote.code, promote.stderr).toBe(0);
    expect(promote.stdout).toContain(`System admin role assigned to user "${name}". Current roles are: system_user, system_admin`);
    expect((await admin.client.getUser(created.id)).roles).toBe('system_user system_admin');
    const demote = await cli(mode, 'user', 'role', 'member', name);
    expect(demote.code, demote.stderr).toBe(0);
    expect((await admin.client.getUser(created.id)).roles).toBe('system_user');

    const reset = await cli(mode, 'user', 'reset-password', `${name}@example.com`);
    expect(reset.code, reset.stderr).toBe(0);
    expect((await smtp.nextMail(`${name}@example.com`)).text).toContain('/reset_password_complete?token=');
    const badEmail = await cli(mode, 'user', 'reset-password', 'not-an-email');
    expect(badEmail.code).toBe(1);
    expect(badEmail.stderr).toContain("Invalid email 'not-an-email'");

    const change = await cli(mode, 'user', 'change-password', name, '--password', 'N3w-Passw0rd!');
    expect(change.code, change.stderr).toBe(0);
    const c = clientFor(server.url);
    await c.login(name, 'N3w-Passw0rd!');
  });

  it('team create/list/add/remove/archive', async () => {
    const name = `team-${tag}-${Date.now().toString(36)}`;
    const create = await cli(mode, 'team', 'create', '--name', name, '--display-name', `Team ${tag}`);
    expect(create.code, create.stderr).toBe(0);
    expect(create.stdout).toBe(`New team ${name} successfully created\n`);
    const team = await admin.client.getTeamByName(name);
    expect(team.type).toBe('O');
    const priv = await cli(mode, 'team', 'create', '--name', `${name}-p`, '--display-name', 'Private', '--private', '--json');
    expect(priv.json()).toMatchObject({ name: `${name}-p`, type: 'I' });

    const list = await cli(mode, 'team', 'list');
    expect(list.stdout.split('\n')).toEqual(expect.arrayContaining([name, `${name}-p`]));

    const add = await cli(mode, 'team', 'users', 'add', name, alice.user.username, bob.user.email);
    expect(add.code, add.stderr).toBe(0);
    const members = (await admin.client.getTeamMembers(team.id)).map((m) => m.user_id);
    expect(members).toEqual(expect.arrayContaining([alice.user.id, bob.user.id]));
    const remove = await cli(mode, 'team', 'remove', name, bob.user.username);
    expect(remove.code, remove.stderr).toBe(0);
    expect((await admin.client.getTeamMember(team.id, bob.user.id)).delete_at).toBeGreaterThan(0);
    const unknownUser = await cli(mode, 'team', 'add', name, 'nosuchuser', alice.user.username);
    expect(unknownUser.code).toBe(1);
    expect(unknownUser.stderr).toContain("Can't find user 'nosuchuser'");

    const refuse = await cli(mode, 'team', 'archive', `${name}-p`);
    expect(refuse.code).toBe(1);
    expect(refuse.stderr).toContain('--confirm');
    const archive = await cli(mode, 'team', 'archive', `${name}-p`, '--confirm');
    expect(archive.code, archive.stderr).toBe(0);
    expect(archive.stdout).toBe(`Archived team '${name}-p'\n`);
    expect((await admin.client.getTeam((await admin.client.getTeamByName(`${name}-p`)).id)).delete_at).toBeGreaterThan(0);
  });

  it('channel create/list/archive/move', async () => {
    const teamName = `ch-${tag}-${Date.now().toString(36)}`;
    const team = await admin.client.createTeam({ name: teamName, display_name: 'Channels', type: 'O' } as never);
    const other = await admin.client.createTeam({ name: `${teamName}-2`, display_name: 'Other', type: 'O' } as never);
    await admin.client.addToTeam(team.id, alice.user.id);
    await admin.client.addToTeam(other.id, alice.user.id);

    const create = await cli(mode, 'channel', 'create', '--team', teamName, '--name', 'news', '--display-name', 'News', '--purpose', 'what happens');
    expect(create.code, create.stderr).toBe(0);
    expect(create.stdout).toBe('New channel news successfully created\n');
    const news = await admin.client.getChannelByName(team.id, 'news');
    expect(news.purpose).toBe('what happens');
    const priv = await cli(mode, 'channel', 'create', '--team', team.id, '--name', 'secret', '--display-name', 'Secret', '--private', '--json');
    expect(priv.json()).toMatchObject({ name: 'secret', type: 'P', team_id: team.id });
    await cli(mode, 'channel', 'create', '--team', teamName, '--name', 'old', '--display-name', 'Old');

    const archive = await cli(mode, 'channel', 'archive', `${teamName}:old`);
    expect(archive.code, archive.stderr).toBe(0);
    expect((await admin.client.getChannelByName(team.id, 'old', true)).delete_at).toBeGreaterThan(0);
    const list = await cli(mode, 'channel', 'list', teamName);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout.split('\n')).toEqual(expect.arrayContaining(['news', 'town-square', 'off-topic', 'old (archived)', 'secret (private)']));
    const missing = await cli(mode, 'channel', 'archive', `${teamName}:nosuch`);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`Unable to find channel '${teamName}:nosuch'`);

    // A channel whose member is on both teams moves; its id stays, its team changes.
    await admin.client.addToChannel(alice.user.id, news.id);
    const move = await cli(mode, 'channel', 'move', `${teamName}-2`, `${teamName}:news`);
    expect(move.code, move.stderr).toBe(0);
    expect(move.stdout).toBe(`Moved channel news to "${teamName}-2" (${other.id}) from ${team.id}.\n`);
    expect((await admin.client.getChannel(news.id)).team_id).toBe(other.id);
    // Bob is not on the target team: refused without --force, removed with it.
    await admin.client.addToTeam(team.id, bob.user.id);
    await admin.client.addToChannel(bob.user.id, priv.json().id);
    const refused = await cli(mode, 'channel', 'move', `${teamName}-2`, priv.json().id);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('app.channel.move_channel.members_do_not_match.error');
    const forced = await cli(mode, 'channel', 'move', `${teamName}-2`, priv.json().id, '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect((await admin.client.getChannel(priv.json().id)).team_id).toBe(other.id);
    await expect(admin.client.getChannelMember(priv.json().id, bob.user.id)).rejects.toMatchObject({ status_code: 404 });
  });

  it('cluster status', async () => {
    const r = await cli(mode, 'cluster', 'status', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toEqual(await admin.client.getClusterStatus());
  });

  it('job run/list/cancel', async () => {
    // With RunJobs off (set through the CLI) a new job stays pending, so it can be canceled.
    expect((await cli(mode, 'config', 'set', 'JobSettings.RunJobs', 'false')).code).toBe(0);
    try {
      const run = await cli(mode, 'job', 'run', 'data_retention', '--json');
      expect(run.code, run.stderr).toBe(0);
      const job = run.json();
      expect(job).toMatchObject({ type: 'data_retention', status: 'pending' });
      const list = await cli(mode, 'job', 'list', '--type', 'data_retention', '--status', 'pending');
      expect(list.stdout).toContain(`  ID: ${job.id}\n  Type: data_retention\n  Status: pending\n`);
      const byId = await cli(mode, 'job', 'list', '--ids', job.id, '--json');
      expect(byId.json()).toEqual([expect.objectContaining({ id: job.id })]);
      const cancel = await cli(mode, 'job', 'cancel', job.id);
      expect(cancel.code, cancel.stderr).toBe(0);
      expect((await admin.client.getJob(job.id)).status).toBe('canceled');
      const again = await cli(mode, 'job', 'cancel', job.id);
      expect(again.code).toBe(1);
      const bad = await cli(mode, 'job', 'run', 'no_such_type');
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/^Error: /);
    } finally {
      await admin.client.patchConfig({ JobSettings: { RunJobs: true } });
    }
  });

  it('export create/list/download', async () => {
    const create = await cli(mode, 'export', 'create', '--no-attachments', '--json');
    expect(create.code, create.stderr).toBe(0);
    const job = create.json();
    expect(job).toMatchObject({ type: 'export_process' });
    await eventually(async () => expect((await admin.client.getJob(job.id)).status).toBe('success'), 30_000, 200);
    const name = `${job.id}_export.zip`;

    const list = await cli(mode, 'export', 'list');
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout.split('\n')).toContain(name);
    const jobs = await cli(mode, 'export', 'job', 'list', '--json');
    expect(jobs.json().map((j: { id: string }) => j.id)).toContain(job.id);

    const target = join(home, `export-${tag}.zip`);
    const download = await cli(mode, 'export', 'download', name, target);
    expect(download.code, download.stderr).toBe(0);
    expect(download.stdout).toBe(`Export file downloaded to "${target}"\n`);
    const bytes = readFileSync(target);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004');
    expect(String(bytes.length)).toBe((await admin.client.getJob(job.id)).data.export_size);
    // An existing file is never overwritten.
    const again = await cli(mode, 'export', 'download', name, target);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('Error: export file already exists\n');
    const gone = await cli(mode, 'export', 'download', 'nosuch_export.zip', join(home, `none-${tag}.zip`));
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('api.export.export_not_found.app_error');
    expect(existsSync(join(home, `none-${tag}.zip`))).toBe(false);
  });

  it('system version/status', async () => {
    const version = await cli(mode, 'system', 'version');
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout).toMatch(/^Server version \d+\.\d+\.\d+\.\S+\n$/);
    const status = await cli(mode, 'system', 'status', '--json');
    expect(status.code, status.stderr).toBe(0);
    expect(status.json()).toMatchObject({ status: 'OK', database_status: 'OK', filestore_status: 'OK' });
    const plain = await cli(mode, 'system', 'status');
    expect(plain.stdout).toContain('Server status: OK\n');
  });

  it("import: the commands exist with mmctl's flags (end to end, export → import between two servers: mmctl-import.e2e.spec.ts)", async () => {
    const help = await cli(mode, 'import', 'process', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--bypass-upload');
    const listHelp = await cli(mode, 'import', 'list', '--help');
    expect(listHelp.stdout).toMatch(/available[\s\S]*incomplete/);
  });
});

describe('the routes mmctl added', () => {
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}/api/v4${path}`, {
      method,
      headers: { Authorization: `Bearer ${admin.client.getToken()}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as { id?: string } };
  };

  it("answer malformed input with 4xx and Mattermost's ids, never 5xx", async () => {
    const team = await admin.client.createTeam({ name: `fz-${Date.now().toString(36)}`, display_name: 'Fuzz', type: 'O' } as never);
    const channel = await admin.client.createChannel({ team_id: team.id, name: 'fuzz', display_name: 'Fuzz', type: 'O' });
    const move = (body: unknown) => api('POST', `/channels/${channel.id}/move`, body);
    expect(await move({})).toMatchObject({ status: 400, body: { id: 'api.context.invalid_body_param.app_error' } });
    expect(await move({ team_id: 5, force: false })).toMatchObject({ status: 400 });
    expect(await move({ team_id: team.id, force: 'yes' })).toMatchObject({ status: 400 });
    expect(await move('not json')).toMatchObject({ status: 400 });
    expect(await move({ team_id: 'x'.repeat(5000), force: true })).toMatchObject({ status: 404, body: { id: 'app.team.get.find.app_error' } });
    // An unpaired surrogate: the JSON body pipeline refuses it before the route (400), as on every route.
    expect((await move({ team_id: '\ud800', force: true })).status).toBe(400);
    expect((await api('POST', `/channels/${'x'.repeat(26)}/move`, { team_id: team.id, force: false })).status).toBe(404);
    // Moving to its own team changes nothing.
    expect(await move({ team_id: team.id, force: false })).toMatchObject({ status: 200 });
    for (const name of ['..zip', 'a%2Fb.zip', 'x.txt', '%2E%2E%2Fconfig.zip', `${'a'.repeat(300)}.zip`]) {
      const got = await api('GET', `/exports/${name}`);
      expect([400, 404], `${name}: ${got.status}`).toContain(got.status);
      const del = await api('DELETE', `/exports/${name}`);
      expect([400, 404], `${name}: ${del.status}`).toContain(del.status);
    }
  });
});

describe('local mode security', () => {
  /** A raw request over TCP, with whatever headers a caller may try. */
  function tcp(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path, headers }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  function viaSocket(method: string, path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request({ socketPath: socket, method, path }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('creates the socket with file mode 0600', () => {
    const st = statSync(socket);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
  });

  it('never treats a TCP request as local, whatever it claims', async () => {
    const tries: Array<Record<string, string>> = [{}, { 'X-Mattermost-Id': admin.user.id }, { Host: 'localhost' }, { 'X-Forwarded-For': '127.0.0.1' }];
    for (const headers of tries) {
      const users = await tcp('/api/v4/users', headers);
      expect(users.status).toBe(401);
      const config = await tcp('/api/v4/config', headers);
      expect(config.status).toBe(401);
    }
    // The same route over the socket: the local admin.
    expect((await viaSocket('GET', '/api/v4/config')).status).toBe(200);
  });

  it('serves only the local router over the socket', async () => {
    expect((await viaSocket('GET', '/api/v4/users/me/teams')).status).toBe(404);
    expect((await viaSocket('POST', '/api/v4/users/logout')).status).toBe(404);
    expect((await viaSocket('GET', '/')).status).toBe(404);
    // MMCTL_LOCAL=true is --local.
    const byEnv = await runMmctl(['system', 'version'], { ...cliEnv, XDG_CONFIG_HOME: join(home, 'nothing-here'), MMCTL_LOCAL: 'true' });
    expect(byEnv.code, byEnv.stderr).toBe(0);
    // mmctl refuses a socket others could open.
    chmodSync(socket, 0o666);
    try {
      const r = await runMmctl(['--local', 'system', 'version'], cliEnv);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('it must be a socket with 0600 permissions');
    } finally {
      chmodSync(socket, 0o600);
    }
  });

  it('follows EnableLocalMode on config save: stale socket replaced, other files left alone, gone when off and on stop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmctl-toggle-'));
    const path = join(dir, 'local.socket');
    const env = { ...cliEnv, MMCTL_LOCAL_SOCKET_PATH: path };
    const node = await startServer();
    try {
      const nodeAdmin = await node.newUser();
      // A regular file at the path is not removed: local mode stays off.
      writeFileSync(path, 'not a socket');
      await nodeAdmin.client.patchConfig({ ServiceSettings: { EnableLocalMode: true, LocalModeSocketLocation: path } });
      await eventually(() => expect(node.logs).toContain('exists and is not a socket'), 10_000);
      expect(readFileSync(path, 'utf8')).toBe('not a socket');
      spawnSync('rm', ['-f', path]);
      // A stale socket (its process died without removing it) is replaced.
      spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`]);
      expect(statSync(path).isSocket()).toBe(true);
      chmodSync(path, 0o600);
      const dead = await runMmctl(['--local', 'system', 'version'], env);
      expect(dead.code).toBe(1);
      expect(dead.stderr).toBe(`Error: cannot connect to the local socket ${path}: connection refused. Is it running, and is the address right?\n`);
      await nodeAdmin.client.patchConfig({ TeamSettings: { SiteName: 'again' } }); // any save retries
      await eventually(async () => expect((await runMmctl(['--local', 'system', 'version'], env)).code).toBe(0), 10_000, 200);
      expect(statSync(path).mode & 0o777).toBe(0o600);

      await nodeAdmin.client.patchConfig({ ServiceSettings: { EnableLocalMode: false } });
      await eventually(() => expect(existsSync(path)).toBe(false), 10_000);
      const off = await runMmctl(['--local', 'user', 'list'], env);
      expect(off.code).toBe(1);
      expect(off.stderr).toContain(`socket file "${path}" doesn't exist`);

      await nodeAdmin.client.patchConfig({ ServiceSettings: { EnableLocalMode: true } });
      await eventually(() => expect(existsSync(path)).toBe(true), 10_000);
      await node.stop();
      expect(existsSync(path)).toBe(false);
    } finally {
      await node.stop();
    }
  });
});
