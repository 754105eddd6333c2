/**
 * A real SAML 2.0 identity provider for the tests: SimpleSAMLphp from Debian (`apt-get install
 * simplesamlphp php-cli php-xml php-mbstring`) run by PHP's built-in web server on a loopback
 * address, with a generated configuration: test users (exampleauth:UserPass), a hosted IdP with
 * a key made by openssl, and the service providers it answers, each with its own signing,
 * encryption and lifetime options. Tests drive its login form with fetch as a browser would, so
 * every response they hand to the server is the IdP's own.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../ports.js';
import { track, waitExit } from '../processes.js';
import { sleep } from '../wait.js';

const WWW = process.env.SIMPLESAMLPHP_WWW ?? '/usr/share/simplesamlphp/www';
const PHP = process.env.PHP_BIN ?? 'php';
const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

export interface KeyPair {
  /** PEM */
  certificate: string;
  /** PEM (PKCS#8, unencrypted) */
  privateKey: string;
}

/** A fresh RSA key and self-signed certificate (openssl), good for two days. */
export function selfSignedCertificate(commonName: string): KeyPair {
  const dir = mkdtempSync(join(tmpdir(), 'mm-cert-'));
  try {
    const run = spawnSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2', '-subj', `/CN=${commonName}`, '-keyout', 'key.pem', '-out', 'cert.pem'],
      { cwd: dir, encoding: 'utf8' },
    );
    if (run.status !== 0) throw new Error(`openssl failed: ${run.stderr || run.error?.message}`);
    return { certificate: readFileSync(join(dir, 'cert.pem'), 'utf8'), privateKey: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The base64 body of a PEM certificate (what SAML metadata carries). */
export const certificateBody = (pem: string) => pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, '');

export interface SamlTestUser {
  username: string;
  password: string;
  /** Released as SAML attributes under these names. */
  attributes: Record<string, string | string[]>;
}

/** How the IdP answers one service provider (a saml20-sp-remote entry). */
export interface SamlServiceProviderEntry {
  entityId: string;
  /** The only ACS the IdP knows for it: a request naming another gets its answer sent here. */
  acsUrl: string;
  /** saml20.sign.assertion (default true). */
  signAssertion?: boolean;
  /** saml20.sign.response (default false). */
  signResponse?: boolean;
  /** The SP's certificate (PEM): what assertions are encrypted to and signed requests checked with. */
  certificate?: string;
  /** assertion.encryption */
  encryptAssertion?: boolean;
  /** validate.authnrequest: unsigned AuthnRequests are refused. */
  requireSignedRequests?: boolean;
  /** assertion.lifetime (default 300); a negative one makes assertions that are already expired. */
  assertionLifetimeSeconds?: number;
}

export interface SimpleSamlPhpOptions {
  host?: string;
  port?: number;
  /** Default: `<url>/saml2/idp/metadata.php`. */
  entityId?: string;
  /** The IdP's signing key (default: a fresh one). */
  key?: KeyPair;
  users: SamlTestUser[];
  serviceProviders?: SamlServiceProviderEntry[];
  /** Runs the IdP with its clock shifted (libfaketime syntax, e.g. '+1h'). */
  clockOffset?: string;
}

/** A PHP literal for a JSON-like value. */
function php(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return String(Math.trunc(value));
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map(php).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `[${entries.map(([k, v]) => `${php(k)} => ${php(v)}`).join(', ')}]`;
}

const phpFile = (variable: string, value: unknown) => `<?php\n$${variable} = ${php(value)};\n`;

export class SimpleSamlPhp {
  private child?: ChildProcess;
  private output = '';

  private constructor(
    readonly host: string,
    readonly port: number,
    readonly entityId: string,
    readonly key: KeyPair,
    /** The generated configuration folder (SIMPLESAMLPHP_CONFIG_DIR). */
    readonly dir: string,
    private readonly clockOffset: string | undefined,
  ) {}

  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  /** The redirect-binding SingleSignOnService (SamlSettings.IdpURL). */
  get ssoUrl(): string {
    return `${this.url}/saml2/idp/SSOService.php`;
  }

  get metadataUrl(): string {
    return `${this.url}/saml2/idp/metadata.php`;
  }

  /** The IdP's signing certificate (PEM). */
  get certificate(): string {
    return this.key.certificate;
  }

  /** What the php server printed (one line per request, errors). */
  get logs(): string {
    return this.output;
  }

  static async start(opts: SimpleSamlPhpOptions): Promise<SimpleSamlPhp> {
    if (!existsSync(WWW)) throw new Error(`SimpleSAMLphp is not installed (${WWW} missing): apt-get install simplesamlphp php-cli php-xml php-mbstring`);
    if (opts.clockOffset && !existsSync(LIBFAKETIME)) throw new Error(`libfaketime is not installed (${LIBFAKETIME}): apt-get install faketime`);
    const host = opts.host ?? '127.0.0.1';
    const port = opts.port ?? (await freePort(host));
    const dir = mkdtempSync(join(tmpdir(), 'mm-simplesamlphp-'));
    const entityId = opts.entityId ?? `http://${host}:${port}/saml2/idp/metadata.php`;
    const idp = new SimpleSamlPhp(host, port, entityId, opts.key ?? selfSignedCertificate(`idp-${port}`), dir, opts.clockOffset);
    idp.writeConfig(opts.users, opts.serviceProviders ?? []);
    try {
      await idp.launch();
    } catch (err) {
      await idp.stop();
      throw err;
    }
    return idp;
  }

  /** Replaces the test users (SimpleSAMLphp reads its config on every request). */
  setUsers(users: SamlTestUser[]): void {
    const source: Record<string, unknown> = { 0: 'exampleauth:UserPass' };
    for (const u of users)
      source[`${u.username}:${u.password}`] = Object.fromEntries(Object.entries(u.attributes).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
    writeFileSync(join(this.dir, 'authsources.php'), phpFile('config', { 'test-users': source }));
  }

  /** Replaces the service providers the IdP answers. */
  setServiceProviders(sps: SamlServiceProviderEntry[]): void {
    const entries: Record<string, unknown> = {};
    for (const sp of sps) {
      entries[sp.entityId] = {
        AssertionConsumerService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', Location: sp.acsUrl, index: 0 }],
        'saml20.sign.assertion': sp.signAssertion ?? true,
        'saml20.sign.response': sp.signResponse ?? false,
        'assertion.encryption': sp.encryptAssertion ?? false,
        'validate.authnrequest': sp.requireSignedRequests ?? false,
        certData: sp.certificate ? certificateBody(sp.certificate) : undefined,
        'assertion.lifetime': sp.assertionLifetimeSeconds,
        'signature.algorithm': 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
        NameIDFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
      };
    }
    writeFileSync(join(this.dir, 'metadata', 'saml20-sp-remote.php'), phpFile('metadata', entries));
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitExit(child, 5000))) child.kill('SIGKILL');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private writeConfig(users: SamlTestUser[], sps: SamlServiceProviderEntry[]): void {
    for (const sub of ['metadata', 'cert', 'tmp', 'data', 'log', 'sessions']) mkdirSync(join(this.dir, sub), { recursive: true });
    writeFileSync(join(this.dir, 'cert', 'idp.key'), this.key.privateKey);
    writeFileSync(join(this.dir, 'cert', 'idp.crt'), this.key.certificate);
    const config = {
      baseurlpath: `${this.url}/`,
      certdir: join(this.dir, 'cert') + '/',
      loggingdir: join(this.dir, 'log') + '/',
      datadir: join(this.dir, 'data') + '/',
      tempdir: join(this.dir, 'tmp'),
      metadatadir: join(this.dir, 'metadata') + '/',
      attributenamemapdir: '/etc/simplesamlphp/attributemap/',
      secretsalt: `test-salt-${this.port}-${Math.random().toString(36).slice(2)}`,
      'auth.adminpassword': `unused-${Math.random().toString(36).slice(2)}`,
      technicalcontact_name: 'Test',
      technicalcontact_email: 'na@example.org',
      timezone: 'UTC',
      'admin.checkforupdates': false,
      'enable.saml20-idp': true,
      'module.enable': { exampleauth: true, core: true, saml: true },
      'logging.handler': 'file',
      'logging.level': 7,
      'logging.logfile': 'simplesamlphp.log',
      showerrors: true,
      errorreporting: false,
      'session.cookie.secure': false,
      'session.cookie.samesite': null,
      'session.phpsession.savepath': join(this.dir, 'sessions'),
      'language.cookie.secure': false,
      'store.type': 'phpsession',
      production: true,
    };
    writeFileSync(join(this.dir, 'config.php'), phpFile('config', config));
    writeFileSync(
      join(this.dir, 'metadata', 'saml20-idp-hosted.php'),
      phpFile('metadata', { [this.entityId]: { host: '__DEFAULT__', privatekey: 'idp.key', certificate: 'idp.crt', auth: 'test-users' } }),
    );
    this.setUsers(users);
    this.setServiceProviders(sps);
  }

  private async launch(): Promise<void> {
    // One process (no PHP_CLI_SERVER_WORKERS): forked workers would outlive a stopped server.
    const env: NodeJS.ProcessEnv = { ...process.env, SIMPLESAMLPHP_CONFIG_DIR: this.dir };
    delete env.PHP_CLI_SERVER_WORKERS;
    if (this.clockOffset) Object.assign(env, { LD_PRELOAD: LIBFAKETIME, FAKETIME: this.clockOffset, FAKETIME_DONT_RESET: '1' });
    // The built-in server runs with OPcache, which would keep serving a replaced authsources.php or
    // saml20-sp-remote.php for a while: the generated configuration is kept out of it.
    const blacklist = join(this.dir, 'opcache-blacklist.txt');
    writeFileSync(blacklist, `${this.dir}/\n`);
    const args = ['-d', `opcache.blacklist_filename=${blacklist}`, '-S', `${this.host}:${this.port}`, '-t', WWW];
    const child = spawn(PHP, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = track(child);
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-200_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`SimpleSAMLphp exited (${child.exitCode}): ${this.output.slice(-2000)}`);
      try {
        const res = await fetch(this.metadataUrl);
        const body = await res.text();
        if (res.ok && body.includes('IDPSSODescriptor')) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`SimpleSAMLphp did not answer on ${this.url}: ${this.output.slice(-2000)}`);
  }
}

export const startSimpleSamlPhp = (opts: SimpleSamlPhpOptions) => SimpleSamlPhp.start(opts);
