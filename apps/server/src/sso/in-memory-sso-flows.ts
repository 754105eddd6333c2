import type { SsoFlowsRepository } from './sso-flows.repository.js';

/**
 * The sso_flows and used_once tables in memory, with the repository's contract (a flow taken at
 * most once, of its kind, before it expires; a key used once until it expires), on a clock the
 * spec can move (`now`).
 */
export class MemorySsoFlows implements Pick<SsoFlowsRepository, 'put' | 'take' | 'useOnce'> {
  now = () => Date.now();
  readonly flows = new Map<string, { kind: string; data: object; expiresAt: number }>();
  readonly used = new Map<string, number>();

  async put(kind: string, id: string, data: object, expiresAt: number) {
    if (this.flows.has(id)) throw new Error('duplicate key value violates unique constraint "sso_flows_pkey"');
    this.flows.set(id, { kind, data: structuredClone(data), expiresAt });
  }

  async take<T>(kind: string, id: string): Promise<T | undefined> {
    const flow = this.flows.get(id);
    if (!flow || flow.kind !== kind || flow.expiresAt <= this.now()) return undefined;
    this.flows.delete(id);
    return flow.data as T;
  }

  async useOnce(key: string, expiresAt: number) {
    const until = this.used.get(key);
    if (until !== undefined && until > this.now()) return false;
    this.used.set(key, expiresAt);
    return true;
  }
}
