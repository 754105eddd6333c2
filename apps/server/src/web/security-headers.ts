/**
 * The headers of the web app's HTML: a strict Content-Security-Policy (only this site's own
 * scripts, styles and connections; no inline script or style, no eval, no framing), and the
 * older headers that say the same to older browsers. Mattermost sends a CSP with 'unsafe-eval'
 * and inline allowances for its plugins; this app has no plugins and needs neither.
 */
import type { Config } from '#config';

/**
 * The WebSocket origins the page may connect to besides 'self' (which CSP Level 3 browsers match
 * for ws:/wss: on the same host): the SiteURL's host as ws(s):// for older browsers, and
 * ServiceSettings.WebsocketURL when the socket lives elsewhere.
 */
export function socketOrigins(cfg: Config): string[] {
  const origins = new Set<string>();
  const add = (url: string, toSocket: boolean) => {
    if (!url) return;
    try {
      const u = new URL(url);
      const protocol = toSocket ? u.protocol.replace(/^http/, 'ws') : u.protocol;
      if (protocol === 'ws:' || protocol === 'wss:') origins.add(`${protocol}//${u.host}`);
    } catch {
      // Not a URL: the config's validation reports it; nothing to allow.
    }
  };
  add(cfg.ServiceSettings.SiteURL, true);
  add(cfg.ServiceSettings.WebsocketURL, true);
  return [...origins];
}

/** The Content-Security-Policy of the app's HTML. */
export function contentSecurityPolicy(cfg: Config): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // React sets style properties through the CSSOM, which CSP does not restrict; no inline <style> or style="".
    "style-src 'self'",
    // data: and blob: for pasted or dropped images and previews made in the page.
    "img-src 'self' data: blob:",
    "font-src 'self'",
    ["connect-src 'self'", ...socketOrigins(cfg)].join(' '),
    "media-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Every header of the app's HTML (index.html at / and at every client route). */
export function documentHeaders(cfg: Config): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(cfg),
    // Browsers without frame-ancestors.
    'X-Frame-Options': 'DENY',
    // A new build is picked up at once: the HTML is revalidated, the hashed files it names are not.
    'Cache-Control': 'no-cache',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  };
}
