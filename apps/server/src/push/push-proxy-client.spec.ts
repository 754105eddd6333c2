import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PushRecorder, startPushRecorder } from '#testing';
import { emptyPush } from './push-notification.js';
import { PushProxyClient, PushProxyError } from './push-proxy-client.js';

let proxy: PushRecorder;
beforeAll(async () => {
  proxy = await startPushRecorder();
});
afterAll(() => proxy?.stop());

describe('PushProxyClient against a push proxy', () => {
  const client = new PushProxyClient(500);
  const msg = emptyPush({ type: 'message', message: 'hi', device_id: 'tok', platform: 'apple_rn' });

  it('posts the message to /api/v1/send_push as Go marshals it, and reads OK, REMOVE and FAIL', async () => {
    proxy.reply(() => ({ status: 'OK' }));
    expect(await client.sendPush(proxy.url + '/', msg)).toEqual({ status: 'OK' });
    expect(proxy.sends.at(-1)).toEqual({
      ack_id: '',
      platform: 'apple_rn',
      server_id: '',
      device_id: 'tok',
      post_id: '',
      type: 'message',
      message: 'hi',
      is_crt_enabled: false,
      is_id_loaded: false,
      signature: '',
    });
    proxy.reply(() => ({ status: 'REMOVE' }));
    expect(await client.sendPush(proxy.url, msg)).toEqual({ status: 'REMOVE' });
    proxy.reply(() => ({ status: 'FAIL', error: 'BadDeviceToken' }));
    expect(await client.sendPush(proxy.url, msg)).toEqual({ status: 'FAIL', error: 'BadDeviceToken' });
  });

  it('gives up on a proxy that does not answer within its timeout', async () => {
    proxy.reply(() => 'hang');
    await expect(client.sendPush(proxy.url, msg)).rejects.toThrow(/timed out/);
  });

  it('relays acks to /api/v1/ack, without an empty post_id', async () => {
    await client.sendAck(proxy.url, { id: 'a1', received_at: 5, platform: 'android', type: 'clear', post_id: '', is_id_loaded: false });
    expect(proxy.acks.at(-1)).toEqual({ id: 'a1', received_at: 5, platform: 'android', type: 'clear', is_id_loaded: false });
  });

  it('refuses a non-200 answer, an answer that is not JSON, and a refused connection', async () => {
    const odd = createServer((req, res) => {
      if (req.url === '/bad/api/v1/send_push') res.writeHead(500).end('{"status":"OK"}');
      else res.writeHead(200).end('not json');
    });
    await new Promise<void>((r) => odd.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(odd.address() as AddressInfo).port}`;
    try {
      await expect(client.sendPush(`${base}/bad`, msg)).rejects.toThrow('response returned error code: 500');
      await expect(client.sendPush(base, msg)).rejects.toThrow(PushProxyError);
    } finally {
      await new Promise((r) => odd.close(r));
    }
    await expect(client.sendPush(base, msg)).rejects.toThrow(PushProxyError);
  });
});
