/**
 * nginx terminating TLS in front of nodes, running deploy/nginx/mattermost-cluster-tls.conf (a
 * byte-for-byte copy) with this instance's site includes: the node list, HTTPS with HTTP/2 on
 * host:httpsPort with a test CA's certificate, the redirect server on host:httpPort, the static
 * cache and temp paths in its own folder. Its clients trust the test CA only (tls-client.ts).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestCertificates } from '../certificates.js';
import { fetchTrusting } from '../tls-client.js';
import { Nginx } from './nginx.js';

export class TlsNginx extends Nginx {
  protected readonly mainFile = 'mattermost-cluster-tls.conf';

  constructor(
    dir: string,
    /** The address it listens on (a certificate for it: makeTestCertificates(dir, host, …)). */
    readonly host: string,
    upstreams: string[],
    readonly certs: TestCertificates,
    readonly ports: { https: number; http: number } = { https: 443, http: 80 },
  ) {
    super(dir, ports.https, upstreams);
  }

  get url(): string {
    return `https://${this.host}${this.ports.https === 443 ? '' : `:${this.ports.https}`}`;
  }

  get wsUrl(): string {
    return `${this.url.replace(/^https/, 'wss')}/api/v4/websocket`;
  }

  /** The plain-HTTP server (the redirect). */
  get httpUrl(): string {
    return `http://${this.host}${this.ports.http === 80 ? '' : `:${this.ports.http}`}`;
  }

  get cacheDir(): string {
    return join(this.dir, 'cache');
  }

  protected writeSite(site: string, temp: string): void {
    writeFileSync(
      join(site, 'tls-server.conf'),
      [
        `listen ${this.host}:${this.ports.https} ssl http2;`,
        `ssl_certificate ${this.certs.certFile};`,
        `ssl_certificate_key ${this.certs.keyFile};`,
        `access_log ${this.accessLogDirective};`,
        '',
      ].join('\n'),
    );
    writeFileSync(join(site, 'tls-redirect.conf'), `listen ${this.host}:${this.ports.http};\n`);
    writeFileSync(
      join(site, 'tls-http.conf'),
      `proxy_cache_path ${this.cacheDir} levels=1:2 keys_zone=mattermost_static:10m max_size=100m inactive=1d use_temp_path=off;\n${this.tempPaths(temp)}`,
    );
  }

  protected probe(): Promise<unknown> {
    return fetchTrusting(this.certs.caFile)(`${this.url}/api/v4/system/ping`, { signal: AbortSignal.timeout(2000) });
  }
}
