/**
 * The families read at scrape time: their text as promtool checks it and as Prometheus reads it,
 * from stub counters (the e2e and cluster suites check them on running servers).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DurationHistogram, NamedCounts } from '#common';
import type { ClusterMetricsSource } from '../cluster/cluster-state.js';
import { emptySources as stubSources, registerFamilies } from './families.js';
import { Metrics } from './metrics.js';

function promtool(text: string): string {
  const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return `${check.status} ${check.stdout}${check.stderr}`.trim();
}

describe('metrics read at scrape time', () => {
  it('on a single node: every family present, the cluster ones without samples, and promtool finds nothing', async () => {
    const metrics = new Metrics();
    expect(metrics.names()).not.toContain('mattermost_process_cpu_seconds_total'); // not before metrics are on
    metrics.startRuntimeMetrics();
    metrics.startRuntimeMetrics(); // once only
    registerFamilies(metrics, stubSources());
    const text = await metrics.text();
    expect(text).toContain('mattermost_nodejs_eventloop_lag_p99_seconds');
    expect(promtool(text)).toBe('0');
    expect(text).toContain('# TYPE mattermost_cluster_cluster_request_duration_seconds histogram');
    expect(text).not.toContain('mattermost_cluster_cluster_request_duration_seconds_count');
    expect(text).toContain('mattermost_login_logins_fail_total 0');
  });

  it('labelled counters, gauges and histograms as Prometheus reads them', async () => {
    const requests = new DurationHistogram([0.01, 0.1]);
    requests.observe(0.005);
    requests.observe(0.05);
    requests.observe(3);
    const sentByType = new NamedCounts();
    sentByType.inc('ws_event', 7);
    const cluster: ClusterMetricsSource = {
      sentByType,
      requestDurations: requests,
      gossip: () => ({ alive: 2, suspect: 1, suspicions: 4, pingRtt: new DurationHistogram() }),
      streams: () => ({
        peers: [
          { nodeId: 'n2', connected: true, sent: 3, received: 2, resent: 1, messages: 2, buffered: 5, bytesSent: 300, bytesReceived: 200, reconnects: 1 },
        ],
        undeliverable: 0,
      }),
    };
    const sources = stubSources(cluster);
    sources.hub.published.inc('posted', 2);
    sources.hub.eventTimes.queued.observe(0.002);
    sources.sockets.stats.sockets.inc('web');
    sources.jobsActive.inc('export_process');
    sources.jobsActive.dec('export_process');
    // Two caches of one name (a repository provided by two modules) are one series.
    const cache = (hits: number) => ({ name: 'UserProfileByIds', hits, misses: 1, invalidations: 2, size: 3 });
    sources.caches = { all: () => [cache(4), cache(5)] };
    const metrics = new Metrics();
    registerFamilies(metrics, sources);
    const text = await metrics.text();
    expect(promtool(text)).toBe('0');
    const lines = text.split('\n');
    for (const line of [
      'mattermost_websocket_event_total{type="posted"} 2',
      'mattermost_websocket_event_phase_seconds_count{phase="queued"} 1',
      'mattermost_websocket_event_phase_seconds_count{phase="delivering"} 0',
      'mattermost_http_websockets_total{origin_client="web"} 1',
      'mattermost_jobs_active{type="export_process"} 0',
      'mattermost_cache_mem_hit_total{name="UserProfileByIds"} 9',
      'mattermost_cache_mem_miss_total{name="UserProfileByIds"} 2',
      'mattermost_cache_mem_invalidation_total{name="UserProfileByIds"} 4',
      'mattermost_cache_mem_entries{name="UserProfileByIds"} 6',
      'mattermost_cluster_event_type_totals{name="ws_event"} 7',
      'mattermost_cluster_cluster_request_duration_seconds_bucket{le="0.01"} 1',
      'mattermost_cluster_cluster_request_duration_seconds_bucket{le="0.1"} 2',
      'mattermost_cluster_cluster_request_duration_seconds_bucket{le="+Inf"} 3',
      'mattermost_cluster_cluster_request_duration_seconds_sum 3.055',
      'mattermost_cluster_cluster_request_duration_seconds_count 3',
      'mattermost_cluster_cluster_requests_total 3',
      'mattermost_cluster_gossip_members{state="alive"} 2',
      'mattermost_cluster_gossip_members{state="suspect"} 1',
      'mattermost_cluster_stream_send_queue_frames{peer="n2"} 5',
      'mattermost_cluster_stream_sent_bytes_total{peer="n2"} 300',
      'mattermost_cluster_stream_reconnects_total{peer="n2"} 1',
    ])
      expect(lines).toContain(line);
  });
});
