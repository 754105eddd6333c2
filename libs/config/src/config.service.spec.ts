import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from './config-schema.js';
import { configPathFromEnv, ConfigService } from './config.service.js';
import { Config, defaultConfig } from './defaults.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mm-config-spec-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function readJson(path: string): Config {
  return JSON.parse(readFileSync(path, 'utf8')) as Config;
}

function writeJson(path: string, value: unknown) {
  writeFileSync(path, JSON.stringify(value));
}

describe('configPathFromEnv', () => {
  it('uses MM_CONFIG, resolved to an absolute path', async () => {
    expect(configPathFromEnv({ MM_CONFIG: '/etc/mm/config.json' })).toBe('/etc/mm/config.json');
    expect(configPathFromEnv({ MM_CONFIG: 'x/c.json' })).toBe(resolve('x/c.json'));
  });

  it('defaults to config/config.json under the working directory', async () => {
    expect(configPathFromEnv({})).toBe(resolve('config/config.json'));
    expect(configPathFromEnv({ MM_CONFIG: '' })).toBe(resolve('config/config.json'));
  });
});

describe('ConfigService', () => {
  it('writes the defaults when the file is missing, creating its directory', async () => {
    const path = join(dir, 'nested', 'deeper', 'config.json');
    const service = new ConfigService(path, {});
    // The defaults, with a generated public link salt (as Mattermost, which signs public links with it).
    const salt = service.get().FileSettings.PublicLinkSalt;
    expect(salt).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const expected = { ...defaultConfig, FileSettings: { ...defaultConfig.FileSettings, PublicLinkSalt: salt } };
    expect(service.get()).toEqual(expected);
    expect(existsSync(path)).toBe(true);
    expect(readJson(path)).toEqual(expected);
    expect(new ConfigService(join(dir, 'other.json'), {}).get().FileSettings.PublicLinkSalt).not.toBe(salt);
    // No temporary file is left behind.
    expect(readdirSync(join(dir, 'nested', 'deeper'))).toEqual(['config.json']);
  });

  it('writes the defaults without the environment overrides when the file is missing', async () => {
    const path = join(dir, 'config.json');
    const service = new ConfigService(path, { MM_SQLSETTINGS_MAXOPENCONNS: '7' });
    expect(service.get().SqlSettings.MaxOpenConns).toBe(7);
    expect(readJson(path).SqlSettings.MaxOpenConns).toBe(300);
  });

  it('reads an existing file over the defaults and does not rewrite it', async () => {
    const path = join(dir, 'config.json');
    const text = JSON.stringify({ TeamSettings: { SiteName: 'Acme' } });
    writeFileSync(path, text);
    const service = new ConfigService(path, {});
    expect(service.get().TeamSettings.SiteName).toBe('Acme');
    expect(service.get().TeamSettings.MaxUsersPerTeam).toBe(50);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('refuses a file that is not JSON, naming the file', async () => {
    const path = join(dir, 'config.json');
    writeFileSync(path, '{ not json');
    const err = (() => {
      try {
        new ConfigService(path, {});
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).setting).toBe(path);
  });

  it('refuses a file with a wrongly typed setting, or one that fails validation', async () => {
    const path = join(dir, 'config.json');
    writeJson(path, { SqlSettings: { MaxOpenConns: 'many' } });
    expect(() => new ConfigService(path, {})).toThrow(/SqlSettings\.MaxOpenConns/);
    writeJson(path, { SqlSettings: { DriverName: 'mysql' } });
    expect(() => new ConfigService(path, {})).toThrow(/SqlSettings\.DriverName/);
  });

  it('refuses an invalid environment override and writes no file then', async () => {
    const path = join(dir, 'config.json');
    expect(() => new ConfigService(path, { MM_SQLSETTINGS_MAXOPENCONNS: 'lots' })).toThrow(/SqlSettings\.MaxOpenConns/);
    expect(() => new ConfigService(path, { MM_SERVICESETTINGS_LISTENADDRESS: 'nowhere' })).toThrow(/ServiceSettings\.ListenAddress/);
    expect(existsSync(path)).toBe(false);
  });

  it('applies environment overrides and reports them', async () => {
    const path = join(dir, 'config.json');
    writeJson(path, { SqlSettings: { MaxOpenConns: 50 } });
    const service = new ConfigService(path, {
      MM_SQLSETTINGS_MAXOPENCONNS: '9',
      MM_TEAMSETTINGS_ENABLEOPENSERVER: 'true',
    });
    expect(service.get().SqlSettings.MaxOpenConns).toBe(9);
    expect(service.get().TeamSettings.EnableOpenServer).toBe(true);
    expect(service.environmentOverrides()).toEqual({
      SqlSettings: { MaxOpenConns: true },
      TeamSettings: { EnableOpenServer: true },
    });
    // A copy: changing it does not change the service.
    service.environmentOverrides().SqlSettings.Other = true;
    expect(service.environmentOverrides().SqlSettings).toEqual({ MaxOpenConns: true });
  });

  it('save() writes the new settings and returns and serves the effective config', async () => {
    const path = join(dir, 'config.json');
    const service = new ConfigService(path, {});
    const next = structuredClone(service.get());
    next.TeamSettings.SiteName = 'Saved';
    next.SqlSettings.MaxIdleConns = 3;
    const effective = await service.save(next);
    expect(effective.TeamSettings.SiteName).toBe('Saved');
    expect(service.get()).toEqual(effective);
    const file = readJson(path);
    expect(file.TeamSettings.SiteName).toBe('Saved');
    expect(file.SqlSettings.MaxIdleConns).toBe(3);
  });

  it('save() never persists env-overridden values into the file', async () => {
    const path = join(dir, 'config.json');
    writeJson(path, { SqlSettings: { MaxOpenConns: 50, DataSource: '' } });
    const env = { MM_SQLSETTINGS_MAXOPENCONNS: '9', MM_SQLSETTINGS_DATASOURCE: 'postgres://env-secret@db/mm' };
    const service = new ConfigService(path, env);

    // Saving the effective config as is (what an admin UI does) must not leak the env values.
    const next = structuredClone(service.get());
    next.TeamSettings.SiteName = 'Changed';
    await service.save(next);
    let file = readJson(path);
    expect(file.SqlSettings.MaxOpenConns).toBe(50);
    expect(file.SqlSettings.DataSource).toBe('');
    expect(readFileSync(path, 'utf8')).not.toContain('env-secret');
    expect(file.TeamSettings.SiteName).toBe('Changed');

    // Nor a different value sent for an overridden setting; the env value stays effective.
    const next2 = structuredClone(service.get());
    next2.SqlSettings.MaxOpenConns = 1234;
    const effective = await service.save(next2);
    file = readJson(path);
    expect(file.SqlSettings.MaxOpenConns).toBe(50);
    expect(effective.SqlSettings.MaxOpenConns).toBe(9);
    expect(service.get().SqlSettings.DataSource).toBe('postgres://env-secret@db/mm');
  });

  it('save() refuses an invalid config and leaves file and effective config unchanged', async () => {
    const path = join(dir, 'config.json');
    const service = new ConfigService(path, {});
    const before = readFileSync(path, 'utf8');
    const listener = vi.fn();
    service.onChange(listener);

    const bad = structuredClone(service.get());
    bad.PasswordSettings.MinimumLength = 2;
    await expect(service.save(bad)).rejects.toThrow(/PasswordSettings\.MinimumLength/);
    const badType = structuredClone(service.get()) as unknown as Record<string, Record<string, unknown>>;
    badType.TeamSettings.MaxUsersPerTeam = '10';
    await expect(service.save(badType as unknown as Config)).rejects.toThrow(/TeamSettings\.MaxUsersPerTeam/);

    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(service.get().PasswordSettings.MinimumLength).toBe(8);
    expect(listener).not.toHaveBeenCalled();
  });

  it('reload() picks up changes made to the file', async () => {
    const path = join(dir, 'config.json');
    const service = new ConfigService(path, { MM_SQLSETTINGS_MAXOPENCONNS: '9' });
    writeJson(path, { TeamSettings: { SiteName: 'From disk' }, SqlSettings: { MaxOpenConns: 77 } });
    const effective = await service.reload();
    expect(effective.TeamSettings.SiteName).toBe('From disk');
    expect(service.get().TeamSettings.SiteName).toBe('From disk');
    // The environment still wins over the file.
    expect(service.get().SqlSettings.MaxOpenConns).toBe(9);
  });

  it('reload() of a broken file throws and keeps the current config', async () => {
    const path = join(dir, 'config.json');
    const service = new ConfigService(path, {});
    const current = service.get();
    writeFileSync(path, '{');
    await expect(service.reload()).rejects.toThrow(ConfigError);
    expect(service.get()).toBe(current);
  });

  it('onChange listeners fire with the old and the new config, until unsubscribed', async () => {
    const path = join(dir, 'config.json');
    const service = new ConfigService(path, {});
    const calls: Array<[Config, Config]> = [];
    const unsubscribe = service.onChange((oldConfig, newConfig) => calls.push([oldConfig, newConfig]));
    const other = vi.fn();
    service.onChange(other);

    const first = service.get();
    const next = structuredClone(first);
    next.TeamSettings.SiteName = 'One';
    await service.save(next);
    expect(calls).toHaveLength(1);
    expect(calls[0][0]).toBe(first);
    expect(calls[0][0].TeamSettings.SiteName).toBe('Mattermost');
    expect(calls[0][1].TeamSettings.SiteName).toBe('One');
    expect(calls[0][1]).toBe(service.get());

    writeJson(path, { TeamSettings: { SiteName: 'Two' } });
    await service.reload();
    expect(calls).toHaveLength(2);
    expect(calls[1][0].TeamSettings.SiteName).toBe('One');
    expect(calls[1][1].TeamSettings.SiteName).toBe('Two');

    unsubscribe();
    writeJson(path, { TeamSettings: { SiteName: 'Three' } });
    await service.reload();
    expect(calls).toHaveLength(2);
    expect(other).toHaveBeenCalledTimes(3);
  });

  it('hash() is stable, changes with the config, and ignores ClusterSettings', async () => {
    // The same stored config (a fresh file gets a random public link salt of its own).
    for (const f of ['a.json', 'b.json']) writeJson(join(dir, f), { FileSettings: { PublicLinkSalt: 's'.repeat(32) } });
    const a = new ConfigService(join(dir, 'a.json'), {});
    const b = new ConfigService(join(dir, 'b.json'), {});
    expect(a.hash()).toMatch(/^[0-9a-f]{32}$/);
    expect(a.hash()).toBe(b.hash());

    const h = a.hash();
    const clustered = structuredClone(a.get());
    clustered.ClusterSettings.Enable = true;
    clustered.ClusterSettings.ClusterName = 'prod';
    clustered.ClusterSettings.ClusterSecret = 's'.repeat(32);
    clustered.ClusterSettings.OverrideHostname = 'node-2';
    clustered.ClusterSettings.GossipPort = 9999;
    await a.save(clustered);
    expect(a.get().ClusterSettings.OverrideHostname).toBe('node-2');
    expect(a.hash()).toBe(h);

    const changed = structuredClone(a.get());
    changed.TeamSettings.SiteName = 'Different';
    await a.save(changed);
    expect(a.hash()).not.toBe(h);
  });

  it('hash() ignores node-local environment overrides and key order (nodes of a cluster compare it)', async () => {
    for (const f of ['a.json', 'b.json']) writeJson(join(dir, f), { FileSettings: { PublicLinkSalt: 's'.repeat(32) } });
    const plain = new ConfigService(join(dir, 'a.json'), {});
    const overridden = new ConfigService(join(dir, 'b.json'), { MM_SERVICESETTINGS_LISTENADDRESS: '127.0.0.2:8065' });
    expect(overridden.hash()).toBe(plain.hash());
    const reordered = Object.fromEntries(Object.entries(structuredClone(plain.get())).reverse());
    writeJson(join(dir, 'c.json'), reordered);
    expect(new ConfigService(join(dir, 'c.json'), {}).hash()).toBe(plain.hash());
  });

  it('keeps the public link salt: a file without one is not rewritten, a reload keeps the salt in use, a save stores it; a short one is refused', async () => {
    const path = join(dir, 'no-salt.json');
    writeJson(path, { TeamSettings: { SiteName: 'Acme' } });
    const service = new ConfigService(path, {});
    const salt = service.get().FileSettings.PublicLinkSalt;
    expect(salt).toHaveLength(32);
    expect(readFileSync(path, 'utf8')).toBe('{"TeamSettings":{"SiteName":"Acme"}}');
    await service.reload();
    expect(service.get().FileSettings.PublicLinkSalt).toBe(salt);
    await service.save(structuredClone(service.get()));
    expect(readJson(path).FileSettings.PublicLinkSalt).toBe(salt);
    const next = structuredClone(service.get());
    next.FileSettings.PublicLinkSalt = 'too short';
    await expect(service.save(next)).rejects.toThrow(/FileSettings.PublicLinkSalt/);
  });

  it('fromEnv() reads the path from MM_CONFIG and uses the given env for overrides', async () => {
    const path = join(dir, 'from-env.json');
    const service = ConfigService.fromEnv({ MM_CONFIG: path, MM_TEAMSETTINGS_SITENAME: 'Env site' });
    expect(service.path).toBe(path);
    expect(service.get().TeamSettings.SiteName).toBe('Env site');
    expect(existsSync(path)).toBe(true);
  });
});
