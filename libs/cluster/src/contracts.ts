/**
 * The cluster's moving parts, as interfaces. Each has one implementation in this library:
 * discovery over the database, SWIM membership over UDP (GossipPort), and authenticated gRPC
 * streams over mutual TLS between every pair of nodes (StreamingPort). The server wires them together.
 */

/**
 * The version of what nodes say to each other: gossip metadata, the streams' framing, and the
 * message types and payloads riding on them. Every gRPC message of a link carries its sender's
 * number (`Frames.protocol`) and so does every node's gossip metadata (`NodeInfo.protocol`); a
 * node reads a peer's number to decide what it may send it, and handles what it receives by the
 * rules below, so that releases N and N+1 run in one cluster during a rolling upgrade:
 * - a message type the receiver does not know is ignored (a request of an unknown type fails,
 *   and the asker falls back to what an older peer does);
 * - a payload field the receiver does not know is ignored; a field an older sender leaves out
 *   takes its documented default;
 * - a type is never reused with another meaning, and a field never changes type: a change that
 *   is not additive is a new type (or field), and the old one is dropped a release later.
 * 1: release 0.1.0 (it sends no number: a missing one means 1). 2: 0.2.0, which added the
 * number itself, `NodeInfo.release`, and the drain messages (a leaving node hands its sockets over).
 */
export const CLUSTER_PROTOCOL = 2;

/** The protocol a node that announced none speaks (release 0.1.0). */
export const FIRST_CLUSTER_PROTOCOL = 1;

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
  /** CLUSTER_PROTOCOL of the node's build (absent from 0.1.0 nodes: FIRST_CLUSTER_PROTOCOL). */
  protocol?: number;
  /** The node's release (package.json's version; absent from 0.1.0 nodes). */
  release?: string;
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
  /** The protocol a connected peer's last message carried (FIRST_CLUSTER_PROTOCOL if none). */
  protocolOf?(nodeId: string): number;
}
