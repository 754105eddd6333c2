/**
 * The cluster's status as GET /api/v4/cluster/status lists it: Mattermost's ClusterInfo per live
 * node, with the fields this server adds (leader, gossip state, uptime). A server with clustering
 * off lists no node.
 */
import type { ClusterInfo } from '@mattermost/types/admin';

export type ClusterNode = ClusterInfo & {
  is_leader?: boolean;
  gossip_state?: 'alive' | 'suspect';
  start_at?: number;
  uptime_seconds?: number;
};

export interface ClusterStatus {
  loaded: boolean;
  nodes: ClusterNode[];
  /** When the last answer came (ms, this browser's clock); 0 before the first. */
  fetchedAt: number;
  /** The last refresh's failure ('' when it worked): the previous nodes stay on screen. */
  error: string;
}

export const initialClusterStatus: ClusterStatus = { loaded: false, nodes: [], fetchedAt: 0, error: '' };

/** A fresh answer: the nodes by hostname, so that rows keep their place between refreshes. */
export function receivedClusterStatus(_state: ClusterStatus, nodes: ClusterNode[], at: number): ClusterStatus {
  const sorted = [...nodes].sort((a, b) => a.hostname.localeCompare(b.hostname, undefined, { numeric: true }) || a.id.localeCompare(b.id));
  return { loaded: true, nodes: sorted, fetchedAt: at, error: '' };
}

export function clusterStatusFailed(state: ClusterStatus, error: string): ClusterStatus {
  return { ...state, error };
}

/**
 * What an operator must look at: nodes running different configs (a save that did not reach
 * one) or different versions (an upgrade under way), as Mattermost's cluster page warns.
 */
export function clusterWarnings(nodes: ClusterNode[]): string[] {
  const warnings: string[] = [];
  if (new Set(nodes.map((n) => n.config_hash)).size > 1) warnings.push('The nodes run different configurations (their config hashes differ).');
  if (new Set(nodes.map((n) => n.version)).size > 1) warnings.push('The nodes run different versions.');
  const suspects = nodes.filter((n) => n.gossip_state === 'suspect').map((n) => n.hostname);
  if (suspects.length) warnings.push(`Suspected of failure: ${suspects.join(', ')}.`);
  return warnings;
}

/** An uptime as people read it: "42 s", "5 min", "3 h 12 min", "2 d 4 h". */
export function formatUptime(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.floor(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}
