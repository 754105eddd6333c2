import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPatch, getValue } from './commands/config.js';
import { CredentialsStore, resolveConfigPath, type Credentials } from './credentials.js';
import { CliError, describeError } from './errors.js';
import { Printer } from './printer.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const p = new Printer(
    (s) => out.push(s),
    (s) => err.push(s),
  );
  return { p, out: () => out.join(''), err: () => err.join('') };
}

describe('printer (mmctl printer semantics)', () => {
  it('prints text lines, or one JSON list of the values', () => {
    const a = capture();
    a.p.print('one', { n: 1 });
    a.p.print('two', { n: 2 });
    a.p.flush();
    expect(a.out()).toBe('one\ntwo\n');
    const b = capture();
    b.p.format = 'json';
    b.p.print('one', { n: 1 });
    b.p.print('two', { n: 2 });
    b.p.flush();
    expect(JSON.parse(b.out())).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it("prints a single command's one value alone, keeps human notes out of JSON, errors on stderr", () => {
    const a = capture();
    a.p.format = 'json';
    a.p.single = true;
    a.p.print('Created user x', { username: 'x' });
    a.p.print('No jobs found', undefined);
    a.p.error('something failed');
    a.p.flush();
    expect(JSON.parse(a.out())).toEqual({ username: 'x' });
    expect(a.err()).toBe('something failed\n');
  });

  it('adds the list statistics on stderr and prints nothing for an empty failed JSON list', () => {
    const a = capture();
    a.p.stat = { entity: 'user', server: 'http://x' };
    a.p.print('u1');
    a.p.flush();
    expect(a.err()).toBe('There are 1 users on http://x\n');
    const b = capture();
    b.p.format = 'json';
    b.p.flush(true);
    expect(b.out()).toBe('');
  });
});

describe('config get/set paths', () => {
  const cfg = {
    ServiceSettings: { SiteURL: '', EnableCustomEmoji: false, MaximumLoginAttempts: 10, TrustedProxyIPHeader: ['X-Forwarded-For'] },
    PluginSettings: { Plugins: { 'com.example.plugin': { Setting: 'a' } } },
  };

  it('reads dotted paths, plugin keys with dots included', () => {
    expect(getValue(cfg, ['ServiceSettings', 'MaximumLoginAttempts'])).toEqual({ found: true, value: 10 });
    expect(getValue(cfg, 'PluginSettings.Plugins.com.example.plugin.Setting'.split('.'))).toEqual({ found: true, value: 'a' });
    expect(getValue(cfg, ['ServiceSettings', 'Nope']).found).toBe(false);
  });

  it('types the new value from the current one and patches only that setting', () => {
    expect(buildPatch(cfg, 'ServiceSettings.EnableCustomEmoji', ['true'])).toEqual({ ServiceSettings: { EnableCustomEmoji: true } });
    expect(buildPatch(cfg, 'ServiceSettings.MaximumLoginAttempts', ['5'])).toEqual({ ServiceSettings: { MaximumLoginAttempts: 5 } });
    expect(buildPatch(cfg, 'ServiceSettings.TrustedProxyIPHeader', ['A', 'B'])).toEqual({ ServiceSettings: { TrustedProxyIPHeader: ['A', 'B'] } });
    expect(() => buildPatch(cfg, 'ServiceSettings.EnableCustomEmoji', ['maybe'])).toThrow(/is a boolean/);
    expect(() => buildPatch(cfg, 'ServiceSettings.MaximumLoginAttempts', ['ten'])).toThrow(/is a number/);
    expect(() => buildPatch(cfg, 'ServiceSettings.SiteURL', ['a', 'b'])).toThrow(/takes one value/);
    expect(() => buildPatch(cfg, 'ServiceSettings', ['x'])).toThrow('invalid key');
    expect(() => buildPatch(cfg, 'Nope.Nothing', ['x'])).toThrow('invalid key');
  });
});

describe('credentials file', () => {
  const creds = (name: string): Credentials => ({ name, username: 'u', authToken: 't', authMethod: 'P', instanceUrl: 'http://x', active: false });

  it('lives where mmctl keeps it', () => {
    expect(resolveConfigPath(undefined, { XDG_CONFIG_HOME: '/cfg' })).toBe('/cfg/mmctl/config');
    expect(resolveConfigPath('/elsewhere/c', { XDG_CONFIG_HOME: '/cfg' })).toBe('/elsewhere/c');
  });

  it('is written 0600, the first connection is active, set switches', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'mmctl-unit-')), 'mmctl', 'config');
    const store = new CredentialsStore(path);
    expect(() => store.current()).toThrow(/maybe you need to use login first/);
    store.save(creds('a'), false);
    store.save(creds('b'), false);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, '..')).mode & 0o777).toBe(0o700);
    expect(store.current().name).toBe('a');
    store.setCurrent('b');
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ a: { active: false }, b: { active: true, authMethod: 'P', instanceUrl: 'http://x' } });
    store.delete('b');
    expect(() => store.current()).toThrow(/no current context/);
    expect(() => store.delete('b')).toThrow('cannot find credentials for server name "b"');
  });
});

describe('error messages', () => {
  it("names an unreachable server and keeps the server's AppError id", () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    expect(describeError(refused, 'http://h:1')).toBe(
      'cannot connect to the server at http://h:1: connection refused. Is it running, and is the address right?',
    );
    const appError = Object.assign(new Error('Unable to find the user.'), { server_error_id: 'app.user.missing_account.const', status_code: 404 });
    expect(describeError(appError, 'x')).toBe('Unable to find the user. (app.user.missing_account.const, status 404)');
    expect(describeError(new CliError('plain'), 'x')).toBe('plain');
  });
});
