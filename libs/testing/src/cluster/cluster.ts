/**
 * A cluster on this machine: N built nodes on 127.0.0.1, 127.0.0.2, … (ListenAddress
 * 127.0.0.x:8065, gossip 8074/UDP and streaming 8075 on the same address), one database they all
 * share, one file store, and a real nginx in front running the deploy config. The cluster suites,
 * bench:cluster and the load test's --start-cluster drive it through @mattermost/client, signals
 * and the database.
 *
 * The ports are fixed, so one cluster runs at a time (the `cluster` Vitest project has
 * maxWorkers 1). Every wait is bounded, and stop() kills every process and drops the database
 * even after a failure; a process-exit hook kills what a crashed run left behind.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mm from '@mattermost/client';
import type { Client4 as Client4Type } from '@mattermost/client';
import type { ClusterInfo } from '@mattermost/types/admin';
import type pg from 'pg';
import { createDatabase, databasePool, dropDatabase } from '../database.js';
import { assertPortFree, freePort } from '../ports.js';
import { ServerProcess, serverEnv } from '../server-process.js';
import { clientFor, signUp, type NewUser } from '../users.js';
import { eventually } from '../wait.js';
import { ClusterSocket, SocketWire } from './cluster-socket.js';
import { Nginx } from './nginx.js';

const { WebSocketClient } = mm;

export const HTTP_PORT = 8065;
export const GOSSIP_PORT = 8074;
export const STREAMING_PORT = 8075;
/** MetricsSettings.ListenAddress of every node (on its own address), served when a suite enables metrics. */
export const METRICS_PORT = 8067;

/** Where a client or socket goes: the nginx in front, or one node by index. */
export type Target = 'nginx' | number;

/**
 * The loopback network cluster nodes live on: 127.0.<subnet>.x. The ports are fixed, so two
 * clusters can only run at once on different subnets: each Vitest worker has its own (its
 * VITEST_POOL_ID, 1…maxWorkers, so that two files of a project can each run a cluster), and
 * CLUSTER_TEST_SUBNET=n moves a whole run to subnets n×10… (two checkouts' runs side by side).
 * Outside Vitest (bench:cluster, the load test), 127.0.0.x.
 */
const subnet = Number(process.env.CLUSTER_TEST_SUBNET ?? 0) * 10 + Number(process.env.VITEST_POOL_ID ?? 0);

export const nodeHost = (index: number) => `127.0.${subnet}.${index + 1}`;

/** The address part of a ClusterInfo's ipaddress (which may carry a port). */
export function hostOf(info: ClusterInfo): string {
  return info.ipaddress.replace(/:\d+$/, '');
}

/** A node: a server process on nodeHost(index), whose fixed ports must be free before it starts. */
export class ClusterNode extends ServerProcess {
  constructor(
    readonly index: number,
    /** The node's own folder: config.json and a log file per start. */
    readonly dir: string,
    env: Record<string, string>,
    opts: { execArgv?: string[]; stopTimeoutMs?: number; startTimeoutMs?: number; entry?: string } = {},
  ) {
    const host = nodeHost(index);
    super({ name: `node ${index} (${host})`, host, port: HTTP_PORT, env, logDir: dir, ...opts });
  }

  async start(): Promise<void> {
    await assertPortFree(this.host, HTTP_PORT, 'tcp');
    await assertPortFree(this.host, GOSSIP_PORT, 'udp');
    await assertPortFree(this.host, STREAMING_PORT, 'tcp');
    await super.start();
  }
}

export interface ClusterOptions {
  /** Nodes to start (127.0.0.1 …); 3 by default. */
  nodes?: number;
  clusterName?: string;
  /** The shared ClusterSecret (random by default). */
  secret?: string;
  /** Extra MM_* settings for every node. */
  env?: Record<string, string>;
  /** Extra environment of node `index` alone (e.g. where its profiler writes). */
  nodeEnv?: (index: number) => Record<string, string>;
  /** Start nginx in front (default true). */
  nginx?: boolean;
  /** nginx's JSON access log (default true; the load test turns it off). */
  nginxAccessLog?: boolean;
  /** Run on this existing database (kept at stop) instead of a fresh one. */
  database?: string;
  /** Node flags of node `index` (e.g. --cpu-prof). */
  execArgv?: (index: number) => string[];
  /** How long SIGTERM gets before SIGKILL (5 s by default). */
  stopTimeoutMs?: number;
  /** How long a node's start may take until its first ping is answered (60 s by default). */
  startTimeoutMs?: number;
  /** The build node `index` runs (its main.js; this checkout's dist/ by default): for mixed-version clusters. */
  entry?: (index: number) => string | undefined;
}

export interface AddNodeOptions {
  /** A different ClusterSecret than the cluster's (e.g. a node that must not get in). */
  secret?: string;
  env?: Record<string, string>;
}

export class TestCluster {
  readonly nodes: ClusterNode[] = [];
  nginx?: Nginx;
  readonly clusterName: string;
  readonly secret: string;
  private pool?: pg.Pool;
  private readonly sockets = new Set<ClusterSocket>();
  private stopped = false;

  constructor(
    readonly database: string,
    /** The cluster's folder: one folder per node, the shared file store, nginx. */
    readonly dir: string,
    readonly siteUrl: string,
    private readonly options: ClusterOptions,
  ) {
    this.clusterName = options.clusterName ?? 'test';
    this.secret = options.secret ?? randomBytes(24).toString('base64url');
  }

  /** The base URL of a target (nginx or node i). */
  url(target: Target = 'nginx'): string {
    if (target === 'nginx') {
      if (!this.nginx) throw new Error('this cluster has no nginx');
      return this.nginx.url;
    }
    return this.node(target).url;
  }

  wsUrl(target: Target = 'nginx'): string {
    return this.url(target).replace(/^http/, 'ws') + '/api/v4/websocket';
  }

  node(index: number): ClusterNode {
    const n = this.nodes[index];
    if (!n) throw new Error(`no node ${index}`);
    return n;
  }

  /** Nodes whose process is running (not SIGSTOPped, not dead). */
  runningNodes(): ClusterNode[] {
    return this.nodes.filter((n) => n.state === 'running');
  }

  /** A new unauthenticated client for a target. */
  client(target: Target = 'nginx'): Client4Type {
    return clientFor(this.url(target));
  }

  /** Another client for the same session (token), pointed at another target. */
  clientAs(user: { client: Client4Type }, target: Target): Client4Type {
    const c = this.client(target);
    c.setToken(user.client.getToken());
    return c;
  }

  /** Signs up and logs in a user through `via` (the first user of the cluster is its system admin). */
  newUser(opts: { via?: Target; admin?: NewUser; username?: string } = {}): Promise<NewUser> {
    const via = opts.via ?? 'nginx';
    return signUp(this.url(via), { prefix: 'cu', username: opts.username, creator: opts.admin ? this.clientAs(opts.admin, via) : undefined });
  }

  /** A connected, authenticated socket for `client`'s session, on `target`, after its `hello`. */
  async socket(client: Client4Type, target: Target = 'nginx', opts: { minRetryMs?: number; helloTimeoutMs?: number } = {}): Promise<ClusterSocket> {
    const wire = new SocketWire(this.wsUrl(target));
    const ws = new WebSocketClient({
      minWebSocketRetryTime: opts.minRetryMs ?? 200,
      maxWebSocketRetryTime: 2000,
      reconnectJitterRange: 50,
      newWebSocketFn: (url: string) => wire.open(url) as unknown as globalThis.WebSocket,
    });
    const socket = new ClusterSocket(ws, wire);
    this.sockets.add(socket);
    ws.initialize(this.wsUrl(target), client.getToken());
    await socket.waitFor('hello', () => true, opts.helloTimeoutMs ?? 10_000);
    return socket;
  }

  /** ClusterInfo of every node `target` lists (GET /api/v4/cluster/status, as `admin`). */
  async status(target: Target, admin: NewUser): Promise<ClusterInfo[]> {
    return this.clientAs(admin, target).getClusterStatus();
  }

  /**
   * Waits until every running node lists exactly the running nodes (by address) and they all
   * agree on the ids. Returns the id of each node by index.
   */
  async waitForMembership(admin: NewUser, timeoutMs: number): Promise<Map<number, string>> {
    return eventually(
      async () => {
        const expected = this.runningNodes()
          .map((n) => n.host)
          .sort();
        let agreed: string | undefined;
        const ids = new Map<number, string>();
        for (const n of this.runningNodes()) {
          const infos = await this.status(n.index, admin);
          const hosts = infos.map((i) => hostOf(i)).sort();
          if (JSON.stringify(hosts) !== JSON.stringify(expected)) throw new Error(`node ${n.index} lists ${hosts.join(', ')}, expected ${expected.join(', ')}`);
          const key = JSON.stringify(infos.map((i) => `${hostOf(i)}=${i.id}`).sort());
          if (agreed !== undefined && key !== agreed) throw new Error(`nodes disagree: ${agreed} vs ${key}`);
          agreed = key;
          for (const i of infos) ids.set(Number(hostOf(i).split('.')[3]) - 1, i.id);
        }
        return ids;
      },
      timeoutMs,
      100,
    );
  }

  /** Runs SQL on the cluster's database. */
  async query<T extends Record<string, any> = Record<string, any>>(sql: string, params: unknown[] = []): Promise<T[]> {
    this.pool ??= databasePool(this.database);
    return (await this.pool.query(sql, params)).rows as T[];
  }

  /** The MM_* environment of node `index`. */
  nodeEnv(index: number, secret = this.secret, extra: Record<string, string> = {}): Record<string, string> {
    const host = nodeHost(index);
    const dir = join(this.dir, `node${index}`);
    return {
      ...serverEnv(host, HTTP_PORT, this.database, dir),
      MM_SERVICESETTINGS_SITEURL: this.siteUrl,
      // One file store for all nodes, as a cluster needs (NFS or S3 in production).
      MM_FILESETTINGS_DIRECTORY: join(this.dir, 'files'),
      MM_SQLSETTINGS_MAXOPENCONNS: '15',
      MM_LOGSETTINGS_CONSOLELEVEL: process.env.CLUSTER_TEST_LOG_LEVEL ?? 'WARN',
      MM_CLUSTERSETTINGS_ENABLE: 'true',
      MM_CLUSTERSETTINGS_CLUSTERNAME: this.clusterName,
      MM_CLUSTERSETTINGS_CLUSTERSECRET: secret,
      MM_CLUSTERSETTINGS_BINDADDRESS: host,
      MM_CLUSTERSETTINGS_ADVERTISEADDRESS: host,
      MM_METRICSSETTINGS_LISTENADDRESS: `${host}:${METRICS_PORT}`,
      ...this.options.env,
      ...this.options.nodeEnv?.(index),
      ...extra,
    };
  }

  /** Creates (does not start) node `index`. */
  private createNode(index: number, opts: AddNodeOptions = {}): ClusterNode {
    const dir = join(this.dir, `node${index}`);
    mkdirSync(dir, { recursive: true });
    const env = this.nodeEnv(index, opts.secret ?? this.secret, opts.env);
    const node = new ClusterNode(index, dir, env, {
      execArgv: this.options.execArgv?.(index),
      stopTimeoutMs: this.options.stopTimeoutMs,
      startTimeoutMs: this.options.startTimeoutMs,
      entry: this.options.entry?.(index),
    });
    this.nodes[index] = node;
    return node;
  }

  /** Starts the initial nodes together (they race for the migration lock, as in production). */
  async startNodes(count: number): Promise<void> {
    const nodes = Array.from({ length: count }, (_, i) => this.createNode(i));
    const results = await Promise.allSettled(nodes.map((n) => n.start()));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length) throw new Error(failed.map((f) => String(f.reason?.message ?? f.reason)).join('\n\n'));
  }

  /** Starts one more node on the next address (not behind nginx). */
  async addNode(opts: AddNodeOptions = {}): Promise<ClusterNode> {
    const node = this.createNode(this.nodes.length, opts);
    await node.start();
    return node;
  }

  /** Stops node `index` if it still runs (gracefully), then starts it again with the same settings. */
  async restart(index: number): Promise<ClusterNode> {
    const node = this.node(index);
    await node.restart();
    return node;
  }

  async startNginx(): Promise<void> {
    const port = Number(new URL(this.siteUrl).port);
    const upstreams = this.nodes.map((n) => `${n.host}:${HTTP_PORT}`);
    this.nginx = new Nginx(join(this.dir, 'nginx'), port, upstreams, this.options.nginxAccessLog ?? true);
    await this.nginx.start();
  }

  /** Logs of every node, for a failure message. */
  logs(): string {
    return this.nodes.map((n) => `--- node ${n.index} (${n.host}, ${n.state})\n${n.logs.slice(-4000)}`).join('\n');
  }

  /**
   * Closes sockets, stops nginx and every node, drops the database (unless it was given one, or
   * `keepDatabase`) and removes the folder (unless CLUSTER_TEST_KEEP is set). Never throws.
   */
  async stop({ keepDatabase = false } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const s of this.sockets) {
      try {
        s.close();
      } catch {
        /* already closed */
      }
    }
    const steps: Array<Promise<unknown>> = [this.nginx?.stop() ?? Promise.resolve(), ...this.nodes.map((n) => n.stop())];
    await Promise.allSettled(steps);
    await this.pool?.end().catch(() => undefined);
    if (!this.options.database && !keepDatabase) await dropDatabase(this.database).catch(() => undefined);
    if (!process.env.CLUSTER_TEST_KEEP) rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Starts a cluster: a fresh database (or the one given), `nodes` nodes on 127.0.0.1… started
 * together, then nginx in front of them. Cleans everything up if any part fails to start.
 */
export async function startCluster(opts: ClusterOptions = {}): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'mm-cluster-'));
  const database = opts.database ?? (await createDatabase());
  const withNginx = opts.nginx ?? true;
  // Clients reach the cluster through nginx, so that is the SiteURL (picked before the nodes start).
  const nginxPort = withNginx ? await freePort() : 0;
  const siteUrl = withNginx ? `http://127.0.0.1:${nginxPort}` : `http://${nodeHost(0)}:${HTTP_PORT}`;
  const cluster = new TestCluster(database, dir, siteUrl, opts);
  try {
    await cluster.startNodes(opts.nodes ?? 3);
    if (withNginx) await cluster.startNginx();
    return cluster;
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}
