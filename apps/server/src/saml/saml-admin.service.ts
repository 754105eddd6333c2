import { Injectable } from '@nestjs/common';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { AppError, badRequest } from '#common';
import { ConfigError, ConfigService } from '#config';
import { InvalidationBus } from '#realtime';
import { generateServiceProviderMetadata } from '@node-saml/passport-saml';
import { AllowList } from '../common/outbound/address-guard.js';
import { readBody, safeGet } from '../common/outbound/safe-fetch.js';
import { UsersRepository } from '../users/users.repository.js';
import { ConfigFilesRepository } from './config-files.repository.js';
import { IdpMetadataError, parseIdpMetadata, type SamlMetadataResponse } from './idp-metadata.js';
import { loadSamlKeys, metadataParams, SAML_FILE_SETTINGS, SAML_FILES, type SamlFileKind, type SamlSettings } from './saml-settings.js';

/** Certificates and keys are a few kilobytes; anything this size is not one. */
export const MAX_CERTIFICATE_BYTES = 1024 * 1024;
const METADATA_TIMEOUT_MS = 10_000;
const MAX_METADATA_BYTES = 2 * 1024 * 1024;

export interface SamlCertificateStatus {
  idp_certificate_file: boolean;
  public_certificate_file: boolean;
  private_key_file: boolean;
}

export interface ResetAuthDataParams {
  includeDeleted: boolean;
  dryRun: boolean;
  userIds: string[];
}

function parseError(what: string, err: unknown): AppError {
  return badRequest('api.admin.add_certificate.parse.app_error', `The uploaded file is not a ${what} in PEM format.`, String((err as Error)?.message ?? err));
}

/** The uploaded file in the form every node reads back: a PEM certificate, or a PKCS#8 PEM key. */
function normalise(kind: SamlFileKind, data: Buffer): Buffer {
  if (kind === 'private') {
    try {
      return Buffer.from(createPrivateKey(data).export({ type: 'pkcs8', format: 'pem' }) as string);
    } catch (err) {
      throw parseError('private key (unencrypted)', err);
    }
  }
  try {
    return Buffer.from(new X509Certificate(data).toString());
  } catch (err) {
    throw parseError('X.509 certificate', err);
  }
}

/**
 * The System Console's side of SAML (api4/saml.go): the SP metadata, reading an IdP's metadata,
 * the uploaded certificates and key (stored in config_files for every node, named in the config
 * as Mattermost's app/saml.go does), and moving SAML accounts' auth_data to their email.
 */
@Injectable()
export class SamlAdminService {
  constructor(
    private readonly config: ConfigService,
    private readonly files: ConfigFilesRepository,
    private readonly users: UsersRepository,
    private readonly invalidation: InvalidationBus,
  ) {}

  /** GET /saml/metadata: this SP's metadata, for the IdP's administrator. */
  async metadata(): Promise<string> {
    const cfg = this.config.get();
    const keys = await loadSamlKeys(this.files, cfg);
    try {
      return generateServiceProviderMetadata(metadataParams(cfg, keys));
    } catch (err) {
      const detail = err instanceof AppError ? err.detailedError : String((err as Error)?.message ?? err);
      throw badRequest('api.admin.saml.metadata.app_error', 'An error occurred while building Service Provider Metadata.', detail);
    }
  }

  /**
   * POST /saml/metadatafromidp: fetches an IdP's metadata through the outgoing-request guard (no
   * loopback or private address unless ServiceSettings.AllowedUntrustedInternalConnections lists
   * it) and reads what the System Console fills in from it.
   */
  async metadataFromIdp(rawUrl: string): Promise<SamlMetadataResponse> {
    // Mattermost assumes https when the scheme is left out.
    const url = /^https?:\/\//i.test(rawUrl) ? rawUrl : `https://${rawUrl}`;
    const cfg = this.config.get();
    try {
      const res = await safeGet(url, {
        allow: new AllowList(cfg.ServiceSettings.AllowedUntrustedInternalConnections),
        insecure: cfg.ServiceSettings.EnableInsecureOutgoingConnections,
        timeoutMs: METADATA_TIMEOUT_MS,
        maxBytes: MAX_METADATA_BYTES,
        headers: { Accept: 'application/samlmetadata+xml, application/xml, text/xml' },
      });
      if (res.status !== 200) {
        res.close();
        throw new IdpMetadataError(`the identity provider answered status ${res.status}`);
      }
      const { bytes, truncated } = await readBody(res, MAX_METADATA_BYTES);
      if (truncated) throw new IdpMetadataError('the metadata is too large');
      return parseIdpMetadata(bytes.toString('utf8'));
    } catch (err) {
      throw badRequest(
        'api.admin.saml.failure_get_metadata_from_idp.app_error',
        'Failed to obtain metadata from Identity Provider URL.',
        String((err as Error)?.message ?? err),
      );
    }
  }

  /** POST /saml/certificate/{idp,public,private}: stores the file, then names it in the config. */
  async addFile(kind: SamlFileKind, data: Buffer): Promise<void> {
    const name = SAML_FILES[kind];
    await this.files.put(name, normalise(kind, data));
    await this.saveSettings({ [SAML_FILE_SETTINGS[kind]]: name });
  }

  /**
   * POST /saml/certificate/idp with Content-Type application/x-pem-file: the certificate's base64
   * body as the IdP's metadata gives it (Client4.setSamlIdpCertificateFromMetadata).
   */
  async addIdpCertificateFromMetadata(body: Buffer): Promise<void> {
    const base64 = body.toString('utf8').replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, '');
    const pem = `-----BEGIN CERTIFICATE-----\n${base64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
    try {
      new X509Certificate(pem);
    } catch (err) {
      throw badRequest(
        'api.admin.saml.failure_parse_idp_certificate.app_error',
        'Failure parsing the IdP certificate.',
        String((err as Error)?.message ?? err),
      );
    }
    await this.addFile('idp', Buffer.from(pem));
  }

  /**
   * DELETE /saml/certificate/{kind}: removes the file and its name from the config. As Mattermost,
   * without the IdP certificate SAML is disabled, and without the SP's certificate or key
   * assertions can no longer be decrypted, so Encrypt goes off.
   */
  async removeFile(kind: SamlFileKind): Promise<void> {
    const s = this.config.get().SamlSettings;
    await this.files.remove(s[SAML_FILE_SETTINGS[kind]] || SAML_FILES[kind]);
    const next: Partial<SamlSettings> = { [SAML_FILE_SETTINGS[kind]]: '' };
    if (kind === 'idp') next.Enable = false;
    else next.Encrypt = false;
    await this.saveSettings(next);
  }

  /** GET /saml/certificate/status: whether each file the config names is stored. */
  async certificateStatus(): Promise<SamlCertificateStatus> {
    const s = this.config.get().SamlSettings;
    const stored = await this.files.existing([s.IdpCertificateFile, s.PublicCertificateFile, s.PrivateKeyFile]);
    const has = (name: string) => Boolean(name) && stored.has(name);
    return {
      idp_certificate_file: has(s.IdpCertificateFile),
      public_certificate_file: has(s.PublicCertificateFile),
      private_key_file: has(s.PrivateKeyFile),
    };
  }

  /** POST /saml/reset_auth_data: SAML accounts identified by their email again (before changing IdAttribute). */
  async resetAuthDataToEmail(params: ResetAuthDataParams): Promise<number> {
    let ids: string[];
    try {
      ids = await this.users.resetAuthDataToEmail('saml', params, Date.now());
    } catch (err) {
      if ((err as { code?: string })?.code === '23505') {
        throw badRequest(
          'api.admin.saml.failure_reset_authdata_to_email.app_error',
          'Failed to reset AuthData field to Email: another SAML account already uses one of these emails as its AuthData.',
        );
      }
      throw err;
    }
    if (!params.dryRun) for (const id of ids) this.invalidation.emit('user', id);
    return ids.length;
  }

  /** Saves SamlSettings changes through the config service (in a cluster: the shared store, reloaded by every node). */
  private async saveSettings(patch: Partial<SamlSettings>): Promise<void> {
    const cfg = this.config.get();
    try {
      await this.config.save({ ...cfg, SamlSettings: { ...cfg.SamlSettings, ...patch } });
    } catch (err) {
      if (err instanceof ConfigError) throw badRequest('model.config.is_valid.app_error', err.message, err.setting);
      throw err;
    }
  }
}
