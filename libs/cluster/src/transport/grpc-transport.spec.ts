import 'reflect-metadata';
import { createHash } from 'node:crypto';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import * as x509 from '@peculiar/x509';
import { afterEach, describe, expect, it } from 'vitest';
import { cleartextFrames, CuttableProxy, sendRaw } from '../../test-fixtures/wire-kit.js';
import { CLUSTER_PROTOCOL, FIRST_CLUSTER_PROTOCOL, type NodeInfo } from '../contracts.js';
import { clusterLinkService, FrameKind, type Frame, type Frames } from './cluster-schema.js';
import { GrpcTransport, type GrpcTransportOptions, type TransportLogger } from './grpc-transport.js';
import { AUTH_HEADERS, dialerProof, newNonce } from './link-auth.js';
import { certificateFingerprint, derivedLinkTls, type LinkTls } from './link-tls.js';

// Loopback only. Nodes live on 127.0.0.1/2/3 sharing one port, as three hosts would.
const CLUSTER = 'spec-cluster';
const HOSTS = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];

/** 26-char ids whose order we choose: the lower id dials. */
const nodeId = (letter: string) => letter.repeat(26);
const A = nodeId('a');
const B = nodeId('b');
const C = nodeId('c');

function nodeInfo(id: string, hostname: string, port: number): NodeInfo {
  return { id, clusterName: CLUSTER, hostname, gossipPort: 0, streamingPort: port, version: 'test', schemaVersion: '1', configHash: '', startedAt: 0 };
}

/** A port free on every address we bind. */
async function freePort(hosts = [...HOSTS, '127.0.0.4']): Promise<number> {
  for (;;) {
    const probe = net.createServer();
    const port = await new Promise<number>((resolve) => probe.listen(0, hosts[0], () => resolve((probe.address() as net.AddressInfo).port)));
    const others = await Promise.all(
      hosts.slice(1).map(
        (host) =>
          new Promise<net.Server | null>((resolve) => {
            const s = net.createServer();
            s.once('error', () => resolve(null));
            s.listen(port, host, () => resolve(s));
          }),
      ),
    );
    await Promise.all([probe, ...others].map((s) => s && new Promise((r) => s.close(r))));
    if (others.every(Boolean)) return port;
  }
}

class Logs implements TransportLogger {
  lines: string[] = [];
  log = (m: string) => void this.lines.push(`log ${m}`);
  warn = (m: string) => void this.lines.push(`warn ${m}`);
  error = (m: string) => void this.lines.push(`error ${m}`);
  debug = (m: string) => void this.lines.push(`debug ${m}`);
  has(pattern: RegExp): boolean {
    return this.lines.some((l) => pattern.test(l));
  }
}

const running: GrpcTransport[] = [];
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((t) => t.stop()));
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

interface TestNode {
  info: NodeInfo;
  transport: GrpcTransport;
  logs: Logs;
  /** Payloads of message type 'n', per sender. */
  got: Map<string, unknown[]>;
}

function makeNode(info: NodeInfo, port: number, extra: Partial<GrpcTransportOptions> = {}): TestNode {
  const logs = new Logs();
  const transport = new GrpcTransport({
    self: info,
    bindAddress: info.hostname,
    port,
    secrets: ['s3cret'],
    clusterName: CLUSTER,
    logger: logs,
    stopDrainMs: 500,
    ...extra,
  });
  const got = new Map<string, unknown[]>();
  transport.onMessage('n', (payload, from) => {
    if (!got.has(from)) got.set(from, []);
    got.get(from)!.push(payload);
  });
  return { info, transport, logs, got };
}

async function startNode(node: TestNode): Promise<TestNode> {
  await node.transport.start();
  running.push(node.transport);
  return node;
}

function link(nodes: TestNode[]): void {
  for (const n of nodes) for (const m of nodes) if (n !== m) n.transport.addPeer(m.info);
}

async function waitFor(condition: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);
const received = (node: TestNode, from: string) => node.got.get(from) ?? [];

/** An operator's own PKI, as openssl would make one: a CA, and certificates naming each node's address. */
async function operatorPki(): Promise<(address: string) => Promise<LinkTls>> {
  const alg = { name: 'Ed25519' };
  const newKeys = () => crypto.subtle.generateKey(alg, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
  const caKeys = await newKeys();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=operator CA',
    keys: caKeys,
    signingAlgorithm: alg,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
  });
  return async (address) => {
    const keys = await newKeys();
    const cert = await x509.X509CertificateGenerator.create({
      subject: `CN=${address}`,
      issuer: ca.subject,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: alg,
      extensions: [
        new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: address }]),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      ],
    });
    const key = Buffer.from(await crypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
    return {
      ca: Buffer.from(ca.toString('pem')),
      cert: Buffer.from(cert.toString('pem')),
      key: Buffer.from(`-----BEGIN PRIVATE KEY-----\n${key}\n-----END PRIVATE KEY-----\n`),
      names: 'hostname',
    };
  };
}

/** a (dialer) and b (server) linked, a reaching b through a proxy on 127.0.0.4. */
async function linkedThroughProxy(): Promise<{ a: TestNode; b: TestNode; proxy: CuttableProxy; port: number }> {
  const port = await freePort();
  const a = await startNode(makeNode(nodeInfo(A, HOSTS[0], port), port));
  const b = await startNode(makeNode(nodeInfo(B, HOSTS[1], port), port));
  const proxy = new CuttableProxy({ host: HOSTS[1], port });
  await proxy.listen('127.0.0.4', port);
  cleanups.push(() => proxy.close());
  a.transport.addPeer(nodeInfo(B, '127.0.0.4', port));
  b.transport.addPeer(a.info);
  await waitFor(() => a.transport.connectedPeers().length === 1 && b.transport.connectedPeers().length === 1, 5_000, 'link up');
  return { a, b, proxy, port };
}

const sneaky = (seq: number): Frames => ({ frames: [{ kind: FrameKind.DATA, seq, type: 'n', payload: Buffer.from(JSON.stringify(`sneaky ${seq}`)) }] });
const helloWith = (proof: string): Frames => ({
  frames: [{ kind: FrameKind.HELLO, hello: { node_id: A, send_stream: 'x', first_seq: 1, recv_stream: '', last_received: 0, proof } }],
});

/** A call the test drives frame by frame, as node a, to node b. */
interface HandDialer {
  call: grpc.ClientDuplexStream<Frames, Frames>;
  /** The dialer nonce it sent. */
  nonce: string;
  frames: Frame[];
  challenged(): Promise<void>;
  closed(): Promise<grpc.StatusObject>;
  serverCertificate(): string;
}

/** Dials over TLS with `tls`; `headers` replace the call metadata of node a dialling b ('' leaves one out). */
async function handDial(host: string, port: number, tls: LinkTls, headers: Record<string, string> = {}): Promise<HandDialer> {
  const credentials = grpc.credentials.createSsl(tls.ca, tls.key, tls.cert, { checkServerIdentity: () => undefined });
  const client = new grpc.Client(`${host}:${port}`, credentials, { 'grpc.ssl_target_name_override': 'mmchat-cluster', 'grpc.use_local_subchannel_pool': 1 });
  const sent = { [AUTH_HEADERS.nodeId]: A, [AUTH_HEADERS.target]: B, [AUTH_HEADERS.clusterName]: CLUSTER, [AUTH_HEADERS.nonce]: newNonce(), ...headers };
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(sent)) if (value) metadata.set(key, value);
  const m = clusterLinkService.Link;
  const call = client.makeBidiStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, metadata);
  const frames: Frame[] = [];
  const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
  call.on('data', (batch: Frames) => frames.push(...batch.frames));
  call.on('error', () => {});
  cleanups.push(() => {
    call.cancel();
    client.close();
  });
  return {
    call,
    nonce: sent[AUTH_HEADERS.nonce],
    frames,
    challenged: () => waitFor(() => frames[0]?.kind === FrameKind.CHALLENGE, 5_000, 'the challenge'),
    closed: () => Promise.race([status, sleep(5_000).then(() => Promise.reject(new Error('the call stayed open')))]),
    serverCertificate: () => call.getAuthContext()?.sslPeerCertificate?.fingerprint256 ?? '',
  };
}

describe('GrpcTransport', () => {
  it('three nodes on one port: broadcast and send arrive in order, exactly once', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const nodes = await Promise.all([A, B, C].map((id, i) => startNode(makeNode(nodeInfo(id, HOSTS[i], port), port))));
    link(nodes);
    // Sent before the links are up: buffered, then delivered.
    const N = 10_000;
    for (let i = 0; i < N; i++) for (const n of nodes) n.transport.broadcast({ type: 'n', payload: { i, from: n.info.id } });
    const [a, b, c] = nodes;
    const direct: number[] = [];
    c.transport.onMessage('direct', (p) => direct.push(p));
    for (let i = 0; i < 100; i++) a.transport.send(C, { type: 'direct', payload: i });

    await waitFor(() => nodes.every((n) => n.transport.connectedPeers().length === 2), 5_000, 'links up');
    await waitFor(() => nodes.every((n) => nodes.every((m) => m === n || received(n, m.info.id).length >= N)), 30_000, 'all messages');
    await sleep(100); // nothing extra trickles in
    for (const n of nodes) {
      for (const m of nodes) {
        if (m === n) continue;
        expect(
          received(n, m.info.id).map((p: any) => p.i),
          `${n.info.hostname} from ${m.info.hostname}`,
        ).toEqual(range(N));
      }
    }
    expect(direct).toEqual(range(100));
    await waitFor(() => nodes.every((n) => n.transport.stats().peers.every((p) => p.buffered === 0)), 2_000, 'all acknowledged');
    const statsA = a.transport.stats();
    expect(statsA.undeliverable).toBe(0);
    expect(statsA.peers.map((p) => [p.nodeId, p.connected, p.sent, p.received])).toEqual([
      [B, true, N, N],
      [C, true, N + 100, N],
    ]);
    expect(b.transport.connectedPeers().sort()).toEqual([A, C]);
  });

  it('delivers a 5 MB message, in order with small ones', { timeout: 20_000 }, async () => {
    const port = await freePort();
    const a = await startNode(makeNode(nodeInfo(A, HOSTS[0], port), port));
    const b = await startNode(makeNode(nodeInfo(B, HOSTS[1], port), port));
    link([a, b]);
    const big = Array.from({ length: (5 * 1024 * 1024) / 64 }, (_, i) => createHash('sha256').update(String(i)).digest('hex')).join('');
    const digest = createHash('sha256').update(big).digest('hex');
    const atB: string[] = [];
    const atA: string[] = [];
    b.transport.onMessage('blob', (p) => atB.push(typeof p === 'string' ? createHash('sha256').update(p).digest('hex') : p.small));
    a.transport.onMessage('blob', (p) => atA.push(typeof p === 'string' ? createHash('sha256').update(p).digest('hex') : p.small));
    a.transport.send(B, { type: 'blob', payload: { small: 'before' } });
    a.transport.send(B, { type: 'blob', payload: big });
    a.transport.send(B, { type: 'blob', payload: { small: 'after' } });
    b.transport.send(A, { type: 'blob', payload: big }); // server → dialer direction too
    await waitFor(() => atB.length === 3 && atA.length === 1, 15_000, 'the big messages');
    expect(atB).toEqual(['before', digest, 'after']);
    expect(atA).toEqual([digest]);
  });

  it('survives cut connections: reconnects, resends the missing tail, no loss, no duplicates', { timeout: 60_000 }, async () => {
    const { a, b, proxy } = await linkedThroughProxy();

    let next = 0;
    const sendBoth = (count: number) => {
      for (let k = 0; k < count; k++, next++) {
        a.transport.send(B, { type: 'n', payload: next });
        b.transport.send(A, { type: 'n', payload: next });
      }
    };
    // Cut the connection repeatedly while frames are in flight both ways.
    for (let round = 0; round < 6; round++) {
      sendBoth(1_000);
      await sleep(round % 2 ? 0 : 3);
      proxy.cut();
      await sleep(20);
    }
    // Fully down: messages sent now wait in the buffers. (Node's HTTP/2 over TLS now and then misses
    // a close while both sides write hard; keepalive then notices the dead connection within ~15 s.)
    proxy.block();
    await waitFor(() => a.transport.connectedPeers().length === 0 && b.transport.connectedPeers().length === 0, 20_000, 'link down');
    sendBoth(2_000);
    expect(a.transport.stats().peers[0].buffered).toBeGreaterThanOrEqual(2_000);
    await sleep(200);
    proxy.unblock();

    await waitFor(() => received(b, A).length >= next && received(a, B).length >= next, 15_000, 'everything after reconnecting');
    await sleep(100);
    expect(received(b, A)).toEqual(range(next));
    expect(received(a, B)).toEqual(range(next));
    const [ab] = a.transport.stats().peers;
    const [ba] = b.transport.stats().peers;
    expect(ab.connected && ba.connected).toBe(true);
    expect(a.transport.stats().undeliverable + b.transport.stats().undeliverable).toBe(0);
    expect(a.logs.has(/lost.*reconnecting/)).toBe(true);
  });

  it('a node restarted with the same id gets what was sent while it was down', { timeout: 20_000 }, async () => {
    const port = await freePort();
    const a = await startNode(makeNode(nodeInfo(A, HOSTS[0], port), port));
    let b = await startNode(makeNode(nodeInfo(B, HOSTS[1], port), port));
    link([a, b]);
    for (let i = 0; i < 500; i++) {
      a.transport.send(B, { type: 'n', payload: i });
      b.transport.send(A, { type: 'n', payload: i });
    }
    await waitFor(() => received(b, A).length === 500 && received(a, B).length === 500, 5_000, 'first batch');
    await b.transport.stop(); // waits until its frames are acknowledged
    running.splice(running.indexOf(b.transport), 1);
    await waitFor(() => a.transport.connectedPeers().length === 0, 5_000, 'a sees b gone');
    for (let i = 500; i < 1000; i++) a.transport.send(B, { type: 'n', payload: i });

    const fromB = received(a, B); // live array
    b = await startNode(makeNode(nodeInfo(B, HOSTS[1], port), port));
    b.transport.addPeer(a.info);
    for (let i = 500; i < 600; i++) b.transport.send(A, { type: 'n', payload: i });
    await waitFor(() => received(b, A).length >= 500 && received(a, B).length >= 600, 10_000, 'after restart');
    await sleep(100);
    expect(received(b, A)).toEqual(range(500, 500)); // only what the old b never got
    expect(fromB).toEqual(range(600)); // the new b's numbering starts afresh and is accepted
    expect(a.transport.stats().undeliverable).toBe(0);
  });

  it('buffers for a peer that is not up yet, up to the limit; removePeer counts the rest as undeliverable', { timeout: 20_000 }, async () => {
    const port = await freePort();
    const a = await startNode(makeNode(nodeInfo(A, HOSTS[0], port), port, { bufferLimit: { maxFrames: 5 } }));
    const bInfo = nodeInfo(B, HOSTS[1], port);
    a.transport.addPeer(bInfo);
    for (let i = 0; i < 8; i++) a.transport.send(B, { type: 'n', payload: i });
    expect(a.transport.stats()).toEqual({
      peers: [{ nodeId: B, connected: false, sent: 5, received: 0, resent: 0, messages: 0, buffered: 5, bytesSent: 0, bytesReceived: 0, reconnects: 0 }],
      undeliverable: 3,
    });
    expect(a.logs.has(/send buffer to b+ is full/)).toBe(true);

    const b = await startNode(makeNode(bInfo, port));
    b.transport.addPeer(a.info);
    await waitFor(() => received(b, A).length === 5, 5_000, 'buffered messages');
    expect(received(b, A)).toEqual(range(5));

    // A peer that never comes: its buffered messages are undeliverable when it is removed.
    const cInfo = nodeInfo(C, HOSTS[2], port);
    a.transport.addPeer(cInfo);
    for (let i = 0; i < 4; i++) a.transport.send(C, { type: 'n', payload: i });
    a.transport.removePeer(C);
    expect(a.transport.stats().undeliverable).toBe(3 + 4);
    expect(a.transport.stats().peers.map((p) => p.nodeId)).toEqual([B]);
    expect(a.logs.has(/4 cluster messages to c+ are undeliverable \(peer removed\)/)).toBe(true);
    a.transport.send(C, { type: 'n', payload: 'late' });
    expect(a.transport.stats().undeliverable).toBe(8);
  });

  describe('authentication', () => {
    it('refuses a node with the wrong secret at TLS, in either role; nothing is delivered', { timeout: 20_000 }, async () => {
      const port = await freePort();
      const a = await startNode(makeNode(nodeInfo(A, HOSTS[0], port), port, { secrets: ['wrong'] }));
      const b = await startNode(makeNode(nodeInfo(B, HOSTS[1], port), port));
      const c = await startNode(makeNode(nodeInfo(C, HOSTS[2], port), port, { secrets: ['other'] }));
      link([a, b, c]);
      for (const n of [a, b, c]) n.transport.broadcast({ type: 'n', payload: 'hi' });
      // Each dialer finds the server's certificate untrusted (the server refuses the dialer's too).
      await waitFor(
        () => a.logs.has(/cannot open cluster link to b+ .*certificate/) && b.logs.has(/cannot open cluster link to c+ .*certificate/),
        5_000,
        'refusals',
      );
      await sleep(300);
      for (const n of [a, b, c]) {
        expect(n.transport.connectedPeers()).toEqual([]);
        expect(n.got.size).toBe(0);
      }
    });

    it('challenges every call: an answer is good for its own challenge only, and only once', { timeout: 20_000 }, async () => {
      const port = await freePort();
      const b = await startNode(makeNode(nodeInfo(B, HOSTS[1], port), port));
      b.transport.addPeer(nodeInfo(A, HOSTS[0], port));
      // The test dials as node a, with the certificate a's own start would issue itself.
      const tlsA = await derivedLinkTls(['s3cret'], CLUSTER, A);
      const answer = (call: HandDialer, secret = 's3cret') =>
        helloWith(
          dialerProof(secret, {
            clusterName: CLUSTER,
            dialer: A,
            server: B,
            dialerNonce: call.nonce,
            serverNonce: call.frames[0].nonce!,
            dialerCertificate: certificateFingerprint(tlsA.cert),
            serverCertificate: call.serverCertificate(),
          }),
        );

      // A sound answer gets in, and frames after it are delivered.
      const first = await handDial(HOSTS[1], port, tlsA);
      await first.challenged();
      const captured = answer(first);
      first.call.write(captured);
      await waitFor(() => first.frames.some((f) => f.kind === FrameKind.HELLO), 5_000, 'the server HELLO');
      first.call.write(sneaky(1));
      await waitFor(() => received(b, A).length === 1, 5_000, 'a frame on the authenticated call');

      // The same answer on a new call (even with the same dialer nonce) meets a new challenge: refused.
      const second = await handDial(HOSTS[1], port, tlsA, { [AUTH_HEADERS.nonce]: first.nonce });
      await second.challenged();
      expect(second.frames[0].nonce).not.toBe(first.frames[0].nonce);
      second.call.write(captured);
      second.call.write(sneaky(2));
      expect(await second.closed()).toMatchObject({ code: grpc.status.UNAUTHENTICATED, details: expect.stringContaining('bad proof') });
      expect(second.frames.map((f) => f.kind)).toEqual([FrameKind.CHALLENGE]);

      // One answer per challenge: a wrong one spends it, the right one after it is refused.
      const third = await handDial(HOSTS[1], port, tlsA);
      await third.challenged();
      third.call.write(answer(third, 'guess'));
      third.call.write(answer(third));
      third.call.write(sneaky(3));
      expect(await third.closed()).toMatchObject({ code: grpc.status.UNAUTHENTICATED, details: expect.stringContaining('bad proof') });

      // Frames instead of an answer: refused.
      const fourth = await handDial(HOSTS[1], port, tlsA);
      await fourth.challenged();
      fourth.call.write(sneaky(4));
      expect(await fourth.closed()).toMatchObject({ code: grpc.status.UNAUTHENTICATED, details: expect.stringContaining('expected HELLO first') });

      // Only the authenticated call delivered anything, and it is still b's link with a.
      await sleep(100);
      expect(received(b, A)).toEqual(['sneaky 1']);
      expect(b.transport.connectedPeers()).toEqual([A]);
      expect(b.logs.has(/refused cluster link .*node a+.*bad proof/)).toBe(true);
    });

    it('refuses calls that do not say who they are, or whose certificate names another node', { timeout: 20_000 }, async () => {
      const port = await freePort();
      const b = await startNode(makeNode(nodeInfo(B, HOSTS[1], port), port));
      b.transport.addPeer(nodeInfo(A, HOSTS[0], port));
      const tlsA = await derivedLinkTls(['s3cret'], CLUSTER, A);
      const tlsC = await derivedLinkTls(['s3cret'], CLUSTER, C);
      for (const [tls, headers, code, details] of [
        [tlsA, { [AUTH_HEADERS.nonce]: '' }, grpc.status.UNAUTHENTICATED, 'missing credentials'],
        [tlsA, { [AUTH_HEADERS.clusterName]: 'other-cluster' }, grpc.status.UNAUTHENTICATED, 'wrong cluster'],
        [tlsC, {}, grpc.status.UNAUTHENTICATED, `certificate is not node ${A}'s`],
        [tlsA, { [AUTH_HEADERS.target]: C }, grpc.status.FAILED_PRECONDITION, `not ${C}`],
      ] as const) {
        const call = await handDial(HOSTS[1], port, tls, headers);
        expect(await call.closed(), details).toMatchObject({ code, details: expect.stringContaining(details) });
        expect(call.frames).toEqual([]);
      }
      expect(b.got.size).toBe(0);
    });

    it('with the operator’s certificates: links nodes whose certificates name their addresses, and no other', { timeout: 20_000 }, async () => {
      const port = await freePort();
      const issue = await operatorPki();
      const a = await startNode(makeNode(nodeInfo(A, HOSTS[0], port), port, { tls: await issue(HOSTS[0]) }));
      const b = await startNode(makeNode(nodeInfo(B, HOSTS[1], port), port, { tls: await issue(HOSTS[1]) }));
      // c's certificate names an address that is not c's.
      const c = await startNode(makeNode(nodeInfo(C, HOSTS[2], port), port, { tls: await issue('127.0.0.9') }));
      link([a, b, c]);
      await waitFor(() => a.transport.connectedPeers().includes(B), 5_000, 'a and b linked');
      await waitFor(() => a.logs.has(/cannot open cluster link to c+ .*127\.0\.0\.3 is not in the cert's list/), 5_000, 'a refusing c');
      expect(a.transport.connectedPeers()).toEqual([B]);
      expect(c.transport.connectedPeers()).toEqual([]);
    });

    it('with the operator’s certificates, does not stream to a server that cannot prove it holds the secret', { timeout: 20_000 }, async () => {
      const port = await freePort();
      // One CA for the whole deployment, unrelated to the cluster secret: the impostor has a valid certificate.
      const issue = await operatorPki();
      const a = await startNode(makeNode(nodeInfo(A, HOSTS[0], port), port, { tls: await issue(HOSTS[0]) }));
      const impostorTls = await issue(HOSTS[1]);
      const impostor = new grpc.Server();
      const seen: Frame[] = [];
      impostor.addService(clusterLinkService, {
        Link: (call: grpc.ServerDuplexStream<Frames, Frames>) => {
          call.on('data', (batch: Frames) => {
            seen.push(...batch.frames);
            call.write({
              frames: [{ kind: FrameKind.HELLO, hello: { node_id: B, send_stream: 'y', first_seq: 1, recv_stream: '', last_received: 0, proof: 'trust me' } }],
            });
          });
          call.on('error', () => {});
          call.write({ frames: [{ kind: FrameKind.CHALLENGE, nonce: newNonce() }] });
        },
      });
      const credentials = grpc.ServerCredentials.createSsl(impostorTls.ca, [{ private_key: impostorTls.key, cert_chain: impostorTls.cert }], true);
      await new Promise<number>((resolve, reject) => impostor.bindAsync(`${HOSTS[1]}:${port}`, credentials, (e, p) => (e ? reject(e) : resolve(p))));
      cleanups.push(() => impostor.forceShutdown());
      a.transport.addPeer(nodeInfo(B, HOSTS[1], port));
      a.transport.send(B, { type: 'n', payload: 'secret stuff' });
      await waitFor(() => a.logs.has(/could not prove/), 5_000, 'proof rejected');
      await sleep(200);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every((f) => f.kind === FrameKind.HELLO)).toBe(true);
      expect(a.transport.connectedPeers()).toEqual([]);
      expect(a.transport.stats().peers[0].buffered).toBe(1);
    });

    it('rotation: each step of a rolling rotation links with the steps next to it', { timeout: 20_000 }, async () => {
      const port = await freePort();
      const D = nodeId('d');
      const steps = [['old'], ['old', 'new'], ['new', 'old'], ['new']];
      const nodes = await Promise.all(
        [A, B, C, D].map((id, i) => startNode(makeNode(nodeInfo(id, [...HOSTS, '127.0.0.4'][i], port), port, { secrets: steps[i] }))),
      );
      for (let i = 0; i + 1 < nodes.length; i++) link([nodes[i], nodes[i + 1]]);
      for (const n of nodes) n.transport.broadcast({ type: 'n', payload: n.info.id });
      await waitFor(() => nodes.every((n, i) => n.got.size === (i === 0 || i === nodes.length - 1 ? 1 : 2)), 5_000, 'neighbours linked');
      expect(nodes[1].transport.connectedPeers().sort()).toEqual([A, C]);
      expect(nodes[2].transport.connectedPeers().sort()).toEqual([B, D]);
    });

    it('rotation with the operator’s certificates: [new, old] gets through to a node still on [old], whichever side dials', { timeout: 20_000 }, async () => {
      const port = await freePort();
      const issue = await operatorPki();
      // a (dials, old secret only) → b (new + old)
      const a = await startNode(makeNode(nodeInfo(A, HOSTS[0], port), port, { secrets: ['old'], tls: await issue(HOSTS[0]) }));
      const b = await startNode(makeNode(nodeInfo(B, HOSTS[1], port), port, { secrets: ['new', 'old'], tls: await issue(HOSTS[1]) }));
      // b (dials c, answers with new first) → c (old only): refused once, then b answers with old.
      const c = await startNode(makeNode(nodeInfo(C, HOSTS[2], port), port, { secrets: ['old'], tls: await issue(HOSTS[2]) }));
      link([a, b, c]);
      for (const n of [a, b, c]) n.transport.broadcast({ type: 'n', payload: n.info.id });
      await waitFor(() => [a, b, c].every((n) => n.got.size === 2), 5_000, 'all pairs linked');
      expect(b.transport.connectedPeers().sort()).toEqual([A, C]);
      expect(received(c, B)).toEqual([B]);
      expect(c.logs.has(/refused cluster link .*node b+.*bad proof/)).toBe(true);
    });
  });

  describe('what crosses the wire', () => {
    it('a sniffed connection shows neither the frames nor the handshake in clear', { timeout: 20_000 }, async () => {
      const { a, b, proxy } = await linkedThroughProxy();
      a.transport.send(B, { type: 'n', payload: 'the text of a post, dialer to server' });
      b.transport.send(A, { type: 'n', payload: 'the text of a post, server to dialer' });
      await waitFor(() => received(b, A).length === 1 && received(a, B).length === 1, 5_000, 'both messages');
      const [wire] = proxy.connections;
      for (const bytes of [Buffer.concat(wire.toServer), Buffer.concat(wire.toClient)]) {
        for (const clear of ['the text of a post', AUTH_HEADERS.nodeId, A, B, 'mmchat.cluster.ClusterLink']) expect(bytes.includes(clear), clear).toBe(false);
      }
    });

    it(
      'a recorded connection replayed on a new one is refused: the forged frame behind it is not delivered and the real link stays up',
      { timeout: 20_000 },
      async () => {
        const { a, b, proxy, port } = await linkedThroughProxy();
        a.transport.send(B, { type: 'n', payload: 'genuine' });
        await waitFor(() => received(b, A).length === 1, 5_000, 'the genuine message');
        // Behind the captured bytes: a frame in the link's cleartext HTTP/2 encoding on the captured call (stream 1).
        const forged = Buffer.concat([...proxy.connections[0].toServer, cleartextFrames(1, sneaky(1_000_000))]);
        const replay = await sendRaw(HOSTS[1], port, forged, 2_000);
        expect(received(b, A)).toEqual(['genuine']);
        expect(a.logs.has(/lost/)).toBe(false);
        expect(a.transport.connectedPeers()).toEqual([B]);
        expect(b.transport.connectedPeers()).toEqual([A]);
        expect(replay.closed).toBe(true);
        a.transport.send(B, { type: 'n', payload: 'after' });
        await waitFor(() => received(b, A).length === 2, 5_000, 'the link still carrying');
      },
    );

    it('a recorded connection replayed after the server forgot the link delivers nothing again', { timeout: 20_000 }, async () => {
      const { a, b, proxy, port } = await linkedThroughProxy();
      for (let i = 0; i < 10; i++) a.transport.send(B, { type: 'n', payload: i });
      await waitFor(() => received(b, A).length === 10, 5_000, 'the messages');
      await a.transport.stop(); // everything acknowledged
      // A membership flap: b drops its state for a and takes it back.
      b.transport.removePeer(A);
      b.transport.addPeer(a.info);
      await sendRaw(HOSTS[1], port, Buffer.concat(proxy.connections[0].toServer), 1_500);
      expect(received(b, A)).toEqual(range(10));
    });
  });

  describe('request/response', () => {
    it('answers, in both directions, and reports handler errors', { timeout: 20_000 }, async () => {
      const port = await freePort();
      const a = await startNode(makeNode(nodeInfo(A, HOSTS[0], port), port));
      const b = await startNode(makeNode(nodeInfo(B, HOSTS[1], port), port));
      link([a, b]);
      for (const n of [a, b]) {
        n.transport.onRequest('echo', async (payload, from) => ({ payload, from, by: n.info.id }));
        n.transport.onRequest('fail', () => {
          throw new Error('nope');
        });
        n.transport.onRequest('nothing', () => undefined);
      }
      // Sent before the link is up: waits in the buffer like any frame.
      await expect(a.transport.request(B, { type: 'echo', payload: [1, 'x'] }, 5_000)).resolves.toEqual({ payload: [1, 'x'], from: A, by: B });
      await expect(b.transport.request(A, { type: 'echo', payload: { q: 1 } }, 5_000)).resolves.toEqual({ payload: { q: 1 }, from: B, by: A });
      await expect(a.transport.request(B, { type: 'nothing', payload: null }, 5_000)).resolves.toBeUndefined();
      await expect(a.transport.request(B, { type: 'fail', payload: null }, 5_000)).rejects.toThrow('nope');
      await expect(a.transport.request(B, { type: 'unknown', payload: null }, 5_000)).rejects.toThrow(/no handler for cluster request unknown/);
      await expect(a.transport.request(C, { type: 'echo', payload: null }, 5_000)).rejects.toThrow(/unknown node/);
      const many = await Promise.all(range(200).map((i) => a.transport.request<{ payload: number }>(B, { type: 'echo', payload: i }, 5_000)));
      expect(many.map((r) => r.payload)).toEqual(range(200));
    });

    it('every message names its sender’s protocol; a peer not heard from yet counts as protocol 1', { timeout: 20_000 }, async () => {
      const port = await freePort();
      const a = await startNode(makeNode(nodeInfo(A, HOSTS[0], port), port));
      const b = await startNode(makeNode(nodeInfo(B, HOSTS[1], port), port));
      expect(a.transport.protocolOf(B)).toBe(FIRST_CLUSTER_PROTOCOL);
      link([a, b]);
      b.transport.onRequest('echo', (payload) => payload);
      await a.transport.request(B, { type: 'echo', payload: 1 }, 5_000);
      expect(a.transport.protocolOf(B)).toBe(CLUSTER_PROTOCOL);
      expect(b.transport.protocolOf(A)).toBe(CLUSTER_PROTOCOL);
    });

    it('times out, and rejects at once when the peer is removed', { timeout: 20_000 }, async () => {
      const port = await freePort();
      const a = await startNode(makeNode(nodeInfo(A, HOSTS[0], port), port));
      const b = await startNode(makeNode(nodeInfo(B, HOSTS[1], port), port));
      link([a, b]);
      b.transport.onRequest('slow', () => new Promise(() => {}));
      const started = Date.now();
      await expect(a.transport.request(B, { type: 'slow', payload: null }, 150)).rejects.toThrow(/timed out after 150 ms/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);

      const pending = a.transport.request(B, { type: 'slow', payload: null }, 10_000);
      await sleep(50);
      const removedAt = Date.now();
      a.transport.removePeer(B);
      await expect(pending).rejects.toThrow(/peer removed/);
      expect(Date.now() - removedAt).toBeLessThan(100);
    });
  });

  it('latency probe: 1,000 messages at ~1,000/s (logged, not asserted)', { timeout: 20_000 }, async () => {
    const port = await freePort();
    const a = await startNode(makeNode(nodeInfo(A, HOSTS[0], port), port));
    const b = await startNode(makeNode(nodeInfo(B, HOSTS[1], port), port));
    link([a, b]);
    await waitFor(() => a.transport.connectedPeers().length === 1 && b.transport.connectedPeers().length === 1, 5_000, 'link up');
    const report: string[] = [];
    for (const [from, to, label] of [
      [a, b, 'dialer→server'],
      [b, a, 'server→dialer'],
    ] as const) {
      const samples: number[] = [];
      to.transport.onMessage('lat', (p: { t: number }) => samples.push(performance.now() - p.t));
      const N = 1_000;
      const t0 = performance.now();
      let i = 0;
      await new Promise<void>((done) => {
        const tick = () => {
          const due = Math.min(N, Math.floor(performance.now() - t0) + 1); // one per millisecond
          for (; i < due; i++) from.transport.send(to.info.id, { type: 'lat', payload: { i, t: performance.now() } });
          if (i < N) setTimeout(tick, 1);
          else done();
        };
        tick();
      });
      await waitFor(() => samples.length === N, 5_000, 'latency samples');
      const sorted = [...samples].sort((x, y) => x - y);
      const q = (p: number) => sorted[Math.min(N - 1, Math.floor(p * N))].toFixed(3);
      report.push(`${label}: p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${sorted[N - 1].toFixed(3)} ms over ${(performance.now() - t0).toFixed(0)} ms`);
    }
    console.info(`[cluster transport latency, one-way, same process] ${report.join(' | ')}`);
  });
});
