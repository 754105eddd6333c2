import { createHash } from 'node:crypto';
// The DOM parser node-saml itself reads responses with (the one installed copy): the checks below
// see the document exactly as node-saml saw it, so no parser difference can be played against them.
import { DOMParser } from '@xmldom/xmldom';
import { AppError, badRequest } from '#common';
import type { Profile } from '@node-saml/passport-saml';
import { CLOCK_SKEW_MS } from './saml-settings.js';

const PROTOCOL_NS = 'urn:oasis:names:tc:SAML:2.0:protocol';

/** A SAML sign-in that failed a check: shown to the user, nothing signed in. */
export function samlRefused(id: string, message: string, detail = ''): AppError {
  return badRequest(`ent.saml.do_login.${id}.app_error`, message, detail);
}

export const NOT_ISSUED_HERE = 'The SAML response does not answer a sign-in started on this server, or it was already used. Please sign in again.';

/** What the checks need of a response, read from the raw XML the IdP sent. */
export interface ResponseShape {
  destination?: string;
  plainAssertions: number;
  encryptedAssertions: number;
}

/**
 * The response element's Destination and how many assertions sit directly under it, in the clear
 * and encrypted, with the same selection node-saml uses (children of the root Response).
 */
export function responseShape(xml: string): ResponseShape {
  let problem = '';
  const parser = new DOMParser({
    errorHandler: {
      warning: () => undefined,
      error: (msg: string) => (problem ||= msg),
      fatalError: (msg: string) => (problem ||= msg),
    },
  });
  const doc = parser.parseFromString(xml, 'text/xml');
  const root = doc?.documentElement;
  if (problem || !root || root.localName !== 'Response' || root.namespaceURI !== PROTOCOL_NS) {
    throw samlRefused('parse', 'The SAML response could not be read.', problem);
  }
  let plainAssertions = 0;
  let encryptedAssertions = 0;
  for (let node = root.firstChild; node; node = node.nextSibling) {
    if (node.nodeType !== 1) continue;
    const name = (node as unknown as { localName: string }).localName;
    if (name === 'Assertion') plainAssertions++;
    if (name === 'EncryptedAssertion') encryptedAssertions++;
  }
  return { destination: root.getAttribute('Destination') || undefined, plainAssertions, encryptedAssertions };
}

type XmlNode = { $?: Record<string, string>; _?: string } & Record<string, unknown>;
const children = (node: XmlNode | undefined, name: string): XmlNode[] => (Array.isArray(node?.[name]) ? (node[name] as XmlNode[]) : []);

/** The verified assertion, as node-saml parsed it (xml2js, prefixes stripped). */
function assertionOf(profile: Profile): XmlNode {
  const parsed = profile.getAssertion?.() as { Assertion?: XmlNode } | undefined;
  if (!parsed?.Assertion) throw samlRefused('parse', 'The SAML response holds no assertion.');
  return parsed.Assertion;
}

/**
 * The bearer confirmations' Recipient values of the signed assertion: SAML's Web SSO profile
 * requires each to name the ACS URL the response was delivered to, so a response the IdP made
 * for another endpoint is refused here even when everything else about it is in order.
 */
export function recipients(profile: Profile): string[] {
  const subject = children(assertionOf(profile), 'Subject')[0];
  return children(subject, 'SubjectConfirmation').flatMap((confirmation) =>
    children(confirmation, 'SubjectConfirmationData').map((data) => data.$?.Recipient ?? ''),
  );
}

export function assertionId(profile: Profile): string {
  const id = assertionOf(profile).$?.ID;
  if (!id) throw samlRefused('parse', 'The SAML assertion has no ID.');
  return id;
}

/**
 * Until when an assertion id must be remembered to refuse it a second time: as long as the
 * assertion could still pass the time checks (its latest NotOnOrAfter, plus the clock skew),
 * at least a minute and at most a day.
 */
export function replayKeyExpiry(profile: Profile, now = Date.now()): number {
  const assertion = assertionOf(profile);
  const times = [
    ...children(assertion, 'Conditions').map((c) => c.$?.NotOnOrAfter),
    ...children(children(assertion, 'Subject')[0], 'SubjectConfirmation').flatMap((c) => children(c, 'SubjectConfirmationData').map((d) => d.$?.NotOnOrAfter)),
  ]
    .map((t) => (t ? Date.parse(t) : NaN))
    .filter((t) => Number.isFinite(t));
  const latest = times.length ? Math.max(...times) + CLOCK_SKEW_MS : now + 86_400_000;
  return Math.min(Math.max(latest, now + 60_000), now + 86_400_000);
}

/** The used_once key of an assertion (hashed: ids are the IdP's and may be long). */
export function replayKey(issuer: string, id: string): string {
  return `saml_assertion:${createHash('sha256').update(`${issuer}\n${id}`).digest('hex')}`;
}

export interface ExpectedResponse {
  acsUrl: string;
  /** The AuthnRequest the RelayState was issued with. */
  requestId: string;
  /** IdpDescriptorURL, when set. */
  idpIssuer?: string;
  /** SamlSettings.Encrypt. */
  encrypted: boolean;
}

/**
 * The checks node-saml leaves to its caller, on a response it has verified: the assertion was
 * encrypted when Encrypt asks for it, the response was meant for this ACS (Destination,
 * Recipient), it answers the request this browser's RelayState started, and it comes from the
 * configured IdP (node-saml checks the issuer of logout messages only).
 */
export function checkVerifiedResponse(profile: Profile, shape: ResponseShape, expected: ExpectedResponse): void {
  if (expected.encrypted && (shape.plainAssertions > 0 || shape.encryptedAssertions !== 1)) {
    throw samlRefused('not_encrypted', 'The SAML assertion is not encrypted, and this server requires encrypted assertions (SamlSettings.Encrypt).');
  }
  if (shape.destination !== undefined && shape.destination !== expected.acsUrl) {
    throw samlRefused(
      'invalid_destination',
      'The SAML response was sent to another address than this server (its Destination does not match the Assertion Consumer Service URL).',
      `Destination=${shape.destination}`,
    );
  }
  const recipientList = recipients(profile);
  if (!recipientList.length || recipientList.some((r) => r !== expected.acsUrl)) {
    throw samlRefused(
      'invalid_recipient',
      'The SAML assertion was issued for another address than this server (its Recipient does not match the Assertion Consumer Service URL).',
      `Recipient=${recipientList.join(', ')}`,
    );
  }
  if (profile.inResponseTo !== expected.requestId) {
    throw samlRefused('invalid_in_response_to', NOT_ISSUED_HERE, `InResponseTo=${String(profile.inResponseTo)}`);
  }
  if (expected.idpIssuer && profile.issuer !== expected.idpIssuer) {
    throw samlRefused(
      'invalid_issuer',
      'The SAML assertion was issued by another identity provider than the one this server trusts (SamlSettings.IdpDescriptorURL).',
      `Issuer=${String(profile.issuer)}`,
    );
  }
}

/**
 * node-saml's errors as the reasons a user can act on (or pass to an admin). The library's own
 * text goes to detailed_error.
 */
export function fromSamlLibrary(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const text = err instanceof Error ? err.message : String(err);
  const is = (pattern: RegExp) => pattern.test(text);
  if (err instanceof Error && err.name === 'SamlStatusError') {
    return samlRefused('status', `The identity provider did not sign you in: ${text.replace(/^SAML provider returned /, '')}`, text);
  }
  if (is(/InResponseTo/)) return samlRefused('invalid_in_response_to', NOT_ISSUED_HERE, text);
  if (is(/multiple assertions/)) return samlRefused('invalid_signature', 'The SAML response holds more than one assertion.', text);
  if (is(/signature|signed data/i)) {
    return samlRefused(
      'invalid_signature',
      "The SAML assertion is not signed with the identity provider's certificate (SamlSettings.IdpCertificateFile).",
      text,
    );
  }
  if (is(/not yet valid|expired|subject confirmation/)) {
    return samlRefused(
      'invalid_time',
      "The SAML assertion is expired or not yet valid. Check that this server's and the identity provider's clocks agree.",
      text,
    );
  }
  if (is(/audience|AudienceRestriction/i)) {
    return samlRefused('invalid_audience', 'The SAML assertion is meant for another service provider (its Audience is not this server).', text);
  }
  if (is(/decrypt|EncryptedAssertion|decryption/i)) {
    return samlRefused('decrypt', "The SAML assertion could not be decrypted with this server's private key (SamlSettings.PrivateKeyFile).", text);
  }
  if (is(/Missing SAML assertion/)) return samlRefused('invalid_response', 'The SAML response holds no assertion.', text);
  return samlRefused('invalid_response', 'The SAML response could not be read or is not valid.', text);
}
