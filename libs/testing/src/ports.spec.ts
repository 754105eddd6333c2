import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { assertPortFree, bindError, freePort } from './ports.js';

const listen = (port: number) =>
  new Promise<Server>((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(port, '127.0.0.1', () => ok(srv));
  });

describe('ports', () => {
  it('finds a free port, and sees it taken while something listens on it', async () => {
    const port = await freePort();
    expect(await bindError('127.0.0.1', port, 'tcp')).toBeNull();
    const srv = await listen(port);
    try {
      expect((await bindError('127.0.0.1', port, 'tcp'))?.message).toMatch(/EADDRINUSE/);
    } finally {
      await new Promise((r) => srv.close(r));
    }
    expect(await bindError('127.0.0.1', port, 'tcp')).toBeNull();
  });

  it('waits for a port to be released', async () => {
    const port = await freePort();
    const srv = await listen(port);
    setTimeout(() => srv.close(), 300);
    await expect(assertPortFree('127.0.0.1', port, 'tcp')).resolves.toBeUndefined();
  });
});
