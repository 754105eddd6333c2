/** Helpers for the specs that stand on the wire between cluster nodes (not part of the library). */
import net from 'node:net';
import { clusterLinkService, type Frames } from '../src/transport/cluster-schema.js';

/**
 * TCP forwarder whose connections the test can cut, to break streams mid-flight like a network
 * would; it records what crosses each connection, as someone sniffing the network would.
 */
export class CuttableProxy {
  private readonly sockets = new Set<net.Socket>();
  private readonly server: net.Server;
  private blocked = false;
  readonly connections: Array<{ toServer: Buffer[]; toClient: Buffer[] }> = [];

  constructor(target: { host: string; port: number }) {
    this.server = net.createServer((client) => {
      if (this.blocked) return void client.destroy();
      const upstream = net.connect(target.port, target.host);
      const wire = { toServer: [] as Buffer[], toClient: [] as Buffer[] };
      this.connections.push(wire);
      client.on('data', (d: Buffer) => wire.toServer.push(d));
      upstream.on('data', (d: Buffer) => wire.toClient.push(d));
      for (const [x, y] of [
        [client, upstream],
        [upstream, client],
      ]) {
        this.sockets.add(x);
        x.pipe(y);
        x.on('error', () => y.destroy());
        x.on('close', () => {
          this.sockets.delete(x);
          y.destroy();
        });
      }
    });
  }

  /** Listens (port 0: any free port); resolves with the port. */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve) => this.server.listen(port, host, () => resolve((this.server.address() as net.AddressInfo).port)));
  }

  /** Drops every open connection at once (data in flight is lost). */
  cut(): void {
    for (const s of this.sockets) s.destroy();
  }

  /** Cuts and refuses new connections until `unblock`. */
  block(): void {
    this.blocked = true;
    this.cut();
  }

  unblock(): void {
    this.blocked = false;
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Writes raw bytes on a new TCP connection; reports whether the server closed it within `ms`, and what it answered. */
export function sendRaw(host: string, port: number, bytes: Buffer, ms: number): Promise<{ closed: boolean; reply: Buffer }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, host, () => socket.write(bytes));
    const done = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ closed, reply: Buffer.concat(chunks) });
    };
    const timer = setTimeout(() => done(false), ms);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => {});
    socket.on('close', () => done(true));
  });
}

/**
 * Frames as the link would carry them without TLS, on the HTTP/2 stream of a call: one gRPC
 * length-prefixed message in an HTTP/2 DATA frame (RFC 9113 §6.1). What someone who can read the
 * link's bytes could write into it.
 */
export function cleartextFrames(streamId: number, frames: Frames): Buffer {
  const message = clusterLinkService.Link.requestSerialize(frames);
  const payload = Buffer.alloc(5 + message.length);
  payload.writeUInt32BE(message.length, 1);
  message.copy(payload, 5);
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header.writeUInt32BE(streamId, 5);
  return Buffer.concat([header, payload]);
}
