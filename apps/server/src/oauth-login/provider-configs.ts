import { Injectable } from '@nestjs/common';
import * as oidc from 'openid-client';
import type { LoginProvider } from './login-providers.js';

/** Discovery documents are asked again after this long, so a provider's changed metadata is seen. */
const TTL_MS = 60 * 60_000;
/** Every request to a provider (discovery, token, JWKS, user info) gives up after this. */
const TIMEOUT_S = 10;

/**
 * openid-client Configurations (a provider's metadata and our client) by settings, one per node.
 * Only what any node may fetch again is cached here — discovery documents and the keys
 * openid-client keeps with them; nothing of a sign-in under way (that is in sso_flows).
 */
@Injectable()
export class ProviderConfigs {
  /** By service: the settings it was made from, when, and the Configuration (or its discovery under way). */
  private readonly cache = new Map<string, { settings: string; at: number; config: Promise<oidc.Configuration> }>();

  get(provider: LoginProvider): Promise<oidc.Configuration> {
    const settings = JSON.stringify(provider);
    const hit = this.cache.get(provider.service);
    if (hit && hit.settings === settings && Date.now() - hit.at < TTL_MS) return hit.config;
    const entry = { settings, at: Date.now(), config: this.load(provider) };
    this.cache.set(provider.service, entry);
    // A failed discovery is tried again by the next sign-in.
    entry.config.catch(() => {
      if (this.cache.get(provider.service) === entry) this.cache.delete(provider.service);
    });
    return entry.config;
  }

  private async load(p: LoginProvider): Promise<oidc.Configuration> {
    // Plain http is refused by openid-client; it is allowed only for providers configured with
    // http URLs (a provider on the same host or network, as in the tests), never for https ones.
    if (p.kind === 'oidc') {
      const insecure = p.issuer.startsWith('http:');
      return oidc.discovery(new URL(p.issuer), p.clientId, p.secret, undefined, {
        execute: insecure ? [oidc.allowInsecureRequests] : [],
        timeout: TIMEOUT_S,
      });
    }
    const config = new oidc.Configuration({ issuer: p.issuer, authorization_endpoint: p.authEndpoint, token_endpoint: p.tokenEndpoint }, p.clientId, p.secret);
    config.timeout = TIMEOUT_S;
    if ([p.authEndpoint, p.tokenEndpoint, p.userApiEndpoint].some((u) => u.startsWith('http:'))) oidc.allowInsecureRequests(config);
    return config;
  }
}
