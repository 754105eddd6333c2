import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigService } from '#config';
import { LocalInvalidationBus } from '#realtime';
import type { ConfigFilesRepository } from './config-files.repository.js';
import { SamlAdminService } from './saml-admin.service.js';

/** config_files in memory. */
class MemoryFiles {
  readonly files = new Map<string, Buffer>();
  async put(name: string, data: Buffer) {
    this.files.set(name, data);
  }
  async getMany(names: string[]) {
    return new Map(names.filter((n) => this.files.has(n)).map((n) => [n, this.files.get(n)!]));
  }
  async existing(names: string[]) {
    return new Set(names.filter((n) => this.files.has(n)));
  }
  async remove(name: string) {
    return this.files.delete(name);
  }
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
/** An unencrypted key in PKCS#1, as openssl writes older keys: stored as PKCS#8. */
const KEY_PEM = privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
/** A certificate's armour around what is not one. */
const NOT_A_CERTIFICATE = '-----BEGIN CERTIFICATE-----\nMIIBqzCCARSgAwIBAgIU\n-----END CERTIFICATE-----\n';

let dir: string;
let config: ConfigService;
let files: MemoryFiles;
let admin: SamlAdminService;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'saml-admin-'));
  config = new ConfigService(join(dir, 'config.json'), {});
  files = new MemoryFiles();
  admin = new SamlAdminService(config, files as unknown as ConfigFilesRepository, undefined as never, new LocalInvalidationBus());
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SamlAdminService files', () => {
  it('stores a key as PKCS#8 PEM under Mattermost’s name and names it in the config', async () => {
    await admin.addFile('private', Buffer.from(KEY_PEM));
    expect(files.files.get('saml-private.key')?.toString()).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(config.get().SamlSettings.PrivateKeyFile).toBe('saml-private.key');
    expect(await admin.certificateStatus()).toEqual({ idp_certificate_file: false, public_certificate_file: false, private_key_file: true });
  });

  it('refuses what is not a certificate or key, storing nothing', async () => {
    await expect(admin.addFile('idp', Buffer.from('hello'))).rejects.toMatchObject({ statusCode: 400, id: 'api.admin.add_certificate.parse.app_error' });
    await expect(admin.addFile('public', Buffer.from(KEY_PEM))).rejects.toMatchObject({ statusCode: 400 });
    await expect(admin.addFile('private', Buffer.from(NOT_A_CERTIFICATE))).rejects.toMatchObject({ statusCode: 400 });
    await expect(admin.addIdpCertificateFromMetadata(Buffer.from('bm90IGEgY2VydA=='))).rejects.toMatchObject({
      id: 'api.admin.saml.failure_parse_idp_certificate.app_error',
    });
    expect(files.files.size).toBe(0);
    expect(config.get().SamlSettings.IdpCertificateFile).toBe('');
  });

  it('removing the key turns Encrypt off; removing the IdP certificate turns SAML off', async () => {
    await admin.addFile('private', Buffer.from(KEY_PEM));
    await config.save({ ...config.get(), SamlSettings: { ...config.get().SamlSettings, Enable: true, Encrypt: true } });
    await admin.removeFile('private');
    expect(config.get().SamlSettings).toMatchObject({ PrivateKeyFile: '', Encrypt: false, Enable: true });
    expect(files.files.size).toBe(0);
    await admin.removeFile('idp');
    expect(config.get().SamlSettings).toMatchObject({ IdpCertificateFile: '', Enable: false });
  });

  it('a status names only files the config names and the store holds', async () => {
    files.files.set('saml-idp.crt', Buffer.from('x'));
    expect((await admin.certificateStatus()).idp_certificate_file).toBe(false);
  });
});
