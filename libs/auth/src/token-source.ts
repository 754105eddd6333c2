/** Where a request's session token came from; decides CSRF and access_token rules. */
export type TokenLocation = 'cookie' | 'header' | 'query' | 'none';

export const AUTH_COOKIE = 'MMAUTHTOKEN';
export const USER_COOKIE = 'MMUSERID';
export const CSRF_COOKIE = 'MMCSRF';
export const CSRF_HEADER = 'x-csrf-token';

export interface TokenRequest {
  headers: Record<string, string | string[] | undefined>;
  query?: Record<string, unknown>;
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!Object.hasOwn(out, name)) {
      try {
        out[name] = decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        out[name] = part.slice(eq + 1).trim();
      }
    }
  }
  return out;
}

/**
 * Mattermost's order (ParseAuthTokenFromRequest): the MMAUTHTOKEN cookie first, then
 * `Authorization: Bearer|Token <token>`, then the `access_token` query parameter.
 */
export function findToken(req: TokenRequest): { token: string; location: TokenLocation } {
  const cookie = parseCookies(header(req, 'cookie'))[AUTH_COOKIE];
  if (cookie) return { token: cookie, location: 'cookie' };
  const auth = header(req, 'authorization');
  if (auth) {
    const match = /^(bearer|token)\s+(\S+)$/i.exec(auth.trim());
    if (match) return { token: match[2], location: 'header' };
  }
  const query = req.query?.access_token;
  if (typeof query === 'string' && query) return { token: query, location: 'query' };
  return { token: '', location: 'none' };
}

export function header(req: TokenRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
