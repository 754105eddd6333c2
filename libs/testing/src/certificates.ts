/**
 * Test TLS: a CA made for one test server and a certificate it signs for the server's loopback
 * address, with the openssl CLI. A server under test trusts the CA through
 * NODE_EXTRA_CA_CERTS=caFile (slapd's LDAPS, the APNs stand-in's HTTP/2).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCertificates {
  /** The CA (PEM): what clients trust. */
  caFile: string;
  /** The server's certificate (PEM) and key (PEM, unencrypted). */
  certFile: string;
  keyFile: string;
}

/**
 * In `dir`: ca.pem/ca.key and server.pem/server.key, a P-256 CA named after `caName` and a server
 * certificate for `host` (an IP address) and localhost, both good for a day.
 */
export function makeTestCertificates(dir: string, host: string, caName: string): TestCertificates {
  const f = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const subject = `/CN=mmchat test ${caName} CA ${randomBytes(4).toString('hex')}`;
  openssl(['req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '1', '-subj', subject]);
  openssl(['req', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', `/CN=${host}`]);
  writeFileSync(f('server.ext'), `subjectAltName=IP:${host},DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
  openssl([
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('server.pem'),
    '-days',
    '1',
    '-extfile',
    f('server.ext'),
  ]);
  return { caFile: f('ca.pem'), certFile: f('server.pem'), keyFile: f('server.key') };
}

function openssl(args: string[]): void {
  const r = spawnSync('openssl', args, { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed (${r.error?.message ?? r.status}):\n${r.stdout}${r.stderr}`);
}
