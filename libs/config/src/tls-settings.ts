/**
 * The node's own HTTPS settings (ServiceSettings.ConnectionSecurity "TLS" and its companions):
 * what they may hold, checked with the rest of the config at start-up and on every save, each
 * problem one line naming the setting. The server turns them into Node's TLS options in
 * apps/server/src/common/tls-server.ts.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Config } from './defaults.js';

/** TLSMinVer's values (Mattermost's "1.0"–"1.2", plus "1.3") as Node's protocol names. */
export const TLS_MIN_VERSIONS = { '1.0': 'TLSv1', '1.1': 'TLSv1.1', '1.2': 'TLSv1.2', '1.3': 'TLSv1.3' } as const;

/**
 * The cipher names TLSOverwriteCiphers takes — Mattermost's model.ServerTLSSupportedCiphers, Go's
 * IANA-style names — and the OpenSSL name each means to Node. RC4 and 3DES are accepted (a
 * Mattermost config may list them) but Node's OpenSSL 3 has no RC4, and 3DES only below its
 * default security level: the server skips what its OpenSSL lacks, with a warning, as Mattermost
 * skips unknown names at start.
 */
export const TLS_CIPHERS: Readonly<Record<string, string>> = {
  TLS_RSA_WITH_RC4_128_SHA: 'RC4-SHA',
  TLS_RSA_WITH_3DES_EDE_CBC_SHA: 'DES-CBC3-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA256: 'AES128-SHA256',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_RC4_128_SHA: 'ECDHE-ECDSA-RC4-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_RC4_128_SHA: 'ECDHE-RSA-RC4-SHA',
  TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA: 'ECDHE-RSA-DES-CBC3-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: 'ECDHE-ECDSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: 'ECDHE-RSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: 'ECDHE-ECDSA-CHACHA20-POLY1305',
};

/** Mattermost's default suites when TLSOverwriteCiphers is empty (server.go's defaultCiphers). */
export const DEFAULT_TLS_CIPHERS = [
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_RSA_WITH_AES_256_GCM_SHA384',
];

/** The port of a ListenAddress already checked by parseListenAddress ("host:port", ":port", "[v6]:port"). */
function listenPort(address: string): string {
  return address.slice(address.lastIndexOf(':') + 1);
}

/** A problem with one setting; config-schema.ts turns it into its ConfigError (kept apart to avoid an import cycle). */
class TlsSettingError extends Error {
  constructor(
    readonly setting: string,
    readonly problem: string,
  ) {
    super(`${setting} ${problem}`);
  }
}
/** A file's text, or the error naming the setting and why it cannot be read. */
function readSettingFile(setting: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new TlsSettingError(setting, `cannot be read: ${path}: ${e.code ?? e.message}`);
  }
}

/**
 * model.ServiceSettings.isValid's TLS rules, and more: Mattermost only checks that the files exist
 * (and finds out at start that they hold no usable certificate and key); here the certificate and
 * key must parse and belong together, so a save that would stop the next start is refused. The
 * Forward80To443 port rule is Mattermost's start-up check (server.go), enforced here on save too.
 */
export function tlsSettingsProblem(config: Config): { setting: string; problem: string } | undefined {
  try {
    checkTlsSettings(config);
    return undefined;
  } catch (err) {
    if (err instanceof TlsSettingError) return { setting: err.setting, problem: err.problem };
    throw err;
  }
}

function checkTlsSettings(config: Config): void {
  const s = config.ServiceSettings;
  if (!['', 'TLS'].includes(s.ConnectionSecurity)) {
    throw new TlsSettingError('ServiceSettings.ConnectionSecurity', `must be "" or "TLS", got ${JSON.stringify(s.ConnectionSecurity)}`);
  }
  if (!Object.hasOwn(TLS_MIN_VERSIONS, s.TLSMinVer)) {
    throw new TlsSettingError('ServiceSettings.TLSMinVer', `must be "1.0", "1.1", "1.2" or "1.3", got ${JSON.stringify(s.TLSMinVer)}`);
  }
  for (const cipher of s.TLSOverwriteCiphers) {
    if (typeof cipher !== 'string' || !Object.hasOwn(TLS_CIPHERS, cipher)) {
      throw new TlsSettingError('ServiceSettings.TLSOverwriteCiphers', `has an unsupported cipher ${JSON.stringify(cipher)}`);
    }
  }
  if (!Number.isInteger(s.TLSStrictTransportMaxAge) || s.TLSStrictTransportMaxAge < 0) {
    throw new TlsSettingError('ServiceSettings.TLSStrictTransportMaxAge', `must be a whole number of seconds, 0 or more, got ${s.TLSStrictTransportMaxAge}`);
  }
  const port = listenPort(s.ListenAddress);
  if (s.Forward80To443 && port !== '443') {
    // Mattermost's api.server.start_server.forward80to443.enabled_but_listening_on_wrong_port.
    throw new TlsSettingError(
      'ServiceSettings.Forward80To443',
      `is on: unable to forward port 80 to port 443 while listening on port ${port}; set ServiceSettings.ListenAddress to port 443 or disable Forward80To443 if using a proxy server`,
    );
  }
  if (s.ConnectionSecurity !== 'TLS') return;
  for (const setting of ['TLSCertFile', 'TLSKeyFile'] as const) {
    if (!s[setting]) throw new TlsSettingError(`ServiceSettings.${setting}`, 'must be set when ServiceSettings.ConnectionSecurity is "TLS"');
  }
  const certPem = readSettingFile('ServiceSettings.TLSCertFile', s.TLSCertFile);
  const keyPem = readSettingFile('ServiceSettings.TLSKeyFile', s.TLSKeyFile);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (err) {
    throw new TlsSettingError('ServiceSettings.TLSCertFile', `is not a PEM certificate: ${s.TLSCertFile}: ${oneLine(err)}`);
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    throw new TlsSettingError('ServiceSettings.TLSKeyFile', `is not an unencrypted PEM private key: ${s.TLSKeyFile}: ${oneLine(err)}`);
  }
  if (!cert.checkPrivateKey(key)) {
    throw new TlsSettingError(
      'ServiceSettings.TLSKeyFile',
      `is not the key of the certificate in ServiceSettings.TLSCertFile (${s.TLSKeyFile}, ${s.TLSCertFile})`,
    );
  }
}

function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}
