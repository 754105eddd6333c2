/**
 * A browser for sign-in flows, made of fetch: it keeps cookies the way a browser does (per host
 * name, any port; by path; HttpOnly or not; expired ones dropped), follows redirects one hop at a
 * time so a test can stop at any of them, and submits the forms of the pages it gets. Nothing is
 * faked: every request goes to the real server or identity provider.
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
   * Submits the page's form (the first one, or the first whose action matches) with its hidden
   * fields and `fields`, then follows redirects as navigate() does.
   */
  async submit(page: Page, fields: Record<string, string> = {}, opts: NavigateOptions & { action?: RegExp } = {}): Promise<Page> {
    const forms = [...page.body.matchAll(/<form\b[^>]*\baction="([^"]*)"[^>]*>([\s\S]*?)<\/form>/gi)];
    const form = forms.find((f) => !opts.action || opts.action.test(decodeHtml(f[1])));
    if (!form) throw new Error(`no form on ${page.url}: ${page.body.slice(0, 300)}`);
    const hidden: Record<string, string> = {};
    for (const input of form[2].matchAll(/<input\b[^>]*>/gi)) {
      const type = /\btype="([^"]*)"/i.exec(input[0])?.[1];
      const name = /\bname="([^"]*)"/i.exec(input[0])?.[1];
      if (type === 'hidden' && name) hidden[decodeHtml(name)] = decodeHtml(/\bvalue="([^"]*)"/i.exec(input[0])?.[1] ?? '');
    }
    const action = new URL(decodeHtml(form[1]), page.url).href;
    const first = await this.request('POST', action, { form: { ...hidden, ...fields }, via: opts.via });
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

function decodeHtml(s: string): string {
  return s
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
