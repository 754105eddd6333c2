import type { Profile } from '@node-saml/passport-saml';
import { describe, expect, it } from 'vitest';
import { checkVerifiedResponse, fromSamlLibrary, replayKey, replayKeyExpiry, responseShape, type ExpectedResponse } from './saml-response.js';

const ACS = 'https://chat.example/login/sso/saml';

/** A verified assertion as node-saml hands it over (xml2js, prefixes stripped). */
function profile(over: { recipients?: string[]; inResponseTo?: string; issuer?: string; notOnOrAfter?: string } = {}): Profile {
  const assertion = {
    $: { ID: '_a1' },
    Conditions: [{ $: { NotOnOrAfter: over.notOnOrAfter ?? '2030-01-01T00:00:00Z' } }],
    Subject: [
      {
        SubjectConfirmation: (over.recipients ?? [ACS]).map((r) => ({
          $: { Method: 'urn:oasis:names:tc:SAML:2.0:cm:bearer' },
          SubjectConfirmationData: [{ $: { Recipient: r } }],
        })),
      },
    ],
  };
  return {
    issuer: over.issuer ?? 'https://idp.example',
    inResponseTo: over.inResponseTo ?? '_req',
    nameID: 'n',
    nameIDFormat: 'f',
    getAssertion: () => ({ Assertion: assertion }),
  } as unknown as Profile;
}

const expected = (over: Partial<ExpectedResponse> = {}): ExpectedResponse => ({
  acsUrl: ACS,
  requestId: '_req',
  idpIssuer: 'https://idp.example',
  encrypted: false,
  ...over,
});
const shape = (over = {}) => ({ destination: ACS, plainAssertions: 1, encryptedAssertions: 0, ...over });
const idOf = (fn: () => void) => {
  try {
    fn();
  } catch (err) {
    return (err as { id: string }).id;
  }
  return 'accepted';
};

describe('responseShape', () => {
  it('counts the assertions directly under the response, in the clear and encrypted', () => {
    const xml = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" Destination="${ACS}">
      <saml:Issuer>x</saml:Issuer><samlp:Extensions><saml:Assertion/></samlp:Extensions><saml:EncryptedAssertion/></samlp:Response>`;
    expect(responseShape(xml)).toEqual({ destination: ACS, plainAssertions: 0, encryptedAssertions: 1 });
  });

  it('refuses what is not a SAML protocol Response', () => {
    expect(idOf(() => responseShape('<Response/>'))).toBe('ent.saml.do_login.parse.app_error');
    expect(idOf(() => responseShape('not xml <'))).toBe('ent.saml.do_login.parse.app_error');
  });
});

describe('checkVerifiedResponse', () => {
  it('accepts a response for this ACS answering the RelayState’s request from the configured IdP', () => {
    expect(idOf(() => checkVerifiedResponse(profile(), shape(), expected()))).toBe('accepted');
    expect(idOf(() => checkVerifiedResponse(profile(), shape({ destination: undefined }), expected()))).toBe('accepted');
  });

  it('refuses each thing node-saml leaves to its caller', () => {
    const cases: Array<[string, () => void]> = [
      ['not_encrypted', () => checkVerifiedResponse(profile(), shape(), expected({ encrypted: true }))],
      ['invalid_destination', () => checkVerifiedResponse(profile(), shape({ destination: 'https://other/acs' }), expected())],
      ['invalid_recipient', () => checkVerifiedResponse(profile({ recipients: ['https://other/acs'] }), shape(), expected())],
      ['invalid_recipient', () => checkVerifiedResponse(profile({ recipients: [ACS, 'https://other/acs'] }), shape(), expected())],
      ['invalid_recipient', () => checkVerifiedResponse(profile({ recipients: [] }), shape(), expected())],
      ['invalid_in_response_to', () => checkVerifiedResponse(profile({ inResponseTo: '_other' }), shape(), expected())],
      ['invalid_issuer', () => checkVerifiedResponse(profile({ issuer: 'https://evil.example' }), shape(), expected())],
    ];
    for (const [id, fn] of cases) expect(idOf(fn)).toBe(`ent.saml.do_login.${id}.app_error`);
    expect(idOf(() => checkVerifiedResponse(profile(), shape({ plainAssertions: 0, encryptedAssertions: 1 }), expected({ encrypted: true })))).toBe('accepted');
  });
});

describe('replay keys', () => {
  it('are kept while the assertion could pass (its NotOnOrAfter plus the skew), between a minute and a day', () => {
    const now = Date.parse('2029-12-31T23:00:00Z');
    expect(replayKeyExpiry(profile(), now)).toBe(Date.parse('2030-01-01T00:00:00Z') + 60_000);
    expect(replayKeyExpiry(profile({ notOnOrAfter: '2000-01-01T00:00:00Z' }), now)).toBe(now + 60_000);
    expect(replayKeyExpiry(profile({ notOnOrAfter: '2099-01-01T00:00:00Z' }), now)).toBe(now + 86_400_000);
    expect(replayKey('idp', 'a')).not.toBe(replayKey('idp2', 'a'));
    expect(replayKey('idp', 'a'.repeat(2000)).length).toBeLessThan(100);
  });
});

describe('fromSamlLibrary', () => {
  it('names the reason of node-saml’s errors', () => {
    const id = (message: string) => fromSamlLibrary(new Error(message)).id;
    expect(id('Invalid signature')).toBe('ent.saml.do_login.invalid_signature.app_error');
    expect(id('Invalid signature: multiple assertions')).toBe('ent.saml.do_login.invalid_signature.app_error');
    expect(id('InResponseTo is not valid')).toBe('ent.saml.do_login.invalid_in_response_to.app_error');
    expect(id('SAML assertion not yet valid')).toBe('ent.saml.do_login.invalid_time.app_error');
    expect(id('No valid subject confirmation found among those available in the SAML assertion')).toBe('ent.saml.do_login.invalid_time.app_error');
    expect(id('SAML assertion audience mismatch. Expected: a Received: b')).toBe('ent.saml.do_login.invalid_audience.app_error');
    expect(id('Invalid EncryptedAssertion content')).toBe('ent.saml.do_login.decrypt.app_error');
    expect(id('something else')).toBe('ent.saml.do_login.invalid_response.app_error');
    expect(fromSamlLibrary(new Error('x')).statusCode).toBe(400);
  });
});
