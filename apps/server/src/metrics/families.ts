import type { TransportStats } from '#cluster';
import { type CacheCounts, DurationHistogram, NamedCounts } from '#common';
import type { ClusterMetricsSource } from '../cluster/cluster-state.js';
import type { PushCounts } from '../push/push-metrics.js';
import type { Labels, Metrics } from './metrics.js';

/** The plain counters each area keeps, which the families below read at scrape time. */
export interface MetricSources {
  push(): PushCounts;
  /** The hub: events published here and processed here by name, frames and events held for replay. */
  hub: {
    published: NamedCounts;
    broadcasts: NamedCounts;
    eventTimes: { queued: DurationHistogram; delivering: DurationHistogram };
    replayFrames(): number;
    log: { size: number };
  };
  /** The WebSocket endpoint: open sockets by client kind, resumes served and not. */
  sockets: { stats: { sockets: NamedCounts; replaysServed: number; replaysMissed: number } };
  /** Jobs running here by type. */
  jobsActive: NamedCounts;
  logins: { counts: { logins: number; failures: number } };
  /** Null on a single node: the cluster families then have no samples. */
  cluster(): ClusterMetricsSource | null;
  /** The node's in-memory caches (users by id, statuses…). */
  caches: { all(): readonly CacheCounts[] };
}

/** Sources with nothing counted (for checking the families without a server: specs, the dashboard's check). */
export function emptySources(cluster: ClusterMetricsSource | null = null): MetricSources {
  return {
    push: () => ({ sent: 0, failed: 0, removed: 0, dropped: 0, acked: 0 }),
    hub: {
      published: new NamedCounts(),
      broadcasts: new NamedCounts(),
      eventTimes: { queued: new DurationHistogram(), delivering: new DurationHistogram() },
      replayFrames: () => 0,
      log: { size: 0 },
    },
    sockets: { stats: { sockets: new NamedCounts(), replaysServed: 0, replaysMissed: 0 } },
    jobsActive: new NamedCounts(),
    logins: { counts: { logins: 0, failures: 0 } },
    cluster: () => cluster,
    caches: { all: () => [] },
  };
}

function byName(counts: NamedCounts, label: string): Array<[Labels, number]> {
  const out: Array<[Labels, number]> = [];
  for (const [name, value] of counts.entries()) out.push([{ [label]: name }, value]);
  return out;
}

function perPeer(streams: TransportStats | undefined, value: (peer: TransportStats['peers'][number]) => number): Array<[Labels, number]> {
  return (streams?.peers ?? []).map((p) => [{ peer: p.nodeId }, value(p)]);
}

/**
 * Every family the node exports beyond the API, post and process ones that Metrics defines itself.
 * Mattermost's names, labels and help texts where it has the family (server/enterprise/metrics);
 * ours, in the same namespace, for the gossip, the streams and the replay buffers.
 */
export function registerFamilies(metrics: Metrics, sources: MetricSources): void {
  // ---- push (issue 14's counters) --------------------------------------------------------------
  const pushes = () => sources.push();
  metrics.counterFrom('mattermost_post_pushes_sent_total', 'The total number of push notifications sent.', () => pushes().sent);
  metrics.counterFrom('mattermost_notifications_error_total', 'Push notifications the proxy failed or never answered.', () => pushes().failed);
  metrics.counterFrom('mattermost_push_dropped_total', 'Push notifications dropped because the push queue was full.', () => pushes().dropped);
  metrics.counterFrom('mattermost_push_removed_total', 'Devices the push proxy reported removed.', () => pushes().removed);
  metrics.counterFrom('mattermost_notifications_ack_total', 'Push notification acks from the apps.', () => pushes().acked);

  // ---- WebSocket --------------------------------------------------------------------------------
  const { hub, sockets } = sources;
  metrics.labelledFrom('counter', 'mattermost_websocket_event_total', 'Total number of websocket events', () => byName(hub.published, 'type'));
  metrics.labelledFrom('counter', 'mattermost_websocket_broadcasts_total', 'The total number of websocket broadcasts sent for any type.', () =>
    byName(hub.broadcasts, 'name'),
  );
  // A gauge in Mattermost, named like a counter: untyped, so that promtool's lint passes (Metrics.labelledFrom).
  metrics.labelledFrom('untyped', 'mattermost_http_websockets_total', 'The total number of websocket connections to this server.', () =>
    byName(sockets.stats.sockets, 'origin_client'),
  );
  metrics.gaugeFrom('mattermost_websocket_replay_buffer_frames', 'Frames held in the connections\u2019 replay buffers for clients that reconnect.', () =>
    hub.replayFrames(),
  );
  // Ours: where an event's delivery time goes on this node, by phase (Hub.eventTimes).
  metrics.histogramFrom(
    'mattermost_websocket_event_phase_seconds',
    'Time an event spent queued behind earlier events (phase="queued") and then delivering to this node\u2019s sockets (phase="delivering").',
    () => [
      [{ phase: 'queued' }, hub.eventTimes.queued],
      [{ phase: 'delivering' }, hub.eventTimes.delivering],
    ],
  );
  metrics.gaugeFrom('mattermost_websocket_event_log_entries', 'Recent events kept for connections that move here from another node.', () => hub.log.size);
  metrics.labelledFrom(
    'counter',
    'mattermost_websocket_replays_total',
    'Reconnects that asked to resume, by whether what they missed could be replayed.',
    () => [
      [{ result: 'served' }, sockets.stats.replaysServed],
      [{ result: 'missed' }, sockets.stats.replaysMissed],
    ],
  );

  // ---- in-memory caches (Mattermost's names: hit rate = hits / (hits + misses)) ------------------
  // Summed by name: a repository provided by two modules holds two caches of the same rows.
  const perCache = (value: (c: CacheCounts) => number) => () => {
    const sums = new Map<string, number>();
    for (const c of sources.caches.all()) sums.set(c.name, (sums.get(c.name) ?? 0) + value(c));
    return [...sums].map(([name, v]): [Labels, number] => [{ name }, v]);
  };
  metrics.labelledFrom(
    'counter',
    'mattermost_cache_mem_hit_total',
    'The total number of memory cache hits for a specific cache.',
    perCache((c) => c.hits),
  );
  metrics.labelledFrom(
    'counter',
    'mattermost_cache_mem_miss_total',
    'The total number of cache misses for a specific cache.',
    perCache((c) => c.misses),
  );
  metrics.labelledFrom(
    'counter',
    'mattermost_cache_mem_invalidation_total',
    'The total number of memory cache invalidations for a specific cache.',
    perCache((c) => c.invalidations),
  );
  metrics.labelledFrom(
    'gauge',
    'mattermost_cache_mem_entries',
    'Entries held by a specific memory cache (ours).',
    perCache((c) => c.size),
  );

  // ---- jobs and logins --------------------------------------------------------------------------
  metrics.labelledFrom('gauge', 'mattermost_jobs_active', 'Number of active jobs', () => byName(sources.jobsActive, 'type'));
  metrics.counterFrom('mattermost_login_logins_total', 'The total number of successful logins.', () => sources.logins.counts.logins);
  metrics.counterFrom('mattermost_login_logins_fail_total', 'The total number of failed logins.', () => sources.logins.counts.failures);

  // ---- cluster (Mattermost's) -------------------------------------------------------------------
  const cluster = sources.cluster;
  const histogram = (h: DurationHistogram | undefined): Array<[Labels, DurationHistogram]> => (h ? [[{}, h]] : []);
  metrics.histogramFrom('mattermost_cluster_cluster_request_duration_seconds', 'The total duration in seconds of the inter-node cluster requests.', () =>
    histogram(cluster()?.requestDurations),
  );
  metrics.labelledFrom('counter', 'mattermost_cluster_cluster_requests_total', 'The total number of inter-node requests.', () => {
    const c = cluster();
    return c ? [[{}, c.requestDurations.count]] : [];
  });
  // A counter in Mattermost whose name does not end in `_total`: untyped for the same reason.
  metrics.labelledFrom('untyped', 'mattermost_cluster_event_type_totals', 'The total number of cluster requests sent for any type.', () => {
    const c = cluster();
    return c ? byName(c.sentByType, 'name') : [];
  });

  // ---- gossip (ours) ----------------------------------------------------------------------------
  metrics.labelledFrom('gauge', 'mattermost_cluster_gossip_members', 'Cluster members as this node\u2019s gossip sees them, itself included, by state.', () => {
    const g = cluster()?.gossip();
    return g
      ? [
          [{ state: 'alive' }, g.alive],
          [{ state: 'suspect' }, g.suspect],
        ]
      : [];
  });
  metrics.labelledFrom('counter', 'mattermost_cluster_gossip_suspicions_total', 'Times a member was suspected of failure (refuted or evicted after).', () => {
    const g = cluster()?.gossip();
    return g ? [[{}, g.suspicions]] : [];
  });
  metrics.histogramFrom('mattermost_cluster_gossip_ping_rtt_seconds', 'Round trip of the gossip pings this node sent and got answered.', () =>
    histogram(cluster()?.gossip().pingRtt),
  );

  // ---- gRPC streams (ours), per peer ------------------------------------------------------------
  const streams = () => cluster()?.streams();
  metrics.labelledFrom('gauge', 'mattermost_cluster_stream_connected', 'Whether the stream to the peer is up (1) or being re-established (0).', () =>
    perPeer(streams(), (p) => (p.connected ? 1 : 0)),
  );
  metrics.labelledFrom('gauge', 'mattermost_cluster_stream_send_queue_frames', 'Frames sent to the peer and not yet acknowledged (kept for resending).', () =>
    perPeer(streams(), (p) => p.buffered),
  );
  metrics.labelledFrom('counter', 'mattermost_cluster_stream_reconnects_total', 'Times the stream to the peer was re-established.', () =>
    perPeer(streams(), (p) => p.reconnects),
  );
  metrics.labelledFrom('counter', 'mattermost_cluster_stream_sent_bytes_total', 'Payload bytes written to the peer, resends included.', () =>
    perPeer(streams(), (p) => p.bytesSent),
  );
  metrics.labelledFrom('counter', 'mattermost_cluster_stream_received_bytes_total', 'Payload bytes received from the peer.', () =>
    perPeer(streams(), (p) => p.bytesReceived),
  );
  metrics.labelledFrom('counter', 'mattermost_cluster_stream_sent_frames_total', 'Frames sent to the peer (first sends).', () =>
    perPeer(streams(), (p) => p.sent),
  );
  metrics.labelledFrom('counter', 'mattermost_cluster_stream_resent_frames_total', 'Frames written to the peer again after a stream broke.', () =>
    perPeer(streams(), (p) => p.resent),
  );
  metrics.labelledFrom('counter', 'mattermost_cluster_stream_received_frames_total', 'Frames received from the peer.', () =>
    perPeer(streams(), (p) => p.received),
  );
  metrics.labelledFrom(
    'counter',
    'mattermost_cluster_stream_undeliverable_total',
    'Messages to peers that could not be delivered (buffer full, peer gone).',
    () => {
      const s = streams();
      return s ? [[{}, s.undeliverable]] : [];
    },
  );
}
