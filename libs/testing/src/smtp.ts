/**
 * A real SMTP server for the mail tests: smtp-server (npm) in the test process on a free loopback
 * port, plain, STARTTLS or implicit TLS with a certificate for 127.0.0.1 signed by a CA made for
 * this instance with the openssl CLI (a server process trusts it through NODE_EXTRA_CA_CERTS=caFile;
 * an in-process sender sets SkipServerCertificateVerification), optionally with AUTH. What arrives
 * is parsed with mailparser; tests wait for it with nextMail(to). stop() and start() take the
 * server away and bring it back on the same port, to test a dead server and the retries.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { makeTestCertificates } from './certificates.js';
import { freePort } from './ports.js';

export type SmtpSecurity = 'none' | 'starttls' | 'implicit';

export interface SmtpHarnessOptions {
  tls?: SmtpSecurity;
  /** When given, AUTH is required with these credentials (and refused otherwise). */
  auth?: { user: string; pass: string };
  host?: string;
}

export interface ReceivedMail {
  /** The envelope's recipients (RCPT TO), lower-cased. */
  to: string[];
  /** The envelope's sender (MAIL FROM). */
  from: string;
  subject: string;
  text: string;
  html: string;
  /** The parsed message: headers, addresses, parts. */
  parsed: ParsedMail;
  /** Whether it came over TLS (implicit or after STARTTLS). */
  secure: boolean;
  /** The AUTH user of the session, when it authenticated. */
  user?: string;
}

export class SmtpHarness {
  readonly mails: ReceivedMail[] = [];
  private server: SMTPServer | null = null;
  /** How many of each recipient's mails nextMail() has handed out. */
  private readonly taken = new Map<string, number>();
  private waiters: Array<() => void> = [];
  /** Refuses every message with this SMTP reply while set (a server that is up but failing). */
  refuseWith: { code: number; message: string } | null = null;

  constructor(
    readonly host: string,
    readonly port: number,
    readonly security: SmtpSecurity,
    readonly auth: { user: string; pass: string } | undefined,
    private readonly dir: string,
  ) {}

  /** The CA that signed the server's certificate (PEM file), for NODE_EXTRA_CA_CERTS. */
  get caFile(): string {
    return join(this.dir, 'ca.pem');
  }

  /** The MM_EMAILSETTINGS_* variables that point a server here (and, with TLS, trust its CA). */
  get env(): Record<string, string> {
    const s = this.settings;
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(s)) env[`MM_EMAILSETTINGS_${k.toUpperCase()}`] = String(v);
    if (this.security !== 'none') env.NODE_EXTRA_CA_CERTS = this.caFile;
    return env;
  }

  /** The EmailSettings values that point a sender here. */
  get settings() {
    return {
      SMTPServer: this.host,
      SMTPPort: String(this.port),
      ConnectionSecurity: this.security === 'implicit' ? 'TLS' : this.security === 'starttls' ? 'STARTTLS' : '',
      EnableSMTPAuth: this.auth !== undefined,
      SMTPUsername: this.auth?.user ?? '',
      SMTPPassword: this.auth?.pass ?? '',
    };
  }

  get running(): boolean {
    return this.server !== null;
  }

  /** Every mail that reached `to` so far. */
  mailsTo(to: string): ReceivedMail[] {
    const who = to.toLowerCase();
    return this.mails.filter((m) => m.to.includes(who));
  }

  /** The next mail to `to` not handed out yet, waiting for it to arrive (up to timeoutMs). */
  async nextMail(to: string, timeoutMs = 10_000): Promise<ReceivedMail> {
    const who = to.toLowerCase();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.taken.get(who) ?? 0;
      const mail = this.mailsTo(who)[index];
      if (mail) {
        this.taken.set(who, index + 1);
        return mail;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no mail to ${to} within ${timeoutMs} ms (${this.mails.length} mails received in all)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Starts listening (again) on the same port. */
  async start(): Promise<void> {
    if (this.server) return;
    const server = new SMTPServer(this.options());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // A client that drops mid-session is the client's business, not the test's.
    server.on('error', () => undefined);
    this.server = server;
  }

  /** Stops listening and drops open sessions; mails received so far stay. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Stops and removes the certificate files. */
  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private options(): SMTPServerOptions {
    const tls = this.security !== 'none';
    return {
      secure: this.security === 'implicit',
      ...(tls ? { key: readFileSync(join(this.dir, 'server.key')), cert: readFileSync(join(this.dir, 'server.pem')) } : {}),
      disabledCommands: [...(tls ? [] : ['STARTTLS']), ...(this.auth ? [] : ['AUTH'])],
      authOptional: !this.auth,
      // Plain-text AUTH only when the test asked for AUTH without TLS.
      allowInsecureAuth: !tls,
      closeTimeout: 200,
      logger: false,
      banner: 'mmchat test SMTP',
      onAuth: (auth, _session, callback) => {
        if (this.auth && auth.username === this.auth.user && auth.password === this.auth.pass) return callback(null, { user: auth.username });
        callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      },
      onMailFrom: (_address, session, callback) => {
        if (this.auth && !session.user) return callback(Object.assign(new Error('Authentication required'), { responseCode: 530 }));
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (this.refuseWith) return callback(Object.assign(new Error(this.refuseWith.message), { responseCode: this.refuseWith.code }));
          void this.received(Buffer.concat(chunks), session).then(
            () => callback(),
            (err) => callback(err),
          );
        });
      },
    };
  }

  private async received(raw: Buffer, session: SMTPServerSession): Promise<void> {
    const parsed = await simpleParser(raw);
    this.mails.push({
      to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
      from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
      subject: parsed.subject ?? '',
      text: parsed.text ?? '',
      html: typeof parsed.html === 'string' ? parsed.html : '',
      parsed,
      secure: session.secure,
      ...(typeof session.user === 'string' ? { user: session.user } : {}),
    });
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** Starts an SMTP server on a free loopback port (see SmtpHarness). */
export async function startSmtpServer(options: SmtpHarnessOptions = {}): Promise<SmtpHarness> {
  const host = options.host ?? '127.0.0.1';
  const security = options.tls ?? 'none';
  const dir = mkdtempSync(join(tmpdir(), 'smtp-'));
  // ca.pem, server.pem and server.key in the harness's folder (caFile and the TLS options read them there).
  if (security !== 'none') makeTestCertificates(dir, host, 'SMTP');
  const harness = new SmtpHarness(host, await freePort(host), security, options.auth, dir);
  try {
    await harness.start();
  } catch (err) {
    await harness.close();
    throw err;
  }
  return harness;
}
