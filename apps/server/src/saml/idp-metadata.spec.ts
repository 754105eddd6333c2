import { describe, expect, it } from 'vitest';
import { parseIdpMetadata } from './idp-metadata.js';

const md = (body: string) =>
  `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example/md">${body}</md:EntityDescriptor>`;
const key = (use: string, cert: string) =>
  `<md:KeyDescriptor${use ? ` use="${use}"` : ''}><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\n  ${cert}\n</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
const sso = (binding: string, location: string) => `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:${binding}" Location="${location}"/>`;

describe('parseIdpMetadata', () => {
  it('takes the entity id, the redirect-binding SSO URL and the signing certificate', () => {
    const xml = md(
      `<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${key('encryption', 'ENC')}${key('signing', 'SIG')}` +
        `${sso('HTTP-POST', 'https://idp.example/post')}${sso('HTTP-Redirect', 'https://idp.example/redirect')}</md:IDPSSODescriptor>`,
    );
    expect(parseIdpMetadata(xml)).toEqual({
      idp_descriptor_url: 'https://idp.example/md',
      idp_url: 'https://idp.example/redirect',
      idp_public_certificate: 'SIG',
    });
  });

  it('reads the first IdP of an EntitiesDescriptor; a key without use signs', () => {
    const xml = `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">${md('<md:SPSSODescriptor/>').replace('idp.example/md', 'sp')}${md(
      `<md:IDPSSODescriptor>${key('', 'ANY')}${sso('HTTP-POST', 'https://idp.example/post')}</md:IDPSSODescriptor>`,
    )}</md:EntitiesDescriptor>`;
    expect(parseIdpMetadata(xml)).toEqual({ idp_descriptor_url: 'https://idp.example/md', idp_url: 'https://idp.example/post', idp_public_certificate: 'ANY' });
  });

  it('says what is missing', () => {
    expect(() => parseIdpMetadata('plain text')).toThrow(/not XML/);
    expect(() => parseIdpMetadata(md('<md:SPSSODescriptor/>'))).toThrow(/IDPSSODescriptor/);
    expect(() => parseIdpMetadata(md(`<md:IDPSSODescriptor>${key('signing', 'SIG')}</md:IDPSSODescriptor>`))).toThrow(/SingleSignOnService/);
    expect(() => parseIdpMetadata(md(`<md:IDPSSODescriptor>${sso('HTTP-Redirect', 'https://x')}</md:IDPSSODescriptor>`))).toThrow(/KeyDescriptor/);
  });
});
