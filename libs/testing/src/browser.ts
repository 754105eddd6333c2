/**
 * A real browser for the web client's tests and benchmarks: Debian's Chromium
 * (`apt-get install chromium`; CHROMIUM_BIN overrides /usr/bin/chromium) driven by playwright-core,
 * which downloads no browser. One browser per suite, one context per person (own cookies and
 * storage, as two people on two machines), and screenshots into test-artifacts/ (gitignored).
 * Every page records its console and the CSP violations it reports, so that a suite can assert
 * the page ran under its Content-Security-Policy without breaking it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from './server-process.js';

export const CHROMIUM_BIN = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

/**
 * What Chromium needs to run as root in a container without network or GPU, and to stay quiet:
 * no sandbox (root), no QUIC, no first-run, sync, component updates or background requests.
 * Playwright adds a fresh --user-data-dir (a temporary profile) itself.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where screenshots go: test-artifacts/ at the repository root (gitignored; CI may keep it). */
export const ARTIFACTS_DIR = join(REPO_ROOT, 'test-artifacts');

/** Whether the browser tests can run here; suites skip with this message otherwise. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM_BIN) ? undefined : `no Chromium at ${CHROMIUM_BIN} (apt-get install chromium, or set CHROMIUM_BIN): browser tests skipped`;
}

/** A CSP violation as the page reported it (the securitypolicyviolation event) or logged it. */
export interface CspViolation {
  directive: string;
  blocked: string;
  source: 'event' | 'console';
}

/** One person at the browser: their own context (cookies, storage) and a page. */
export interface Person {
  name: string;
  context: BrowserContext;
  page: Page;
  /** Everything the page logged ("error: …", "warning: …", "log: …"), and uncaught errors ("pageerror: …"). */
  console: string[];
  cspViolations: CspViolation[];
}

export class TestBrowser {
  private constructor(
    private readonly browser: Browser,
    private readonly artifactsDir: string,
  ) {}

  /** Launches Chromium; screenshots go to test-artifacts/<folder>. */
  static async launch(folder = 'web', opts: { slowMo?: number } = {}): Promise<TestBrowser> {
    const browser = await chromium.launch({ executablePath: CHROMIUM_BIN, headless: true, args: CHROMIUM_ARGS, slowMo: opts.slowMo });
    const dir = join(ARTIFACTS_DIR, folder);
    mkdirSync(dir, { recursive: true });
    return new TestBrowser(browser, dir);
  }

  /** A new person: a fresh context (no cookies) with one page, recording its console and CSP violations. */
  async person(name: string, baseURL: string, viewport = { width: 1280, height: 800 }): Promise<Person> {
    const context = await this.browser.newContext({ baseURL, viewport });
    const person: Person = { name, context, page: undefined as unknown as Page, console: [], cspViolations: [] };
    // Runs before the page's scripts in every document (through the DevTools protocol, so the page's CSP does not apply).
    await context.exposeBinding('__reportCspViolation', (_source, directive: string, blocked: string) => {
      person.cspViolations.push({ directive, blocked, source: 'event' });
    });
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        const report = (window as unknown as { __reportCspViolation?: (d: string, b: string) => void }).__reportCspViolation;
        report?.(e.effectiveDirective, e.blockedURI);
      });
    });
    const page = await context.newPage();
    page.on('console', (msg) => {
      const text = msg.text();
      person.console.push(`${msg.type()}: ${text}`);
      if (/Content Security Policy/i.test(text)) person.cspViolations.push({ directive: '', blocked: text, source: 'console' });
    });
    page.on('pageerror', (err) => person.console.push(`pageerror: ${err.message}`));
    person.page = page;
    return person;
  }

  /** Saves a screenshot of the page as test-artifacts/<folder>/<name>.png; returns its path. */
  async screenshot(page: Page, name: string): Promise<string> {
    const path = join(this.artifactsDir, `${name}.png`);
    await page.screenshot({ path, fullPage: false });
    return path;
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}

/** The WCAG 2.0/2.1 levels A and AA, the rules axe-core checks against them. */
const WCAG_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * What axe-core finds against WCAG 2.1 A and AA on the page as it is now, one line per element
 * ("rule: element — what is wrong"); empty when nothing is. Dialogs and menus open at the time
 * are checked with the rest.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_AA).analyze();
  return results.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} — ${v.help}`));
}
