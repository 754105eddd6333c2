import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { CLUSTER_PROTOCOL, FIRST_CLUSTER_PROTOCOL, type ClusterMessage, type ClusterTransport, type NodeInfo, type TransportStats } from '../contracts.js';
import { clusterLinkService, FrameKind, type Frame, type Frames } from './cluster-schema.js';
import { AUTH_HEADERS, dialerProof, newNonce, serverProof, usableNonce, verifyDialerProof, verifyServerProof, type LinkBinding } from './link-auth.js';
import { certificateFingerprint, derivedLinkTls, type LinkTls } from './link-tls.js';
import { PeerLink, type AckPolicy } from './peer-link.js';
import { DEFAULT_BUFFER_LIMIT, type BufferLimit } from './send-buffer.js';

/** Structurally compatible with NestJS's `Logger`. */
export interface TransportLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug?(message: string): void;
}

export interface GrpcTransportOptions {
  self: NodeInfo;
  /** ClusterSettings.BindAddress; '' listens on every IPv4 interface. */
  bindAddress: string;
  /** StreamingPort; 0 picks a free one (see `boundPort`). */
  port: number;
  /** Accepted cluster secrets; the first one signs outgoing links. Keep the previous one here while rotating. */
  secrets: string[];
  clusterName: string;
  /**
   * The link's TLS material (the operator's certificates). Without it, every node derives the
   * cluster CA from the secrets and issues itself a certificate at start (see link-tls.ts).
   */
  tls?: LinkTls;
  logger?: TransportLogger;
  /** Unacknowledged frames kept per peer before new messages count as undeliverable. */
  bufferLimit?: Partial<BufferLimit>;
  /** Cumulative acknowledgement batching (default: every 128 frames or 50 ms). */
  ack?: Partial<AckPolicy>;
  /** How long `stop()` waits for connected peers to acknowledge what was sent (default 2 s). */
  stopDrainMs?: number;
}

const INITIAL_BACKOFF_MS = 50;
const MAX_BACKOFF_MS = 1_000;
/** A dialer that got no HELLO back within this time starts over; a server drops a call whose challenge went unanswered. */
const HANDSHAKE_TIMEOUT_MS = 10_000;
/** How long an authenticated call from a node we were not told about yet waits for `addPeer`. */
const PARK_TIMEOUT_MS = 5_000;

/**
 * No size cap on messages (Mattermost's best-effort UDP path silently drops events over ~49 KB);
 * keepalive pings so that a peer that vanished without closing TCP is noticed within ~15 s (also
 * a connection whose close Node's HTTP/2-over-TLS misses, as it now and then does when both
 * sides are writing hard; a node that dies is dropped by membership within seconds anyway);
 * fast channel reconnects; no gRPC retries (the link resends by itself); a private subchannel
 * per peer so that several transports in one process (tests) never share a connection.
 */
const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.max_send_message_length': -1,
  'grpc.max_receive_message_length': -1,
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.initial_reconnect_backoff_ms': INITIAL_BACKOFF_MS,
  'grpc.max_reconnect_backoff_ms': MAX_BACKOFF_MS,
  'grpc.enable_retries': 0,
  // Without a retry buffer a write completes when the stream has taken the message, not when it
  // is queued in grpc-js (which then sends one queued message per event-loop turn): PeerLink sees
  // the real pace and batches what waits.
  'grpc.per_rpc_retry_buffer_size': 0,
  'grpc.use_local_subchannel_pool': 1,
  'grpc-node.flow_control_window': 16 * 1024 * 1024,
  // Peers are dialled by IP address, which TLS may not carry as a server name (SNI): send a fixed
  // one. Whose certificate it is, checkPeerCertificate decides.
  'grpc.ssl_target_name_override': 'mmchat-cluster',
};

const SERVER_OPTIONS: grpc.ServerOptions = {
  'grpc.max_send_message_length': -1,
  'grpc.max_receive_message_length': -1,
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
};

type ClientCall = grpc.ClientDuplexStream<Frames, Frames>;
type ServerCall = grpc.ServerDuplexStream<Frames, Frames>;
type LinkCall = ClientCall | ServerCall;

interface Peer {
  info: NodeInfo;
  link: PeerLink;
  /** True when our id is the lower one: we open (and re-open) the stream. */
  dialer: boolean;
  client: grpc.Client | null;
  call: LinkCall | null;
  /** Dialer: our nonce on the current call. */
  nonce: string;
  /** Dialer: what our answer to the current call's challenge covered, and the answer ('' before the challenge). */
  binding: LinkBinding | null;
  proof: string;
  /** Dialer: which of our secrets answers the next challenge (moves on after UNAUTHENTICATED). */
  secretIndex: number;
  backoffMs: number;
  dialTimer: NodeJS.Timeout | null;
  handshakeTimer: NodeJS.Timeout | null;
  /** Last reported connection failure (without timestamps), so that a peer that stays down is logged once, not every second. */
  failure: string;
  /** Messages refused in the current buffer-overflow episode. */
  dropping: number;
  /** The CLUSTER_PROTOCOL its last message carried. */
  protocol: number;
}

/** A call from a node with a lower id: challenged, then authenticated, then matched to its peer. */
interface IncomingCall {
  call: ServerCall;
  nodeId: string;
  /** The challenge's nonce until the dialer answers it; '' after (one answer per challenge). */
  challenge: string;
  binding: LinkBinding;
  /** The dialer's answer and the secret it matched ('' until authenticated). */
  proof: string;
  secret: string;
  /** Frames that arrived before the peer was known (normally just its HELLO). */
  early: Frame[];
  /** The protocol the dialer's messages carry. */
  protocol: number;
  peer: Peer | null;
  /** Until the challenge is answered, then until the peer is known. */
  timer: NodeJS.Timeout | null;
}

interface PendingRequest {
  nodeId: string;
  resolve: (value: any) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

const EMPTY = Buffer.alloc(0);
/** Status details of a clean shutdown; the other side logs it quietly. */
const SHUTTING_DOWN = 'node is shutting down';

function encodePayload(value: unknown): Buffer {
  const json = JSON.stringify(value);
  return json === undefined ? EMPTY : Buffer.from(json, 'utf8');
}

function decodePayload(payload: Buffer | undefined): unknown {
  return payload && payload.length > 0 ? JSON.parse(payload.toString('utf8')) : undefined;
}

function hostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

function statusError(code: grpc.status, details: string): Partial<grpc.StatusObject> & Error {
  return Object.assign(new Error(details), { code, details });
}

/**
 * ClusterTransport over gRPC: one bidirectional stream (`ClusterLink/Link`) per pair of nodes, over
 * mutual TLS (link-tls.ts) and authenticated by a challenge-response on the cluster secret
 * (link-auth.ts), opened by the node with the lower id; the other one only listens. Every message frame
 * is numbered per peer and kept until acknowledged, so a broken stream costs nothing: the dialer
 * reconnects within 50 ms–1 s and both sides resend exactly what the other is missing (see
 * PeerLink). Requests and their answers travel as numbered frames on the same stream.
 */
export class GrpcTransport implements ClusterTransport {
  private readonly self: NodeInfo;
  private readonly secrets: string[];
  private readonly logger: TransportLogger;
  private readonly bufferLimit: BufferLimit;
  private readonly ackPolicy: AckPolicy;
  private readonly peers = new Map<string, Peer>();
  private readonly parked = new Map<string, IncomingCall>();
  /** Incoming calls whose challenge is not answered yet. */
  private readonly challenged = new Set<IncomingCall>();
  private readonly messageHandlers = new Map<string, Set<(payload: any, fromNodeId: string) => void>>();
  private readonly requestHandlers = new Map<string, (payload: any, fromNodeId: string) => Promise<unknown> | unknown>();
  private readonly pending = new Map<number, PendingRequest>();
  private nextCorrelationId = 1;
  private server: grpc.Server | null = null;
  private running = false;
  private starting: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;
  private listeningPort = 0;
  private undeliverable = 0;
  private tls: LinkTls | null = null;
  /** Of our own TLS certificate; every handshake covers it. */
  private certificate = '';
  /** When a repeating warning (a refused dialer, a node that left) was last logged. */
  private readonly warnedAt = new Map<string, number>();

  constructor(private readonly options: GrpcTransportOptions) {
    this.self = options.self;
    this.secrets = options.secrets.filter((s) => s.length > 0);
    if (this.secrets.length === 0) throw new Error('cluster transport: a cluster secret is required');
    if (!options.clusterName) throw new Error('cluster transport: a cluster name is required');
    this.logger = options.logger ?? {
      log: () => {},
      warn: (m) => console.warn(`[cluster] ${m}`),
      error: (m) => console.error(`[cluster] ${m}`),
    };
    this.bufferLimit = { ...DEFAULT_BUFFER_LIMIT, ...options.bufferLimit };
    this.ackPolicy = { everyFrames: 128, delayMs: 50, ...options.ack };
  }

  /** The port actually listened on (useful with `port: 0`). */
  get boundPort(): number {
    return this.listeningPort;
  }

  start(): Promise<void> {
    if (this.server) return Promise.resolve();
    this.starting ??= this.listen().finally(() => (this.starting = null));
    return this.starting;
  }

  private async listen(): Promise<void> {
    await this.stopping;
    const tls = (this.tls ??= this.options.tls ?? (await derivedLinkTls(this.secrets, this.options.clusterName, this.self.id)));
    this.certificate = certificateFingerprint(tls.cert);
    const server = new grpc.Server(SERVER_OPTIONS);
    server.addService(clusterLinkService, { Link: (call: ServerCall) => this.onIncomingCall(call) });
    const address = hostPort(this.options.bindAddress || '0.0.0.0', this.options.port);
    // Mutual TLS: a dialer without a certificate from a trusted CA never gets a byte through.
    const credentials = grpc.ServerCredentials.createSsl(tls.ca, [{ private_key: tls.key, cert_chain: tls.cert }], true);
    this.listeningPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(address, credentials, (err, port) => (err ? reject(err) : resolve(port))),
    );
    this.server = server;
    this.running = true;
    this.logger.log(`cluster streaming listening on ${hostPort(this.options.bindAddress || '0.0.0.0', this.listeningPort)}`);
    for (const peer of this.peers.values()) if (peer.dialer) this.dial(peer);
  }

  /**
   * Clean shutdown: waits (up to `stopDrainMs`) until peers acknowledged what we sent, acknowledges
   * what we received, and closes the streams after those frames; whatever is still unacknowledged
   * then counts as undeliverable.
   */
  stop(): Promise<void> {
    const server = this.server;
    if (!server) return this.stopping ?? Promise.resolve();
    this.server = null;
    this.stopping = this.shutDown(server).finally(() => (this.stopping = null));
    return this.stopping;
  }

  private async shutDown(server: grpc.Server): Promise<void> {
    await this.drain(this.options.stopDrainMs ?? 2_000);
    this.running = false;
    const closing: Array<Promise<void>> = [];
    for (const peer of this.peers.values()) {
      // Without this final ACK the peer would keep, and resend to our successor, frames we handled.
      peer.link.acknowledgeNow();
      const call = peer.call;
      if (!call) continue;
      peer.link.detach();
      peer.call = null;
      closing.push(this.closeGracefully(call));
    }
    await Promise.all(closing);
    for (const peer of [...this.peers.values()]) this.dropPeer(peer, 'transport stopped');
    for (const incoming of [...this.parked.values(), ...this.challenged]) this.unpark(incoming, grpc.status.UNAVAILABLE, SHUTTING_DOWN);
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 1_000);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }

  addPeer(node: NodeInfo): void {
    if (node.id === this.self.id) return;
    if (node.clusterName && node.clusterName !== this.options.clusterName) {
      this.logger.warn(`ignoring node ${node.id} of cluster "${node.clusterName}"`);
      return;
    }
    const known = this.peers.get(node.id);
    if (known) {
      const moved = known.info.hostname !== node.hostname || known.info.streamingPort !== node.streamingPort;
      known.info = node;
      if (moved && known.dialer) {
        this.disconnect(known, grpc.status.CANCELLED, 'peer address changed');
        known.client?.close();
        known.client = null;
        if (this.running) this.dial(known);
      }
      return;
    }
    const peer: Peer = {
      info: node,
      link: new PeerLink(node.id, this.bufferLimit, this.ackPolicy, (m) => this.logger.warn(m)),
      dialer: this.self.id < node.id,
      client: null,
      call: null,
      nonce: '',
      binding: null,
      proof: '',
      secretIndex: 0,
      backoffMs: INITIAL_BACKOFF_MS,
      dialTimer: null,
      handshakeTimer: null,
      failure: '',
      dropping: 0,
      protocol: FIRST_CLUSTER_PROTOCOL,
    };
    this.peers.set(node.id, peer);
    if (!this.running) return;
    if (peer.dialer) {
      this.dial(peer);
    } else {
      const incoming = this.parked.get(node.id);
      if (incoming) {
        this.clearPark(incoming);
        this.adopt(peer, incoming);
      }
    }
  }

  removePeer(nodeId: string): void {
    const peer = this.peers.get(nodeId);
    if (peer) this.dropPeer(peer, 'peer removed');
  }

  connectedPeers(): string[] {
    return [...this.peers.values()].filter((p) => p.link.connected).map((p) => p.info.id);
  }

  broadcast(message: ClusterMessage): void {
    const payload = encodePayload(message.payload);
    for (const peer of this.peers.values()) this.enqueue(peer, { kind: FrameKind.DATA, type: message.type, payload });
  }

  send(nodeId: string, message: ClusterMessage): void {
    const payload = encodePayload(message.payload);
    const peer = this.peers.get(nodeId);
    if (!peer) {
      this.undeliverable++;
      this.warnEveryMinute(`unknown ${nodeId}`, `cluster message ${message.type} to unknown node ${nodeId} is undeliverable`);
      return;
    }
    this.enqueue(peer, { kind: FrameKind.DATA, type: message.type, payload });
  }

  request<T = unknown>(nodeId: string, message: ClusterMessage, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const peer = this.peers.get(nodeId);
      if (!peer) return reject(new Error(`cluster request ${message.type}: unknown node ${nodeId}`));
      const payload = encodePayload(message.payload);
      const id = this.nextCorrelationId++;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`cluster request ${message.type} to ${nodeId} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { nodeId, resolve, reject, timer });
      if (!this.enqueue(peer, { kind: FrameKind.REQUEST, type: message.type, payload, correlation_id: id })) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new Error(`cluster request ${message.type} to ${nodeId}: send buffer full`));
      }
    });
  }

  onMessage(type: string, handler: (payload: any, fromNodeId: string) => void): void {
    let handlers = this.messageHandlers.get(type);
    if (!handlers) this.messageHandlers.set(type, (handlers = new Set()));
    handlers.add(handler);
  }

  onRequest(type: string, handler: (payload: any, fromNodeId: string) => Promise<unknown> | unknown): void {
    if (this.requestHandlers.has(type)) this.logger.warn(`replacing the handler of cluster request ${type}`);
    this.requestHandlers.set(type, handler);
  }

  protocolOf(nodeId: string): number {
    return this.peers.get(nodeId)?.protocol ?? FIRST_CLUSTER_PROTOCOL;
  }

  stats(): TransportStats {
    return {
      peers: [...this.peers.values()]
        .sort((a, b) => (a.info.id < b.info.id ? -1 : 1))
        .map(({ info, link }) => ({
          nodeId: info.id,
          connected: link.connected,
          sent: link.sent,
          received: link.received,
          resent: link.resent,
          messages: link.messages,
          buffered: link.buffered,
          bytesSent: link.bytesSent,
          bytesReceived: link.bytesReceived,
          reconnects: link.reconnects,
        })),
      undeliverable: this.undeliverable,
    };
  }

  private warnEveryMinute(key: string, message: string): void {
    const now = Date.now();
    if ((this.warnedAt.get(key) ?? 0) > now - 60_000) return this.logger.debug?.(message);
    if (this.warnedAt.size > 1_000) this.warnedAt.clear();
    this.warnedAt.set(key, now);
    this.logger.warn(message);
  }

  // ---- sending --------------------------------------------------------------------------------

  private enqueue(peer: Peer, frame: Omit<Frame, 'seq'>): boolean {
    if (peer.link.enqueue(frame)) {
      if (peer.dropping > 0) {
        this.logger.warn(`send buffer to ${peer.info.id} has room again; ${peer.dropping} messages were undeliverable`);
        peer.dropping = 0;
      }
      return true;
    }
    this.undeliverable++;
    if (peer.dropping++ === 0) {
      this.logger.error(`send buffer to ${peer.info.id} is full (${peer.link.buffered} unacknowledged frames); messages are undeliverable`);
    }
    return false;
  }

  /** Waits until every connected peer has acknowledged everything, or `ms` passes. */
  private async drain(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline && [...this.peers.values()].some((p) => p.link.connected && p.link.buffered > 0)) {
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  // ---- dialing (the lower id) -----------------------------------------------------------------

  private dial(peer: Peer): void {
    peer.dialTimer = null;
    if (!this.running || this.peers.get(peer.info.id) !== peer || peer.call) return;
    peer.client ??= new grpc.Client(hostPort(peer.info.hostname, peer.info.streamingPort), this.clientCredentials(peer), CHANNEL_OPTIONS);

    peer.nonce = newNonce();
    peer.binding = null;
    peer.proof = '';
    const metadata = new grpc.Metadata();
    metadata.set(AUTH_HEADERS.nodeId, this.self.id);
    metadata.set(AUTH_HEADERS.target, peer.info.id);
    metadata.set(AUTH_HEADERS.clusterName, this.options.clusterName);
    metadata.set(AUTH_HEADERS.nonce, peer.nonce);

    const method = clusterLinkService.Link;
    const call: ClientCall = peer.client.makeBidiStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, metadata);
    peer.call = call;
    peer.link.attach(call);
    call.on('data', ({ frames, protocol }: Frames) => {
      peer.protocol = protocol || FIRST_CLUSTER_PROTOCOL;
      for (const frame of frames) this.onFrame(peer, call, frame);
    });
    call.on('error', () => {}); // the status below carries the same information
    call.on('status', (status: grpc.StatusObject) => {
      // Rotation in any order: if our current secret is not accepted (yet), sign with the next one.
      if (status.code === grpc.status.UNAUTHENTICATED && peer.link.isAttached(call)) peer.secretIndex++;
      this.onCallClosed(peer, call, `${grpc.status[status.code]}: ${status.details}`);
    });
    // Our HELLO waits for the server's CHALLENGE (onHandshake).
    this.startHandshakeTimer(peer, call);
  }

  private clientCredentials(peer: Peer): grpc.ChannelCredentials {
    const tls = this.tls!;
    return grpc.credentials.createSsl(tls.ca, tls.key, tls.cert, { checkServerIdentity: (_name, cert) => this.checkPeerCertificate(peer.info, cert) });
  }

  /** The server's certificate must be the peer's: naming its node id (derived) or its address (the operator's). */
  private checkPeerCertificate(info: NodeInfo, cert: PeerCertificate): Error | undefined {
    if (this.tls!.names === 'hostname') return checkServerIdentity(info.hostname, cert);
    return cert.subject?.CN === info.id
      ? undefined
      : new Error(`the certificate at ${hostPort(info.hostname, info.streamingPort)} is not node ${info.id}'s (it names ${String(cert.subject?.CN)})`);
  }

  private scheduleDial(peer: Peer): void {
    if (!this.running || peer.dialTimer || this.peers.get(peer.info.id) !== peer) return;
    const delay = peer.backoffMs * (0.8 + Math.random() * 0.4);
    peer.backoffMs = Math.min(peer.backoffMs * 2, MAX_BACKOFF_MS);
    peer.dialTimer = setTimeout(() => this.dial(peer), delay);
  }

  // ---- accepting (the higher id) --------------------------------------------------------------

  /** A new call: checks who it says it is, then challenges it; nothing it sends counts before its answer. */
  private onIncomingCall(call: ServerCall): void {
    const header = (key: string): string | undefined => {
      const value = call.metadata.get(key)[0];
      return typeof value === 'string' ? value : undefined;
    };
    const nodeId = header(AUTH_HEADERS.nodeId);
    const target = header(AUTH_HEADERS.target);
    const dialerNonce = header(AUTH_HEADERS.nonce);
    const certificate = call.getAuthContext().sslPeerCertificate;
    let refusal = '';
    if (!nodeId || !target || !usableNonce(dialerNonce) || !certificate?.fingerprint256) refusal = 'missing credentials';
    else if (header(AUTH_HEADERS.clusterName) !== this.options.clusterName) refusal = 'wrong cluster';
    else if (this.tls!.names === 'node-id' && certificate.subject?.CN !== nodeId) refusal = `its certificate is not node ${nodeId}'s`;
    if (refusal) return this.refuse(call, nodeId, refusal);
    if (!this.running) return this.reject(call, grpc.status.UNAVAILABLE, SHUTTING_DOWN);
    if (target !== this.self.id) return this.reject(call, grpc.status.FAILED_PRECONDITION, `this is node ${this.self.id}, not ${target}`);
    if (!(nodeId! < this.self.id)) return this.reject(call, grpc.status.FAILED_PRECONDITION, 'only the node with the lower id dials');

    const challenge = newNonce();
    const incoming: IncomingCall = {
      call,
      nodeId: nodeId!,
      challenge,
      binding: {
        clusterName: this.options.clusterName,
        dialer: nodeId!,
        server: this.self.id,
        dialerNonce: dialerNonce!,
        serverNonce: challenge,
        dialerCertificate: certificate!.fingerprint256,
        serverCertificate: this.certificate,
      },
      proof: '',
      secret: '',
      early: [],
      protocol: FIRST_CLUSTER_PROTOCOL,
      peer: null,
      timer: setTimeout(() => this.unpark(incoming, grpc.status.UNAUTHENTICATED, 'no answer to the challenge'), HANDSHAKE_TIMEOUT_MS),
    };
    call.on('data', ({ frames, protocol }: Frames) => {
      incoming.protocol = protocol || FIRST_CLUSTER_PROTOCOL;
      if (incoming.peer) incoming.peer.protocol = incoming.protocol;
      for (const frame of frames) {
        if (incoming.peer) this.onFrame(incoming.peer, call, frame);
        else if (!incoming.secret) {
          if (!this.checkAnswer(incoming, frame)) return;
        } else if (incoming.early.push(frame) > 16) return this.unpark(incoming, grpc.status.FAILED_PRECONDITION, 'frames before HELLO');
      }
    });
    const closed = (why: string) => {
      if (incoming.peer) this.onCallClosed(incoming.peer, call, why);
      else this.clearPark(incoming);
    };
    call.on('cancelled', () => closed('cancelled by the dialer'));
    call.on('error', (err: Error) => closed(err.message));
    call.on('end', () => closed(SHUTTING_DOWN)); // the dialer half-closes only when it stops
    this.challenged.add(incoming);
    call.write({ frames: [{ kind: FrameKind.CHALLENGE, nonce: challenge }], protocol: CLUSTER_PROTOCOL });
  }

  /**
   * The first frame of a challenged call must be a HELLO answering the challenge. The challenge is
   * spent either way, so a call gets one try. Returns whether the dialer is authenticated.
   */
  private checkAnswer(incoming: IncomingCall, frame: Frame): boolean {
    const challenge = incoming.challenge;
    incoming.challenge = '';
    const proof = frame.kind === FrameKind.HELLO ? (frame.hello?.proof ?? '') : '';
    const secret = challenge && proof ? verifyDialerProof(this.secrets, incoming.binding, proof) : null;
    if (!secret) {
      this.unpark(incoming);
      this.refuse(incoming.call, incoming.nodeId, frame.kind === FrameKind.HELLO ? 'bad proof' : 'expected HELLO first');
      return false;
    }
    incoming.secret = secret;
    incoming.proof = proof;
    incoming.early.push(frame);
    this.clearPark(incoming);
    const peer = this.peers.get(incoming.nodeId);
    if (peer) {
      this.adopt(peer, incoming);
      return true;
    }
    // Its membership `join` may reach us a moment after it reached the dialer.
    const older = this.parked.get(incoming.nodeId);
    if (older) this.unpark(older, grpc.status.ABORTED, 'replaced by a newer call');
    incoming.timer = setTimeout(() => this.unpark(incoming, grpc.status.FAILED_PRECONDITION, `node ${incoming.nodeId} is not a known peer`), PARK_TIMEOUT_MS);
    this.parked.set(incoming.nodeId, incoming);
    return true;
  }

  private refuse(call: ServerCall, nodeId: string | undefined, reason: string): void {
    this.warnEveryMinute(
      `refused ${call.getPeer().replace(/:\d+$/, '')} ${reason}`,
      `refused cluster link from ${call.getPeer()} (node ${nodeId ?? '?'}): ${reason}`,
    );
    this.reject(call, grpc.status.UNAUTHENTICATED, `cluster authentication failed: ${reason}`);
  }

  /** Makes an authenticated incoming call the peer's stream (replacing an older one) and answers its HELLO. */
  private adopt(peer: Peer, incoming: IncomingCall): void {
    this.disconnect(peer, grpc.status.ABORTED, 'replaced by a newer stream');
    incoming.peer = peer;
    peer.call = incoming.call;
    peer.link.attach(incoming.call);
    const proof = serverProof(incoming.secret, incoming.binding, incoming.proof);
    incoming.call.write({
      frames: [{ kind: FrameKind.HELLO, hello: { node_id: this.self.id, ...peer.link.helloFields(), proof } }],
      protocol: CLUSTER_PROTOCOL,
    });
    this.startHandshakeTimer(peer, incoming.call);
    peer.protocol = incoming.protocol;
    for (const frame of incoming.early.splice(0)) this.onFrame(peer, incoming.call, frame);
  }

  private clearPark(incoming: IncomingCall): void {
    if (incoming.timer) clearTimeout(incoming.timer);
    incoming.timer = null;
    this.challenged.delete(incoming);
    if (this.parked.get(incoming.nodeId) === incoming) this.parked.delete(incoming.nodeId);
  }

  private unpark(incoming: IncomingCall, code?: grpc.status, details?: string): void {
    this.clearPark(incoming);
    if (code !== undefined) this.reject(incoming.call, code, details ?? '');
  }

  private reject(call: ServerCall, code: grpc.status, details: string): void {
    call.emit('error', statusError(code, details));
  }

  // ---- both sides -----------------------------------------------------------------------------

  private onFrame(peer: Peer, call: LinkCall, frame: Frame): void {
    if (!peer.link.isAttached(call)) return; // a stream we already replaced
    if (!peer.link.connected) return this.onHandshake(peer, call, frame);
    switch (frame.kind) {
      case FrameKind.ACK:
        return peer.link.acknowledged(frame.seq ?? 0);
      case FrameKind.DATA:
      case FrameKind.REQUEST:
      case FrameKind.RESPONSE:
      case FrameKind.FAILURE:
        if (peer.link.accept(frame.seq ?? 0, frame.payload?.length ?? 0)) this.deliver(peer, frame);
        return;
      default:
        this.logger.error(`unexpected frame kind ${frame.kind} from ${peer.info.id}; resetting the stream`);
        this.disconnect(peer, grpc.status.INTERNAL, 'protocol error');
        if (peer.dialer) this.scheduleDial(peer);
    }
  }

  private onHandshake(peer: Peer, call: LinkCall, frame: Frame): void {
    if (peer.dialer && !peer.proof) return this.answerChallenge(peer, call as ClientCall, frame);
    const hello = frame.hello;
    let problem = '';
    if (frame.kind !== FrameKind.HELLO || !hello) problem = 'expected HELLO first';
    else if (hello.node_id !== peer.info.id) problem = `HELLO from ${hello.node_id}, expected ${peer.info.id}`;
    else if (peer.dialer && !verifyServerProof(this.secrets, peer.binding!, peer.proof, hello.proof))
      problem = 'server could not prove it holds the cluster secret';
    if (problem || !hello) return this.handshakeFailed(peer, problem);
    if (peer.handshakeTimer) clearTimeout(peer.handshakeTimer);
    peer.handshakeTimer = null;
    peer.backoffMs = INITIAL_BACKOFF_MS;
    peer.failure = '';
    peer.link.resume(hello);
    this.logger.log(`cluster link with ${peer.info.id} (${hostPort(peer.info.hostname, peer.info.streamingPort)}) is up`);
  }

  /** Dialer: the server's CHALLENGE arrived; our HELLO answers it for this call and TLS connection only. */
  private answerChallenge(peer: Peer, call: ClientCall, frame: Frame): void {
    const serverCertificate = call.getAuthContext()?.sslPeerCertificate?.fingerprint256;
    if (frame.kind !== FrameKind.CHALLENGE || !usableNonce(frame.nonce)) return this.handshakeFailed(peer, 'expected CHALLENGE first');
    if (!serverCertificate) return this.handshakeFailed(peer, 'the server presented no certificate');
    const binding: LinkBinding = {
      clusterName: this.options.clusterName,
      dialer: this.self.id,
      server: peer.info.id,
      dialerNonce: peer.nonce,
      serverNonce: frame.nonce,
      dialerCertificate: this.certificate,
      serverCertificate,
    };
    peer.binding = binding;
    peer.proof = dialerProof(this.secrets[peer.secretIndex % this.secrets.length], binding);
    call.write({
      frames: [{ kind: FrameKind.HELLO, hello: { node_id: this.self.id, ...peer.link.helloFields(), proof: peer.proof } }],
      protocol: CLUSTER_PROTOCOL,
    });
  }

  private handshakeFailed(peer: Peer, problem: string): void {
    if (problem !== peer.failure) this.logger.error(`cluster link with ${peer.info.id}: ${problem}`);
    peer.failure = problem;
    this.disconnect(peer, grpc.status.UNAUTHENTICATED, problem);
    if (peer.dialer) this.scheduleDial(peer);
  }

  private deliver(peer: Peer, frame: Frame): void {
    const from = peer.info.id;
    let payload: unknown;
    try {
      payload = decodePayload(frame.payload);
    } catch (err) {
      this.logger.error(`unreadable payload of ${frame.type || 'answer'} from ${from}: ${err.message}`);
      if (frame.kind === FrameKind.REQUEST) this.answer(peer, frame.correlation_id ?? 0, Promise.reject(new Error('unreadable payload')));
      return;
    }
    switch (frame.kind) {
      case FrameKind.DATA: {
        const handlers = this.messageHandlers.get(frame.type ?? '');
        if (!handlers?.size) return this.logger.debug?.(`no handler for cluster message ${frame.type}`);
        for (const handler of handlers) {
          try {
            handler(payload, from);
          } catch (err) {
            this.logger.error(`handler of cluster message ${frame.type} failed: ${err?.stack ?? err}`);
          }
        }
        return;
      }
      case FrameKind.REQUEST: {
        const handler = this.requestHandlers.get(frame.type ?? '');
        const result = handler
          ? new Promise((resolve) => resolve(handler(payload, from)))
          : Promise.reject(new Error(`no handler for cluster request ${frame.type}`));
        return this.answer(peer, frame.correlation_id ?? 0, result);
      }
      case FrameKind.RESPONSE:
      case FrameKind.FAILURE: {
        const request = this.pending.get(frame.correlation_id ?? 0);
        if (!request || request.nodeId !== from) return; // timed out already
        this.pending.delete(frame.correlation_id ?? 0);
        clearTimeout(request.timer);
        if (frame.kind === FrameKind.RESPONSE) request.resolve(payload);
        else request.reject(new Error(frame.error || 'cluster request failed'));
      }
    }
  }

  private answer(peer: Peer, correlationId: number, result: Promise<unknown>): void {
    result
      .then((value) => ({ kind: FrameKind.RESPONSE, correlation_id: correlationId, payload: encodePayload(value) }) as const)
      .catch((err) => ({ kind: FrameKind.FAILURE, correlation_id: correlationId, error: String(err?.message ?? err) }) as const)
      .then((reply) => {
        if (this.peers.get(peer.info.id) === peer) this.enqueue(peer, reply);
      })
      .catch((err) => this.logger.warn(`could not answer ${peer.info.id}'s request ${correlationId}: ${String(err?.message ?? err)}`));
  }

  private startHandshakeTimer(peer: Peer, call: LinkCall): void {
    if (peer.handshakeTimer) clearTimeout(peer.handshakeTimer);
    peer.handshakeTimer = setTimeout(() => {
      peer.handshakeTimer = null;
      if (!peer.link.isAttached(call) || peer.link.connected) return;
      this.onCallClosed(peer, call, 'no HELLO within the handshake timeout');
    }, HANDSHAKE_TIMEOUT_MS);
  }

  /** The current stream of `peer` ended (any reason). Keeps the buffers; the dialer reconnects. */
  private onCallClosed(peer: Peer, call: LinkCall, why: string): void {
    if (!peer.link.isAttached(call)) return;
    const wasUp = peer.link.connected;
    const failure = why.replace(/\s*\(\d{4}-\d\d-\d\dT[\d:.]+Z\)/g, ''); // grpc-js dates its connect errors
    peer.link.detach();
    peer.call = null;
    if (peer.handshakeTimer) clearTimeout(peer.handshakeTimer);
    peer.handshakeTimer = null;
    this.endCall(call, grpc.status.CANCELLED, why);
    if (wasUp && why.endsWith(SHUTTING_DOWN)) {
      this.logger.log(`cluster link with ${peer.info.id} closed: ${SHUTTING_DOWN}`);
    } else if (wasUp) {
      this.logger.warn(`cluster link with ${peer.info.id} lost (${why})${peer.dialer ? '; reconnecting' : ''}`);
    } else if (peer.dialer && failure !== peer.failure) {
      this.logger.warn(`cannot open cluster link to ${peer.info.id} at ${hostPort(peer.info.hostname, peer.info.streamingPort)}: ${why}`);
    } else {
      this.logger.debug?.(`cluster link attempt with ${peer.info.id} failed: ${why}`);
    }
    if (peer.dialer) {
      peer.failure = wasUp ? '' : failure;
      // A fresh channel per attempt: a grpc-js channel that failed waits out its own reconnect
      // backoff and fails calls with its last error meanwhile, which would add to ours.
      peer.client?.close();
      peer.client = null;
      this.scheduleDial(peer);
    }
  }

  /** Closes the current stream of `peer` on purpose (no reconnect from here). */
  private disconnect(peer: Peer, code: grpc.status, details: string): void {
    const call = peer.call;
    if (!call) return;
    peer.link.detach();
    peer.call = null;
    if (peer.handshakeTimer) clearTimeout(peer.handshakeTimer);
    peer.handshakeTimer = null;
    this.endCall(call, code, details);
  }

  /** Ends a call after the frames already written (a cancel could drop them), within 500 ms. */
  private closeGracefully(call: LinkCall): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.endCall(call, grpc.status.UNAVAILABLE, SHUTTING_DOWN);
        resolve();
      }, 500);
      if ('cancel' in call) {
        call.once('status', done);
        call.end(); // half-close; the server answers with its status once it has read everything
      } else {
        call.once('finish', done);
        this.endCall(call, grpc.status.UNAVAILABLE, SHUTTING_DOWN);
      }
    });
  }

  private endCall(call: LinkCall, code: grpc.status, details: string): void {
    try {
      if ('cancel' in call) call.cancel();
      else if (!call.cancelled && !call.writableEnded) this.reject(call, code, details);
    } catch {
      // already closed
    }
  }

  /** Forgets a peer: closes its stream, counts what it never acknowledged, fails its requests. */
  private dropPeer(peer: Peer, why: string): void {
    if (this.peers.get(peer.info.id) === peer) this.peers.delete(peer.info.id);
    if (peer.dialTimer) clearTimeout(peer.dialTimer);
    peer.dialTimer = null;
    this.disconnect(peer, grpc.status.UNAVAILABLE, why);
    peer.client?.close();
    peer.client = null;
    const lost = peer.link.close();
    if (lost > 0) {
      this.undeliverable += lost;
      this.logger.warn(`${lost} cluster messages to ${peer.info.id} are undeliverable (${why})`);
    }
    for (const [id, request] of this.pending) {
      if (request.nodeId !== peer.info.id) continue;
      this.pending.delete(id);
      clearTimeout(request.timer);
      request.reject(new Error(`cluster request to ${peer.info.id} failed: ${why}`));
    }
  }
}
