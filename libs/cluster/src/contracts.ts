/**
 * The cluster's moving parts, as interfaces. Each has one implementation in this library:
 * discovery over the database, SWIM membership over UDP (GossipPort), and authenticated gRPC
 * streams over mutual TLS between every pair of nodes (StreamingPort). The server wires them together.
 */

/** What every node knows about every live node (carried as SWIM member metadata). */
export interface NodeInfo {
  /** 26-char id, new at every start. The lowest live id is the leader. */
  id: string;
  clusterName: string;
  /** Hostname or IP peers use to reach this node (AdvertiseAddress / OverrideHostname / IP). */
  hostname: string;
  gossipPort: number;
  streamingPort: number;
  version: string;
  schemaVersion: string;
  configHash: string;
  startedAt: number;
}

export type MembershipEvent = 'join' | 'leave' | 'update';

/** Failure detection and dissemination (SWIM). Knows only live members. */
export interface Membership {
  /** Binds the gossip socket (BindAddress:GossipPort) and joins whichever seeds answer. */
  start(seeds: string[]): Promise<void>;
  /** Leaves gracefully (peers see `leave` at once instead of after suspicion). */
  stop(): Promise<void>;
  self(): NodeInfo;
  /** Live members, self included, sorted by id. */
  members(): NodeInfo[];
  /** Tries to join more seeds later (new rows in the discovery table). */
  join(seeds: string[]): Promise<void>;
  /** Changes this node's metadata (e.g. its config hash) and disseminates it. */
  updateSelf(change: Partial<Pick<NodeInfo, 'configHash' | 'version' | 'schemaVersion'>>): void;
  on(event: MembershipEvent, listener: (node: NodeInfo) => void): void;
}

/** A row of the ClusterDiscovery table. */
export interface DiscoveryRow {
  id: string;
  cluster_name: string;
  hostname: string;
  gossip_port: number;
  streaming_port: number;
  version: string;
  create_at: number;
  last_ping_at: number;
}

/** Node discovery through the database, so no seed list is configured anywhere. */
export interface Discovery {
  /** Removes stale rows, then inserts this node. */
  register(self: NodeInfo): Promise<void>;
  /** Refreshes last_ping_at (called periodically). */
  heartbeat(): Promise<void>;
  /** Rows of the same cluster, except this node, pinged within `freshMs`. */
  peers(freshMs: number): Promise<DiscoveryRow[]>;
  /** Deletes this node's row (clean shutdown). */
  unregister(): Promise<void>;
}

/** One message between nodes. `type` routes it; `payload` is any JSON value. */
export interface ClusterMessage {
  type: string;
  payload: unknown;
}

export interface TransportStats {
  /**
   * Per peer: frames sent, received and resent, gRPC messages written (frames travel batched), frames
   * buffered (sent and not yet acknowledged: the send queue), payload bytes written and received,
   * and how many times the stream was re-established.
   */
  peers: Array<{
    nodeId: string;
    connected: boolean;
    sent: number;
    received: number;
    resent: number;
    messages: number;
    buffered: number;
    bytesSent: number;
    bytesReceived: number;
    reconnects: number;
  }>;
  /** Messages that could not be delivered (peer evicted with them still buffered, buffer overflow). */
  undeliverable: number;
}

/**
 * Ordered, reliable messaging between nodes over authenticated, encrypted gRPC bidirectional streams:
 * one stream per pair of nodes. Messages to a peer arrive in send order, exactly once, or the
 * stream is re-established and the unacknowledged tail is resent from a bounded per-peer buffer.
 * Messages still buffered when a peer is removed are counted and logged as undeliverable.
 */
export interface ClusterTransport {
  /** Listens on BindAddress:StreamingPort. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Keep a stream to this node (called on membership join). */
  addPeer(node: NodeInfo): void;
  /** Drop the stream and its buffer (called on membership leave). */
  removePeer(nodeId: string): void;
  connectedPeers(): string[];
  /** To every peer. */
  broadcast(message: ClusterMessage): void;
  /** To one peer. */
  send(nodeId: string, message: ClusterMessage): void;
  /** Request/response over the same stream; rejects after `timeoutMs` or if the peer leaves. */
  request<T = unknown>(nodeId: string, message: ClusterMessage, timeoutMs: number): Promise<T>;
  onMessage(type: string, handler: (payload: any, fromNodeId: string) => void): void;
  onRequest(type: string, handler: (payload: any, fromNodeId: string) => Promise<unknown> | unknown): void;
  stats(): TransportStats;
}
