/**
 * HTTPS on the node itself (Mattermost's server.go Start): with ServiceSettings.ConnectionSecurity
 * "TLS" the API, the web app and the WebSocket (wss, an upgrade on the same server) are served
 * over TLS from TLSCertFile/TLSKeyFile; TLSMinVer and TLSOverwriteCiphers shape the handshake;
 * TLSStrictTransport adds the HSTS header; Forward80To443 runs a plain listener on port 80 of the
 * listen host that sends browsers to https. The settings are checked (files readable, key matching
 * the certificate, the 443 rule) with the rest of the config: libs/config/src/tls-settings.ts.
 *
 * Read at start: a changed certificate or TLS setting takes effect at the next start (as in
 * Mattermost), except the HSTS header, which follows the current config on every response.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ServerOptions } from 'node:https';
import { getCiphers } from 'node:tls';
import type { NextFunction, Request, Response } from 'express';
import { Config, ConfigService, DEFAULT_TLS_CIPHERS, TLS_CIPHERS, TLS_MIN_VERSIONS } from '#config';

interface Log {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * The OpenSSL cipher list for TLS 1.2 and below. Like Mattermost, an empty TLSOverwriteCiphers
 * means its six AES-GCM suites, names Node's OpenSSL does not have are skipped with a warning,
 * and if none is left the defaults apply. TLS 1.3's suites are not configurable (as in Go).
 * Below TLS 1.2 OpenSSL 3 needs security level 0 (TLS 1.0/1.1 sign with SHA-1), so a TLSMinVer
 * of "1.0"/"1.1" lowers it; the AES-GCM defaults are TLS 1.2-only, so such clients also need
 * CBC suites in TLSOverwriteCiphers — exactly as with Mattermost.
 */
export function tlsCipherList(s: Config['ServiceSettings'], log?: Log): string {
  const available = new Set(getCiphers().map((c) => c.toUpperCase()));
  let names = s.TLSOverwriteCiphers.filter((name) => {
    const ok = available.has(TLS_CIPHERS[name]);
    if (!ok) log?.warn(`ServiceSettings.TLSOverwriteCiphers: ${name} is not supported by this Node.js (OpenSSL ${process.versions.openssl}); skipped`);
    return ok;
  });
  if (names.length === 0) {
    if (s.TLSOverwriteCiphers.length > 0) log?.warn('ServiceSettings.TLSOverwriteCiphers: no supported cipher left; using the default suites');
    names = DEFAULT_TLS_CIPHERS;
  }
  const list = names.map((name) => TLS_CIPHERS[name]).join(':');
  return s.TLSMinVer === '1.0' || s.TLSMinVer === '1.1' ? `${list}:@SECLEVEL=0` : list;
}

/** Options for NestFactory.create: an https.Server when ConnectionSecurity is "TLS", else none (plain HTTP). */
export function httpsOptions(config: Config, log?: Log): Pick<ServerOptions, 'cert' | 'key' | 'minVersion' | 'ciphers' | 'honorCipherOrder'> | undefined {
  const s = config.ServiceSettings;
  if (s.ConnectionSecurity !== 'TLS') return undefined;
  return {
    cert: readFileSync(s.TLSCertFile),
    key: readFileSync(s.TLSKeyFile),
    minVersion: TLS_MIN_VERSIONS[s.TLSMinVer as keyof typeof TLS_MIN_VERSIONS],
    ciphers: tlsCipherList(s, log),
    // Go's PreferServerCipherSuites: the server's order decides.
    honorCipherOrder: true,
  };
}

/**
 * Strict-Transport-Security: max-age=<TLSStrictTransportMaxAge> on every response while
 * TLSStrictTransport is on — Mattermost's exact header (no includeSubDomains), sent whether TLS
 * ends here or at a proxy in front (browsers ignore it over plain http).
 */
export function strictTransportSecurity(config: ConfigService) {
  return (_req: Request, res: Response, next: NextFunction) => {
    const s = config.get().ServiceSettings;
    if (s.TLSStrictTransport) res.setHeader('Strict-Transport-Security', `max-age=${s.TLSStrictTransportMaxAge}`);
    next();
  };
}

/**
 * Where Forward80To443 sends a request (Mattermost's handleHTTPRedirect, from autocert): the
 * same host — given a port, port 443 instead — and path, over https.
 */
export function httpsRedirectTarget(host: string, requestUri: string): string {
  const withPort = /^(\[[^\]]+\]|[^:]+):\d*$/.exec(host);
  return `https://${withPort ? `${withPort[1]}:443` : host}${requestUri}`;
}

function redirect(req: IncomingMessage, res: ServerResponse): void {
  // Only GET and HEAD move; anything else would lose its body on the way.
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' }).end('Use HTTPS\n');
    return;
  }
  const target = httpsRedirectTarget(req.headers.host ?? '', req.url ?? '/');
  res.writeHead(302, { Location: target, 'Content-Type': 'text/html; charset=utf-8' }).end(`<a href="${target.replace(/"/g, '%22')}">Found</a>.\n`);
}

/**
 * Forward80To443: port 80 of the listen host answers every request with a redirect to https.
 * The config check has made sure the node listens on 443. Like Mattermost, a port 80 that cannot
 * be bound is logged and the node runs on without it. The listener does not keep the process
 * alive; it ends with it.
 */
export function startHttpsForwarder(config: Config, host: string, log: Log): Server | undefined {
  if (!config.ServiceSettings.Forward80To443) return undefined;
  const server = createServer(redirect);
  server.on('error', (err) => log.error(`Unable to setup forwarding from ${host}:80: ${err.message}`));
  server.listen(80, host, () => {
    server.unref();
    log.log(`forwarding http://${host}:80 to https`);
  });
  return server;
}
