import { AppError } from '#common';
import type { Config } from '#config';
// @node-saml/passport-saml re-exports @node-saml/node-saml, whose SAML class does the SP's work
// (AuthnRequest, signature, decryption, conditions); importing it through the declared package
// keeps package.json honest.
import { ValidateInResponseTo, type CacheProvider, type SamlConfig, type SignatureAlgorithm } from '@node-saml/passport-saml';

export type SamlSettings = Config['SamlSettings'];

/** The names Mattermost stores the uploaded files under (app/saml.go). */
export const SAML_FILES = {
  idp: 'saml-idp.crt',
  public: 'saml-public.crt',
  private: 'saml-private.key',
} as const;
export type SamlFileKind = keyof typeof SAML_FILES;

/** The setting that names each file. */
export const SAML_FILE_SETTINGS = {
  idp: 'IdpCertificateFile',
  public: 'PublicCertificateFile',
  private: 'PrivateKeyFile',
} as const satisfies Record<SamlFileKind, keyof SamlSettings>;

/** SamlSettings.SignatureAlgorithm (Mattermost's values) → node-saml's. */
const SIGNATURE_ALGORITHMS: Record<string, SignatureAlgorithm> = {
  RSAwithSHA1: 'sha1',
  RSAwithSHA256: 'sha256',
  RSAwithSHA512: 'sha512',
};

/**
 * SamlSettings.CanonicalAlgorithm → the canonicalization of the XML signatures this server makes
 * (its signed metadata). Canonical1.0 is exclusive C14N, as Mattermost; Canonical1.1 (C14N 1.1)
 * has no implementation in xml-crypto, which signs for node-saml, so it is refused by name
 * rather than silently replaced.
 */
const CANONICAL_ALGORITHMS: Record<string, string | undefined> = {
  'Canonical1.0': 'http://www.w3.org/2001/10/xml-exc-c14n#',
  'Canonical1.1': undefined,
};

/** How long a started sign-in (AuthnRequest id, RelayState) may take to come back from the IdP. */
export const SIGN_IN_TTL_MS = 15 * 60_000;

/**
 * How far this server's and the IdP's clocks may disagree on NotBefore / NotOnOrAfter (the
 * README asks cluster nodes to agree within 60 s; an IdP is held to the same).
 */
export const CLOCK_SKEW_MS = 60_000;

/** The PEM texts of the uploaded files the settings name (absent when not uploaded). */
export interface SamlKeys {
  idpCert?: string;
  publicCert?: string;
  privateKey?: string;
}

/** The uploaded files the settings name, as PEM text (one query). */
export async function loadSamlKeys(files: { getMany(names: string[]): Promise<Map<string, Buffer>> }, cfg: Config): Promise<SamlKeys> {
  const s = cfg.SamlSettings;
  const found = await files.getMany([s.IdpCertificateFile, s.PublicCertificateFile, s.PrivateKeyFile]);
  const text = (name: string) => (name ? found.get(name)?.toString('utf8') : undefined);
  return { idpCert: text(s.IdpCertificateFile), publicCert: text(s.PublicCertificateFile), privateKey: text(s.PrivateKeyFile) };
}

export const ACS_PATH = '/login/sso/saml';

/** Where the IdP posts its responses: the setting, or this site's ACS route. */
export function acsUrl(cfg: Config): string {
  const s = cfg.SamlSettings;
  if (s.AssertionConsumerServiceURL) return s.AssertionConsumerServiceURL;
  const site = cfg.ServiceSettings.SiteURL.replace(/\/$/, '');
  return site ? `${site}${ACS_PATH}` : '';
}

/** This SP's entity id: the setting, or (as Mattermost's docs suggest setting it) the ACS URL. */
export function spEntityId(cfg: Config): string {
  return cfg.SamlSettings.ServiceProviderIdentifier || acsUrl(cfg);
}

export function notConfigured(detail: string): AppError {
  return new AppError('', 'api.user.saml.not_available.app_error', 'SAML 2.0 is not configured or supported on this server.', 501, detail);
}

function signatureAlgorithm(s: SamlSettings): SignatureAlgorithm {
  const algorithm = SIGNATURE_ALGORITHMS[s.SignatureAlgorithm || 'RSAwithSHA1'];
  if (!algorithm)
    throw notConfigured(`SamlSettings.SignatureAlgorithm "${s.SignatureAlgorithm}" is not one of ${Object.keys(SIGNATURE_ALGORITHMS).join(', ')}`);
  return algorithm;
}

function canonicalAlgorithm(s: SamlSettings): string {
  const name = s.CanonicalAlgorithm || 'Canonical1.0';
  if (!(name in CANONICAL_ALGORITHMS)) throw notConfigured(`SamlSettings.CanonicalAlgorithm "${name}" is not one of Canonical1.0, Canonical1.1`);
  const uri = CANONICAL_ALGORITHMS[name];
  if (!uri) throw notConfigured(`SamlSettings.CanonicalAlgorithm ${name} (C14N 1.1) is not supported by this server's XML signer; use Canonical1.0`);
  return uri;
}

/**
 * What a sign-in needs, checked before one starts, so that a half-configured SAML fails with the
 * setting to fix instead of an error from deep inside the SAML library.
 */
export function checkSignInSettings(cfg: Config, keys: SamlKeys): void {
  const s = cfg.SamlSettings;
  if (!s.Enable) throw notConfigured('SamlSettings.Enable is false');
  const missing: string[] = [];
  if (!s.IdpURL) missing.push('IdpURL');
  if (!acsUrl(cfg)) missing.push('AssertionConsumerServiceURL (or ServiceSettings.SiteURL)');
  if (!s.EmailAttribute) missing.push('EmailAttribute');
  if (!keys.idpCert) missing.push('IdpCertificateFile (upload the IdP certificate)');
  if ((s.Encrypt || s.SignRequest) && !keys.privateKey) missing.push('PrivateKeyFile (needed by Encrypt and SignRequest)');
  if (s.Encrypt && !keys.publicCert) missing.push('PublicCertificateFile (needed by Encrypt)');
  if (missing.length) throw notConfigured(`missing SamlSettings: ${missing.join(', ')}`);
}

/**
 * node-saml's options from SamlSettings. Every sign-in builds them afresh from the current config
 * and the stored files, so a change saved or uploaded on any node applies on every node at once.
 */
export function samlOptions(cfg: Config, keys: SamlKeys, flow: { cacheProvider: CacheProvider; requestId?: string }): SamlConfig {
  const s = cfg.SamlSettings;
  const options: SamlConfig = {
    entryPoint: s.IdpURL,
    issuer: spEntityId(cfg),
    audience: spEntityId(cfg),
    callbackUrl: acsUrl(cfg),
    idpCert: keys.idpCert ?? '',
    idpIssuer: s.IdpDescriptorURL || undefined,
    // Verify: the assertion itself must carry the IdP's signature. Off, node-saml still insists on
    // one valid signature, on the response or the assertion: unsigned assertions are never taken
    // (Mattermost's Verify=false skips the check; it is documented as for testing only).
    wantAssertionsSigned: s.Verify,
    wantAuthnResponseSigned: false,
    signatureAlgorithm: signatureAlgorithm(s),
    // Responses must answer an AuthnRequest this cluster issued, once (SamlRequestCache).
    validateInResponseTo: ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: SIGN_IN_TTL_MS,
    cacheProvider: flow.cacheProvider,
    acceptedClockSkewMs: CLOCK_SKEW_MS,
    // No NameIDPolicy format and no RequestedAuthnContext: the subject comes from the attributes
    // (Id or Email), and IdPs that authenticate otherwise than by password must not refuse.
    identifierFormat: null,
    disableRequestedAuthnContext: true,
  };
  if (flow.requestId) {
    const id = flow.requestId;
    options.generateUniqueId = () => id;
  }
  if (s.SignRequest) options.privateKey = keys.privateKey;
  if (s.Encrypt) options.decryptionPvk = keys.privateKey;
  if (s.ScopingIDPProviderId) {
    options.scoping = { idpList: [{ entries: [{ providerId: s.ScopingIDPProviderId, name: s.ScopingIDPName || undefined }] }] };
  }
  return options;
}

/**
 * The SP metadata's inputs (GET /api/v4/saml/metadata): the encryption certificate when Encrypt,
 * the signing certificate and a signature over the metadata (SignatureAlgorithm,
 * CanonicalAlgorithm) when SignRequest.
 */
export function metadataParams(cfg: Config, keys: SamlKeys) {
  const s = cfg.SamlSettings;
  const issuer = spEntityId(cfg);
  const callbackUrl = acsUrl(cfg);
  if (!issuer || !callbackUrl) throw notConfigured('set SamlSettings.ServiceProviderIdentifier and AssertionConsumerServiceURL (or ServiceSettings.SiteURL)');
  const encrypt = s.Encrypt && keys.privateKey && keys.publicCert;
  const sign = s.SignRequest && keys.privateKey && keys.publicCert;
  return {
    issuer,
    callbackUrl,
    identifierFormat: null,
    wantAssertionsSigned: s.Verify,
    ...(encrypt ? { decryptionPvk: keys.privateKey, decryptionCert: keys.publicCert } : {}),
    ...(sign
      ? {
          privateKey: keys.privateKey as string,
          publicCerts: keys.publicCert,
          signMetadata: true,
          signatureAlgorithm: signatureAlgorithm(s),
          xmlSignatureTransforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', canonicalAlgorithm(s)],
        }
      : {}),
  };
}
