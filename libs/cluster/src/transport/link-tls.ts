import { createPrivateKey, createPublicKey, generateKeyPairSync, hkdfSync, randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type * as X509 from '@peculiar/x509';

/*
 * Certificates for the mutual TLS of the cluster link (StreamingPort).
 *
 * Zero set-up by default: every node derives the same certificate authority from each accepted
 * cluster secret (the CA's Ed25519 key is HKDF(secret, cluster name); its certificate has fixed
 * fields, and Ed25519 signatures are deterministic, so every node builds the very same bytes).
 * At start-up a node issues itself a leaf certificate, with a fresh key, from the CA of its first
 * secret, naming its node id; it trusts the CAs of all its secrets. Rotation then follows the
 * gossip's three rolling steps ([old, new], [new, old], [new]): neighbouring steps always trust
 * each other's certificates. A node without a secret cannot obtain a certificate the others trust,
 * so it cannot even finish the TLS handshake.
 *
 * Operators with their own PKI give certificate, key and CA files instead
 * (ClusterSettings.StreamingTLS*File); the certificates must then name each node's advertised
 * address, as any TLS server certificate names its host.
 */

/** What one node needs for the link's TLS, in either role. */
export interface LinkTls {
  /** PEM: the CA certificates a peer's certificate must chain to. */
  ca: Buffer;
  /** PEM: this node's private key. */
  key: Buffer;
  /** PEM: this node's certificate (chain). */
  cert: Buffer;
  /**
   * How a peer's certificate names the peer: its node id (derived certificates), or its advertised
   * hostname or IP address (the operator's certificates).
   */
  names: 'node-id' | 'hostname';
}

/** The ClusterSettings naming the operator's PEM files: all three, or none for derived certificates. */
export interface LinkTlsSettings {
  StreamingTLSCertFile: string;
  StreamingTLSKeyFile: string;
  StreamingTLSCAFile: string;
}

/** Node's WebCrypto, which @peculiar/x509 signs with. */
const webcrypto = globalThis.crypto;
const ED25519 = { name: 'Ed25519' } as const;
/** PKCS#8 prefix of an Ed25519 private key (RFC 8410): the 32-byte seed follows. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const CA_NOT_BEFORE = new Date('2024-01-01T00:00:00Z');
const CA_NOT_AFTER = new Date('9999-12-31T23:59:59Z');
/** Leaf certificates start an hour back, so a peer whose clock runs behind accepts them at once. */
const LEAF_BACKDATE_MS = 3_600_000;
const LEAF_LIFETIME_MS = 10 * 365 * 24 * 3_600_000;

/**
 * @peculiar/x509, loaded when first needed: it takes about 0.3 s to load, which only cluster nodes
 * that derive their certificates should pay, once, as their transport starts. It resolves its
 * algorithm providers through tsyringe, which needs the Reflect polyfill first.
 */
let x509Module: Promise<typeof X509> | null = null;
function loadX509(): Promise<typeof X509> {
  x509Module ??= import('reflect-metadata').then(() => import('@peculiar/x509'));
  return x509Module;
}

interface ClusterCa {
  cert: X509.X509Certificate;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

function pem(certificate: X509.X509Certificate): string {
  return certificate.toString('pem');
}

/** The cluster CA of one secret: the same key and certificate on every node. */
async function clusterCa(secret: string, clusterName: string): Promise<ClusterCa> {
  const x509 = await loadX509();
  const seed = Buffer.from(hkdfSync('sha256', secret, 'mmchat-cluster-link-ca', `v1 ${clusterName}`, 32));
  const pkcs8 = Buffer.concat([ED25519_PKCS8_PREFIX, seed]);
  const spki = createPublicKey(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })).export({ format: 'der', type: 'spki' });
  const privateKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, ED25519, false, ['sign']);
  const publicKey = await webcrypto.subtle.importKey('spki', spki, ED25519, true, ['verify']);
  const keyId = await x509.SubjectKeyIdentifierExtension.create(publicKey, false, webcrypto);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: '01',
      // The key id in the name: the CAs of two secrets of one cluster never share a subject.
      name: [{ O: [clusterName] }, { CN: [`mmchat cluster CA ${keyId.keyId.slice(0, 16)}`] }],
      notBefore: CA_NOT_BEFORE,
      notAfter: CA_NOT_AFTER,
      signingAlgorithm: ED25519,
      keys: { privateKey, publicKey },
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        keyId,
      ],
    },
    webcrypto,
  );
  return { cert, privateKey, publicKey };
}

/** The CA certificate (PEM) a secret derives; the same on every node of the cluster. */
export async function clusterCaCertificate(secret: string, clusterName: string): Promise<string> {
  return pem((await clusterCa(secret, clusterName)).cert);
}

/** A leaf certificate for `nodeId`, with a fresh key, issued by `ca`; good as server and as client. */
async function issueNodeCertificate(ca: ClusterCa, nodeId: string): Promise<{ cert: string; key: string }> {
  const x509 = await loadX509();
  const pair = generateKeyPairSync('ed25519');
  const publicKey = await webcrypto.subtle.importKey('spki', pair.publicKey.export({ format: 'der', type: 'spki' }), ED25519, true, ['verify']);
  const now = Date.now();
  const serial = randomBytes(16);
  serial[0] &= 0x7f; // a positive INTEGER
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: serial.toString('hex'),
      subject: [{ CN: [nodeId] }],
      issuer: ca.cert.subjectName,
      notBefore: new Date(now - LEAF_BACKDATE_MS),
      notAfter: new Date(now + LEAF_LIFETIME_MS),
      signingAlgorithm: ED25519,
      publicKey,
      signingKey: ca.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
        await x509.AuthorityKeyIdentifierExtension.create(ca.publicKey, false, webcrypto),
      ],
    },
    webcrypto,
  );
  return { cert: pem(cert), key: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() };
}

/**
 * The zero-set-up TLS material of one node: a certificate naming `nodeId` from the CA of the first
 * secret, and trust in the CAs of all of them.
 */
export async function derivedLinkTls(secrets: readonly string[], clusterName: string, nodeId: string): Promise<LinkTls> {
  const usable = secrets.filter((s) => s.length > 0);
  if (usable.length === 0) throw new Error('cluster link TLS needs at least one cluster secret');
  const cas = await Promise.all(usable.map((secret) => clusterCa(secret, clusterName)));
  const leaf = await issueNodeCertificate(cas[0], nodeId);
  return { ca: Buffer.from(cas.map((ca) => pem(ca.cert)).join('\n')), key: Buffer.from(leaf.key), cert: Buffer.from(leaf.cert), names: 'node-id' };
}

/**
 * The operator's certificate, key and CA, or undefined when no file is configured (each node then
 * derives its own); fails naming the setting at fault if a file cannot be read.
 */
export function configuredLinkTls(settings: LinkTlsSettings): LinkTls | undefined {
  if (!settings.StreamingTLSCertFile && !settings.StreamingTLSKeyFile && !settings.StreamingTLSCAFile) return undefined;
  const read = (setting: keyof LinkTlsSettings) => {
    try {
      return readFileSync(settings[setting]);
    } catch (err) {
      throw new Error(`ClusterSettings.${setting} ${JSON.stringify(settings[setting])} cannot be read: ${err.message}`);
    }
  };
  const tls: LinkTls = { cert: read('StreamingTLSCertFile'), key: read('StreamingTLSKeyFile'), ca: read('StreamingTLSCAFile'), names: 'hostname' };
  let matches = false;
  try {
    matches = new X509Certificate(tls.cert).checkPrivateKey(createPrivateKey(tls.key));
  } catch (err) {
    throw new Error(`ClusterSettings.StreamingTLSCertFile / StreamingTLSKeyFile: not a PEM certificate and private key (${err.message})`);
  }
  if (!matches) throw new Error('ClusterSettings.StreamingTLSKeyFile is not the private key of StreamingTLSCertFile');
  return tls;
}

/** The SHA-256 fingerprint of the first certificate of a PEM chain, as Node's TLS reports a peer's. */
export function certificateFingerprint(certPem: Buffer | string): string {
  return new X509Certificate(certPem).fingerprint256;
}
