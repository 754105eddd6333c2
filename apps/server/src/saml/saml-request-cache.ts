import type { CacheItem, CacheProvider } from '@node-saml/passport-saml';
import type { SsoFlowsRepository } from '../sso/sso-flows.repository.js';

/** The sso_flows kind of an AuthnRequest id this cluster issued. */
export const SAML_REQUEST = 'saml_request';

/**
 * node-saml's request-id cache (validateInResponseTo: always) over sso_flows, so the node that
 * receives the IdP's answer knows every request any node issued; node-saml's own cache is one
 * process's memory. An instance serves one HTTP request: the first lookup of an id takes the row
 * (delete … returning, atomic), so a response is accepted for its request at most once however
 * many nodes it is posted to at the same moment; node-saml looks the id up a second time (for the
 * SubjectConfirmationData's InResponseTo), which this instance answers from what it took.
 */
export class SamlRequestCache implements CacheProvider {
  private readonly taken = new Map<string, string | null>();

  constructor(
    private readonly flows: Pick<SsoFlowsRepository, 'put' | 'take'>,
    private readonly ttlMs: number,
  ) {}

  async saveAsync(key: string, value: string): Promise<CacheItem | null> {
    const now = Date.now();
    await this.flows.put(SAML_REQUEST, key, { instant: value }, now + this.ttlMs);
    return { value, createdAt: now };
  }

  async getAsync(key: string): Promise<string | null> {
    if (this.taken.has(key)) return this.taken.get(key) ?? null;
    const flow = await this.flows.take<{ instant: string }>(SAML_REQUEST, key);
    const value = typeof flow?.instant === 'string' ? flow.instant : null;
    this.taken.set(key, value);
    return value;
  }

  /** node-saml removes an id once its response was handled, or failed: it is already gone then. */
  async removeAsync(key: string | null): Promise<string | null> {
    if (!key) return null;
    if (!this.taken.has(key)) await this.flows.take(SAML_REQUEST, key);
    const value = this.taken.get(key) ?? null;
    this.taken.set(key, null);
    return value;
  }
}
