/**
 * A browser's part in a SAML sign-in, played by WebBrowser: start it on the server (redirect
 * binding), sign in on the IdP's own login form, take the form the IdP answers with (POST
 * binding) and post it to the server's ACS. Each step uses a browser of its own unless it is
 * given one. Nothing here makes a SAML response; the only SAML message a test writes is an
 * AuthnRequest (handMadeAuthnRequestUrl), as an attacker could.
 */
import { randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { formsOf, WebBrowser, type HtmlForm, type Page } from './web-browser.js';

/**
 * Signs in on a SimpleSAMLphp IdP from a URL that carries an AuthnRequest (or an IdP-initiated
 * one), filling in its login form, and returns the form it answers with (the POST binding's
 * auto-submitting form, not submitted). Fails with the IdP's page text when the IdP answers with
 * anything else (e.g. it refused the request, or the password).
 */
export async function signInAtIdp(startUrl: string, username: string, password: string, browser = new WebBrowser()): Promise<HtmlForm> {
  let page = await browser.navigate(startUrl);
  const login = formsOf(page).find((f) => 'AuthState' in f.fields);
  if (login) page = await browser.submit(login, { username, password });
  const response = formsOf(page).find((f) => 'SAMLResponse' in f.fields);
  if (response) return response;
  throw new Error(`the IdP answered ${page.status} at ${page.url}: ${pageText(page).slice(0, 600)}`);
}

/** What a person reads on a page. */
function pageText(page: Page): string {
  return page.body
    .replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The server's answer to the start of a sign-in (GET /login/sso/saml). */
export interface SamlStart {
  status: number;
  location: string;
  /** When the server sent the browser to the IdP: */
  relayState?: string;
  requestId?: string;
  samlRequest?: string;
}

/** GET /login/sso/saml?… without following the redirect. */
export async function startSamlSignIn(siteUrl: string, query: Record<string, string> = {}, browser = new WebBrowser()): Promise<SamlStart> {
  const qs = new URLSearchParams(query).toString();
  const page = await browser.request('GET', `${siteUrl}/login/sso/saml${qs ? `?${qs}` : ''}`);
  const out: SamlStart = { status: page.status, location: page.location ?? '' };
  const target = page.location ? new URL(page.location) : undefined;
  const request = target?.searchParams.get('SAMLRequest');
  if (request) {
    out.samlRequest = inflateRawSync(Buffer.from(request, 'base64')).toString('utf8');
    out.requestId = /\bID="([^"]+)"/.exec(out.samlRequest)?.[1];
    out.relayState = target?.searchParams.get('RelayState') ?? undefined;
  }
  return out;
}

/** The server's answer to a post on its ACS. */
export interface AcsAnswer {
  status: number;
  location: string;
  /** The MMAUTHTOKEN cookie, when a session was made. */
  token?: string;
  setCookies: string[];
  body: string;
  /** The reason, when the server sent the browser to its error page. */
  error?: { message: string; id: string };
}

/** Posts a form (the IdP's, or one a test changed) to `acsUrl` as the browser would. */
export async function postToAcs(acsUrl: string, fields: Record<string, string>, browser = new WebBrowser()): Promise<AcsAnswer> {
  const page = await browser.request('POST', acsUrl, { form: fields });
  const token = page.setCookies.map((c) => /^MMAUTHTOKEN=([^;]*)/.exec(c)?.[1]).find(Boolean);
  const answer: AcsAnswer = { status: page.status, location: page.location ?? '', token, setCookies: page.setCookies, body: page.body };
  if (page.location) {
    const url = new URL(page.location);
    if (url.pathname.endsWith('/error')) answer.error = { message: url.searchParams.get('message') ?? '', id: url.searchParams.get('error_id') ?? '' };
  }
  return answer;
}

/**
 * A redirect-binding URL carrying an AuthnRequest the test wrote (unsigned): a request the server
 * never issued, or one in another SP's name. `id` defaults to a fresh one.
 */
export function handMadeAuthnRequestUrl(opts: { ssoUrl: string; issuer: string; acsUrl: string; id?: string; relayState?: string }): string {
  const id = opts.id ?? `_${randomBytes(20).toString('hex')}`;
  const xml =
    `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ` +
    `ID="${id}" Version="2.0" IssueInstant="${new Date().toISOString()}" Destination="${opts.ssoUrl}" ` +
    `ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" AssertionConsumerServiceURL="${opts.acsUrl}">` +
    `<saml:Issuer>${opts.issuer}</saml:Issuer></samlp:AuthnRequest>`;
  const params = new URLSearchParams({ SAMLRequest: deflateRawSync(xml).toString('base64') });
  if (opts.relayState) params.set('RelayState', opts.relayState);
  return `${opts.ssoUrl}?${params}`;
}
