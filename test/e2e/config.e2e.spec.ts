import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectClientError, NewUser, SERVER_ENTRY, startServer, TestServer } from '#testing';

let server: TestServer;
let admin: NewUser;
let alice: NewUser;

beforeAll(async () => {
  server = await startServer({ MM_SERVICESETTINGS_ENABLEDEVELOPER: 'false' });
  admin = await server.newUser();
  alice = await server.newUser();
});
afterAll(() => server?.stop());

/** Runs the server with a config that must be refused; returns its output. */
function startWith(env: Record<string, string>, fileContent?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'mm-cfg-'));
  if (fileContent !== undefined) writeFileSync(join(dir, 'config.json'), fileContent);
  const run = spawnSync(process.execPath, [SERVER_ENTRY], {
    env: { ...process.env, MM_CONFIG: join(dir, 'config.json'), MM_SQLSETTINGS_DATASOURCE: 'postgres://postgres@127.0.0.1:1/none', ...env },
    encoding: 'utf8',
    timeout: 15_000,
  });
  return { status: run.status, output: run.stdout + run.stderr };
}

describe('start-up validation', () => {
  it('stops with a message naming a mistyped setting', () => {
    const r = startWith({}, JSON.stringify({ SqlSettings: { MaxOpenConns: 'many' } }));
    expect(r.status).toBe(1);
    expect(r.output).toContain('SqlSettings.MaxOpenConns');
    expect(r.output).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('stops on an unknown driver and on a bad listen address from the environment', () => {
    const driver = startWith({ MM_SQLSETTINGS_DRIVERNAME: 'oracle' });
    expect(driver.status).toBe(1);
    expect(driver.output).toContain('SqlSettings.DriverName');
    const listen = startWith({ MM_SERVICESETTINGS_LISTENADDRESS: 'localhost:99999' });
    expect(listen.status).toBe(1);
    expect(listen.output).toContain('ServiceSettings.ListenAddress');
  });

  it('stops on a config file that is not JSON', () => {
    const r = startWith({}, '{ not json');
    expect(r.status).toBe(1);
    expect(r.output).toContain('is not valid JSON');
  });
});

describe('config API', () => {
  it('returns the sanitized config to admins only', async () => {
    const cfg = await admin.client.getConfig();
    expect(cfg.SqlSettings.DataSource).toBe('********************************');
    expect(cfg.ServiceSettings.ListenAddress).toBe(`127.0.0.1:${server.port}`);
    const denied = await expectClientError(() => alice.client.getConfig());
    expect(denied.status_code).toBe(403);
    expect(denied.server_error_id).toBe('api.context.permissions.app_error');
  });

  it('patches the config, saves the file, and tells sockets config_changed', async () => {
    const socket = await server.socket(alice.client);
    const saved = await admin.client.patchConfig({ TeamSettings: { SiteName: 'Patched Chat' } } as any);
    expect(saved.TeamSettings.SiteName).toBe('Patched Chat');
    const ev = await socket.waitFor('config_changed');
    expect(ev.data.config.SiteName).toBe('Patched Chat');
    const file = JSON.parse(readFileSync(join(server.dir, 'config.json'), 'utf8'));
    expect(file.TeamSettings.SiteName).toBe('Patched Chat');
    // Environment overrides are never written into the file.
    expect(file.SqlSettings.DataSource).toBe('');
    socket.close();
  });

  it('refuses an invalid config with a 400 that names the setting, and keeps the old one', async () => {
    const err = await expectClientError(() => admin.client.patchConfig({ PasswordSettings: { MinimumLength: 2 } } as any));
    expect(err.status_code).toBe(400);
    expect(err.message).toContain('PasswordSettings.MinimumLength');
    const wrongType = await expectClientError(() => admin.client.patchConfig({ TeamSettings: { MaxUsersPerTeam: 'lots' } } as any));
    expect(wrongType.status_code).toBe(400);
    expect((await admin.client.getConfig()).PasswordSettings.MinimumLength).toBe(8);
    const denied = await expectClientError(() => alice.client.patchConfig({ TeamSettings: { SiteName: 'x' } } as any));
    expect(denied.status_code).toBe(403);
  });

  it('refuses __proto__, constructor and prototype keys, and new users keep an empty nickname', async () => {
    // Raw JSON: a client's JSON.stringify would drop a __proto__ key.
    const put = (path: string, body: string) =>
      fetch(`${server.url}/api/v4/config${path}`, { method: 'PUT', headers: { Authorization: `Bearer ${admin.client.getToken()}` }, body });
    const attempts = [
      ['/patch', '{"__proto__":{"nickname":"Polluted"}}'],
      ['/patch', '{"TeamSettings":{"__proto__":{"nickname":"Polluted"}}}'],
      ['/patch', '{"constructor":{"prototype":{"nickname":"Polluted"}}}'],
      ['', '{"__proto__":{"nickname":"Polluted"},"TeamSettings":{}}'],
    ];
    for (const [path, body] of attempts) {
      const res = await put(path, body);
      expect(res.status, body).toBe(400);
      expect((await res.json()).id).toBe('api.context.invalid_body_param.app_error');
    }
    const newcomer = await server.newUser();
    expect((await newcomer.client.getMe()).nickname).toBe('');
    expect((await admin.client.getMe()).id).toBe(admin.user.id);
  });

  it('updates the whole config with PUT, keeping masked secrets', async () => {
    const cfg = await admin.client.getConfig();
    cfg.TeamSettings.SiteName = 'Put Chat';
    const saved = await admin.client.updateConfig(cfg);
    expect(saved.TeamSettings.SiteName).toBe('Put Chat');
    // The masked DataSource sent back did not replace the real one: the server still works.
    expect((await admin.client.getMe()).id).toBe(admin.user.id);
  });

  it('reloads the config from disk', async () => {
    const path = join(server.dir, 'config.json');
    const file = JSON.parse(readFileSync(path, 'utf8'));
    file.TeamSettings.SiteName = 'Edited On Disk';
    writeFileSync(path, JSON.stringify(file));
    await admin.client.reloadConfig();
    expect((await admin.client.getConfig()).TeamSettings.SiteName).toBe('Edited On Disk');
    expect((await expectClientError(() => alice.client.reloadConfig())).status_code).toBe(403);
  });

  it('lists the settings set by the environment', async () => {
    const env = await admin.client.getEnvironmentConfig();
    expect((env as any).SqlSettings.DataSource).toBe(true);
    expect((env as any).ServiceSettings.ListenAddress).toBe(true);
    expect((await expectClientError(() => alice.client.getEnvironmentConfig())).status_code).toBe(403);
  });

  it('serves the client config only in the old format, limited before login', async () => {
    const anon = await server.client().getClientConfig();
    expect(anon.SiteName).toBeDefined();
    expect(anon.EnableUserAccessTokens).toBeUndefined();
    const full = await alice.client.getClientConfig();
    expect(full.EnableUserAccessTokens).toBe('false');
    const res = await fetch(`${server.url}/api/v4/config/client`);
    expect(res.status).toBe(501);
    expect((await res.json()).id).toBe('api.config.client.old_format.app_error');
  });
});

describe('system ping', () => {
  it('reports database and file store status', async () => {
    const ping = await server.client().ping(true);
    expect(ping.status).toBe('OK');
    expect(ping.database_status).toBe('OK');
    expect(ping.filestore_status).toBe('OK');
  });

  it('sends X-Request-ID and X-Version-ID headers', async () => {
    const res = await fetch(`${server.url}/api/v4/system/ping`);
    expect(res.headers.get('x-request-id')).toMatch(/^[a-z0-9]{26}$/);
    expect(res.headers.get('x-version-id')).toMatch(/^\d+\.\d+\.\d+\.\d+\.[0-9a-f]+\.false$/);
    expect(res.headers.get('content-type')).toBe('application/json');
  });
});

describe('server limits', () => {
  it('has no limits, and tells only the system admin how many active users there are', async () => {
    const none = { maxUsersLimit: 0, maxUsersHardLimit: 0, lastAccessiblePostTime: 0, postHistoryLimit: 0 };
    const before = (await admin.client.getServerLimits()).data;
    expect(before).toEqual({ ...none, activeUserCount: expect.any(Number) });
    const bob = await server.newUser();
    expect((await admin.client.getServerLimits()).data.activeUserCount).toBe(before.activeUserCount + 1);
    await admin.client.updateUserActive(bob.user.id, false);
    expect((await admin.client.getServerLimits()).data.activeUserCount).toBe(before.activeUserCount);
    expect((await alice.client.getServerLimits()).data).toEqual({ ...none, activeUserCount: 0 });
  });
});

describe('rate limiting', () => {
  it('answers 429 past RateLimitSettings with Mattermost headers', async () => {
    const limited = await startServer({ MM_RATELIMITSETTINGS_ENABLE: 'true', MM_RATELIMITSETTINGS_PERSEC: '1', MM_RATELIMITSETTINGS_MAXBURST: '2' });
    try {
      await new Promise((r) => setTimeout(r, 3000)); // let the bucket the start-up pings used refill
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 6; i++) {
        last = await fetch(`${limited.url}/api/v4/system/ping`);
        statuses.push(last.status);
        if (last.status === 429) break;
      }
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
      expect(statuses).toContain(429);
      expect(last!.headers.get('x-ratelimit-limit')).toBe('3');
      expect(await last!.text()).toBe('limit exceeded\n');
    } finally {
      await limited.stop();
    }
  });
});
