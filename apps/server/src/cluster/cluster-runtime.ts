import { Logger } from '@nestjs/common';
import {
  advertisedHostname,
  CLUSTER_PROTOCOL,
  bindAddress,
  configuredLinkTls,
  DatabaseDiscovery,
  GrpcTransport,
  LeaderElector,
  NodeInfo,
  seedOf,
  SwimMembership,
} from '#cluster';
import { newId } from '#common';
import { ConfigService } from '#config';
import { Database, MIGRATIONS } from '#db';
import { ALL_KEYS, ConnectionCounter, HandoverState, Hub, ShadowRegistry } from '#realtime';
import { RELEASE } from '../common/release.js';
import { SERVER_VERSION } from '../common/http-pipeline.js';
import { DrainingRequest, Msg, Req, WsHandoffPayload } from './cluster-messages.js';
import { ClusterEventPublisher, ClusterInvalidationBus } from './cluster-publisher.js';
import { ClusterInfo, clusterInfo, ClusterMetricsSource, ClusterState } from './cluster-state.js';
import { ConnectionMover } from './connection-mover.js';
import { DatabaseConfigStore } from './database-config-store.js';
import { DatabaseEventOutbox } from './database-event-outbox.js';
import { HubReplication } from './hub-replication.js';
import { shareFences } from './replica-fences.js';
import { TrackedTransport } from './tracked-transport.js';

const HEARTBEAT_MS = 5_000;
/** A discovery row not refreshed for this long is a node that is gone. */
const FRESH_ROW_MS = 3 * HEARTBEAT_MS;
const CONFIG_RECONCILE_MS = 30_000;
const COUNT_TIMEOUT_MS = 1_000;
/** A dead node's connections can be taken over for as long as a dropped socket can be resumed. */
const FORGET_DEAD_NODE_MS = 5 * 60_000;
const UNHEALTHY_AFTER_MS = 5_000;
/** Outbox rows of dead nodes are looked for this long after a node leaves, and periodically. */
const OUTBOX_GRACE_MS = 3_500;
const OUTBOX_SWEEP_MS = 15_000;
/** How long a draining node waits for each peer to acknowledge its drain and its goodbye. */
const DRAIN_NOTICE_TIMEOUT_MS = 1_000;
/** A draining peer that never says goodbye (it crashed) is dropped this long after its grace. */
const DRAIN_GOODBYE_SLACK_MS = 10_000;

/**
 * One node's membership in the cluster: discovery rows, SWIM membership, gRPC streams, and what
 * rides on them (events, invalidations, connection mirrors, config changes, presence counts).
 */
export class ClusterRuntime extends ClusterState {
  readonly enabled = true;
  private readonly logger = new Logger('cluster');
  readonly self: NodeInfo;
  readonly transport: TrackedTransport;
  readonly membership: SwimMembership;
  readonly invalidation: ClusterInvalidationBus;
  private readonly discovery: DatabaseDiscovery;
  private readonly leader: LeaderElector;
  private readonly configStore: DatabaseConfigStore;
  private timers: NodeJS.Timeout[] = [];
  private lastHealthyAt = Date.now();
  /** Since when some node heartbeats into the discovery table but is not a member here. */
  private unreachableSince = 0;
  private lastConfigSha: string | undefined;
  private hub: Hub | null = null;
  private outbox: DatabaseEventOutbox | null = null;
  private mover: ConnectionMover | null = null;
  /** This node is draining: out of the membership, its streams still up until stop(). */
  private draining = false;
  /** Peers draining: out of the membership but still on the streams until their goodbye. */
  private readonly leaving = new Map<string, { timer: NodeJS.Timeout; node?: NodeInfo }>();
  readonly shadows = new ShadowRegistry(128 + 256);

  constructor(
    private readonly config: ConfigService,
    private readonly db: Database,
  ) {
    super();
    const settings = config.get().ClusterSettings;
    const secrets = [settings.ClusterSecret, ...settings.PreviousClusterSecrets].filter(Boolean);
    this.self = {
      id: newId(),
      clusterName: settings.ClusterName,
      hostname: advertisedHostname(settings),
      gossipPort: settings.GossipPort,
      streamingPort: settings.StreamingPort,
      version: SERVER_VERSION,
      schemaVersion: MIGRATIONS[MIGRATIONS.length - 1].name,
      configHash: config.hash(),
      startedAt: Date.now(),
      protocol: CLUSTER_PROTOCOL,
      release: RELEASE,
    };
    const bind = bindAddress(settings);
    this.transport = new TrackedTransport(
      new GrpcTransport({
        self: this.self,
        bindAddress: bind,
        port: settings.StreamingPort,
        secrets,
        clusterName: settings.ClusterName,
        // The operator's certificates if configured; otherwise derived from the secrets at start.
        tls: configuredLinkTls(settings),
        logger: this.logger,
      }),
    );
    this.membership = new SwimMembership({
      self: this.self,
      bindAddress: bind,
      secrets,
      log: (level, message) => (level === 'warn' ? this.logger.warn(message) : this.logger.log(message)),
    });
    this.leader = new LeaderElector(this.membership);
    this.discovery = new DatabaseDiscovery(db);
    this.invalidation = new ClusterInvalidationBus(this.transport);
    this.configStore = new DatabaseConfigStore(db);
  }

  /** Connects the hub: events, connection mirrors, cross-node resume and presence. */
  attach(hub: Hub) {
    this.hub = hub;
    const publisher = new ClusterEventPublisher(hub, this.transport);
    hub.setObserver(new HubReplication(this.transport, this.shadows));
    const crossNodeResume = new ConnectionMover(hub, this.transport, this.membership, this.shadows);
    this.mover = crossNodeResume;
    this.transport.onRequest(Req.Draining, ({ graceMs }: DrainingRequest, from) => this.peerDraining(from, graceMs));
    this.transport.onRequest(Req.Goodbye, (_: unknown, from) => {
      setImmediate(() => this.farewell(from)); // after the answer has been written
      return true;
    });
    this.transport.onRequest(Req.WebConnCount, ({ userId }: { userId: string }) => hub.activeCountForUser(userId));
    this.transport.onRequest(Req.ClusterInfo, () => this.info(this.self));
    if (this.db.replicaSet) shareFences(this.db.replicaSet, this.transport); // read-your-writes on every node
    hub.onGap((origin, expected, got) => void this.resync(`events ${expected}..${got - 1} from ${origin} never arrived`));
    this.transport.onMessage(Msg.Resync, (_: unknown, from) => void this.resync(`${from} says this node missed its messages`));
    const connections: ConnectionCounter = { countElsewhere: (userId) => this.countElsewhere(userId) };
    this.outbox = new DatabaseEventOutbox(
      this.db,
      this.self.id,
      hub,
      this.transport,
      publisher,
      () => void this.resync('an event from a dead node never reached this node'),
    );
    return { publisher, crossNodeResume, connections, outbox: this.outbox };
  }

  async start(): Promise<void> {
    await this.useDatabaseConfig();
    await this.transport.start();
    this.membership.on('join', (node) => this.joined(node));
    this.membership.on('leave', (node) => this.left(node));
    this.membership.on('update', (node) => this.logger.log(`node ${node.id} updated (config ${node.configHash})`));
    this.leader.onChange((leaderId, isLeader) => this.logger.log(`leader is now ${leaderId}${isLeader ? ' (this node)' : ''}`));
    await this.discovery.register(this.self);
    await this.membership.start(await this.seeds());
    this.timers.push(setInterval(() => void this.heartbeat(), HEARTBEAT_MS).unref());
    this.timers.push(setInterval(() => void this.reconcileConfig(), CONFIG_RECONCILE_MS).unref());
    this.timers.push(setInterval(() => this.checkHealth(), 1_000).unref());
    this.timers.push(setInterval(() => void this.recoverOutbox(), OUTBOX_SWEEP_MS).unref());
    this.logger.log(
      `node ${this.self.id} in cluster "${this.self.clusterName}" at ${this.self.hostname} (gossip ${this.self.gossipPort}, streams ${this.self.streamingPort})`,
    );
  }

  /**
   * The first step of a drain: peers are told (and wait for this node's goodbye before dropping its
   * streams), then the discovery row goes and gossip announces the leave, so every peer drops this
   * node from its membership at once (no suspicion window): it is no longer the leader, no longer
   * counted, no longer joined. The streams stay up, so the sockets' handoffs and the events of the
   * requests still finishing here reach the peers; stop() ends them. Peers of protocol 1 know no
   * drain: they drop the streams when they see the leave, as for any node that left.
   */
  async leave(graceMs: number): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    const peers = this.transport.connectedPeers().filter((id) => this.transport.protocolOf(id) >= 2);
    const notice = { type: Req.Draining, payload: { graceMs } satisfies DrainingRequest };
    await Promise.all(peers.map((id) => this.transport.request(id, notice, DRAIN_NOTICE_TIMEOUT_MS).catch(() => undefined)));
    await this.discovery.unregister().catch(() => undefined);
    await this.membership.stop().catch(() => undefined);
    this.logger.log(`left the cluster (draining; ${peers.length} peers keep the streams until the goodbye)`);
  }

  /** Sends a connection this node lets go of to every peer (where its client may land). */
  handOff(connectionId: string, userId: string, state: HandoverState): void {
    this.transport.broadcast({ type: Msg.WsHandoff, payload: { connectionId, userId, state } satisfies WsHandoffPayload });
  }

  async stop(): Promise<void> {
    if (this.draining) {
      // Everything this node had to say has been sent: the goodbye comes after it on each stream.
      const bye = { type: Req.Goodbye, payload: {} };
      await Promise.all(this.transport.connectedPeers().map((id) => this.transport.request(id, bye, DRAIN_NOTICE_TIMEOUT_MS).catch(() => undefined)));
    } else {
      for (const t of this.timers) clearInterval(t);
      await this.discovery.unregister().catch(() => undefined);
      await this.membership.stop().catch(() => undefined);
    }
    await this.transport.stop().catch(() => undefined);
  }

  // ---- ClusterState -------------------------------------------------------------------------

  isLeader(): boolean {
    // A draining node's membership is only itself: it must not think it leads.
    return !this.draining && this.leader.isLeader();
  }

  async infos(): Promise<ClusterInfo[]> {
    return this.membership.members().map((node) => this.info(node));
  }

  health() {
    const healthy = Date.now() - this.lastHealthyAt < UNHEALTHY_AFTER_MS;
    return { healthy, detail: healthy ? '' : 'this node cannot reach the other nodes of its cluster' };
  }

  metricsSource(): ClusterMetricsSource {
    const { transport, membership } = this;
    return {
      sentByType: transport.sentByType,
      requestDurations: transport.requestDurations,
      gossip() {
        const stats = membership.stats();
        const suspect = stats.suspected.length;
        return { alive: stats.members - suspect, suspect, suspicions: stats.suspicions, pingRtt: stats.pingRtt };
      },
      streams: () => transport.stats(),
    };
  }

  // ---- internals ----------------------------------------------------------------------------

  private info(node: NodeInfo): ClusterInfo {
    return clusterInfo(node, { leaderId: this.leader.leaderId(), suspected: this.membership.stats().suspected, now: Date.now() });
  }

  /** Config lives in the database; a save anywhere reaches every node. */
  private async useDatabaseConfig(): Promise<void> {
    const store = this.configStore;
    const saveAndTell = async (cfg: Parameters<DatabaseConfigStore['save']>[0]) => {
      await store.save(cfg);
      this.lastConfigSha = await store.activeSha();
      this.transport.broadcast({ type: Msg.ConfigChanged, payload: {} });
    };
    await this.config.useStore({ load: () => store.load(), save: saveAndTell, seed: (cfg) => store.seed(cfg) });
    this.lastConfigSha = await store.activeSha();
    // The shared config replaced the file's: advertise its hash, now and on every change.
    this.membership.updateSelf({ configHash: this.config.hash() });
    this.config.onChange(() => this.membership.updateSelf({ configHash: this.config.hash() }));
    this.transport.onMessage(Msg.ConfigChanged, () => void this.reloadConfig());
  }

  private async reloadConfig(): Promise<void> {
    try {
      await this.config.reload({ fromPeer: true });
      this.lastConfigSha = await this.configStore.activeSha();
    } catch (err) {
      this.logger.error(`could not reload the config: ${String(err)}`);
    }
  }

  /** A missed ConfigChanged (e.g. during a partition) is caught by comparing hashes. */
  private async reconcileConfig(): Promise<void> {
    const sha = await this.configStore.activeSha().catch(() => this.lastConfigSha);
    if (sha && sha !== this.lastConfigSha) await this.reloadConfig();
  }

  private async seeds(): Promise<string[]> {
    const members = new Set(this.membership.members().map((m) => `${m.hostname}:${m.gossipPort}`));
    const rows = await this.discovery.peers(FRESH_ROW_MS);
    return rows.map(seedOf).filter((seed) => !members.has(seed));
  }

  private async heartbeat(): Promise<void> {
    try {
      await this.discovery.heartbeat();
      // Rows pinged within the last heartbeat and a half belong to nodes that are alive.
      const members = new Set(this.membership.members().map((m) => `${m.hostname}:${m.gossipPort}`));
      const alive = (await this.discovery.peers(1.5 * HEARTBEAT_MS)).map(seedOf);
      const unreachable = alive.filter((seed) => !members.has(seed));
      this.unreachableSince = unreachable.length === 0 ? 0 : this.unreachableSince || Date.now();
      if (unreachable.length > 0) await this.membership.join(unreachable);
    } catch (err) {
      this.logger.warn(`discovery heartbeat failed: ${String(err)}`);
    }
  }

  private joined(node: NodeInfo): void {
    this.logger.log(`node ${node.id} joined (${node.hostname})`);
    this.transport.addPeer(node);
    if (this.transport.takeMissed(node.id) > 0) this.transport.send(node.id, { type: Msg.Resync, payload: {} });
  }

  /** A peer announced its drain: keep its streams (and its outbox rows) until it says goodbye. */
  private peerDraining(nodeId: string, graceMs: number): boolean {
    const known = this.leaving.get(nodeId);
    if (known) clearTimeout(known.timer);
    const timer = setTimeout(() => this.farewell(nodeId), graceMs + DRAIN_GOODBYE_SLACK_MS).unref();
    this.leaving.set(nodeId, { timer, node: known?.node ?? this.membership.members().find((m) => m.id === nodeId) });
    this.mover?.nodeDraining(nodeId);
    this.logger.log(`node ${nodeId} is draining`);
    return true;
  }

  /** A draining peer said goodbye (or its time ran out): it is gone now. */
  private farewell(nodeId: string): void {
    const leaving = this.leaving.get(nodeId);
    if (!leaving) return;
    clearTimeout(leaving.timer);
    this.leaving.delete(nodeId);
    this.mover?.nodeGone(nodeId);
    if (this.membership.members().some((m) => m.id === nodeId)) return; // it never left after all
    this.departed(leaving.node ?? { id: nodeId, hostname: '?' });
  }

  private left(node: NodeInfo): void {
    const leaving = this.leaving.get(node.id);
    if (leaving) {
      // Out of the membership now; its streams go at its goodbye.
      leaving.node = node;
      this.logger.log(`node ${node.id} left the cluster to drain (${node.hostname})`);
      return;
    }
    this.departed(node);
  }

  private departed(node: Pick<NodeInfo, 'id' | 'hostname'>): void {
    const before = this.transport.stats().undeliverable;
    this.transport.removePeer(node.id);
    this.transport.departed(node.id, this.transport.stats().undeliverable - before);
    this.logger.warn(`node ${node.id} left the cluster (${node.hostname})`);
    // Events it committed but could not confirm are published by a survivor.
    setTimeout(() => void this.recoverOutbox(), OUTBOX_GRACE_MS).unref();
    // Its users may now be connected nowhere; its connections stay resumable here for a while.
    for (const userId of this.shadows.users(node.id)) this.hub?.recheckPresence(userId);
    setTimeout(() => {
      if (!this.membership.members().some((m) => m.id === node.id)) this.shadows.forget(node.id);
    }, FORGET_DEAD_NODE_MS).unref();
  }

  /** This node missed messages: clients must refetch, and no cache can be trusted. */
  private async resync(reason: string): Promise<void> {
    this.logger.warn(`resynchronising: ${reason}`);
    this.invalidation.emitLocally('all', ALL_KEYS);
    const dropped = (await this.hub?.resetConnections('resynchronising with the cluster')) ?? 0;
    this.logger.warn(`closed ${dropped} WebSocket connections; their clients reconnect with a fresh hello`);
  }

  private async recoverOutbox(): Promise<void> {
    try {
      // A draining node is still finishing its requests: its rows are its own until its goodbye.
      await this.outbox?.recover([...this.membership.members().map((m) => m.id), ...this.leaving.keys()]);
    } catch (err) {
      this.logger.warn(`outbox recovery failed: ${String(err)}`);
    }
  }

  private async countElsewhere(userId: string): Promise<number> {
    const peers = this.transport.connectedPeers();
    const counts = await Promise.all(peers.map((id) => this.transport.request<number>(id, { type: Req.WebConnCount, payload: { userId } }, COUNT_TIMEOUT_MS)));
    return counts.reduce((a, b) => a + b, 0);
  }

  /**
   * Healthy while every member streams with us and no node that is alive (it keeps pinging the
   * discovery table) stays out of our membership: a node cut off from the others fails closed.
   */
  private checkHealth(): void {
    const others = this.membership.members().filter((m) => m.id !== this.self.id);
    const connected = new Set(this.transport.connectedPeers());
    const cutOff = this.unreachableSince > 0 && Date.now() - this.unreachableSince > UNHEALTHY_AFTER_MS;
    if (!cutOff && others.every((m) => connected.has(m.id))) this.lastHealthyAt = Date.now();
  }
}
