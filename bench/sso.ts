/**
 * `npm run bench:sso`: how fast one server completes sign-ins through an identity provider,
 * next to password logins in the same run (issue 11: "SAML ACS and OIDC callback handling per
 * second on this machine, p50/p99, next to password logins/s; a signed+encrypted SAML response
 * must not cost more than 3× a password login").
 *
 * One server; SimpleSAMLphp (its own PHP process) as the SAML IdP, signing and encrypting
 * assertions to the server's certificate; oidc-provider in a child process of this script (so its
 * CPU is neither the server's nor the load generator's) as the OpenID provider. Phases, each with
 * CONCURRENCY sign-ins in flight and N sign-ins of returning users:
 *
 *  1. password logins: POST /api/v4/users/login;
 *  2. SAML ACS, signed + encrypted, then signed only: N responses prepared first (start on the
 *     server, sign in at SimpleSAMLphp, keep the form it answers with), then only the POSTs of
 *     those forms to /login/sso/saml are timed;
 *  3. OIDC callback: N callbacks prepared (start on the server, login and consent at the provider,
 *     keep the callback URL and the browser with its MMOAUTH cookie), then only the callback GETs
 *     are timed — each includes the server's token exchange and UserInfo request at the provider.
 *
 * Prepared responses and codes expire (SimpleSAMLphp's assertions after 300 s, the provider's
 * codes after 60 s), so sign-ins are prepared in batches that fit a time budget, each batch timed
 * right after its preparation. The CPU of the server and its PostgreSQL backends is read from
 * /proc around the timed requests only. Writes bench-results/sso.json and the "## bench:sso"
 * section of docs/benchmarks.md.
 *
 * BENCH_SSO_N (sign-ins per phase), BENCH_SSO_CONCURRENCY and BENCH_SSO_USERS shrink or change a
 * run while developing it: such runs write bench-results/sso.dev.json only.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { UserProfile } from '@mattermost/types/users';
import {
  ADMIN_DSN,
  authorizeAtProvider,
  freePort,
  oidcClient,
  oidcServiceEnv,
  postToAcs,
  selfSignedCertificate,
  signInAtIdp,
  startOidcProvider,
  startSamlSignIn,
  startServer,
  startSimpleSamlPhp,
  track,
  waitExit,
  WebBrowser,
  type HtmlForm,
  type NewUser,
  type OidcAccount,
  type OidcProviderOptions,
  type SamlTestUser,
  type SimpleSamlPhp,
  type TestServer,
} from '#testing';
import { mapLimit, mapWithin } from './load.js';
import { cpuSeconds, cpuSplit, machineInfo } from './machine.js';
import { publishResults, ROOT, runBench } from './run.js';
import {
  phaseResult,
  renderSsoMarkdown,
  renderSsoTable,
  samlCostVerdict,
  SSO_SECTION,
  type BatchRun,
  type PhaseResult,
  type SsoResults,
} from './sso-report.js';
import { round } from './stats.js';

const COMMAND = 'npm run bench:sso';
const N = Number(process.env.BENCH_SSO_N ?? 300);
const CONCURRENCY = Number(process.env.BENCH_SSO_CONCURRENCY ?? 8);
/** Distinct people per sign-in method; each signs in once, untimed, before the timed phases. */
const USERS = Math.min(N, Number(process.env.BENCH_SSO_USERS ?? 50));
/** Preparation: SimpleSAMLphp is one PHP process, the provider one Node process. */
const PREPARE_CONCURRENCY = 4;
const PASSWORD = 'Bench-passw0rd!';
const IDP_ENTITY = 'http://idp.bench.test/metadata';
/** SimpleSAMLphp's default assertion lifetime (assertion.lifetime), and how much of it preparation may use. */
const SAML_VALIDITY_SEC = 300;
const SAML_PREPARE_BUDGET_MS = 120_000;
/** The test provider's AuthorizationCode TTL (libs/testing/src/sso/oidc-provider.ts), and the budget. */
const CODE_VALIDITY_SEC = 60;
const OIDC_PREPARE_BUDGET_MS = 20_000;

function log(msg: string) {
  process.stdout.write(`[bench:sso ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

// ---------------------------------------------------------------------------------------------
// The OpenID provider's own process.

/** Child mode: starts oidc-provider with the options the parent sends, reports its URL, stops when told or orphaned. */
function providerProcess(): void {
  process.once('message', (opts: OidcProviderOptions) => {
    startOidcProvider(opts).then(
      (peer) => {
        process.on('message', (m) => {
          if (m === 'stop') void peer.stop().finally(() => process.exit(0));
        });
        process.send!({ url: peer.url });
      },
      (err: unknown) => {
        console.error('oidc-provider child:', err);
        process.exit(1);
      },
    );
  });
  process.on('disconnect', () => process.exit(0));
}

class ProviderChild {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  get pid(): number {
    return this.child.pid!;
  }

  static async start(opts: OidcProviderOptions): Promise<ProviderChild> {
    const child = track(fork(fileURLToPath(import.meta.url), ['oidc-provider'], { stdio: 'inherit' }));
    const url = await new Promise<string>((ok, fail) => {
      child.once('message', (m: { url: string }) => ok(m.url));
      child.once('exit', (code) => fail(new Error(`the oidc-provider process exited with ${code}`)));
      child.send(opts);
    });
    return new ProviderChild(child, url);
  }

  async stop(): Promise<void> {
    if (this.child.connected) this.child.send('stop');
    if (!(await waitExit(this.child, 5000))) this.child.kill('SIGKILL');
  }
}

// ---------------------------------------------------------------------------------------------
// Timed batches.

interface Prepared<P> {
  item: P;
  /** performance.now() when its response or code was made (undefined: nothing that expires). */
  at?: number;
}

/** The sign-in request a phase times; resolves to why it failed, or undefined when it signed in. */
type SignIn<P> = (item: P) => Promise<string | undefined>;

/** Sends `items` CONCURRENCY at a time, timing each request and reading the CPU around them all. */
async function timedBatch<P>(server: TestServer, items: Prepared<P>[], signIn: SignIn<P>, providerPid?: number): Promise<BatchRun> {
  const run: BatchRun = { latencies: [], failures: 0, failureSamples: [], wallMs: 0, cpu: undefined as never };
  let maxAge: number | undefined;
  const fail = (why: string) => {
    run.failures++;
    if (run.failureSamples.length < 5) run.failureSamples.push(why);
  };
  const p0 = providerPid ? cpuSeconds(providerPid) : 0;
  const { cpu } = await cpuSplit(server, ADMIN_DSN, async () => {
    const t0 = performance.now();
    await mapLimit(items, CONCURRENCY, async ({ item, at }) => {
      const sent = performance.now();
      if (at !== undefined) maxAge = Math.max(maxAge ?? 0, (sent - at) / 1000);
      try {
        const why = await signIn(item);
        if (why) fail(why);
        else run.latencies.push(performance.now() - sent);
      } catch (err) {
        fail(String((err as Error)?.message ?? err));
      }
    });
    run.wallMs = performance.now() - t0;
  });
  run.cpu = cpu;
  if (providerPid) run.providerSec = round(cpuSeconds(providerPid) - p0, 2);
  if (maxAge !== undefined) run.maxPreparedAgeSec = round(maxAge, 1);
  return run;
}

/**
 * N sign-ins prepared in batches that fit `budgetMs` (so that each is still valid when sent),
 * each batch timed right after its preparation.
 */
async function preparedPhase<P>(
  server: TestServer,
  name: string,
  budgetMs: number,
  prepare: (index: number) => Promise<P>,
  signIn: SignIn<P>,
  providerPid?: number,
): Promise<{ runs: BatchRun[]; prepareSec: number }> {
  const runs: BatchRun[] = [];
  let prepareMs = 0;
  for (let done = 0; done < N;) {
    const t0 = performance.now();
    const items = await mapWithin(N - done, PREPARE_CONCURRENCY, budgetMs, async (i) => {
      const item = await prepare(done + i);
      return { item, at: performance.now() };
    });
    const batchPrepareMs = performance.now() - t0;
    prepareMs += batchPrepareMs;
    done += items.length;
    const run = await timedBatch(server, items, signIn, providerPid);
    log(
      `${name}: batch of ${items.length} prepared in ${round(batchPrepareMs / 1000, 1)} s, ` +
        `timed ${round(run.wallMs / 1000, 2)} s, failures ${run.failures} (${done}/${N})`,
    );
    runs.push(run);
  }
  return { runs, prepareSec: round(prepareMs / 1000, 1) };
}

// ---------------------------------------------------------------------------------------------
// The sign-ins.

/** POST /api/v4/users/login as a browser or app would: the answer carries the session token. */
async function passwordLogin(server: TestServer, loginId: string): Promise<string | undefined> {
  const res = await fetch(`${server.url}/api/v4/users/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest' },
    body: JSON.stringify({ login_id: loginId, password: PASSWORD }),
  });
  const body = await res.text();
  return res.status === 200 && res.headers.get('token') ? undefined : `status ${res.status}: ${body.slice(0, 200)}`;
}

/** Starts a SAML sign-in on the server and signs in at the IdP: the IdP's form, not yet posted. */
async function prepareSaml(server: TestServer, acs: string, username: string): Promise<HtmlForm> {
  const start = await startSamlSignIn(server.url);
  if (start.status !== 302 || !start.samlRequest) throw new Error(`the SAML start answered ${start.status} → ${start.location}`);
  const form = await signInAtIdp(start.location, username, PASSWORD);
  if (form.action !== acs) throw new Error(`the IdP posts to ${form.action}, not ${acs}`);
  return form;
}

/** The POST binding's post to the ACS; signed in when it sets the session cookie. */
async function postSaml(form: HtmlForm): Promise<string | undefined> {
  const answer = await postToAcs(form.action, form.fields);
  if (answer.status === 302 && answer.token && !answer.error) return undefined;
  return answer.error ? `${answer.error.id}: ${answer.error.message}` : `status ${answer.status} → ${answer.location}`;
}

interface OidcCallback {
  browser: WebBrowser;
  url: string;
}

/** Starts an OpenID sign-in on the server and signs in and consents at the provider: the callback URL, not yet opened. */
async function prepareOidc(server: TestServer, issuer: string, account: OidcAccount): Promise<OidcCallback> {
  const browser = new WebBrowser();
  const start = await browser.navigate(`${server.url}/oauth/openid/login`, { until: (u) => u.origin === issuer });
  if (start.status !== 302 || !start.location?.startsWith(`${issuer}/`)) throw new Error(`the OpenID start answered ${start.status} → ${start.location}`);
  return { browser, url: await authorizeAtProvider(issuer, browser, start.location, account) };
}

/** The callback in the browser that started the sign-in (its MMOAUTH cookie); signed in when it sets the session cookie. */
async function completeOidc(server: TestServer, cb: OidcCallback): Promise<string | undefined> {
  const page = await cb.browser.request('GET', cb.url);
  if (page.status === 302 && page.location === `${server.url}/` && page.setCookies.some((c) => c.startsWith('MMAUTHTOKEN='))) return undefined;
  const to = page.location ? new URL(page.location) : undefined;
  return `status ${page.status} → ${to?.pathname ?? ''} ${to?.searchParams.get('error_id') ?? ''} ${to?.searchParams.get('message') ?? page.body.slice(0, 200)}`;
}

// ---------------------------------------------------------------------------------------------

/** Everything that must be released however the run ends. */
const open = { server: undefined as TestServer | undefined, idp: undefined as SimpleSamlPhp | undefined, provider: undefined as ProviderChild | undefined };

async function cleanup() {
  const { server, idp, provider } = open;
  open.server = undefined;
  open.idp = undefined;
  open.provider = undefined;
  await Promise.all([provider?.stop().catch(() => undefined), idp?.stop().catch(() => undefined)]);
  await server?.stop().catch(() => undefined);
}

function packageVersion(...candidates: string[]): string {
  for (const c of candidates) {
    const file = join(ROOT, 'node_modules', c, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return 'unknown';
}

function debianVersion(pkg: string): string {
  try {
    return execFileSync('dpkg-query', ['-W', '-f', '${Version}', pkg], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

const samlUser = (i: number): SamlTestUser => ({
  username: `saml${i}`,
  password: PASSWORD,
  attributes: { employeeNumber: `e-saml${i}`, uid: `saml${i}`, mail: `saml${i}@saml.bench`, givenName: `Saml${i}`, sn: 'Bench' },
});

const oidcAccount = (i: number): OidcAccount => ({
  id: 5000 + i,
  username: `oidc${i}`,
  password: PASSWORD,
  email: `oidc${i}@oidc.bench`,
  givenName: `Oidc${i}`,
  familyName: 'Bench',
});

async function main(): Promise<SsoResults> {
  const machine = await machineInfo(ADMIN_DSN);
  const loadAveragesBefore = loadavg().map((v) => round(v, 2));
  log(`${machine.nproc} cores, ${machine.cpuModel}, Node ${machine.node}, PostgreSQL ${machine.postgres}, load ${loadAveragesBefore.join(' ')}`);

  // The provider's port and client first, so that the server can be configured with them; the
  // provider starts once the server's URL (its redirect URI) is known.
  const providerPort = await freePort();
  const issuer = `http://127.0.0.1:${providerPort}`;
  const client = oidcClient('mmchat-bench');
  const server = await startServer({ MM_RATELIMITSETTINGS_ENABLE: 'false', ...oidcServiceEnv('OPENIDSETTINGS', issuer, client) });
  open.server = server;
  const acs = `${server.url}/login/sso/saml`;
  log(`server pid ${server.pid} on ${server.url}`);

  const oidcAccounts = Array.from({ length: USERS }, (_, i) => oidcAccount(i));
  open.provider = await ProviderChild.start({ port: providerPort, client, redirectUris: [`${server.url}/signup/openid/complete`], accounts: oidcAccounts });
  log(`oidc-provider pid ${open.provider.pid} on ${open.provider.url}`);

  const sp = selfSignedCertificate('mmchat-bench-sp');
  const samlUsers = Array.from({ length: USERS }, (_, i) => samlUser(i));
  open.idp = await startSimpleSamlPhp({
    entityId: IDP_ENTITY,
    users: samlUsers,
    serviceProviders: [
      { entityId: 'bench-encrypted', acsUrl: acs, certificate: sp.certificate, encryptAssertion: true, requireSignedRequests: true },
      { entityId: 'bench-signed', acsUrl: acs },
    ],
  });
  const idp = open.idp;
  log(`SimpleSAMLphp on ${idp.url}`);

  // The first account is the system admin; it configures SAML as the System Console does.
  const admin: NewUser = await server.newUser({ username: 'benchadmin', password: PASSWORD });
  await admin.client.uploadIdpSamlCertificate(new File([idp.certificate], 'idp.crt'));
  await admin.client.uploadPublicSamlCertificate(new File([sp.certificate], 'sp.crt'));
  await admin.client.uploadPrivateSamlCertificate(new File([sp.privateKey], 'sp.key'));
  const useSp = (entityId: string, encrypted: boolean) =>
    admin.client.patchConfig({
      SamlSettings: {
        Enable: true,
        IdpURL: idp.ssoUrl,
        IdpDescriptorURL: IDP_ENTITY,
        ServiceProviderIdentifier: entityId,
        AssertionConsumerServiceURL: acs,
        Verify: true,
        Encrypt: encrypted,
        SignRequest: encrypted,
        SignatureAlgorithm: 'RSAwithSHA256',
        IdAttribute: 'employeeNumber',
        EmailAttribute: 'mail',
        UsernameAttribute: 'uid',
        FirstNameAttribute: 'givenName',
        LastNameAttribute: 'sn',
      },
    } as never);
  await useSp('bench-encrypted', true);

  // Returning users everywhere: accounts made, and each signed in once, before anything is timed.
  const anonymous = server.client();
  const passwordUsers = await mapLimit(
    Array.from({ length: USERS }, (_, i) => `pw${i}`),
    PREPARE_CONCURRENCY,
    async (username) => (await anonymous.createUser({ username, email: `${username}@example.com`, password: PASSWORD } as UserProfile, '', '')).username,
  );
  const warm = async (what: string, fn: (i: number) => Promise<string | undefined>) => {
    const t0 = performance.now();
    const failed = (
      await mapLimit(
        Array.from({ length: USERS }, (_, i) => i),
        PREPARE_CONCURRENCY,
        fn,
      )
    ).filter(Boolean);
    if (failed.length) throw new Error(`${what}: ${failed.length} warm-up sign-ins failed: ${failed[0]}`);
    log(`${what}: ${USERS} warm-up sign-ins in ${round((performance.now() - t0) / 1000, 1)} s`);
  };
  await warm('password', (i) => passwordLogin(server, passwordUsers[i]));
  await warm('SAML', async (i) => postSaml(await prepareSaml(server, acs, samlUsers[i].username)));
  await warm('OIDC', async (i) => completeOidc(server, await prepareOidc(server, issuer, oidcAccounts[i])));

  const phases: PhaseResult[] = [];
  const record = (p: PhaseResult) => {
    phases.push(p);
    log(
      `${p.label}: ${p.perSec}/s, p50 ${p.latency.p50} ms, p99 ${p.latency.p99} ms, server CPU ${p.serverCpuMs} ms/sign-in, ` +
        `PostgreSQL ${p.postgresCpuMs} ms${p.providerCpuMs !== undefined ? `, provider ${p.providerCpuMs} ms` : ''}, failures ${p.failures}`,
    );
  };

  // 1. Password logins.
  const logins = Array.from({ length: N }, (_, i) => ({ item: passwordUsers[i % USERS] }));
  record(
    phaseResult({ key: 'password', label: 'Password login', request: '`POST /api/v4/users/login`', concurrency: CONCURRENCY }, [
      await timedBatch(server, logins, (loginId) => passwordLogin(server, loginId)),
    ]),
  );

  // 2. SAML ACS, signed + encrypted (the configuration above), then signed only.
  const samlPhase = async (key: 'samlEncrypted' | 'samlSigned', label: string) => {
    const { runs, prepareSec } = await preparedPhase(
      server,
      label,
      SAML_PREPARE_BUDGET_MS,
      (i) => prepareSaml(server, acs, samlUsers[i % USERS].username),
      postSaml,
    );
    record(phaseResult({ key, label, request: '`POST /login/sso/saml`', concurrency: CONCURRENCY, prepareSec, validitySec: SAML_VALIDITY_SEC }, runs));
  };
  await samlPhase('samlEncrypted', 'SAML ACS, signed + encrypted assertion');
  await useSp('bench-signed', false);
  await warm('SAML signed only', async (i) => postSaml(await prepareSaml(server, acs, samlUsers[i].username)));
  await samlPhase('samlSigned', 'SAML ACS, signed assertion only');

  // 3. OIDC callbacks.
  const { runs, prepareSec } = await preparedPhase(
    server,
    'OIDC callback',
    OIDC_PREPARE_BUDGET_MS,
    (i) => prepareOidc(server, issuer, oidcAccounts[i % USERS]),
    (cb) => completeOidc(server, cb),
    open.provider.pid,
  );
  record(
    phaseResult(
      {
        key: 'oidc',
        label: 'OIDC callback',
        request: '`GET /signup/openid/complete`',
        concurrency: CONCURRENCY,
        prepareSec,
        validitySec: CODE_VALIDITY_SEC,
      },
      runs,
    ),
  );

  const verdict = samlCostVerdict(
    phases.find((p) => p.key === 'password')!,
    phases.find((p) => p.key === 'samlEncrypted')!,
  );
  return {
    date: new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC',
    command: COMMAND,
    machine,
    loadAverageAfter1m: round(loadavg()[0], 2),
    loadAveragesBefore,
    users: { password: USERS, saml: USERS, oidc: USERS },
    concurrency: CONCURRENCY,
    phases,
    verdict,
    versions: {
      '@node-saml/node-saml': packageVersion('@node-saml/node-saml', '@node-saml/passport-saml/node_modules/@node-saml/node-saml'),
      'xml-crypto': packageVersion('xml-crypto', '@node-saml/node-saml/node_modules/xml-crypto'),
      'xml-encryption': packageVersion('xml-encryption', '@node-saml/node-saml/node_modules/xml-encryption'),
      'openid-client': packageVersion('openid-client'),
      'oidc-provider': packageVersion('oidc-provider'),
      SimpleSAMLphp: debianVersion('simplesamlphp'),
      PHP: debianVersion('php-cli'),
    },
  };
}

/** Shrunk or changed runs must not replace the published figures or their raw JSON. */
const DEVELOPMENT_RUN = ['BENCH_SSO_N', 'BENCH_SSO_CONCURRENCY', 'BENCH_SSO_USERS'].some((k) => process.env[k]);

if (process.argv[2] === 'oidc-provider') providerProcess();
else
  await runBench({
    command: 'bench:sso',
    log,
    main,
    cleanup,
    publish: (results) => publishResults({ name: 'sso', heading: SSO_SECTION, results, markdown: renderSsoMarkdown(results), developmentRun: DEVELOPMENT_RUN }),
    table: renderSsoTable,
    failureOutput: () => (open.server?.logs ? `server output (tail):\n${open.server.logs.slice(-4000)}\n` : undefined),
  });
