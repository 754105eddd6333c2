import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import type { Response } from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '#common';
import { ConfigService } from '#config';
import type { SsoFlowsRepository } from '../sso/sso-flows.repository.js';
import type { SignInTarget, WebSignIn } from '../sso/web-sign-in.js';
import type { UsersRepository } from '../users/users.repository.js';
import type { ConfigFilesRepository } from './config-files.repository.js';
import { SAML_REQUEST } from './saml-request-cache.js';
import { SAML_RELAY, SamlService } from './saml.service.js';

/** sso_flows and used_once in memory, with the repository's take-once semantics. */
class MemoryFlows {
  readonly rows = new Map<string, object>();
  async put(kind: string, id: string, data: object) {
    this.rows.set(`${kind}:${id}`, data);
  }
  async take<T>(kind: string, id: string): Promise<T | undefined> {
    const row = this.rows.get(`${kind}:${id}`);
    this.rows.delete(`${kind}:${id}`);
    return row as T | undefined;
  }
  async useOnce() {
    return true;
  }
}

/** WebSignIn's two ends, recorded (its own rules have their own tests). */
class RecordingWeb {
  failures: Array<{ err: AppError; target?: SignInTarget }> = [];
  target(action?: string, redirectTo?: string): SignInTarget {
    return { action: (action ?? 'login') as SignInTarget['action'], redirectTo: redirectTo ?? '' };
  }
  fail(_res: Response, err: unknown, target?: SignInTarget) {
    this.failures.push({ err: err as AppError, target });
  }
  async finish() {
    throw new Error('no response in these tests is valid');
  }
}

function response() {
  const res = { location: '', redirect: (_status: number, url: string) => void (res.location = url) };
  return res;
}

let dir: string;
let config: ConfigService;
let flows: MemoryFlows;
let web: RecordingWeb;
let saml: SamlService;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'saml-service-'));
  config = new ConfigService(join(dir, 'config.json'), {});
  await config.save({
    ...config.get(),
    ServiceSettings: { ...config.get().ServiceSettings, SiteURL: 'https://chat.example' },
    SamlSettings: {
      ...config.get().SamlSettings,
      Enable: true,
      IdpURL: 'https://idp.example/sso',
      EmailAttribute: 'mail',
      IdpCertificateFile: 'saml-idp.crt',
      Encrypt: false,
    },
  });
  flows = new MemoryFlows();
  web = new RecordingWeb();
  const files = { getMany: async (names: string[]) => new Map(names.filter((n) => n === 'saml-idp.crt').map((n) => [n, Buffer.from('MIIB')])) };
  saml = new SamlService(
    config,
    files as unknown as ConfigFilesRepository,
    flows as unknown as SsoFlowsRepository,
    web as unknown as WebSignIn,
    { byAuth: async () => undefined } as unknown as UsersRepository,
  );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SamlService.start', () => {
  it('sends the browser to the IdP; the request id and the RelayState are kept for any node', async () => {
    const res = response();
    await saml.start(res as unknown as Response, { action: 'mobile', redirect_to: 'mmauth://x' });
    expect(web.failures).toEqual([]);
    const url = new URL(res.location);
    expect(url.origin + url.pathname).toBe('https://idp.example/sso');
    const request = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest')!, 'base64')).toString();
    const requestId = /\bID="([^"]+)"/.exec(request)![1];
    expect(request).toContain('AssertionConsumerServiceURL="https://chat.example/login/sso/saml"');
    expect(flows.rows.has(`${SAML_REQUEST}:${requestId}`)).toBe(true);
    expect(flows.rows.get(`${SAML_RELAY}:${url.searchParams.get('RelayState')}`)).toEqual({
      target: { action: 'mobile', redirectTo: 'mmauth://x' },
      requestId,
    });
  });

  it('fails with the missing setting instead of sending anyone to an IdP', async () => {
    await config.save({ ...config.get(), SamlSettings: { ...config.get().SamlSettings, IdpCertificateFile: '' } });
    const res = response();
    await saml.start(res as unknown as Response, {});
    expect(res.location).toBe('');
    expect(web.failures[0].err).toMatchObject({ id: 'api.user.saml.not_available.app_error' });
    expect(web.failures[0].err.detailedError).toMatch(/IdpCertificateFile/);
    expect(flows.rows.size).toBe(0);
  });
});

describe('SamlService.consume', () => {
  it('refuses a post without a response, or without a RelayState issued here', async () => {
    await saml.consume(response() as unknown as Response, {});
    await saml.consume(response() as unknown as Response, { SAMLResponse: 'PHg+', RelayState: 'never-issued' });
    await saml.consume(response() as unknown as Response, { SAMLResponse: 'PHg+' });
    expect(web.failures.map((f) => f.err.id)).toEqual([
      'ent.saml.do_login.empty_response.app_error',
      'ent.saml.do_login.invalid_relay_state.app_error',
      'ent.saml.do_login.invalid_relay_state.app_error',
    ]);
  });

  it('a RelayState is taken by its first post, which fails towards the sign-in’s own target', async () => {
    const res = response();
    await saml.start(res as unknown as Response, { action: 'mobile', redirect_to: 'mmauth://x' });
    const relay = new URL(res.location).searchParams.get('RelayState')!;
    await saml.consume(response() as unknown as Response, { SAMLResponse: Buffer.from('<not-saml/>').toString('base64'), RelayState: relay });
    await saml.consume(response() as unknown as Response, { SAMLResponse: Buffer.from('<not-saml/>').toString('base64'), RelayState: relay });
    expect(web.failures[0].target).toEqual({ action: 'mobile', redirectTo: 'mmauth://x' });
    expect(web.failures[0].err.id).toMatch(/^ent\.saml\.do_login\./);
    expect(web.failures[1]).toMatchObject({ target: undefined, err: { id: 'ent.saml.do_login.invalid_relay_state.app_error' } });
  });
});
