/**
 * A browser's part in a SAML sign-in, with fetch: start it on the server (redirect binding), sign
 * in on the IdP's own login form with its cookies, take the form the IdP answers with (POST
 * binding) and post it to the server's ACS. Nothing here makes a SAML response; the only SAML
 * message a test writes is an AuthnRequest (handMadeAuthnRequestUrl), as an attacker could.
 */
import { randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';

/** An HTML form the IdP sends to the browser (the POST binding's auto-submitting form). */
export interface SamlPostForm {
  action: string;
  fields: Record<string, string>;
}

const decodeHtml = (s: string) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|amp|quot|lt|gt|apos);/gi, (_, e: string) => {
    const named: Record<string, string> = { amp: '&', quot: '"', lt: '<', gt: '>', apos: "'" };
    if (e[0] !== '#') return named[e.toLowerCase()];
    return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([a-zA-Z_:][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) out[m[1].toLowerCase()] = decodeHtml(m[2] ?? m[3] ?? '');
  return out;
}

/** The first form of a page with its named inputs (action resolved against the page's URL). */
export function parseForm(html: string, pageUrl: string): SamlPostForm | undefined {
  const form = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return undefined;
  const formTag = /<form\b[^>]*>/i.exec(form[0])![0];
  const fields: Record<string, string> = {};
  for (const m of form[1].matchAll(/<input\b[^>]*>/gi)) {
    const a = attributes(m[0]);
    if (a.name && a.type !== 'submit' && a.type !== 'checkbox') fields[a.name] = a.value ?? '';
  }
  return { action: new URL(attributes(formTag).action ?? '', pageUrl).toString(), fields };
}

/** One browser's cookies (name → value per host; enough for an IdP's session). */
export class CookieJar {
  private readonly byHost = new Map<string, Map<string, string>>();

  header(url: string): string {
    const jar = this.byHost.get(new URL(url).host);
    return jar ? [...jar].map(([k, v]) => `${k}=${v}`).join('; ') : '';
  }

  take(url: string, res: Response): void {
    const host = new URL(url).host;
    const jar = this.byHost.get(host) ?? new Map<string, string>();
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      if (at > 0) jar.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
    this.byHost.set(host, jar);
  }

  get(url: string, name: string): string | undefined {
    return this.byHost.get(new URL(url).host)?.get(name);
  }
}

/** A fetch that keeps cookies and does not follow redirects. */
export async function browse(jar: CookieJar, url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  const cookie = jar.header(url);
  if (cookie) headers.Cookie = cookie;
  let body: string | undefined;
  if (init.form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(init.form).toString();
  }
  const res = await fetch(url, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
  jar.take(url, res);
  return res;
}

/**
 * Signs in on a SimpleSAMLphp IdP from a URL that carries an AuthnRequest (or an IdP-initiated
 * one), filling in its login form, and returns the form it answers with. Fails with the IdP's
 * page text when the IdP answers with anything else (e.g. it refused the request).
 */
export async function signInAtIdp(startUrl: string, username: string, password: string, jar = new CookieJar()): Promise<SamlPostForm> {
  let url = startUrl;
  let res = await browse(jar, url);
  let submittedLogin = false;
  for (let step = 0; step < 15; step++) {
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get('location') ?? '', url).toString();
      await res.body?.cancel();
      res = await browse(jar, url);
      continue;
    }
    const html = await res.text();
    const form = parseForm(html, url);
    if (form && 'SAMLResponse' in form.fields) return form;
    if (form && 'AuthState' in form.fields && !submittedLogin) {
      submittedLogin = true;
      res = await browse(jar, form.action, { form: { ...form.fields, username, password } });
      url = form.action;
      continue;
    }
    const text = html
      .replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/gi, ' ')
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    throw new Error(`the IdP answered ${res.status} at ${url}: ${text.slice(0, 600)}`);
  }
  throw new Error(`no SAML response after 15 steps from ${startUrl}`);
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
export async function startSamlSignIn(siteUrl: string, query: Record<string, string> = {}): Promise<SamlStart> {
  const qs = new URLSearchParams(query).toString();
  const res = await fetch(`${siteUrl}/login/sso/saml${qs ? `?${qs}` : ''}`, { redirect: 'manual' });
  await res.body?.cancel();
  const location = res.headers.get('location') ?? '';
  const out: SamlStart = { status: res.status, location };
  const target = location ? new URL(location, siteUrl) : undefined;
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
export async function postToAcs(acsUrl: string, fields: Record<string, string>): Promise<AcsAnswer> {
  const res = await fetch(acsUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
  const setCookies = res.headers.getSetCookie();
  const token = setCookies.map((c) => /^MMAUTHTOKEN=([^;]*)/.exec(c)?.[1]).find(Boolean);
  const location = res.headers.get('location') ?? '';
  const answer: AcsAnswer = { status: res.status, location, token, setCookies, body: await res.text() };
  if (location) {
    const url = new URL(location, acsUrl);
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
