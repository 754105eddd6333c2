import type { ConnectionInfo, DeliveryRecord, InvalidationKind, StampedEvent } from '#realtime';

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
  /** A user's read-your-writes fence (replicas/replica-fences.ts), answered before their write request is. */
  WriteFence: 'db_write_fence',
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
