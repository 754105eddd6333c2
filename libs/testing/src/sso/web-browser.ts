/**
 * A browser for sign-in flows, made of fetch: it keeps cookies the way a browser does (per host
 * name, any port; by path; HttpOnly or not; expired ones dropped), follows redirects one hop at a
 * time so a test can stop at any of them, and submits the forms of the pages it gets (formsOf:
 * the one HTML form reader of the sign-in tests, for the OpenID provider's login and consent
 * pages as for SimpleSAMLphp's login page and its POST-binding form). Nothing is faked: every
 * request goes to the real server or identity provider.
 */

export interface Page {
  /** The URL this answer came from. */
  url: string;
  status: number;
  headers: Headers;
  body: string;
  /** The absolute redirect target of a 3xx answer. */
  location?: string;
  /** The Set-Cookie lines of this answer. */
  setCookies: string[];
}

/** A form of a page, as a browser would submit it without anyone touching it. */
export interface HtmlForm {
  /** The absolute URL it is submitted to (the page's own URL when the form names none). */
  action: string;
  method: 'GET' | 'POST';
  /**
   * The values it would send (HTML's "successful controls" among its <input> elements): every
   * named input with its value ('' without one), checkboxes and radio buttons only when checked;
   * no buttons, no disabled inputs.
   */
  fields: Record<string, string>;
}

interface Cookie {
  name: string;
  value: string;
  path: string;
}

export interface NavigateOptions {
  /** Stop before following a redirect to a URL this accepts: the redirect answer is returned. */
  until?: (url: URL) => boolean;
  /** Sends each request to another origin than its URL names (a cluster node instead of nginx); cookies stay those of the URL. */
  via?: (url: URL) => URL;
}

/** The forms of a page, in document order. */
export function formsOf(page: Pick<Page, 'url' | 'body'>): HtmlForm[] {
  return [...page.body.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)].map(([, formAttrs, inner]) => {
    const form = attributesOf(formAttrs);
    const fields: Record<string, string> = {};
    for (const [, inputAttrs] of inner.matchAll(/<input\b([^>]*)>/gi)) {
      const input = attributesOf(inputAttrs);
      const type = (input.type ?? 'text').toLowerCase();
      if (!input.name || 'disabled' in input || UNSENT_INPUTS.has(type)) continue;
      if ((type === 'checkbox' || type === 'radio') && !('checked' in input)) continue;
      fields[input.name] = input.value ?? (type === 'checkbox' || type === 'radio' ? 'on' : '');
    }
    return { action: new URL(form.action ?? '', page.url).href, method: form.method?.toUpperCase() === 'GET' ? 'GET' : 'POST', fields };
  });
}

/** The page's first form, or the first that `which` accepts; fails with the page's start when there is none. */
export function formOf(page: Pick<Page, 'url' | 'body'>, which: (form: HtmlForm) => boolean = () => true): HtmlForm {
  const form = formsOf(page).find(which);
  if (!form) throw new Error(`no such form on ${page.url}: ${page.body.slice(0, 300)}`);
  return form;
}

export class WebBrowser {
  /** host name → `name;path` → cookie */
  private readonly jar = new Map<string, Map<string, Cookie>>();

  constructor(private readonly defaults: Pick<NavigateOptions, 'via'> = {}) {}

  /** One request, no redirect followed; cookies sent and stored. */
  async request(method: string, url: string, opts: { form?: Record<string, string>; via?: NavigateOptions['via'] } = {}): Promise<Page> {
    const target = new URL(url);
    const via = opts.via ?? this.defaults.via;
    const sentTo = via ? via(target) : target;
    const headers: Record<string, string> = {};
    const cookies = this.cookiesFor(target);
    if (cookies) headers.cookie = cookies;
    let body: string | undefined;
    if (opts.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(opts.form).toString();
    }
    const res = await fetch(sentTo, { method, headers, body, redirect: 'manual' });
    const setCookies = res.headers.getSetCookie();
    for (const line of setCookies) this.store(target, line);
    const location = res.headers.get('location');
    return {
      url,
      status: res.status,
      headers: res.headers,
      body: await res.text(),
      location: location ? new URL(location, target).href : undefined,
      setCookies,
    };
  }

  /** Follows redirects from `url` (GET) until a page, or until a redirect `until` accepts. */
  async navigate(url: string, opts: NavigateOptions = {}): Promise<Page> {
    let page = await this.request('GET', url, opts);
    for (let hops = 0; hops < 20; hops++) {
      if (page.status < 300 || page.status >= 400 || !page.location) return page;
      if (opts.until?.(new URL(page.location))) return page;
      page = await this.request('GET', page.location, opts);
    }
    throw new Error(`too many redirects from ${url}`);
  }

  /**
   * Submits `form` (from formsOf/formOf) with its own values and `fields` over them, as a person
   * who filled in `fields` and pressed its button, then follows redirects as navigate() does.
   */
  async submit(form: HtmlForm, fields: Record<string, string> = {}, opts: NavigateOptions = {}): Promise<Page> {
    const values = { ...form.fields, ...fields };
    if (form.method === 'GET') {
      const url = new URL(form.action);
      url.search = new URLSearchParams(values).toString();
      return this.navigate(url.href, opts);
    }
    const first = await this.request('POST', form.action, { form: values, via: opts.via });
    if (first.status < 300 || first.status >= 400 || !first.location) return first;
    if (opts.until?.(new URL(first.location))) return first;
    return this.navigate(first.location, opts);
  }

  /** The value of a cookie this browser would send to `url`. */
  cookie(url: string, name: string): string | undefined {
    const target = new URL(url);
    for (const c of this.jar.get(target.hostname)?.values() ?? []) if (c.name === name && pathMatches(target.pathname, c.path)) return c.value;
    return undefined;
  }

  /** Drops every cookie (a new browser, keeping the object). */
  clear(): void {
    this.jar.clear();
  }

  private cookiesFor(url: URL): string {
    const cookies = [...(this.jar.get(url.hostname)?.values() ?? [])].filter((c) => pathMatches(url.pathname, c.path));
    // Longer paths first, as browsers send them.
    cookies.sort((a, b) => b.path.length - a.path.length);
    return cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  }

  private store(url: URL, line: string): void {
    const [pair, ...attrs] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    let path = url.pathname.replace(/\/[^/]*$/, '') || '/';
    let expired = false;
    for (const attr of attrs) {
      const [k, v = ''] = attr.split('=').map((s) => s.trim());
      const key = k.toLowerCase();
      if (key === 'path' && v.startsWith('/')) path = v;
      if (key === 'max-age' && Number(v) <= 0) expired = true;
      if (key === 'expires' && Date.parse(v) <= Date.now()) expired = true;
    }
    const host = this.jar.get(url.hostname) ?? new Map<string, Cookie>();
    this.jar.set(url.hostname, host);
    const key = `${name};${path}`;
    if (expired || value === '') host.delete(key);
    else host.set(key, { name, value, path });
  }
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (cookiePath === '/' || requestPath === cookiePath) return true;
  return requestPath.startsWith(cookiePath.endsWith('/') ? cookiePath : `${cookiePath}/`);
}

/** Input types a form never sends on its own (buttons are sent only when pressed, files are not read here). */
const UNSENT_INPUTS = new Set(['submit', 'button', 'image', 'reset', 'file']);

/** The attributes of a tag (what follows its name), names lower-cased, values decoded; a bare attribute has the value ''. */
function attributesOf(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g))
    out[m[1].toLowerCase()] = decodeHtml(m[2] ?? m[3] ?? m[4] ?? '');
  return out;
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', quot: '"', lt: '<', gt: '>', apos: "'" };

/** Character references in attribute values: decimal, hexadecimal, and the named ones these pages use. */
function decodeHtml(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] !== '#') return NAMED_ENTITIES[ref.toLowerCase()] ?? whole;
    return String.fromCodePoint(ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10));
  });
}
