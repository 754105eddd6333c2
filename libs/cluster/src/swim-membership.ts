import type { RemoteInfo, Socket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import { performance } from 'node:perf_hooks';
import Swim from 'happn-swim';
import { DurationHistogram } from '#common';
import type { Membership, MembershipEvent, NodeInfo } from './contracts.js';
import { GossipSealer, type DropReason } from './gossip-seal.js';

/** Member states and the Update message type, as happn-swim's lib/member.js and lib/message-type.js. */
const SUSPECT = 1;
const FAULTY = 2;
const PING_MESSAGE = 10;
const UPDATE_MESSAGE = 14;
/** Round trips of gossip pings, in seconds: a LAN answers in well under a millisecond. */
const PING_RTT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
/** A ping not answered within this long is forgotten (its member is suspected long before). */
const PING_FORGET_MS = 5_000;

export interface SwimTiming {
  /** Protocol period: every interval this node pings one member (round robin over a shuffle). */
  intervalMs: number;
  /** How long to wait for a direct ack before asking other members to ping (ping-req). */
  pingTimeoutMs: number;
  /** How long to wait for an indirect ack before suspecting the member. */
  pingReqTimeoutMs: number;
  /** How many members are asked to ping indirectly. */
  pingReqGroupSize: number;
  /** How long a suspect has to refute before it is declared faulty and evicted. */
  suspectTimeoutMs: number;
  /** How long start()/join() wait for seeds to answer. */
  joinTimeoutMs: number;
  /** How often a seed or evicted host that is not a member is synced with (heals partitions). */
  syncIntervalMs: number;
  /** How often the full member list is exchanged with one random member (repairs lost updates). */
  pushPullIntervalMs: number;
  /** How long evicted hosts and unanswered seeds are remembered and retried. */
  forgetAfterMs: number;
}

/**
 * Detects a dead node within about 2.5 s in a small cluster: it is pinged within ~2 intervals,
 * suspected after pingTimeout + pingReqTimeout, and evicted suspectTimeout later. A node has to be
 * unresponsive for 1.6 s (not merely slow) before it can be evicted, and it rejoins by itself.
 */
export const DEFAULT_SWIM_TIMING: SwimTiming = {
  intervalMs: 200,
  pingTimeoutMs: 200,
  pingReqTimeoutMs: 400,
  pingReqGroupSize: 3,
  suspectTimeoutMs: 1000,
  joinTimeoutMs: 400,
  syncIntervalMs: 2000,
  pushPullIntervalMs: 10_000,
  forgetAfterMs: 10 * 60_000,
};

export type MembershipLogger = (level: 'info' | 'warn', message: string) => void;

export interface SwimMembershipOptions {
  /** This node; its hostname:gossipPort is its gossip address and identity. */
  self: NodeInfo;
  /** IPv4 address the UDP socket binds to; '' or '0.0.0.0' for all. */
  bindAddress: string;
  /** Cluster secrets: the first seals every datagram, any of them opens one (key rotation). */
  secrets: readonly string[];
  timing?: Partial<SwimTiming>;
  /** Largest datagram sent, sealing included; 1400 stays under a 1500-byte Ethernet MTU. */
  maxDatagramBytes?: number;
  log?: MembershipLogger;
}

export interface SwimMembershipStats {
  members: number;
  /** Ids of live members currently suspected of failure. */
  suspected: string[];
  /** Times a live member became suspected since start (most are refuted). */
  suspicions: number;
  /** Round trips of this node's direct pings that were answered. */
  pingRtt: DurationHistogram;
  /** Datagrams dropped because no configured secret authenticated them. */
  rejectedDatagrams: number;
  /** Authentic datagrams dropped as replays: seen before, too old, or sent to another node. */
  replayedDatagrams: number;
  sendErrors: number;
}

/** Least time between two syncs sent to the same host. */
const MIN_SYNC_GAP_MS = 1000;
/** How long stop() waits for its leave announcement to be handed to the network. */
const LEAVE_FLUSH_MS = 500;
const REJECT_LOG_EVERY_MS = 60_000;
const DROPPED_AS: Record<Exclude<DropReason, 'unauthenticated'>, string> = {
  misdirected: 'sent to another node',
  stale: 'too old',
  replayed: 'seen before',
};

/**
 * SWIM membership over UDP (happn-swim), with every datagram sealed by the cluster secret and
 * member metadata carrying each node's NodeInfo. What this adds to happn-swim:
 * - the socket binds BindAddress only, so several nodes can share a port on 127.0.0.1/2/3;
 * - AES-256-GCM on every datagram (see GossipSealer), unauthenticated ones dropped and counted,
 *   and so are replayed ones (each datagram is taken once, by the node it was sent to);
 * - replies go to the sender's gossip address named inside the sealed datagram, not to the address
 *   it came from, so a datagram sent again from elsewhere draws no answer to elsewhere;
 * - a graceful leave (happn-swim just closes its socket);
 * - rejoin after eviction: incarnations start at the clock, so a restarted node outranks its
 *   previous life, and a host that pings us without being a member (a node resumed after a pause
 *   that we evicted) is sent a sync, which tells it it was declared faulty so that it refutes;
 * - periodic syncs with seeds and evicted hosts (heals partitions) and with members (repairs lost
 *   updates), as memberlist's push-pull.
 */
export class SwimMembership implements Membership {
  private info: NodeInfo;
  private readonly host: string;
  private readonly timing: SwimTiming;
  private readonly sealer: GossipSealer;
  private readonly swim: Swim;
  private readonly log: MembershipLogger;
  private state: 'new' | 'started' | 'stopping' | 'stopped' = 'new';

  /** Live members other than self, by gossip host, as last reported to listeners. */
  private readonly live = new Map<string, NodeInfo>();
  private readonly suspected = new Set<string>();
  private readonly listeners: Record<MembershipEvent | 'suspect', Array<(node: NodeInfo) => void>> = {
    join: [],
    leave: [],
    update: [],
    suspect: [],
  };

  /** Seeds and evicted hosts, with when they were last given or evicted (for forgetting). */
  private readonly seeds = new Map<string, number>();
  private readonly faultySince = new Map<string, number>();
  private readonly lastSyncTo = new Map<string, number>();
  private readonly pendingSends = new Set<Promise<void>>();
  private readonly rejectLoggedAt = new Map<string, number>();
  private timers: NodeJS.Timeout[] = [];
  private rejected = 0;
  private replayed = 0;
  private sendErrors = 0;
  private suspicions = 0;
  private readonly pingRtt = new DurationHistogram(PING_RTT_BUCKETS);
  /** Pings awaiting their ack, by sequence number: when each was sent (performance.now()). */
  private readonly pingsInFlight = new Map<number, number>();

  constructor(private readonly options: SwimMembershipOptions) {
    const { self } = options;
    if (!self.hostname || self.hostname.includes(':')) {
      throw new Error(`gossip needs an IPv4 address or a hostname, got "${self.hostname}"`);
    }
    if (options.bindAddress && !isIPv4(options.bindAddress)) {
      throw new Error(`gossip BindAddress must be an IPv4 address, got "${options.bindAddress}"`);
    }
    this.info = { ...self };
    this.host = `${self.hostname}:${self.gossipPort}`;
    this.timing = { ...DEFAULT_SWIM_TIMING, ...options.timing };
    this.sealer = new GossipSealer(options.secrets, self.clusterName, this.host);
    this.log = options.log ?? (() => undefined);
    const maxDatagram = options.maxDatagramBytes ?? 1400;

    this.swim = new Swim({
      // Incarnations start at the clock so a restarted node outranks its own earlier eviction.
      local: { host: this.host, meta: { ...this.info }, incarnation: Date.now() },
      interval: this.timing.intervalMs,
      pingTimeout: this.timing.pingTimeoutMs,
      pingReqTimeout: this.timing.pingReqTimeoutMs,
      pingReqGroupSize: this.timing.pingReqGroupSize,
      joinTimeout: this.timing.joinTimeoutMs,
      udp: { type: 'udp4', maxDgramSize: maxDatagram - this.sealer.overhead },
    });
    // happn-swim 1.0.3 never passes its suspectTimeout option on (swim.js reads this.suspectTimeout,
    // which is undefined, so members were evicted 10 ms after suspicion): set it directly.
    this.swim.membership.suspectTimeout = this.timing.suspectTimeoutMs;
    // happn-swim restarts the suspicion timer at every failed ping, so with a suspicion longer than
    // a ping round a dead member is never evicted: a suspect's timer must run to its end (only a
    // refutation, which clears it, stops it).
    const membership = this.swim.membership;
    const suspect = membership.onSuspect.bind(membership);
    membership.suspectListener = (member) => {
      if (!membership.hostToSuspectTimeout[member.host]) suspect(member);
    };
    this.wrapNet();
    this.swim.on('change', (data: Swim.MemberData) => this.reconcile(data.host));
    this.swim.on('update', (data: Swim.MemberData) => this.reconcile(data.host));
    this.swim.on('error', (err: Error) => this.log('warn', `gossip: ${err.message}`));
  }

  async start(seeds: string[]): Promise<void> {
    if (this.state !== 'new') throw new Error(`SwimMembership cannot start: it is ${this.state}`);
    const address = this.options.bindAddress || '0.0.0.0';
    try {
      await bindUdp(this.swim.net.udpSocket, this.info.gossipPort, address);
    } catch (err) {
      this.state = 'stopped';
      throw new Error(`cannot bind the gossip socket to ${address}:${this.info.gossipPort}: ${err.message}`);
    }
    this.state = 'started';
    this.remember(seeds);
    const answered = await new Promise<boolean>((resolve) => this.swim.bootstrap(this.others(seeds), (err) => resolve(!err)));
    if (!answered) this.log('info', `gossip: no seed answered yet (${this.others(seeds).join(', ')})`);
    this.timers.push(
      setInterval(() => this.syncWithStranger(), this.timing.syncIntervalMs),
      setInterval(() => this.pushPull(), this.timing.pushPullIntervalMs),
    );
    for (const timer of this.timers) timer.unref();
  }

  async join(seeds: string[]): Promise<void> {
    if (this.state !== 'started') return;
    this.remember(seeds);
    const fresh = this.others(seeds).filter((host) => !this.swim.membership.get(host));
    if (fresh.length === 0) return;
    await new Promise<void>((resolve) => this.swim.join(fresh, () => resolve()));
  }

  async stop(): Promise<void> {
    if (this.state !== 'started') return;
    this.state = 'stopping';
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    // Tell every member we are gone (a faulty record about ourselves at our own incarnation, which
    // they accept and spread) so they see `leave` now rather than after suspicion.
    const leaving = { ...this.swim.membership.local.data(), state: FAULTY };
    for (const host of Object.keys(this.swim.membership.hostToMember)) {
      this.swim.net.sendMessage({ type: UPDATE_MESSAGE, data: leaving }, host);
    }
    await Promise.race([Promise.all(this.pendingSends), new Promise((r) => setTimeout(r, LEAVE_FLUSH_MS))]);
    this.swim.leave();
    this.state = 'stopped';
    this.live.clear();
    this.suspected.clear();
  }

  self(): NodeInfo {
    return { ...this.info };
  }

  members(): NodeInfo[] {
    return [this.self(), ...[...this.live.values()].map((n) => ({ ...n }))].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  updateSelf(change: Partial<Pick<NodeInfo, 'configHash' | 'version' | 'schemaVersion'>>): void {
    const next = { ...this.info };
    if (change.configHash !== undefined) next.configHash = change.configHash;
    if (change.version !== undefined) next.version = change.version;
    if (change.schemaVersion !== undefined) next.schemaVersion = change.schemaVersion;
    if (sameNodeInfo(next, this.info)) return;
    this.info = next;
    // happn-swim has no metadata API: change the local member, bump its incarnation so the change
    // wins everywhere, and hand it to the disseminator (which piggybacks it on outgoing messages).
    const local = this.swim.membership.local;
    local.meta = { ...next };
    local.incarnate();
    this.swim.membership.emit('update', local.data());
  }

  on(event: MembershipEvent, listener: (node: NodeInfo) => void): void {
    this.listeners[event].push(listener);
  }

  /** A live member became suspected (it is still a member until evicted). */
  onSuspect(listener: (node: NodeInfo) => void): void {
    this.listeners.suspect.push(listener);
  }

  stats(): SwimMembershipStats {
    return {
      members: this.live.size + 1,
      suspected: [...this.suspected].map((host) => this.live.get(host)?.id ?? host),
      suspicions: this.suspicions,
      pingRtt: this.pingRtt,
      rejectedDatagrams: this.rejected,
      replayedDatagrams: this.replayed,
      sendErrors: this.sendErrors,
    };
  }

  /** Where the gossip socket is bound (for diagnostics and tests). */
  address(): { address: string; port: number } {
    const { address, port } = this.swim.net.udpSocket.address();
    return { address, port };
  }

  /** Seals on the way out, opens (or drops) on the way in, and binds only where told. */
  private wrapNet(): void {
    const net = this.swim.net;
    net.messageListener = (buffer: Buffer, rinfo: RemoteInfo) => {
      const opened = this.sealer.open(buffer);
      if (!opened.ok) return this.drop(rinfo, opened.reason);
      // happn-swim answers the address a message came from: make that the sender's own address.
      const colon = opened.sender.lastIndexOf(':');
      const from = { ...rinfo, address: opened.sender.slice(0, colon), port: Number(opened.sender.slice(colon + 1)) };
      try {
        net.onMessage(opened.plain, from);
      } catch (err) {
        // An authenticated peer sent something happn-swim chokes on: never let it crash the node.
        this.log('warn', `gossip: bad message from ${rinfo.address}:${rinfo.port}: ${err.message}`);
      }
    };
    net.sendBuffer = (buffer: Buffer, host: string) => {
      if (this.state !== 'started' && this.state !== 'stopping') return;
      const colon = host.lastIndexOf(':');
      const sealed = this.sealer.seal(buffer, host);
      const sent = new Promise<void>((resolve) =>
        net.udpSocket.send(sealed, Number(host.slice(colon + 1)), host.slice(0, colon), (err) => {
          if (err) {
            this.sendErrors += 1;
            this.log('warn', `gossip: cannot send to ${host}: ${err.message}`);
          }
          resolve();
        }),
      );
      this.pendingSends.add(sent);
      void sent.then(() => this.pendingSends.delete(sent));
    };
    // The socket is already bound by start(); happn-swim's listen would bind 0.0.0.0.
    net.listen = (callback: (err?: Error) => void) => {
      const socket = net.udpSocket;
      socket.on('error', (err) => this.log('warn', `gossip socket: ${err.message}`));
      socket.on('message', net.messageListener);
      callback();
    };
    // Round trips: happn-swim numbers each ping and the ack carries the number back (acks of
    // ping-reqs carry the ping-req's number, which is never recorded here).
    const sendMessage = net.sendMessage.bind(net);
    net.sendMessage = (message: Swim.Message, host: string) => {
      if (message.type === PING_MESSAGE) this.pingSent((message.data as { seq: number }).seq);
      sendMessage(message, host);
    };
    net.on('ack', (data: { seq?: unknown }) => {
      const sentAt = typeof data?.seq === 'number' ? this.pingsInFlight.get(data.seq) : undefined;
      if (sentAt === undefined) return;
      this.pingsInFlight.delete(data.seq as number);
      this.pingRtt.observe((performance.now() - sentAt) / 1000);
    });
    // A host that pings us but is not a member was evicted (or never synced): sync with it.
    net.on('ping', (_data: unknown, from: string) => {
      if (from !== this.host && !this.swim.membership.get(from)) this.syncWith(from);
    });
  }

  private pingSent(seq: number): void {
    const now = performance.now();
    // Unanswered pings (their member is suspected or gone) are few: forget them as pings go out.
    for (const [old, at] of this.pingsInFlight) if (now - at > PING_FORGET_MS) this.pingsInFlight.delete(old);
    this.pingsInFlight.set(seq, now);
  }

  private drop(rinfo: RemoteInfo, reason: DropReason): void {
    const count = reason === 'unauthenticated' ? ++this.rejected : ++this.replayed;
    const now = Date.now();
    const key = `${reason === 'unauthenticated' ? 'rejected' : 'replayed'} ${rinfo.address}`;
    if (now - (this.rejectLoggedAt.get(key) ?? 0) < REJECT_LOG_EVERY_MS) return;
    if (this.rejectLoggedAt.size > 1_000) this.rejectLoggedAt.clear();
    this.rejectLoggedAt.set(key, now);
    const what = reason === 'unauthenticated' ? 'that no cluster secret authenticates' : `replayed (${DROPPED_AS[reason]})`;
    this.log('warn', `gossip: dropped a datagram from ${rinfo.address}:${rinfo.port} ${what} (${count} so far)`);
  }

  /** Turns happn-swim's per-host state into join/leave/update/suspect events with NodeInfo. */
  private reconcile(host: string): void {
    if (host === this.host || this.state === 'stopped') return;
    const member = this.swim.membership.get(host);
    const info = member ? parseNodeInfo(member.meta, this.info.clusterName) : null;
    const known = this.live.get(host);
    if (known && (!info || info.id !== known.id)) {
      // Evicted or left, or restarted at the same address under a new id.
      this.live.delete(host);
      this.suspected.delete(host);
      if (!info) this.faultySince.set(host, Date.now());
      this.emit('leave', known);
    }
    if (!member || !info) return;
    this.faultySince.delete(host);
    const current = this.live.get(host);
    if (!current) {
      this.live.set(host, info);
      this.emit('join', info);
    } else if (!sameNodeInfo(current, info)) {
      this.live.set(host, info);
      this.emit('update', info);
    }
    if (member.state !== SUSPECT) this.suspected.delete(host);
    else if (!this.suspected.has(host)) {
      this.suspected.add(host);
      this.suspicions++;
      this.emit('suspect', info);
    }
  }

  private emit(event: MembershipEvent | 'suspect', node: NodeInfo): void {
    for (const listener of this.listeners[event]) {
      try {
        listener({ ...node });
      } catch (err) {
        this.log('warn', `membership ${event} listener failed: ${err.message}`);
      }
    }
  }

  /** Syncs with one seed or evicted host that is not a member; forgets old ones. */
  private syncWithStranger(): void {
    const now = Date.now();
    const faulty = this.swim.membership.hostToFaulty;
    for (const host of Object.keys(faulty)) {
      if (!this.faultySince.has(host)) this.faultySince.set(host, now);
    }
    for (const [host, since] of this.faultySince) {
      if (now - since < this.timing.forgetAfterMs) continue;
      delete faulty[host];
      this.faultySince.delete(host);
      this.lastSyncTo.delete(host);
    }
    for (const [host, given] of this.seeds) {
      if (now - given >= this.timing.forgetAfterMs) this.seeds.delete(host);
    }
    const strangers = [...new Set([...this.seeds.keys(), ...this.faultySince.keys()])].filter((host) => host !== this.host && !this.swim.membership.get(host));
    if (strangers.length > 0) this.syncWith(strangers[Math.floor(Math.random() * strangers.length)]);
  }

  private pushPull(): void {
    const hosts = Object.keys(this.swim.membership.hostToMember);
    if (hosts.length > 0) this.syncWith(hosts[Math.floor(Math.random() * hosts.length)]);
  }

  private syncWith(host: string): void {
    if (this.state !== 'started') return;
    const now = Date.now();
    if (now - (this.lastSyncTo.get(host) ?? 0) < MIN_SYNC_GAP_MS) return;
    this.lastSyncTo.set(host, now);
    this.swim.membership.sync([host]);
  }

  private remember(seeds: string[]): void {
    const now = Date.now();
    for (const host of this.others(seeds)) this.seeds.set(host, now);
  }

  private others(seeds: string[]): string[] {
    return [...new Set(seeds.map((s) => s.trim()).filter((s) => s && s !== this.host))];
  }
}

function bindUdp(socket: Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      socket.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      socket.off('error', onError);
      resolve();
    };
    socket.once('error', onError);
    socket.once('listening', onListening);
    socket.bind({ port, address, exclusive: true });
  });
}

/** The NodeInfo in a member's metadata, or null if it is malformed or of another cluster. */
export function parseNodeInfo(meta: unknown, clusterName: string): NodeInfo | null {
  if (!meta || typeof meta !== 'object') return null;
  const m = meta as Record<string, unknown>;
  const strings = ['id', 'clusterName', 'hostname', 'version', 'schemaVersion', 'configHash'] as const;
  const numbers = ['gossipPort', 'streamingPort', 'startedAt'] as const;
  if (!strings.every((k) => typeof m[k] === 'string') || !numbers.every((k) => typeof m[k] === 'number')) return null;
  if (m.clusterName !== clusterName || !m.id) return null;
  // Fields newer releases added are optional: a 0.1.0 node's metadata has none of them (readers
  // take FIRST_CLUSTER_PROTOCOL and FIRST_RELEASE for a missing one).
  const optional: Pick<NodeInfo, 'protocol' | 'release'> = {};
  if (typeof m.protocol === 'number' && Number.isInteger(m.protocol) && m.protocol > 0) optional.protocol = m.protocol;
  if (typeof m.release === 'string' && m.release) optional.release = m.release;
  return {
    id: m.id as string,
    clusterName: m.clusterName as string,
    hostname: m.hostname as string,
    gossipPort: m.gossipPort as number,
    streamingPort: m.streamingPort as number,
    version: m.version as string,
    schemaVersion: m.schemaVersion as string,
    configHash: m.configHash as string,
    startedAt: m.startedAt as number,
    ...optional,
  };
}

/** The release of nodes that announce none: the only one that did not, 0.1.0. */
export const FIRST_RELEASE = '0.1.0';

function sameNodeInfo(a: NodeInfo, b: NodeInfo): boolean {
  return (Object.keys(a) as Array<keyof NodeInfo>).every((k) => a[k] === b[k]);
}
