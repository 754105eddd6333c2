import { performance } from 'node:perf_hooks';
import { FIRST_CLUSTER_PROTOCOL, type ClusterMessage, type ClusterTransport, type NodeInfo, type TransportStats } from '#cluster';
import { DurationHistogram, NamedCounts } from '#common';

/**
 * The transport, remembering for each peer that left how many broadcasts it missed while gone.
 * When such a peer comes back, it is told to resync (it cannot trust its sockets or caches).
 * It also counts, for the metrics endpoint, what this node sends by message type (Mattermost's
 * cluster_event_type_totals: one per message, however many peers it goes to) and how long its
 * requests to peers take (cluster_request_duration_seconds, failures and timeouts included).
 */
export class TrackedTransport implements ClusterTransport {
  private readonly missedByDeparted = new Map<string, number>();
  readonly sentByType = new NamedCounts();
  readonly requestDurations = new DurationHistogram();

  constructor(private readonly inner: ClusterTransport) {}

  departed(nodeId: string, undeliverable: number): void {
    this.missedByDeparted.set(nodeId, (this.missedByDeparted.get(nodeId) ?? 0) + undeliverable);
  }

  /** Messages a returning peer missed (and forgets the count). */
  takeMissed(nodeId: string): number {
    const missed = this.missedByDeparted.get(nodeId) ?? 0;
    this.missedByDeparted.delete(nodeId);
    return missed;
  }

  broadcast(message: ClusterMessage): void {
    for (const [id, n] of this.missedByDeparted) this.missedByDeparted.set(id, n + 1);
    this.sentByType.inc(message.type);
    this.inner.broadcast(message);
  }

  send(nodeId: string, message: ClusterMessage): void {
    this.sentByType.inc(message.type);
    this.inner.send(nodeId, message);
  }

  request<T = unknown>(nodeId: string, message: ClusterMessage, timeoutMs: number): Promise<T> {
    this.sentByType.inc(message.type);
    const started = performance.now();
    const done = () => this.requestDurations.observe((performance.now() - started) / 1000);
    const answer = this.inner.request<T>(nodeId, message, timeoutMs);
    answer.then(done, done);
    return answer;
  }

  start = () => this.inner.start();
  stop = () => this.inner.stop();
  addPeer = (node: NodeInfo) => this.inner.addPeer(node);
  removePeer = (nodeId: string) => this.inner.removePeer(nodeId);
  connectedPeers = () => this.inner.connectedPeers();
  onMessage = (type: string, handler: (payload: any, from: string) => void) => this.inner.onMessage(type, handler);
  onRequest = (type: string, handler: (payload: any, from: string) => Promise<unknown> | unknown) => this.inner.onRequest(type, handler);
  stats = (): TransportStats => this.inner.stats();
  protocolOf = (nodeId: string): number => this.inner.protocolOf?.(nodeId) ?? FIRST_CLUSTER_PROTOCOL;
}
