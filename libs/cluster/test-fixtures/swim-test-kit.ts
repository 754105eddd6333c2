/** Small helpers shared by the cluster specs (not part of the library). */
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import type { NodeInfo } from '../src/contracts.js';

/** A UDP port free on every given address (the nodes of a test share one gossip port). */
export async function freeUdpPort(addresses: string[]): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 40_000);
    if ((await Promise.all(addresses.map((a) => udpPortFree(port, a)))).every(Boolean)) return port;
  }
  throw new Error('no free UDP port found');
}

function udpPortFree(port: number, address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind({ port, address, exclusive: true }, () => socket.close(() => resolve(true)));
  });
}

/** A 26-char id; `prefix` lets a test decide the id order (the leader is the lowest). */
export function testNodeId(prefix = ''): string {
  return (prefix + randomBytes(20).toString('hex')).slice(0, 26);
}

export function testNodeInfo(hostname: string, gossipPort: number, change: Partial<NodeInfo> = {}): NodeInfo {
  return {
    id: testNodeId(),
    clusterName: 'test-cluster',
    hostname,
    gossipPort,
    streamingPort: 8075,
    version: '11.0.0',
    schemaVersion: '2',
    configHash: 'hash-1',
    startedAt: Date.now(),
    ...change,
  };
}

/** Polls `check` every 10 ms; resolves with the time it took, rejects after `timeoutMs`. */
export async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - started;
}
