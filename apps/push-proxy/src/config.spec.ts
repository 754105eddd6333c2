import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appleServerUrl, ConfigError, DEFAULTS, fcmServerUrl, loadConfig, parseConfig, parseListenAddress } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'push-proxy-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('push proxy config', () => {
  it("fills in Mattermost's push-proxy defaults", () => {
    const cfg = parseConfig({});
    expect(cfg).toEqual({ ...DEFAULTS, ApplePushSettings: [], AndroidPushSettings: [] });
    expect(DEFAULTS).toMatchObject({ ListenAddress: ':8066', ThrottlePerSec: 300, ThrottleMemoryStoreSize: 50000, SendTimeoutSec: 30, RetryTimeoutSec: 8 });
  });

  it('loads the sample config, and Mattermost-only settings are ignored', () => {
    const cfg = loadConfig(join(import.meta.dirname, '../../../config/push-proxy.sample.json'));
    expect(cfg.ApplePushSettings.map((s) => [s.Type, s.ApplePushTopic])).toEqual([
      ['apple', 'com.mattermost.Mattermost'],
      ['apple_rn', 'com.mattermost.react.native'],
    ]);
    expect(cfg.AndroidPushSettings.map((s) => s.Type)).toEqual(['android', 'android_rn']);
    const mattermosts = parseConfig({
      EnableConsoleLog: true,
      LogFormat: 'plain',
      ApplePushSettings: [{ Type: 'apple', ApplePushCertPrivate: '', ApplePushCertPassword: '' }],
      AndroidPushSettings: [{ Type: 'android', AndroidApiKey: '' }],
    });
    expect(mattermosts.ApplePushSettings[0].AppleServerURL).toBe('');
  });

  it('reads 0 timeouts as the defaults and keeps one attempt within the whole send', () => {
    expect(parseConfig({ SendTimeoutSec: 0, RetryTimeoutSec: 0 })).toMatchObject({ SendTimeoutSec: 30, RetryTimeoutSec: 8 });
    expect(parseConfig({ SendTimeoutSec: 5, RetryTimeoutSec: 8 })).toMatchObject({ SendTimeoutSec: 5, RetryTimeoutSec: 5 });
  });

  it('names the setting that has the wrong type', () => {
    expect(() => parseConfig({ ThrottlePerSec: '300' })).toThrow(/ThrottlePerSec must be a whole number ≥ 0, got string "300"/);
    expect(() => parseConfig({ EnableMetrics: 'yes' })).toThrow(/EnableMetrics must be true or false/);
    expect(() => parseConfig({ ApplePushSettings: {} })).toThrow(/ApplePushSettings must be an array/);
    expect(() => parseConfig({ ApplePushSettings: [{ Type: 'apple', AppleTeamID: 42 }] })).toThrow(/ApplePushSettings\[0\]\.AppleTeamID must be a string/);
    expect(() => parseConfig({ AndroidPushSettings: [{}] })).toThrow(/AndroidPushSettings\[0\]\.Type is required/);
    expect(() => parseConfig([])).toThrow(ConfigError);
  });

  it('refuses a Type configured twice and provider URLs that are not URLs', () => {
    expect(() => parseConfig({ ApplePushSettings: [{ Type: 'apple' }], AndroidPushSettings: [{ Type: 'apple' }] })).toThrow(/"apple" is configured twice/);
    expect(() => parseConfig({ ApplePushSettings: [{ Type: 'apple', AppleServerURL: 'http://127.0.0.1:1' }] })).toThrow(/AppleServerURL must be https/);
    expect(() => parseConfig({ AndroidPushSettings: [{ Type: 'android', FCMServerURL: 'nope' }] })).toThrow(/FCMServerURL must be a URL/);
  });

  it("points each platform at Apple's and Google's servers unless told otherwise", () => {
    const cfg = parseConfig({
      ApplePushSettings: [{ Type: 'apple' }, { Type: 'apple_dev', ApplePushUseDevelopment: true }, { Type: 'local', AppleServerURL: 'https://127.0.0.1:4443' }],
      AndroidPushSettings: [{ Type: 'android' }, { Type: 'local_android', FCMServerURL: 'http://127.0.0.1:9000/' }],
    });
    expect(cfg.ApplePushSettings.map(appleServerUrl)).toEqual(['https://api.push.apple.com', 'https://api.sandbox.push.apple.com', 'https://127.0.0.1:4443']);
    expect(cfg.AndroidPushSettings.map(fcmServerUrl)).toEqual(['https://fcm.googleapis.com', 'http://127.0.0.1:9000']);
  });

  it('reads ListenAddress as Go does', () => {
    expect(parseListenAddress(':8066')).toEqual({ port: 8066 });
    expect(parseListenAddress('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListenAddress('[::1]:8066')).toEqual({ host: '::1', port: 8066 });
    for (const bad of ['8066', ':99999', 'host:', '']) expect(() => parseListenAddress(bad), bad).toThrow(/ListenAddress/);
    expect(() => parseConfig({ ListenAddress: '8066' })).toThrow(/ListenAddress/);
  });

  it('says which file could not be read or parsed', () => {
    expect(() => loadConfig(join(dir, 'missing.json'))).toThrow(/cannot read the config file .*missing\.json/);
    writeFileSync(join(dir, 'bad.json'), '{"ListenAddress":');
    expect(() => loadConfig(join(dir, 'bad.json'))).toThrow(/bad\.json is not valid JSON/);
    writeFileSync(join(dir, 'wrong.json'), '{"SendTimeoutSec": -1}');
    expect(() => loadConfig(join(dir, 'wrong.json'))).toThrow(/wrong\.json: SendTimeoutSec/);
  });
});
