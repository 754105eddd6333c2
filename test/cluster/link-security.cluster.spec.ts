/**
 * The links between nodes against someone on the network between them. The streams
 * (StreamingPort) run over mutual TLS with a challenge-response handshake: a sniffed connection
 * shows nothing, a client without the cluster's certificate gets nowhere, and a captured
 * connection replayed against the node refuses the forged event behind it while the real link
 * stays up. Gossip datagrams (GossipPort) are taken once: a captured one sent again from another
 * address is dropped and counted.
 *
 * To stand on the wire, the test joins the cluster with a node of its own: this library's
 * membership and transport in this process, on the cluster's ninth address (nodeHost(8)), dialling one real node through a
 * recording proxy.
 */
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Channel } from '@mattermost/types/channels';
import { DISCOVERY_TYPE, GrpcTransport, SwimMembership, type NodeInfo } from '#cluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Msg, Req } from '../../apps/server/src/cluster/cluster-messages.js';
import { cleartextFrames, CuttableProxy, sendRaw } from '../../libs/cluster/test-fixtures/wire-kit.js';
import { eventually, GOSSIP_PORT, type NewUser, nodeHost, STREAMING_PORT, TestCluster } from '#testing';
import { channelWith, createPost, FORMATION_TIMEOUT_MS, startFormedCluster, teamWith, uniqueName } from './cluster-fixtures.js';

/** The test's own node, and someone else on the network. */
const OWN_HOST = nodeHost(8);
const SNIFFER_HOST = nodeHost(9);
const DATA = 2; // FrameKind.DATA

let cluster: TestCluster;
let admin: NewUser;
let member: NewUser;
let channel: Channel;
/** The real node the test's node dials through the recorder, and its id. */
let victim: number;
let victimId: string;
let own: OwnNode;

/** A cluster node in this process: the library's gossip and streams, nothing on top. */
class OwnNode {
  readonly logs: string[] = [];
  /** The WebSocket events it received (posts come as confirmed events: requests). */
  readonly events: unknown[] = [];
  readonly recorder: CuttableProxy;
  readonly transport: GrpcTransport;
  readonly membership: SwimMembership;

  constructor(
    readonly info: NodeInfo,
    secret: string,
    /** Streams to this node go through the recorder at this port. */
    tapped: { id: string; port: number },
    recorder: CuttableProxy,
  ) {
    this.recorder = recorder;
    const log = (m: string) => void this.logs.push(m);
    this.transport = new GrpcTransport({
      self: info,
      bindAddress: OWN_HOST,
      port: info.streamingPort,
      secrets: [secret],
      clusterName: info.clusterName,
      logger: { log, warn: log, error: log },
    });
    this.transport.onMessage(Msg.WsEvent, (payload) => void this.events.push(payload));
    this.transport.onRequest(Req.ConfirmedWsEvent, (payload) => this.events.push(payload) > 0);
    this.membership = new SwimMembership({ self: info, bindAddress: OWN_HOST, secrets: [secret], log: (_, m) => log(m) });
    this.membership.on('join', (node) => this.transport.addPeer(node.id === tapped.id ? { ...node, hostname: OWN_HOST, streamingPort: tapped.port } : node));
    this.membership.on('leave', (node) => this.transport.removePeer(node.id));
  }

  async start(seeds: string[]): Promise<void> {
    await this.transport.start();
    await this.membership.start(seeds);
  }

  async stop(): Promise<void> {
    await this.membership.stop();
    await this.transport.stop();
    await this.recorder.close();
  }

  /** Whether an event it received carries `text`. */
  heard(text: string): boolean {
    return this.events.some((e) => JSON.stringify(e).includes(text));
  }
}

beforeAll(async () => {
  let ids: Map<number, string>;
  ({ cluster, admin, nodeIds: ids } = await startFormedCluster({ nodes: 2, nginx: false }));
  member = await cluster.newUser({ via: 0 });
  channel = await channelWith(admin, await teamWith(admin, [member]), 'O', [member]);
  // The test's node dials the real node with the highest id (the lower id dials), and is not the leader.
  victim = [...ids.entries()].sort(([, x], [, y]) => (x < y ? 1 : -1))[0][0];
  victimId = ids.get(victim)!;
  const recorder = new CuttableProxy({ host: nodeHost(victim), port: STREAMING_PORT });
  const port = await recorder.listen(OWN_HOST, 0);
  const info: NodeInfo = {
    id: victimId.slice(0, -1),
    clusterName: cluster.clusterName,
    hostname: OWN_HOST,
    gossipPort: GOSSIP_PORT,
    streamingPort: STREAMING_PORT,
    version: 'test',
    schemaVersion: 'test',
    configHash: '',
    startedAt: Date.now(),
  };
  own = new OwnNode(info, cluster.secret, { id: victimId, port }, recorder);
  await own.start([0, 1].map((i) => `${nodeHost(i)}:${GOSSIP_PORT}`));
  await eventually(() => expect(own.transport.connectedPeers().sort()).toEqual([...ids.values()].sort()), FORMATION_TIMEOUT_MS);
});

afterAll(async () => {
  await own?.stop();
  await cluster?.stop();
});

describe('the streams between nodes', () => {
  it('show a sniffer neither a post nor the handshake, and answer nothing to a client without TLS', async () => {
    const text = uniqueName('a post nobody on the wire may read ');
    await createPost(cluster.clientAs(admin, victim), channel.id, text);
    await eventually(() => expect(own.heard(text)).toBe(true), 5000);
    const [wire] = own.recorder.connections;
    for (const bytes of [Buffer.concat(wire.toServer), Buffer.concat(wire.toClient)]) {
      for (const clear of [text, 'mm-cluster-node', own.info.id, victimId]) expect(bytes.includes(clear), clear).toBe(false);
    }

    // An HTTP/2 client speaking in clear, as the streams accepted before: no HTTP/2 answer, closed.
    const preface = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);
    const plain = await sendRaw(nodeHost(victim), STREAMING_PORT, preface, 3000);
    const http2Settings = plain.reply.length >= 9 && plain.reply[3] === 4;
    expect(http2Settings).toBe(false);
    expect(plain.closed).toBe(true);
  });

  it('refuse a captured connection replayed against the node: the forged event behind it reaches no one and the real link stays up', async () => {
    const socket = await cluster.socket(cluster.clientAs(member, victim), victim);
    const forgedText = uniqueName('forged ');
    const forged = {
      id: { origin: own.info.id, seq: 1 },
      event: {
        event: 'posted',
        data: {
          channel_type: 'O',
          post: JSON.stringify({ id: randomBytes(13).toString('hex'), channel_id: channel.id, user_id: admin.user.id, message: forgedText }),
        },
        broadcast: { omit_users: null, user_id: member.user.id, channel_id: '', team_id: '' },
      },
    };
    // Everything the test's node sent on its link so far, then a frame of the attacker's on the same call.
    const captured = Buffer.concat(own.recorder.connections[0].toServer);
    const frame = cleartextFrames(1, { frames: [{ kind: DATA, seq: 1_000_000, type: Msg.WsEvent, payload: Buffer.from(JSON.stringify(forged)) }] });
    const replay = await sendRaw(nodeHost(victim), STREAMING_PORT, Buffer.concat([captured, frame]), 3000);
    await socket.expectNone('posted', (e) => String(e.data.post).includes(forgedText), 1000);

    // The real link never dropped: still its first connection, and events still flow on it.
    expect(own.logs.filter((l) => /lost|cannot open|refused/.test(l))).toEqual([]);
    expect(own.recorder.connections).toHaveLength(1);
    const later = uniqueName('still flowing ');
    await createPost(cluster.clientAs(admin, victim), channel.id, later);
    await eventually(() => expect(own.heard(later)).toBe(true), 5000);
    await socket.waitFor('posted', (e) => String(e.data.post).includes(later), 5000);
    expect(replay.closed).toBe(true);
  });
});

describe('gossip between nodes', () => {
  it('drops and counts a captured datagram sent again from another address', async () => {
    // Someone on the network posing as a seed (a fresh discovery row) gets the nodes' first datagrams.
    const sniffer = createSocket('udp4');
    const capturedFrom: Array<{ datagram: Buffer; from: string }> = [];
    sniffer.on('message', (datagram, rinfo) => capturedFrom.push({ datagram, from: rinfo.address }));
    await new Promise<void>((resolve) => sniffer.bind(GOSSIP_PORT, SNIFFER_HOST, () => resolve()));
    const seedId = uniqueName('seed').padEnd(26, '0');
    try {
      await cluster.query(
        `INSERT INTO cluster_discovery (id, type, cluster_name, hostname, gossip_port, streaming_port, version, create_at, last_ping_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'test', $7, $7)`,
        [seedId, DISCOVERY_TYPE, cluster.clusterName, SNIFFER_HOST, GOSSIP_PORT, STREAMING_PORT, Date.now()],
      );
      await eventually(() => expect(capturedFrom.some((c) => c.from === nodeHost(0) || c.from === nodeHost(1))).toBe(true), 15_000, 100);
    } finally {
      await cluster.query('DELETE FROM cluster_discovery WHERE id = $1', [seedId]);
    }
    const { datagram } = capturedFrom.find((c) => c.from === nodeHost(0) || c.from === nodeHost(1))!;

    // Sent again from the sniffer's address to every node: each drops it and counts it.
    const replayedBefore = own.membership.stats().replayedDatagrams;
    await sendDatagram(sniffer, datagram, [OWN_HOST, nodeHost(0), nodeHost(1)]);
    await eventually(() => expect(own.membership.stats().replayedDatagrams).toBe(replayedBefore + 1), 3000);
    for (const i of [0, 1]) {
      await eventually(
        () =>
          expect(cluster.node(i).logs).toMatch(
            new RegExp(`gossip: dropped a datagram from ${SNIFFER_HOST.replaceAll('.', '\\.')}:8074 replayed \\(sent to another node\\) \\(\\d+ so far\\)`),
          ),
        3000,
      );
    }
    await new Promise((resolve) => sniffer.close(() => resolve(undefined)));
    // Nothing else changed: the test's node is still a member among the two real ones.
    await sleep(500);
    expect(own.membership.members()).toHaveLength(3);
  });
});

function sendDatagram(socket: Socket, datagram: Buffer, hosts: string[]): Promise<unknown> {
  return Promise.all(hosts.map((host) => new Promise((resolve) => socket.send(datagram, GOSSIP_PORT, host, resolve))));
}
