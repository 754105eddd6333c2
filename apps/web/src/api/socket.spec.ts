import { describe, expect, it } from 'vitest';
import { socketUrl } from './socket';

describe('socketUrl', () => {
  it("uses this site's host with the page's security, or the configured WebsocketURL", () => {
    expect(socketUrl({ protocol: 'http:', host: '127.0.0.1:8065' })).toBe('ws://127.0.0.1:8065/api/v4/websocket');
    expect(socketUrl({ protocol: 'https:', host: 'chat.example.com' })).toBe('wss://chat.example.com/api/v4/websocket');
    expect(socketUrl({ protocol: 'https:', host: 'chat.example.com' }, 'wss://ws.example.com:8443/')).toBe('wss://ws.example.com:8443/api/v4/websocket');
  });
});
