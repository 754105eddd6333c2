import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTestCertificates } from '#testing';
import { ConfigError, validateConfig } from './config-schema.js';
import { Config, defaultConfig } from './defaults.js';
import { DEFAULT_TLS_CIPHERS, TLS_CIPHERS, tlsSettingsProblem } from './tls-settings.js';

const dir = mkdtempSync(join(tmpdir(), 'mm-tls-settings-'));
const certs = makeTestCertificates(dir, '127.0.0.1', 'settings');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function withService(settings: Partial<Config['ServiceSettings']>): Config {
  const config = structuredClone(defaultConfig) as Config;
  Object.assign(config.ServiceSettings, settings);
  return config;
}

const tls = { ConnectionSecurity: 'TLS', TLSCertFile: certs.certFile, TLSKeyFile: certs.keyFile };

/** The one-line message validateConfig gives (the ConfigError's), or '' when it passes. */
function message(settings: Partial<Config['ServiceSettings']>): string {
  try {
    validateConfig(withService(settings));
    return '';
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).not.toContain('\n');
    return (err as Error).message;
  }
}

describe('TLS settings', () => {
  it("have Mattermost's defaults and pass as shipped", () => {
    const s = defaultConfig.ServiceSettings;
    expect([s.ConnectionSecurity, s.TLSMinVer, s.TLSStrictTransport, s.TLSStrictTransportMaxAge, s.TLSOverwriteCiphers, s.Forward80To443]).toEqual([
      '',
      '1.2',
      false,
      63072000,
      [],
      false,
    ]);
    expect(tlsSettingsProblem(withService({}))).toBeUndefined();
    expect(message(tls)).toBe('');
  });

  it('name the setting for every problem', () => {
    expect(message({ ConnectionSecurity: 'tls' })).toBe('config: ServiceSettings.ConnectionSecurity must be "" or "TLS", got "tls"');
    expect(message({ ...tls, TLSCertFile: '' })).toBe('config: ServiceSettings.TLSCertFile must be set when ServiceSettings.ConnectionSecurity is "TLS"');
    expect(message({ ...tls, TLSKeyFile: '' })).toBe('config: ServiceSettings.TLSKeyFile must be set when ServiceSettings.ConnectionSecurity is "TLS"');
    expect(message({ ...tls, TLSKeyFile: join(dir, 'nope.key') })).toBe(`config: ServiceSettings.TLSKeyFile cannot be read: ${join(dir, 'nope.key')}: ENOENT`);
    expect(message({ ...tls, TLSCertFile: dir })).toBe(`config: ServiceSettings.TLSCertFile cannot be read: ${dir}: EISDIR`);
    const junk = join(dir, 'junk.pem');
    writeFileSync(junk, 'not a certificate\n');
    expect(message({ ...tls, TLSCertFile: junk })).toMatch(/^config: ServiceSettings\.TLSCertFile is not a PEM certificate: /);
    expect(message({ ...tls, TLSKeyFile: junk })).toMatch(/^config: ServiceSettings\.TLSKeyFile is not an unencrypted PEM private key: /);
    const other = makeTestCertificates(mkdtempSync(join(dir, 'other-')), '127.0.0.1', 'other');
    expect(message({ ...tls, TLSKeyFile: other.keyFile })).toMatch(
      /^config: ServiceSettings\.TLSKeyFile is not the key of the certificate in ServiceSettings\.TLSCertFile/,
    );
    expect(message({ TLSMinVer: '1.4' })).toBe('config: ServiceSettings.TLSMinVer must be "1.0", "1.1", "1.2" or "1.3", got "1.4"');
    expect(message({ TLSOverwriteCiphers: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'RC4'] })).toBe(
      'config: ServiceSettings.TLSOverwriteCiphers has an unsupported cipher "RC4"',
    );
    expect(message({ TLSStrictTransportMaxAge: -1 })).toBe(
      'config: ServiceSettings.TLSStrictTransportMaxAge must be a whole number of seconds, 0 or more, got -1',
    );
  });

  it("check files only for TLS, and the certificate's files whatever the other settings", () => {
    expect(message({ TLSCertFile: '/nope', TLSKeyFile: '/nope' })).toBe('');
    for (const TLSMinVer of ['1.0', '1.1', '1.2', '1.3']) expect(message({ ...tls, TLSMinVer })).toBe('');
  });

  it("keep Mattermost's Forward80To443 rule: only with the server on port 443", () => {
    expect(message({ Forward80To443: true, ListenAddress: ':443' })).toBe('');
    expect(message({ Forward80To443: true, ListenAddress: '[::1]:443' })).toBe('');
    expect(message({ Forward80To443: true, ListenAddress: '127.0.0.1:8443' })).toBe(
      'config: ServiceSettings.Forward80To443 is on: unable to forward port 80 to port 443 while listening on port 8443; set ServiceSettings.ListenAddress to port 443 or disable Forward80To443 if using a proxy server',
    );
  });

  it("know Mattermost's cipher names, the defaults among them", () => {
    expect(Object.keys(TLS_CIPHERS)).toHaveLength(22);
    for (const name of DEFAULT_TLS_CIPHERS) expect(TLS_CIPHERS[name]).toMatch(/GCM/);
  });
});
