import { FIRST_CLUSTER_PROTOCOL, FIRST_RELEASE, type NodeInfo, type TransportStats } from '#cluster';
import type { DurationHistogram, NamedCounts } from '#common';
import type { ConnectionOwner, SocketLike, WebConnection } from '#realtime';

/**
 * Mattermost's ClusterInfo, as GET /api/v4/cluster/status lists it, plus what the System Console
 * shows of each node beyond Mattermost's fields (Mattermost's clients ignore fields they do not
 * know): whether it leads, what the answering node's gossip thinks of it, and since when it runs.
 */
export interface ClusterInfo {
  id: string;
  version: string;
  schema_version: string;
  config_hash: string;
  ipaddress: string;
  hostname: string;
  /** The node with the lowest live id leads (schedules, cleans up after dead nodes). */
  is_leader?: boolean;
  /** SWIM's view from the answering node: `alive`, or `suspect` while a failed probe awaits eviction. */
  gossip_state?: 'alive' | 'suspect';
  /** When the node's process started (ms since the epoch, its own clock). */
  start_at?: number;
  /** Seconds since then, by the answering node's clock. */
  uptime_seconds?: number;
  /** The node's release (package.json's version; "0.1.0" for a node of that release, which announced none). */
  release?: string;
  /** The cluster protocol the node speaks (CLUSTER_PROTOCOL; 1 for release 0.1.0). */
  protocol?: number;
}

/** A member's ClusterInfo as one node sees it. */
export function clusterInfo(node: NodeInfo, view: { leaderId: string; suspected: readonly string[]; now: number }): ClusterInfo {
  return {
    id: node.id,
    version: node.version,
    schema_version: node.schemaVersion,
    config_hash: node.configHash,
    ipaddress: node.hostname,
    hostname: node.hostname,
    is_leader: node.id === view.leaderId,
    gossip_state: view.suspected.includes(node.id) ? 'suspect' : 'alive',
    start_at: node.startedAt,
    uptime_seconds: Math.max(0, Math.floor((view.now - node.startedAt) / 1000)),
    release: node.release ?? FIRST_RELEASE,
    protocol: node.protocol ?? FIRST_CLUSTER_PROTOCOL,
  };
}

/**
 * What a cluster node counts for the metrics endpoint, as plain numbers read at scrape time: the
 * cluster library never sees Prometheus.
 */
export interface ClusterMetricsSource {
  /** Messages sent to peers by type (one per broadcast). */
  sentByType: NamedCounts;
  /** Durations of requests to peers (answered, failed or timed out). */
  requestDurations: DurationHistogram;
  /** Gossip as this node sees it: members alive (itself included) and suspected, suspicions so far, ping round trips. */
  gossip(): { alive: number; suspect: number; suspicions: number; pingRtt: DurationHistogram };
  /** The streams to each peer. */
  streams(): TransportStats;
}

/** What the API layer asks of the cluster; a single node answers for itself. */
export abstract class ClusterState {
  abstract readonly enabled: boolean;
  abstract isLeader(): boolean;
  abstract infos(): Promise<ClusterInfo[]>;
  /** False when this node is cut off from a cluster it should be part of (ping fails closed). */
  abstract health(): { healthy: boolean; detail: string };
  /** The cluster's counters for the metrics endpoint; none on a single node. */
  metricsSource(): ClusterMetricsSource | null {
    return null;
  }
}

/** Resumes here a WebSocket connection another node held (null: start afresh). */
export abstract class CrossNodeResume {
  abstract resume(connectionId: string, sequenceNumber: number, owner: ConnectionOwner, socket: SocketLike): Promise<WebConnection | null>;
}

export class NoCrossNodeResume extends CrossNodeResume {
  async resume(): Promise<WebConnection | null> {
    return null;
  }
}
