import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { certificateFingerprint, clusterCaCertificate, configuredLinkTls, derivedLinkTls, type LinkTls } from './link-tls.js';

const OLD = 'old-secret-0123456789abcdef';
const NEW = 'new-secret-0123456789abcdef';

/** The first PEM block of a bundle (one CA certificate). */
const firstPem = (bundle: Buffer) =>
  bundle
    .toString()
    .split(/(?<=-----END CERTIFICATE-----)/)[0]
    .trim();

/** A mutual TLS handshake between two nodes' material, as the link does it: 'ok' or the error either side saw. */
async function handshake(server: LinkTls, client: Pick<LinkTls, 'ca'> & Partial<LinkTls>): Promise<string> {
  const srv = tls.createServer({ ca: server.ca, key: server.key, cert: server.cert, requestCert: true, rejectUnauthorized: true }, (socket) =>
    socket.end('hi'),
  );
  const errors: string[] = [];
  srv.on('tlsClientError', (err) => errors.push(`server: ${err.message}`));
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
  try {
    const port = (srv.address() as AddressInfo).port;
    const reply = await new Promise<string>((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port, ca: client.ca, key: client.key, cert: client.cert, checkServerIdentity: () => undefined });
      let data = '';
      socket.on('data', (d) => (data += d));
      socket.on('error', (err) => resolve(`client: ${err.message}`));
      socket.on('close', () => resolve(data === 'hi' ? 'ok' : `closed without reply ${errors.join('; ')}`));
    });
    return reply === 'ok' || errors.length === 0 ? reply : `${reply}; ${errors.join('; ')}`;
  } finally {
    await new Promise((r) => srv.close(r));
  }
}

describe('cluster link certificates', () => {
  it('derive the same CA from the same secret and cluster, a different one otherwise', async () => {
    const ca = await clusterCaCertificate(OLD, 'prod');
    expect(await clusterCaCertificate(OLD, 'prod')).toBe(ca);
    expect(await clusterCaCertificate(NEW, 'prod')).not.toBe(ca);
    expect(await clusterCaCertificate(OLD, 'staging')).not.toBe(ca);
    const parsed = new X509Certificate(ca);
    expect(parsed.ca).toBe(true);
    expect(parsed.verify(parsed.publicKey)).toBe(true);
    // Two nodes building their material independently agree on the CA byte for byte.
    const [a, b] = await Promise.all([derivedLinkTls([OLD], 'prod', 'a'.repeat(26)), derivedLinkTls([OLD], 'prod', 'b'.repeat(26))]);
    expect(a.ca.equals(b.ca)).toBe(true);
    expect(firstPem(a.ca)).toBe(ca.trim());
  });

  it('issue each node a fresh certificate naming its id, from the CA of its first secret, trusting all', async () => {
    const node = await derivedLinkTls([NEW, OLD], 'prod', 'n'.repeat(26));
    const again = await derivedLinkTls([NEW, OLD], 'prod', 'n'.repeat(26));
    expect(node.cert.equals(again.cert)).toBe(false);
    const leaf = new X509Certificate(node.cert);
    expect(leaf.subject).toBe(`CN=${'n'.repeat(26)}`);
    expect(leaf.ca).toBe(false);
    const newCa = new X509Certificate(await clusterCaCertificate(NEW, 'prod'));
    const oldCa = new X509Certificate(await clusterCaCertificate(OLD, 'prod'));
    expect(leaf.checkIssued(newCa) && leaf.verify(newCa.publicKey)).toBe(true);
    expect(leaf.verify(oldCa.publicKey)).toBe(false);
    expect(node.ca.toString()).toContain(newCa.toString().trim());
    expect(node.ca.toString()).toContain(oldCa.toString().trim());
    expect(certificateFingerprint(node.cert)).toBe(leaf.fingerprint256);
  });

  it('complete mutual TLS within a cluster, and through each step of a rolling rotation', async () => {
    const id = (n: number) => String(n).repeat(26);
    const [before, step1, step2, after] = await Promise.all([[OLD], [OLD, NEW], [NEW, OLD], [NEW]].map((s, i) => derivedLinkTls(s, 'prod', id(i))));
    for (const [x, y] of [
      [before, step1],
      [step1, step2],
      [step2, after],
    ]) {
      expect(await handshake(x, y)).toBe('ok');
      expect(await handshake(y, x)).toBe('ok');
    }
  });

  it('refuse a node whose secret is not accepted, in either role', async () => {
    const member = await derivedLinkTls([OLD], 'prod', 'a'.repeat(26));
    const stranger = await derivedLinkTls(['not-the-secret-0123456789'], 'prod', 'b'.repeat(26));
    const otherCluster = await derivedLinkTls([OLD], 'staging', 'c'.repeat(26));
    for (const outsider of [stranger, otherCluster]) {
      expect(await handshake(member, outsider)).not.toBe('ok');
      expect(await handshake(outsider, member)).not.toBe('ok');
    }
    // Without a certificate at all, the server refuses too.
    expect(await handshake(member, { ca: member.ca })).not.toBe('ok');
  });

  it('loads the operator’s files when set, naming the setting at fault', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'link-tls-'));
    try {
      const own = await derivedLinkTls([OLD], 'prod', 'a'.repeat(26));
      const files = { StreamingTLSCertFile: join(dir, 'node.crt'), StreamingTLSKeyFile: join(dir, 'node.key'), StreamingTLSCAFile: join(dir, 'ca.crt') };
      writeFileSync(files.StreamingTLSCertFile, own.cert);
      writeFileSync(files.StreamingTLSKeyFile, own.key);
      writeFileSync(files.StreamingTLSCAFile, own.ca);
      const loaded = configuredLinkTls(files)!;
      expect(loaded.names).toBe('hostname');
      expect(loaded.cert.equals(own.cert) && loaded.key.equals(own.key) && loaded.ca.equals(own.ca)).toBe(true);
      expect(configuredLinkTls({ StreamingTLSCertFile: '', StreamingTLSKeyFile: '', StreamingTLSCAFile: '' })).toBeUndefined();
      expect(() => configuredLinkTls({ ...files, StreamingTLSCAFile: join(dir, 'missing.crt') })).toThrow(/ClusterSettings.StreamingTLSCAFile/);
      expect(() => configuredLinkTls({ ...files, StreamingTLSKeyFile: files.StreamingTLSCAFile })).toThrow(/not a PEM certificate and private key/);
      const other = await derivedLinkTls([OLD], 'prod', 'b'.repeat(26));
      writeFileSync(join(dir, 'other.key'), other.key);
      expect(() => configuredLinkTls({ ...files, StreamingTLSKeyFile: join(dir, 'other.key') })).toThrow(
        /StreamingTLSKeyFile is not the private key of StreamingTLSCertFile/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
