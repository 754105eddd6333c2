/**
 * HTTPS on the node (ServiceSettings.ConnectionSecurity "TLS"): a server on port 443 of its own
 * loopback address (127.0.<subnet>.201, the subnet of libs/testing cluster.ts) with a certificate from a test CA made by
 * openssl, driven by Client4 and the WebSocketClient over https/wss trusting only that CA; the
 * TLSMinVer floor and TLSOverwriteCiphers seen in real handshakes; the HSTS header; the
 * Forward80To443 listener on port 80 (the tests run as root); and the settings refused, with one
 * line naming the setting, at start-up and on save.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import type { Channel } from '@mattermost/types/channels';
import type { Team } from '@mattermost/types/teams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectClientError, fetchTrusting, makeTestCertificates, NewUser, nodeHost, SERVER_ENTRY, startServer, TestCertificates, TestServer } from '#testing';

const host = nodeHost(200); // 127.0.<subnet>.201: ports 80 and 443 of its own
let dir: string;
let certs: TestCertificates;
let server: TestServer;
let admin: NewUser;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mm-tls-'));
  certs = makeTestCertificates(dir, host, 'node');
  server = await startServer(
    {
      MM_SERVICESETTINGS_FORWARD80TO443: 'true',
      MM_SERVICESETTINGS_TLSSTRICTTRANSPORT: 'true',
    },
    // A loaded machine can take long to start a node.
    { host, port: 443, tls: certs, startTimeoutMs: 90_000 },
  );
  admin = await server.newUser();
}, 150_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A raw TLS handshake with the server, resolving with the socket or the error. */
function handshake(port: number, opts: { version: 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'; ciphers?: string }): Promise<TLSSocket | Error> {
  return new Promise((ok) => {
    const socket = connect({
      host,
      port,
      ca: readFileSync(certs.caFile),
      minVersion: opts.version,
      maxVersion: opts.version,
      // Let the client offer what OpenSSL 3 would otherwise refuse to (TLS 1.1 needs level 0).
      ciphers: opts.ciphers ?? 'DEFAULT:@SECLEVEL=0',
    });
    socket.once('secureConnect', () => ok(socket));
    socket.once('error', (err) => ok(err));
  });
}

describe('the API and the socket over https/wss', () => {
  it('serves Client4 and the WebSocketClient, trusting only the test CA', async () => {
    expect(server.url).toBe(`https://${host}:443`);
    const bob = await server.newUser({ admin });
    const team: Team = await admin.client.createTeam({ name: `tls${Date.now()}`, display_name: 'TLS', type: 'O' } as Team);
    await admin.client.addToTeam(team.id, bob.user.id);
    const channel: Channel = await admin.client.createChannel({ team_id: team.id, name: 'tls-town', display_name: 'TLS town', type: 'O' } as Channel);
    await bob.client.addToChannel(bob.user.id, channel.id);
    const socket = await server.socket(bob.client); // wss://…/api/v4/websocket
    try {
      const post = await admin.client.createPost({ channel_id: channel.id, message: 'over TLS' } as never);
      const event = await socket.waitFor('posted', (e) => JSON.parse(e.data.post).id === post.id);
      expect(JSON.parse(event.data.post).message).toBe('over TLS');
      expect((await bob.client.getPost(post.id)).message).toBe('over TLS');
    } finally {
      socket.close();
    }
  });

  it('is refused by a client that does not trust the CA, and plain http gets no answer', async () => {
    const untrusted = await fetch(`${server.url}/api/v4/system/ping`).catch((err: Error & { cause?: { code?: string } }) => err.cause?.code ?? err.message);
    expect(untrusted).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER_CERT/);
    const plain = await fetch(`http://${host}:443/api/v4/system/ping`, { signal: AbortSignal.timeout(5000) }).then(
      (r) => r.status,
      () => 'failed',
    );
    expect(plain).toBe('failed');
  });
});

describe('TLSMinVer and TLSOverwriteCiphers', () => {
  it('refuses TLS 1.1 under the default "1.2" and takes 1.2 and 1.3 with Mattermost\'s suites', async () => {
    const old = await handshake(443, { version: 'TLSv1.1' });
    expect(old).toBeInstanceOf(Error);
    expect((old as NodeJS.ErrnoException).code).toBe('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');

    const v12 = (await handshake(443, { version: 'TLSv1.2' })) as TLSSocket;
    expect(v12.getProtocol()).toBe('TLSv1.2');
    // The certificate is ECDSA (P-256): the suite is one of Mattermost's ECDHE-ECDSA AES-GCM defaults.
    expect(['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384']).toContain(v12.getCipher().name);
    v12.destroy();
    // A TLS 1.2 client offering only a CBC suite finds none in common.
    expect(await handshake(443, { version: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA' })).toBeInstanceOf(Error);

    const v13 = (await handshake(443, { version: 'TLSv1.3' })) as TLSSocket;
    expect(v13.getProtocol()).toBe('TLSv1.3');
    v13.destroy();
  });

  it('takes TLS 1.1 with "1.1" and a CBC suite in TLSOverwriteCiphers, which replaces the defaults', async () => {
    const legacy = await startServer(
      {
        MM_SERVICESETTINGS_TLSMINVER: '1.1',
        MM_SERVICESETTINGS_TLSOVERWRITECIPHERS: '["TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_RC4_128_SHA"]',
      },
      { host, tls: certs, startTimeoutMs: 90_000 },
    );
    try {
      const v11 = (await handshake(legacy.port, { version: 'TLSv1.1' })) as TLSSocket;
      expect(v11).not.toBeInstanceOf(Error);
      expect(v11.getProtocol()).toBe('TLSv1.1');
      expect(v11.getCipher().name).toBe('ECDHE-ECDSA-AES128-SHA');
      v11.destroy();
      // The defaults are gone: a client offering only AES-GCM finds nothing for TLS 1.2.
      expect(await handshake(legacy.port, { version: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' })).toBeInstanceOf(Error);
      // RC4 is a name Mattermost takes but OpenSSL 3 lacks: skipped with a warning, not a failure.
      expect(legacy.logs).toContain('TLS_RSA_WITH_RC4_128_SHA is not supported');
    } finally {
      await legacy.stop();
    }
  }, 150_000);
});

describe('TLSStrictTransport', () => {
  it("sends Mattermost's HSTS header, with the max age of the current config", async () => {
    const get = fetchTrusting(certs.caFile);
    const ping = await get(`${server.url}/api/v4/system/ping`);
    expect(ping.headers.get('strict-transport-security')).toBe('max-age=63072000'); // Mattermost's default, two years
    const config = await admin.client.getConfig();
    await admin.client.updateConfig({ ...config, ServiceSettings: { ...config.ServiceSettings, TLSStrictTransportMaxAge: 600 } } as never);
    try {
      const page = await get(`${server.url}/login`);
      expect(page.headers.get('strict-transport-security')).toBe('max-age=600');
    } finally {
      await admin.client.updateConfig({ ...config, ServiceSettings: { ...config.ServiceSettings, TLSStrictTransportMaxAge: 63072000 } } as never);
    }
  });
});

describe('Forward80To443', () => {
  it('redirects GET and HEAD on port 80 to https and refuses other methods', async () => {
    const res = await fetch(`http://${host}/api/v4/system/ping?get_server_status=true`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = res.headers.get('location')!;
    expect(location).toBe(`https://${host}/api/v4/system/ping?get_server_status=true`);
    const followed = await fetchTrusting(certs.caFile)(location);
    expect(followed.status).toBe(200);
    expect((await followed.json()).status).toBe('OK');

    // A Host with a port keeps its host and gets 443 (Mattermost's, after autocert).
    const ported = await fetch(`http://${host}:80/x`, { redirect: 'manual', headers: { Host: `${host}:80` } });
    expect(ported.headers.get('location')).toBe(`https://${host}/x`);

    const post = await fetch(`http://${host}/api/v4/users/login`, { method: 'POST', body: '{}', redirect: 'manual' });
    expect(post.status).toBe(400);
    expect(await post.text()).toContain('Use HTTPS');
  });
});

describe('the settings are checked', () => {
  /** Starts a node with `env` that must refuse to start; resolves with its one line on stderr. */
  async function refusedStart(env: Record<string, string>): Promise<string> {
    const work = mkdtempSync(join(dir, 'refused-'));
    const child = spawn(process.execPath, [SERVER_ENTRY], {
      env: { ...process.env, MM_CONFIG: join(work, 'config.json'), MM_SQLSETTINGS_DATASOURCE: 'postgres://127.0.0.1:1/none', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((ok) => child.once('exit', ok));
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    return lines[0];
  }

  it('at start-up, with one line naming the setting', async () => {
    // Each start loads the whole server before it reads the config: three cases here, the rest
    // (a key that does not match, a file that is no PEM, ConnectionSecurity's values) in
    // libs/config/src/tls-settings.spec.ts.
    const tls = { MM_SERVICESETTINGS_CONNECTIONSECURITY: 'TLS', MM_SERVICESETTINGS_LISTENADDRESS: `${host}:0` };
    const [unset, missing, forward] = await Promise.all([
      refusedStart({ ...tls, MM_SERVICESETTINGS_TLSKEYFILE: certs.keyFile }),
      refusedStart({ ...tls, MM_SERVICESETTINGS_TLSCERTFILE: join(dir, 'missing.pem'), MM_SERVICESETTINGS_TLSKEYFILE: certs.keyFile }),
      // Mattermost's rule: Forward80To443 only with the server itself on 443.
      refusedStart({ MM_SERVICESETTINGS_FORWARD80TO443: 'true', MM_SERVICESETTINGS_LISTENADDRESS: `${host}:8065` }),
    ]);
    expect(unset).toBe('Invalid configuration: config: ServiceSettings.TLSCertFile must be set when ServiceSettings.ConnectionSecurity is "TLS"');
    expect(missing).toBe(`Invalid configuration: config: ServiceSettings.TLSCertFile cannot be read: ${join(dir, 'missing.pem')}: ENOENT`);
    expect(forward).toBe(
      'Invalid configuration: config: ServiceSettings.Forward80To443 is on: unable to forward port 80 to port 443 while listening on port 8065; set ServiceSettings.ListenAddress to port 443 or disable Forward80To443 if using a proxy server',
    );
  }, 120_000);

  it('on save, as a 400 naming the setting', async () => {
    const config = await admin.client.getConfig();
    const save = (ServiceSettings: Record<string, unknown>) =>
      expectClientError(() => admin.client.updateConfig({ ...config, ServiceSettings: { ...config.ServiceSettings, ...ServiceSettings } } as never));
    const minVer = await save({ TLSMinVer: '1.4' });
    expect(minVer.status_code).toBe(400);
    expect(minVer.message).toContain('ServiceSettings.TLSMinVer must be "1.0", "1.1", "1.2" or "1.3", got "1.4"');
    const cipher = await save({ TLSOverwriteCiphers: ['TLS_NULL_WITH_NULL_NULL'] });
    expect(cipher.message).toContain('ServiceSettings.TLSOverwriteCiphers has an unsupported cipher "TLS_NULL_WITH_NULL_NULL"');
    // Nothing was stored.
    expect((await admin.client.getConfig()).ServiceSettings.TLSMinVer).toBe('1.2');
  });
});
