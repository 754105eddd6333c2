/**
 * A real OpenLDAP server (Debian's slapd) for the LDAP suites: a child process of the test on
 * loopback ports from freePort(), never the system service. A generated slapd.conf with an mdb
 * database and the memberOf overlay in a temp folder; plain LDAP and STARTTLS on one port, LDAPS
 * on another, with a certificate for 127.0.0.1 signed by a CA made for this instance
 * (certificates.ts; a server trusts it through NODE_EXTRA_CA_CERTS=caFile). The suffix, the OUs and a
 * read-only service account are loaded with slapadd; the suite's entries are added online with
 * ldapadd, so that the memberOf overlay fills memberOf from the groups as Active Directory does.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { makeTestCertificates } from '../certificates.js';
import { freePort } from '../ports.js';
import { isRunning, track, waitExit } from '../processes.js';
import { sleep } from '../wait.js';

export const SLAPD_BIN = process.env.SLAPD_BIN ?? '/usr/sbin/slapd';
const SLAPADD_BIN = process.env.SLAPADD_BIN ?? '/usr/sbin/slapadd';
const LDAPADD_BIN = process.env.LDAPADD_BIN ?? '/usr/bin/ldapadd';

export interface SlapdOptions {
  /** The directory's root (default dc=example,dc=com). */
  suffix?: string;
  /** Entries added once it runs, as LDIF (`{suffix}` stands for the suffix). */
  ldif?: string;
}

export class Slapd {
  readonly host = '127.0.0.1';
  readonly rootDn: string;
  readonly rootPassword = randomBytes(12).toString('hex');
  /** May read everything but passwords (LdapSettings.BindUsername / BindPassword). */
  readonly serviceDn: string;
  readonly servicePassword = randomBytes(12).toString('hex');
  private child?: ChildProcess;
  private output = '';

  constructor(
    readonly dir: string,
    /** Plain LDAP and STARTTLS. */
    readonly port: number,
    /** LDAPS. */
    readonly ldapsPort: number,
    readonly suffix: string,
  ) {
    this.rootDn = `cn=admin,${suffix}`;
    this.serviceDn = `cn=service,ou=system,${suffix}`;
  }

  /** The CA that signed the server's certificate (PEM file). */
  get caFile(): string {
    return join(this.dir, 'ca.pem');
  }

  get url(): string {
    return `ldap://${this.host}:${this.port}`;
  }

  /** The LdapSettings that reach this directory as the service account, as MM_LDAPSETTINGS_* variables. */
  serverEnv(): Record<string, string> {
    return {
      MM_LDAPSETTINGS_LDAPSERVER: this.host,
      MM_LDAPSETTINGS_LDAPPORT: String(this.port),
      MM_LDAPSETTINGS_BASEDN: this.suffix,
      MM_LDAPSETTINGS_BINDUSERNAME: this.serviceDn,
      MM_LDAPSETTINGS_BINDPASSWORD: this.servicePassword,
    };
  }

  async start(ldif: string): Promise<void> {
    for (const bin of [SLAPD_BIN, SLAPADD_BIN, LDAPADD_BIN]) {
      if (spawnSync(bin, ['-VV']).error) throw new Error(`${bin} not found: apt-get install -y slapd ldap-utils`);
    }
    makeTestCertificates(this.dir, this.host, 'LDAP');
    mkdirSync(join(this.dir, 'db'));
    writeFileSync(join(this.dir, 'slapd.conf'), this.config());
    writeFileSync(join(this.dir, 'base.ldif'), this.baseLdif());
    run(SLAPADD_BIN, ['-f', join(this.dir, 'slapd.conf'), '-l', join(this.dir, 'base.ldif')]);
    const urls = `ldap://${this.host}:${this.port}/ ldaps://${this.host}:${this.ldapsPort}/`;
    // -d keeps it in the foreground (a child of the test); 0 logs nothing but fatal errors.
    const child = track(spawn(SLAPD_BIN, ['-f', join(this.dir, 'slapd.conf'), '-h', urls, '-d', '0'], { stdio: ['ignore', 'pipe', 'pipe'] }));
    this.child = child;
    child.stdout!.on('data', (d) => (this.output += d));
    child.stderr!.on('data', (d) => (this.output += d));
    await this.waitReady();
    if (ldif.trim()) this.add(ldif);
  }

  /** Adds LDIF entries online, as the root DN (the overlays see them). */
  add(ldif: string): void {
    const file = join(this.dir, `add-${randomBytes(4).toString('hex')}.ldif`);
    writeFileSync(file, ldif.replaceAll('{suffix}', this.suffix));
    run(LDAPADD_BIN, ['-x', '-H', this.url, '-D', this.rootDn, '-w', this.rootPassword, '-f', file]);
  }

  /** An ldapts client bound as the root DN, for a test to change entries (close it with unbind()). */
  async admin(): Promise<Client> {
    const client = new Client({ url: this.url, timeout: 10_000, connectTimeout: 5_000 });
    await client.bind(this.rootDn, this.rootPassword);
    return client;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && isRunning(child)) {
      child.kill('SIGTERM');
      if (!(await waitExit(child, 5_000))) {
        child.kill('SIGKILL');
        await waitExit(child, 2_000);
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (!isRunning(this.child)) throw new Error(`slapd exited (${this.child?.exitCode}):\n${this.output}`);
      try {
        const client = await this.admin();
        await client.unbind();
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`slapd did not answer on ${this.url}: ${(err as Error).message}\n${this.output}`);
        await sleep(100);
      }
    }
  }

  private config(): string {
    const schema = (name: string) => `include /etc/ldap/schema/${name}.schema`;
    return [
      ...['core', 'cosine', 'inetorgperson', 'nis'].map(schema),
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      'moduleload memberof',
      `pidfile ${join(this.dir, 'slapd.pid')}`,
      `TLSCACertificateFile ${this.caFile}`,
      `TLSCertificateFile ${join(this.dir, 'server.pem')}`,
      `TLSCertificateKeyFile ${join(this.dir, 'server.key')}`,
      'database mdb',
      `suffix "${this.suffix}"`,
      `rootdn "${this.rootDn}"`,
      `rootpw ${this.rootPassword}`,
      `directory ${join(this.dir, 'db')}`,
      'maxsize 67108864',
      'overlay memberof',
      'memberof-group-oc groupOfNames',
      'memberof-member-ad member',
      'memberof-memberof-ad memberOf',
      'memberof-refint true',
      // Passwords are only ever compared by a bind; the service account reads the rest.
      'access to attrs=userPassword by anonymous auth by * none',
      `access to * by dn.exact="${this.serviceDn}" read by self read by * none`,
      '',
    ].join('\n');
  }

  private baseLdif(): string {
    const dc = this.suffix.split(',')[0].split('=')[1];
    const ou = (name: string) => `dn: ou=${name},${this.suffix}\nobjectClass: organizationalUnit\nou: ${name}\n`;
    return [
      `dn: ${this.suffix}\nobjectClass: dcObject\nobjectClass: organization\no: ${dc}\ndc: ${dc}\n`,
      ou('people'),
      ou('groups'),
      ou('system'),
      `dn: ${this.serviceDn}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: service\nuserPassword: ${this.servicePassword}\n`,
    ].join('\n');
  }
}

/** Starts a slapd with `ldif` loaded; stop() it after the suite. */
export async function startSlapd(opts: SlapdOptions = {}): Promise<Slapd> {
  const slapd = new Slapd(mkdtempSync(join(tmpdir(), 'mm-slapd-')), await freePort(), await freePort(), opts.suffix ?? 'dc=example,dc=com');
  try {
    await slapd.start(opts.ldif ?? '');
  } catch (err) {
    await slapd.stop();
    throw err;
  }
  return slapd;
}

function run(bin: string, args: string[]): void {
  const r = spawnSync(bin, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed (${r.error?.message ?? r.status}):\n${r.stdout}${r.stderr}`);
}
