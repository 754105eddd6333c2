/**
 * The push proxy's configuration: a JSON file with Mattermost's push-proxy setting names
 * (config/mattermost-push-proxy.json there; config/push-proxy.sample.json here), its defaults,
 * and two settings of our own that point a platform at another provider URL (local test servers).
 *
 * Settings Mattermost's proxy reads that this one does not use (EnableConsoleLog, EnableFileLog,
 * LogFileLocation, LogFormat, ApplePushCertPrivate, ApplePushCertPassword, AndroidApiKey) are
 * accepted and ignored, so its config files load unchanged.
 */
import { readFileSync } from 'node:fs';

export interface ApplePushSettings {
  /** The `platform` servers send (apple, apple_rn, …). */
  Type: string;
  /** api.sandbox.push.apple.com instead of api.push.apple.com. */
  ApplePushUseDevelopment: boolean;
  /** The app's bundle id (apns-topic). */
  ApplePushTopic: string;
  /** The .p8 token-signing key from Apple's developer account, its key id and the team id. */
  AppleAuthKeyFile: string;
  AppleAuthKeyID: string;
  AppleTeamID: string;
  /** Ours: the APNs origin to use instead of Apple's (https://host:port); empty = Apple's per ApplePushUseDevelopment. */
  AppleServerURL: string;
}

export interface AndroidPushSettings {
  /** The `platform` servers send (android, android_rn, …). */
  Type: string;
  /** The Firebase project's service-account JSON (client_email, private_key, project_id, token_uri). */
  ServiceFileLocation: string;
  /** Ours: the FCM origin to use instead of Google's; empty = https://fcm.googleapis.com. */
  FCMServerURL: string;
}

export interface PushProxyConfig {
  ListenAddress: string;
  /** Requests per second per ThrottleVaryByHeader value; 0 turns throttling off. */
  ThrottlePerSec: number;
  /** How many distinct header values the throttle remembers (least recently seen are forgotten). */
  ThrottleMemoryStoreSize: number;
  /** Space-separated request headers whose values key the throttle (X-Forwarded-For behind a proxy). */
  ThrottleVaryByHeader: string;
  /** The whole send to a provider, retries included. */
  SendTimeoutSec: number;
  /** One attempt of a send (never more than SendTimeoutSec). */
  RetryTimeoutSec: number;
  /** Serve Prometheus metrics on GET /metrics. */
  EnableMetrics: boolean;
  ApplePushSettings: ApplePushSettings[];
  AndroidPushSettings: AndroidPushSettings[];
}

export const APPLE_PRODUCTION_URL = 'https://api.push.apple.com';
export const APPLE_DEVELOPMENT_URL = 'https://api.sandbox.push.apple.com';
export const FCM_URL = 'https://fcm.googleapis.com';

/** Mattermost's push-proxy defaults (its sample config and LoadConfig). */
export const DEFAULTS: Omit<PushProxyConfig, 'ApplePushSettings' | 'AndroidPushSettings'> = {
  ListenAddress: ':8066',
  ThrottlePerSec: 300,
  ThrottleMemoryStoreSize: 50000,
  ThrottleVaryByHeader: 'X-Forwarded-For',
  SendTimeoutSec: 30,
  RetryTimeoutSec: 8,
  EnableMetrics: false,
};

export class ConfigError extends Error {}

/** Reads and validates the file; throws ConfigError naming the file and the setting. */
export function loadConfig(file: string): PushProxyConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read the config file ${file}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  try {
    return parseConfig(raw);
  } catch (err) {
    if (err instanceof ConfigError) err.message = `${file}: ${err.message}`;
    throw err;
  }
}

/** Defaults filled in and every setting checked. */
export function parseConfig(raw: unknown): PushProxyConfig {
  const obj = asObject(raw, 'the config');
  const cfg: PushProxyConfig = {
    ListenAddress: str(obj, 'ListenAddress', DEFAULTS.ListenAddress),
    ThrottlePerSec: count(obj, 'ThrottlePerSec', DEFAULTS.ThrottlePerSec),
    ThrottleMemoryStoreSize: count(obj, 'ThrottleMemoryStoreSize', DEFAULTS.ThrottleMemoryStoreSize),
    ThrottleVaryByHeader: str(obj, 'ThrottleVaryByHeader', DEFAULTS.ThrottleVaryByHeader),
    // Mattermost's proxy reads 0 as "use the default" for both timeouts.
    SendTimeoutSec: count(obj, 'SendTimeoutSec', DEFAULTS.SendTimeoutSec) || DEFAULTS.SendTimeoutSec,
    RetryTimeoutSec: count(obj, 'RetryTimeoutSec', DEFAULTS.RetryTimeoutSec) || DEFAULTS.RetryTimeoutSec,
    EnableMetrics: bool(obj, 'EnableMetrics', DEFAULTS.EnableMetrics),
    ApplePushSettings: list(obj, 'ApplePushSettings').map((entry, i) => appleSettings(asObject(entry, `ApplePushSettings[${i}]`), `ApplePushSettings[${i}]`)),
    AndroidPushSettings: list(obj, 'AndroidPushSettings').map((entry, i) =>
      androidSettings(asObject(entry, `AndroidPushSettings[${i}]`), `AndroidPushSettings[${i}]`),
    ),
  };
  // One attempt never outlives the whole send (Mattermost's LoadConfig clamps it the same way).
  cfg.RetryTimeoutSec = Math.min(cfg.RetryTimeoutSec, cfg.SendTimeoutSec);
  parseListenAddress(cfg.ListenAddress);
  if (cfg.ThrottlePerSec > 0 && cfg.ThrottleMemoryStoreSize < 1) throw new ConfigError('ThrottleMemoryStoreSize must be at least 1 when ThrottlePerSec is on');
  const types = [...cfg.ApplePushSettings, ...cfg.AndroidPushSettings].map((s) => s.Type);
  const duplicate = types.find((t, i) => types.indexOf(t) !== i);
  if (duplicate) throw new ConfigError(`the Type "${duplicate}" is configured twice`);
  return cfg;
}

function appleSettings(obj: Record<string, unknown>, where: string): ApplePushSettings {
  const s: ApplePushSettings = {
    Type: str(obj, 'Type', '', where),
    ApplePushUseDevelopment: bool(obj, 'ApplePushUseDevelopment', false, where),
    ApplePushTopic: str(obj, 'ApplePushTopic', '', where),
    AppleAuthKeyFile: str(obj, 'AppleAuthKeyFile', '', where),
    AppleAuthKeyID: str(obj, 'AppleAuthKeyID', '', where),
    AppleTeamID: str(obj, 'AppleTeamID', '', where),
    AppleServerURL: str(obj, 'AppleServerURL', '', where),
  };
  if (!s.Type) throw new ConfigError(`${where}.Type is required`);
  if (s.AppleServerURL) httpUrl(s.AppleServerURL, `${where}.AppleServerURL`, ['https:']);
  return s;
}

function androidSettings(obj: Record<string, unknown>, where: string): AndroidPushSettings {
  const s: AndroidPushSettings = {
    Type: str(obj, 'Type', '', where),
    ServiceFileLocation: str(obj, 'ServiceFileLocation', '', where),
    FCMServerURL: str(obj, 'FCMServerURL', '', where),
  };
  if (!s.Type) throw new ConfigError(`${where}.Type is required`);
  if (s.FCMServerURL) httpUrl(s.FCMServerURL, `${where}.FCMServerURL`, ['https:', 'http:']);
  return s;
}

/** The APNs origin of an Apple setting. */
export const appleServerUrl = (s: ApplePushSettings): string => s.AppleServerURL || (s.ApplePushUseDevelopment ? APPLE_DEVELOPMENT_URL : APPLE_PRODUCTION_URL);

/** The FCM origin of an Android setting. */
export const fcmServerUrl = (s: AndroidPushSettings): string => (s.FCMServerURL || FCM_URL).replace(/\/+$/, '');

/** ":8066" (every interface), "127.0.0.1:8066", "[::1]:8066", "localhost:0". */
export function parseListenAddress(address: string): { host?: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(address);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new ConfigError(`ListenAddress must be host:port or :port, got "${address}"`);
  const host = m[1] ?? m[2];
  return host ? { host, port } : { port };
}

function httpUrl(value: string, where: string, protocols: string[]): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${where} must be a URL, got "${value}"`);
  }
  if (!protocols.includes(url.protocol)) throw new ConfigError(`${where} must be ${protocols.map((p) => p.slice(0, -1)).join(' or ')}, got "${value}"`);
}

function asObject(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(`${where} must be a JSON object`);
  return value as Record<string, unknown>;
}

const describe = (value: unknown) => (Array.isArray(value) ? 'an array' : value === null ? 'null' : `${typeof value} ${JSON.stringify(value)}`);
const name = (where: string | undefined, key: string) => (where ? `${where}.${key}` : key);

function str(obj: Record<string, unknown>, key: string, fallback: string, where?: string): string {
  const value = obj[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'string') throw new ConfigError(`${name(where, key)} must be a string, got ${describe(value)}`);
  return value;
}

function count(obj: Record<string, unknown>, key: string, fallback: number): number {
  const value = obj[key];
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) < 0) throw new ConfigError(`${key} must be a whole number ≥ 0, got ${describe(value)}`);
  return value as number;
}

function bool(obj: Record<string, unknown>, key: string, fallback: boolean, where?: string): boolean {
  const value = obj[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConfigError(`${name(where, key)} must be true or false, got ${describe(value)}`);
  return value;
}

function list(obj: Record<string, unknown>, key: string): unknown[] {
  const value = obj[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ConfigError(`${key} must be an array, got ${describe(value)}`);
  return value;
}
