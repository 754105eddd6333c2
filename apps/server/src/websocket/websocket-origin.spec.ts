import { describe, expect, it } from 'vitest';
import { originAllowed } from './websocket.server.js';

describe('the WebSocket upgrade origin check', () => {
  it('lets in clients without Origin, pages of the same host, and pages of SiteURL behind a proxy that drops the port', () => {
    expect(originAllowed(undefined, 'chat.example.com', '', '')).toBe(true);
    expect(originAllowed('https://chat.example.com', 'chat.example.com', '', '')).toBe(true);
    expect(originAllowed('http://127.0.0.1:8065', '127.0.0.1:8065', '', '')).toBe(true);
    // nginx on :8080 passes Host "127.0.0.1" ($host has no port); the page's origin is SiteURL's.
    expect(originAllowed('http://127.0.0.1:8080', '127.0.0.1', 'http://127.0.0.1:8080', '')).toBe(true);
    expect(originAllowed('http://127.0.0.1:8080', '127.0.0.1', 'http://127.0.0.1:8080/mattermost', '')).toBe(true);
  });

  it('refuses other sites unless AllowCorsFrom lists them (or *)', () => {
    expect(originAllowed('https://evil.example', 'chat.example.com', 'https://chat.example.com', '')).toBe(false);
    expect(originAllowed('http://127.0.0.1:9999', '127.0.0.1', 'http://127.0.0.1:8080', '')).toBe(false);
    expect(originAllowed('https://evil.example', 'chat.example.com', '', 'https://a.example https://evil.example')).toBe(true);
    expect(originAllowed('https://evil.example', 'chat.example.com', '', '*')).toBe(true);
    expect(originAllowed('not a url', 'chat.example.com', 'https://chat.example.com', '')).toBe(false);
  });
});
