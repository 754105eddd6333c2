import { DOMParser } from '@xmldom/xmldom';

/** Mattermost's model.SamlMetadataResponse: what the System Console fills in from an IdP's metadata. */
export interface SamlMetadataResponse {
  idp_descriptor_url: string;
  idp_url: string;
  idp_public_certificate: string;
}

const METADATA_NS = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
const REDIRECT_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

export class IdpMetadataError extends Error {}

type El = {
  localName: string;
  namespaceURI: string | null;
  getAttribute(name: string): string | null;
  textContent: string | null;
  getElementsByTagNameNS(ns: string, name: string): ArrayLike<El>;
};

const first = (parent: El, ns: string, name: string): El | undefined => parent.getElementsByTagNameNS(ns, name)[0];
const all = (parent: El, ns: string, name: string): El[] => Array.from(parent.getElementsByTagNameNS(ns, name));

/**
 * The entity id, the single sign-on URL and the signing certificate of an IdP's SAML metadata (an
 * EntityDescriptor, or the first IdP of an EntitiesDescriptor), as Mattermost's
 * BuildSamlMetadataObject reads them. This server sends AuthnRequests with the redirect binding,
 * so that binding's SingleSignOnService is preferred, and a KeyDescriptor for signing (or for any
 * use) over one for encryption only.
 */
export function parseIdpMetadata(xml: string): SamlMetadataResponse {
  let problem = '';
  const doc = new DOMParser({
    errorHandler: { warning: () => undefined, error: (m: string) => (problem ||= m), fatalError: (m: string) => (problem ||= m) },
  }).parseFromString(xml, 'text/xml');
  const root = doc?.documentElement as unknown as El | undefined;
  if (problem || !root) throw new IdpMetadataError(`the metadata is not XML: ${problem || 'empty document'}`);
  const entities = root.localName === 'EntityDescriptor' ? [root] : all(root, METADATA_NS, 'EntityDescriptor');
  const entity = entities.find((e) => first(e, METADATA_NS, 'IDPSSODescriptor'));
  if (!entity) throw new IdpMetadataError('the metadata has no IDPSSODescriptor');
  const idp = first(entity, METADATA_NS, 'IDPSSODescriptor') as El;
  const services = all(idp, METADATA_NS, 'SingleSignOnService');
  const service = services.find((s) => s.getAttribute('Binding') === REDIRECT_BINDING) ?? services[0];
  if (!service?.getAttribute('Location')) throw new IdpMetadataError('the metadata has no SingleSignOnService');
  const keys = all(idp, METADATA_NS, 'KeyDescriptor');
  const key = keys.find((k) => (k.getAttribute('use') || 'signing') === 'signing') ?? keys[0];
  const certificate = key ? first(key, DSIG_NS, 'X509Certificate')?.textContent?.replace(/\s+/g, '') : undefined;
  if (!certificate) throw new IdpMetadataError('the metadata has no KeyDescriptor with an X509Certificate');
  return {
    idp_descriptor_url: entity.getAttribute('entityID') ?? '',
    idp_url: service.getAttribute('Location') as string,
    idp_public_certificate: certificate,
  };
}
