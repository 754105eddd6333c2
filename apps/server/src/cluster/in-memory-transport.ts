import type { ClusterMessage, ClusterTransport, NodeInfo, TransportStats } from '#cluster';

/**
 * A ClusterTransport between objects in one process, with the real one's guarantees (per-peer
 * order, exactly once): for unit tests of what rides on the transport. Messages are delivered
 * asynchronously, like on a network.
 */
export class InMemoryNetwork {
  readonly nodes = new Map<string, InMemoryTransport>();

  join(id: string): InMemoryTransport {
    const t = new InMemoryTransport(id, this);
    this.nodes.set(id, t);
    for (const other of this.nodes.values()) {
      if (other === t) continue;
      other.peers.add(id);
      t.peers.add(other.id);
    }
    return t;
  }

  /** A node vanishes (as with SIGKILL): nothing more goes to or comes from it. */
  kill(id: string): void {
    this.nodes.delete(id);
    for (const other of this.nodes.values()) other.peers.delete(id);
  }
}

export class InMemoryTransport implements ClusterTransport {
  readonly peers = new Set<string>();
  /** Several per type, as GrpcTransport keeps them (the mover and the replication both read WsConnOpened). */
  private readonly handlers = new Map<string, Array<(payload: any, from: string) => void>>();
  private readonly requestHandlers = new Map<string, (payload: any, from: string) => unknown>();
  private chain = Promise.resolve();

  constructor(
    readonly id: string,
    private readonly network: InMemoryNetwork,
  ) {}

  async start() {}
  async stop() {}
  addPeer(_node: NodeInfo) {}
  removePeer(nodeId: string) {
    this.peers.delete(nodeId);
  }
  connectedPeers() {
    return [...this.peers];
  }
  broadcast(message: ClusterMessage) {
    for (const peer of this.peers) this.send(peer, message);
  }
  send(nodeId: string, message: ClusterMessage) {
    const target = this.network.nodes.get(nodeId);
    if (!target) return;
    const copy = JSON.parse(JSON.stringify(message.payload)); // as on the wire
    // One ordered chain per sender keeps per-peer order.
    this.chain = this.chain.then(() => target.receive(message.type, copy, this.id));
  }
  async request<T>(nodeId: string, message: ClusterMessage): Promise<T> {
    const target = this.network.nodes.get(nodeId);
    if (!target) throw new Error(`no peer ${nodeId}`);
    const handler = target.requestHandlers.get(message.type);
    if (!handler) throw new Error(`no handler for ${message.type}`);
    // The peer handles it a turn later, as over a network (never inside the sender's own call).
    await new Promise((resolve) => setImmediate(resolve));
    return JSON.parse(JSON.stringify((await handler(JSON.parse(JSON.stringify(message.payload)), this.id)) ?? null));
  }
  onMessage(type: string, handler: (payload: any, from: string) => void) {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), handler]);
  }
  onRequest(type: string, handler: (payload: any, from: string) => unknown) {
    this.requestHandlers.set(type, handler);
  }
  stats(): TransportStats {
    return { peers: [], undeliverable: 0 };
  }
  /** Resolves when everything sent so far has been handed to its receivers. */
  flushed(): Promise<void> {
    return this.chain;
  }
  private receive(type: string, payload: unknown, from: string) {
    for (const handler of this.handlers.get(type) ?? []) handler(payload, from);
  }
}
