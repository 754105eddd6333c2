/**
 * Google's OAuth 2.0 flow for service accounts (RFC 7523 JWT bearer grant): an RS256 assertion
 * signed with the service account's key, exchanged at its token_uri for an access token with the
 * firebase.messaging scope, which is reused until shortly before it expires.
 */
import { createPrivateKey, KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { signJwt } from '../jwt.js';

export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';
/** Renew this long before expires_in runs out, so that no send goes out with a token about to die. */
export const RENEW_MARGIN_MS = 60_000;

export interface ServiceAccount {
  clientEmail: string;
  privateKey: KeyObject;
  privateKeyId?: string;
  projectId: string;
  tokenUri: string;
}

/** Reads a service-account JSON file (the one the Firebase console downloads). */
export function readServiceAccount(file: string): ServiceAccount {
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const field = (key: string) => {
    const value = json[key];
    if (typeof value !== 'string' || !value) throw new Error(`${file}: "${key}" is missing`);
    return value;
  };
  return {
    clientEmail: field('client_email'),
    privateKey: createPrivateKey(field('private_key')),
    privateKeyId: typeof json.private_key_id === 'string' ? json.private_key_id : undefined,
    projectId: field('project_id'),
    tokenUri: typeof json.token_uri === 'string' && json.token_uri ? json.token_uri : GOOGLE_TOKEN_URI,
  };
}

/** The signed assertion: {iss: client_email, scope, aud: token_uri, iat, exp: iat + 1 h}. */
export function serviceAccountAssertion(account: ServiceAccount, nowMs: number): string {
  const iat = Math.floor(nowMs / 1000);
  const header = account.privateKeyId ? { kid: account.privateKeyId } : {};
  return signJwt('RS256', account.privateKey, header, { iss: account.clientEmail, scope: FCM_SCOPE, aud: account.tokenUri, iat, exp: iat + 3600 });
}

export class GoogleAccessToken {
  private token?: { value: string; expiresAtMs: number };
  private pending?: Promise<string>;

  constructor(
    private readonly account: ServiceAccount,
    private readonly fetchImpl: typeof fetch = fetch,
    private readonly now: () => number = Date.now,
  ) {}

  /** A valid access token: the cached one, or a new one (concurrent callers share one request). */
  get(signal?: AbortSignal): Promise<string> {
    if (this.token && this.now() < this.token.expiresAtMs - RENEW_MARGIN_MS) return Promise.resolve(this.token.value);
    this.pending ??= this.fetchToken(signal).finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** Forgets the cached token (FCM answered 401 for it). */
  invalidate(): void {
    this.token = undefined;
  }

  private async fetchToken(signal?: AbortSignal): Promise<string> {
    const issuedAt = this.now();
    const res = await this.fetchImpl(this.account.tokenUri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion: serviceAccountAssertion(this.account, issuedAt) }).toString(),
      signal,
    });
    const text = await res.text();
    let json: { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } = {};
    try {
      json = JSON.parse(text);
    } catch {
      /* reported below */
    }
    if (!res.ok || typeof json.access_token !== 'string') {
      const why = typeof json.error === 'string' ? `${json.error}${json.error_description ? `: ${String(json.error_description)}` : ''}` : text.slice(0, 200);
      throw new Error(`the token endpoint ${this.account.tokenUri} refused the service account (HTTP ${res.status}): ${why}`);
    }
    const expiresIn = typeof json.expires_in === 'number' && json.expires_in > 0 ? json.expires_in : 3600;
    this.token = { value: json.access_token, expiresAtMs: issuedAt + expiresIn * 1000 };
    return this.token.value;
  }
}
