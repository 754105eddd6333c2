import type { NextFunction, Request, Response } from 'express';
import { describe, expect, it, vi } from 'vitest';
import { Config, ConfigService, defaultConfig } from '#config';
import { httpsRedirectTarget, strictTransportSecurity, tlsCipherList } from './tls-server.js';

function service(settings: Partial<Config['ServiceSettings']>): Config['ServiceSettings'] {
  return { ...structuredClone(defaultConfig.ServiceSettings), ...settings } as Config['ServiceSettings'];
}

describe('tlsCipherList', () => {
  it("is Mattermost's six AES-GCM suites by default, in OpenSSL's names and its order", () => {
    expect(tlsCipherList(service({}))).toBe(
      'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:AES128-GCM-SHA256:AES256-GCM-SHA384',
    );
  });

  it('takes TLSOverwriteCiphers, skipping with a warning what OpenSSL lacks, and falls back to the defaults when nothing is left', () => {
    const log = { log: vi.fn(), warn: vi.fn(), error: vi.fn() };
    expect(tlsCipherList(service({ TLSOverwriteCiphers: ['TLS_ECDHE_RSA_WITH_RC4_128_SHA', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305'] }), log)).toBe(
      'ECDHE-RSA-CHACHA20-POLY1305',
    );
    expect(log.warn).toHaveBeenCalledWith(expect.stringContaining('TLS_ECDHE_RSA_WITH_RC4_128_SHA is not supported'));
    expect(tlsCipherList(service({ TLSOverwriteCiphers: ['TLS_RSA_WITH_RC4_128_SHA'] }), log)).toMatch(/^ECDHE-ECDSA-AES128-GCM-SHA256:/);
    expect(log.warn).toHaveBeenCalledWith(expect.stringContaining('using the default suites'));
  });

  it('lowers OpenSSL 3 to security level 0 only when TLS 1.0/1.1 are allowed', () => {
    expect(tlsCipherList(service({ TLSMinVer: '1.1' }))).toMatch(/:@SECLEVEL=0$/);
    expect(tlsCipherList(service({ TLSMinVer: '1.0' }))).toMatch(/:@SECLEVEL=0$/);
    expect(tlsCipherList(service({ TLSMinVer: '1.3' }))).not.toContain('SECLEVEL');
  });
});

describe('httpsRedirectTarget', () => {
  it("keeps the host and path, and turns a port into 443 (Mattermost's handleHTTPRedirect)", () => {
    expect(httpsRedirectTarget('chat.example.com', '/login?x=1')).toBe('https://chat.example.com/login?x=1');
    expect(httpsRedirectTarget('chat.example.com:80', '/')).toBe('https://chat.example.com:443/');
    expect(httpsRedirectTarget('[::1]:80', '/a')).toBe('https://[::1]:443/a');
    expect(httpsRedirectTarget('[::1]', '/a')).toBe('https://[::1]/a');
  });
});

describe('strictTransportSecurity', () => {
  it('sends max-age from the current config only while TLSStrictTransport is on', () => {
    let settings = service({});
    const config = { get: () => ({ ServiceSettings: settings }) } as unknown as ConfigService;
    const middleware = strictTransportSecurity(config);
    const headers = (): Record<string, string> => {
      const set: Record<string, string> = {};
      const next = vi.fn() as NextFunction;
      middleware({} as Request, { setHeader: (k: string, v: string) => (set[k] = v) } as unknown as Response, next);
      expect(next).toHaveBeenCalled();
      return set;
    };
    expect(headers()).toEqual({});
    settings = service({ TLSStrictTransport: true });
    expect(headers()).toEqual({ 'Strict-Transport-Security': 'max-age=63072000' });
    settings = service({ TLSStrictTransport: true, TLSStrictTransportMaxAge: 60 });
    expect(headers()).toEqual({ 'Strict-Transport-Security': 'max-age=60' });
  });
});
