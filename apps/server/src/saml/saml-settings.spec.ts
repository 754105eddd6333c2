import { describe, expect, it } from 'vitest';
import { defaultConfig, type Config } from '#config';
import { SamlRequestCache } from './saml-request-cache.js';
import { acsUrl, checkSignInSettings, metadataParams, samlOptions, spEntityId, type SamlKeys } from './saml-settings.js';

function config(saml: Partial<Config['SamlSettings']> = {}): Config {
  return {
    ...defaultConfig,
    ServiceSettings: { ...defaultConfig.ServiceSettings, SiteURL: 'https://chat.example/' },
    SamlSettings: { ...defaultConfig.SamlSettings, Enable: true, IdpURL: 'https://idp.example/sso', EmailAttribute: 'mail', ...saml },
  };
}
const keys: SamlKeys = { idpCert: 'IDP', publicCert: 'PUB', privateKey: 'KEY' };
const cache = new SamlRequestCache({ put: async () => undefined, take: async () => undefined }, 1000);
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as { detailedError: string }).detailedError;
  }
  return 'accepted';
};

describe('SamlSettings → node-saml', () => {
  it('derives the ACS URL and entity id from SiteURL when they are not set', () => {
    expect(acsUrl(config())).toBe('https://chat.example/login/sso/saml');
    expect(spEntityId(config())).toBe('https://chat.example/login/sso/saml');
    expect(spEntityId(config({ ServiceProviderIdentifier: 'sp', AssertionConsumerServiceURL: 'https://x/acs' }))).toBe('sp');
  });

  it('maps Verify, Encrypt, SignRequest, the algorithms and the IdP settings', () => {
    const off = samlOptions(config({ Verify: false, Encrypt: false, SignRequest: false }), keys, { cacheProvider: cache });
    expect(off).toMatchObject({ wantAssertionsSigned: false, wantAuthnResponseSigned: false, validateInResponseTo: 'always', signatureAlgorithm: 'sha1' });
    expect(off.privateKey).toBeUndefined();
    expect(off.decryptionPvk).toBeUndefined();
    const on = samlOptions(
      config({
        Verify: true,
        Encrypt: true,
        SignRequest: true,
        SignatureAlgorithm: 'RSAwithSHA512',
        IdpDescriptorURL: 'https://idp.example/md',
        ScopingIDPProviderId: 'p1',
      }),
      keys,
      { cacheProvider: cache, requestId: '_fixed' },
    );
    expect(on).toMatchObject({
      entryPoint: 'https://idp.example/sso',
      idpIssuer: 'https://idp.example/md',
      idpCert: 'IDP',
      wantAssertionsSigned: true,
      privateKey: 'KEY',
      decryptionPvk: 'KEY',
      signatureAlgorithm: 'sha512',
      scoping: { idpList: [{ entries: [{ providerId: 'p1' }] }] },
    });
    expect(on.generateUniqueId?.()).toBe('_fixed');
    expect(refusal(() => samlOptions(config({ SignatureAlgorithm: 'DSAwithMD5' }), keys, { cacheProvider: cache }))).toMatch(/SignatureAlgorithm/);
  });

  it('names the missing settings before a sign-in starts', () => {
    expect(refusal(() => checkSignInSettings(config(), keys))).toBe('accepted');
    expect(refusal(() => checkSignInSettings(config({ Enable: false }), keys))).toMatch(/Enable/);
    expect(refusal(() => checkSignInSettings(config({ Encrypt: true }), { idpCert: 'IDP' }))).toMatch(/PrivateKeyFile.*PublicCertificateFile/);
    expect(refusal(() => checkSignInSettings(config({ IdpURL: '', EmailAttribute: '' }), {}))).toMatch(/IdpURL, .*EmailAttribute, IdpCertificateFile/);
  });

  it('signs the metadata with the canonicalization asked for; C14N 1.1 is refused by name', () => {
    const signed = metadataParams(config({ SignRequest: true, Encrypt: true }), keys);
    expect(signed).toMatchObject({ decryptionCert: 'PUB', publicCerts: 'PUB', signMetadata: true });
    expect(signed.xmlSignatureTransforms).toContain('http://www.w3.org/2001/10/xml-exc-c14n#');
    expect(refusal(() => metadataParams(config({ SignRequest: true, CanonicalAlgorithm: 'Canonical1.1' }), keys))).toMatch(/C14N 1.1/);
    expect(metadataParams(config({ SignRequest: false, Encrypt: false }), keys)).not.toHaveProperty('privateKey');
  });
});
