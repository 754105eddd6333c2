import type { ConnectionInfo, DeliveryRecord, HandoverState, InvalidationKind, StampedEvent } from '#realtime';

/** Message types between nodes (the cluster's equivalent of Mattermost's ClusterEvent names). */
export const Msg = {
  /** A WebSocket event for every node to deliver to its own sockets. */
  WsEvent: 'ws_event',
  /** Which local connections an event went to (lets peers mirror connections). */
  WsDeliveries: 'ws_deliveries',
  WsConnOpened: 'ws_conn_opened',
  WsConnClosed: 'ws_conn_closed',
  /** A cache entry changed (sessions, memberships, users). */
  Invalidate: 'invalidate',
  /** The config was saved: reload it from the database. */
  ConfigChanged: 'config_changed',
  /** "You missed messages from me while you were out of the cluster": reset sockets and caches. */
  Resync: 'resync',
  /**
   * Protocol 2. A draining node's WebSocket connection, as it let go of it: the node its client
   * reconnects to resumes it from this (nodes of protocol 1 ignore it and rebuild, or start afresh).
   */
  WsHandoff: 'ws_handoff',
} as const;

/** Request/response calls between nodes. */
export const Req = {
  /** A WebSocket event that must reach the peer before the publishing request answers. */
  ConfirmedWsEvent: 'ws_event_confirmed',
  /** How many active WebSocket connections a user has on the answering node. */
  WebConnCount: 'webconn_count',
  /** Give up a connection so the asking node can resume it (its replay queue). */
  Handover: 'ws_handover',
  /** Whether the answering node's recent event log holds a given event (outbox recovery). */
  HasEvent: 'has_event',
  /** The answering node's ClusterInfo and stats. */
  ClusterInfo: 'cluster_info',
  /** A user's read-your-writes fence (cluster/replica-fences.ts), answered before their write request is. */
  WriteFence: 'db_write_fence',
  /**
   * Protocol 2. "I am draining": the asker leaves the membership next, but keeps its streams for
   * up to `graceMs` to hand over its sockets and finish its requests (their events still flow).
   */
  Draining: 'node_draining',
  /** Protocol 2. The draining node is done: drop its streams now. */
  Goodbye: 'node_goodbye',
} as const;

export type WsEventPayload = StampedEvent;
export type WsDeliveriesPayload = DeliveryRecord[];
export type WsConnOpenedPayload = ConnectionInfo;
export interface WsConnClosedPayload {
  index: number;
}
export interface InvalidatePayload {
  kind: InvalidationKind;
  key: string;
}
export interface HandoverRequest {
  connectionId: string;
  userId: string;
}

export interface DrainingRequest {
  /** How long the node may still take; its streams are dropped after that even without a goodbye. */
  graceMs: number;
}
export interface WsHandoffPayload {
  connectionId: string;
  userId: string;
  state: HandoverState;
}
