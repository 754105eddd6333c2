import { describe, expect, it } from 'vitest';
import { originClient } from './origin-client.js';

const none = new URLSearchParams();

describe('originClient', () => {
  it('tells the apps from browsers as Mattermost does', () => {
    expect(originClient(undefined, none)).toBe('unknown');
    expect(originClient('  ', none)).toBe('unknown');
    expect(originClient('Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0', none)).toBe('web');
    expect(originClient('Mozilla/5.0 (Macintosh) Chrome/120 Electron/28 Mattermost/5.6.0', none)).toBe('desktop');
    expect(originClient('Mattermost/2.10 (iPhone)', none)).toBe('mobile');
    expect(originClient('rnbeta/1.0', none)).toBe('mobile');
    expect(originClient('okhttp/4.9', new URLSearchParams('mobilev2=true'))).toBe('mobile');
  });
});
