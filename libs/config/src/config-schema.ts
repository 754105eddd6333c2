import { Config, defaultConfig, FAKE_SETTING, SECRET_SETTINGS, SectionName } from './defaults.js';
import { tlsSettingsProblem } from './tls-settings.js';

/** A configuration problem, always naming the setting at fault. */
export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    problem: string,
  ) {
    super(`config: ${setting} ${problem}`);
  }
}

type Raw = Record<string, Record<string, unknown>>;

function typeOf(value: unknown): string {
  return Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
}

/**
 * A property the object has itself, never one inherited: a config that lacks a section must not
 * pick one up from Object.prototype (had anything polluted it).
 */
function own(object: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/**
 * Lays the values of a (partial) config over the defaults, checking each known setting's type.
 * Unknown sections and settings are ignored, as Mattermost ignores them.
 */
export function mergeWithDefaults(raw: unknown): Config {
  if (typeOf(raw) !== 'object') throw new ConfigError('(root)', 'must be a JSON object');
  const source = raw as Raw;
  const merged = structuredClone(defaultConfig) as unknown as Raw;
  for (const section of Object.keys(merged)) {
    const given = own(source, section) as Record<string, unknown> | undefined | null;
    if (given === undefined || given === null) continue;
    if (typeOf(given) !== 'object') throw new ConfigError(section, 'must be an object');
    for (const setting of Object.keys(merged[section])) {
      const value = own(given, setting);
      if (value === undefined || value === null) continue;
      const expected = typeOf(merged[section][setting]);
      if (typeOf(value) !== expected) {
        throw new ConfigError(`${section}.${setting}`, `must be a ${expected}, got ${typeOf(value)} ${JSON.stringify(value)}`);
      }
      merged[section][setting] = value;
    }
  }
  return merged as unknown as Config;
}

/**
 * Lays the sections and settings of `patch` over `base` (PUT /config/patch). Only the schema's
 * own sections and settings are copied, one by one: an unknown key, `__proto__` included, is
 * ignored instead of being merged into whatever it names (Object.assign with a `__proto__` key
 * had written into Object.prototype). Types are checked by mergeWithDefaults afterwards.
 */
export function patchConfig(base: Config, patch: Record<string, unknown>): Config {
  const out = structuredClone(base) as unknown as Raw;
  for (const section of Object.keys(defaultConfig)) {
    const settings = own(patch, section);
    if (settings === undefined) continue;
    if (typeOf(settings) !== 'object') throw new ConfigError(section, 'must be an object');
    for (const setting of Object.keys(out[section])) {
      const value = own(settings as Record<string, unknown>, setting);
      if (value !== undefined) out[section][setting] = value;
    }
  }
  return out as unknown as Config;
}

/** Parses an MM_* environment value into the type of the setting's default. */
function parseEnvValue(setting: string, template: unknown, text: string): unknown {
  switch (typeOf(template)) {
    case 'boolean':
      // The spellings Go's strconv.ParseBool takes, so Mattermost deployments' env files work unchanged.
      if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(text)) return true;
      if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(text)) return false;
      throw new ConfigError(setting, `must be true or false, got ${JSON.stringify(text)}`);
    case 'number': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) throw new ConfigError(setting, `must be a number, got ${JSON.stringify(text)}`);
      return n;
    }
    case 'array': {
      // Arrays take JSON; a bare string is accepted as a space-separated list, as Mattermost does.
      if (text.trim().startsWith('[')) {
        try {
          const parsed = JSON.parse(text);
          if (Array.isArray(parsed)) return parsed;
        } catch {
          /* fall through to the error */
        }
        throw new ConfigError(setting, `must be a JSON array, got ${JSON.stringify(text)}`);
      }
      return text.split(' ').filter(Boolean);
    }
    default:
      return text;
  }
}

/** Environment variable name for a setting: MM_<SECTION>_<SETTING>, upper case. */
export function envName(section: string, setting: string): string {
  return `MM_${section}_${setting}`.toUpperCase();
}

/**
 * Applies MM_SECTION_SETTING overrides. Returns the overridden config and the map of overridden
 * settings (the shape GET /config/environment returns).
 */
export function applyEnvOverrides(config: Config, env: NodeJS.ProcessEnv): { config: Config; overridden: Raw } {
  const result = structuredClone(config) as unknown as Raw;
  const overridden: Raw = {};
  for (const section of Object.keys(result)) {
    for (const setting of Object.keys(result[section])) {
      const text = env[envName(section, setting)];
      if (text === undefined) continue;
      result[section][setting] = parseEnvValue(`${section}.${setting}`, result[section][setting], text);
      (overridden[section] ??= {})[setting] = true;
    }
  }
  return { config: result as unknown as Config, overridden };
}

/** Parses "host:port", ":port" or "[v6]:port"; throws naming the setting when malformed. */
export function parseListenAddress(setting: string, address: string): { host: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:\s]*):(\d{1,5})$/.exec(address);
  const port = match ? Number(match[2]) : NaN;
  if (!match || port < 0 || port > 65535) {
    throw new ConfigError(setting, `must look like "host:port" or ":port", got ${JSON.stringify(address)}`);
  }
  const host = match[1].replace(/^\[|\]$/g, '');
  return { host: host === '' ? '0.0.0.0' : host, port };
}

/** Checks the rules that a type check cannot express (model.Config.IsValid, for what we use). */
export function validateConfig(config: Config): void {
  const s = config.ServiceSettings;
  parseListenAddress('ServiceSettings.ListenAddress', s.ListenAddress);
  const tls = tlsSettingsProblem(config);
  if (tls) throw new ConfigError(tls.setting, tls.problem);
  // Local mode (mmctl --local) listens on this Unix socket: it needs a path.
  if (s.EnableLocalMode && !s.LocalModeSocketLocation.trim()) {
    throw new ConfigError('ServiceSettings.LocalModeSocketLocation', 'must be a socket path when ServiceSettings.EnableLocalMode is true');
  }
  if (config.MetricsSettings.Enable) parseListenAddress('MetricsSettings.ListenAddress', config.MetricsSettings.ListenAddress);
  if (config.SqlSettings.DriverName !== 'postgres') {
    throw new ConfigError('SqlSettings.DriverName', `must be "postgres", got ${JSON.stringify(config.SqlSettings.DriverName)}`);
  }
  const ds = config.SqlSettings.DataSource;
  if (ds !== '' && !/^postgres(ql)?:\/\//.test(ds)) {
    throw new ConfigError('SqlSettings.DataSource', 'must be empty (embedded PostgreSQL) or a postgres:// URL');
  }
  validateReplicas(config.SqlSettings);
  const positive: Array<[string, number]> = [
    ['ServiceSettings.MaximumLoginAttempts', s.MaximumLoginAttempts],
    ['ServiceSettings.GracefulShutdownTimeoutSeconds', s.GracefulShutdownTimeoutSeconds],
    ['ServiceSettings.LoginLockoutDurationSeconds', s.LoginLockoutDurationSeconds],
    ['ServiceSettings.SessionLengthWebInHours', s.SessionLengthWebInHours],
    ['ServiceSettings.SessionLengthMobileInHours', s.SessionLengthMobileInHours],
    ['ServiceSettings.SessionLengthSSOInHours', s.SessionLengthSSOInHours],
    ['ServiceSettings.MaximumPayloadSizeBytes', s.MaximumPayloadSizeBytes],
    ['ServiceSettings.OutgoingIntegrationRequestsTimeout', s.OutgoingIntegrationRequestsTimeout],
    ['TeamSettings.MaxUsersPerTeam', config.TeamSettings.MaxUsersPerTeam],
    ['TeamSettings.MaxChannelsPerTeam', config.TeamSettings.MaxChannelsPerTeam],
    ['SqlSettings.MaxOpenConns', config.SqlSettings.MaxOpenConns],
    ['JobSettings.StalledJobTimeoutSeconds', config.JobSettings.StalledJobTimeoutSeconds],
    ['JobSettings.CleanupIntervalSeconds', config.JobSettings.CleanupIntervalSeconds],
    ['JobSettings.ScheduledPostsIntervalSeconds', config.JobSettings.ScheduledPostsIntervalSeconds],
    ['DataRetentionSettings.BatchSize', config.DataRetentionSettings.BatchSize],
    ['RateLimitSettings.PerSec', config.RateLimitSettings.PerSec],
    ['LogSettings.FileMaxSizeMB', config.LogSettings.FileMaxSizeMB],
    ['LogSettings.FileMaxBackups', config.LogSettings.FileMaxBackups],
    ['RateLimitSettings.MemoryStoreSize', config.RateLimitSettings.MemoryStoreSize],
  ];
  for (const [name, value] of positive) {
    if (!(value > 0)) throw new ConfigError(name, `must be greater than 0, got ${value}`);
  }
  const nonNegative: Array<[string, number]> = [
    ['ServiceSettings.LoginRateLimitPerSec', s.LoginRateLimitPerSec],
    ['ServiceSettings.LoginRateLimitMaxBurst', s.LoginRateLimitMaxBurst],
    ['ServiceSettings.LoginRateLimitPerAccountPerSec', s.LoginRateLimitPerAccountPerSec],
    ['ServiceSettings.LoginRateLimitPerAccountMaxBurst', s.LoginRateLimitPerAccountMaxBurst],
    ['ServiceSettings.PasswordResetRateLimitPerSec', s.PasswordResetRateLimitPerSec],
    ['ServiceSettings.PasswordResetRateLimitMaxBurst', s.PasswordResetRateLimitMaxBurst],
    ['ServiceSettings.PasswordResetRateLimitPerEmailPerSec', s.PasswordResetRateLimitPerEmailPerSec],
    ['ServiceSettings.PasswordResetRateLimitPerEmailMaxBurst', s.PasswordResetRateLimitPerEmailMaxBurst],
    ['ServiceSettings.PasswordResetRateLimitPerTokenPerSec', s.PasswordResetRateLimitPerTokenPerSec],
    ['ServiceSettings.PasswordResetRateLimitPerTokenMaxBurst', s.PasswordResetRateLimitPerTokenMaxBurst],
    ['RateLimitSettings.MaxBurst', config.RateLimitSettings.MaxBurst],
  ];
  for (const [name, value] of nonNegative) {
    if (!(value >= 0)) throw new ConfigError(name, `must be 0 or more, got ${value}`);
  }
  // Mattermost's FileSettings.isValid: a salt, when set, is at least 32 characters (public links are signed with it).
  const salt = config.FileSettings.PublicLinkSalt;
  if (salt !== '' && salt.length < 32) throw new ConfigError('FileSettings.PublicLinkSalt', `must be at least 32 characters, got ${salt.length}`);
  const min = config.PasswordSettings.MinimumLength;
  if (min < 5 || min > 72) throw new ConfigError('PasswordSettings.MinimumLength', `must be between 5 and 72, got ${min}`);
  for (const name of ['ConsoleLevel', 'FileLevel'] as const) {
    const level = config.LogSettings[name];
    if (!['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'].includes(level.toUpperCase())) {
      throw new ConfigError(`LogSettings.${name}`, `must be DEBUG, INFO, WARN or ERROR, got ${JSON.stringify(level)}`);
    }
  }
  if (!['lru', 'redis'].includes(config.CacheSettings.CacheType)) {
    throw new ConfigError('CacheSettings.CacheType', 'must be "lru" or "redis"');
  }
  if (!['local', 'amazons3'].includes(config.FileSettings.DriverName)) {
    throw new ConfigError('FileSettings.DriverName', 'must be "local" or "amazons3"');
  }
  // 0 would let no image through ever; -1 means one per CPU.
  const decoders = config.FileSettings.MaxImageDecoderConcurrency;
  if (!Number.isInteger(decoders) || (decoders !== -1 && decoders < 1)) {
    throw new ConfigError('FileSettings.MaxImageDecoderConcurrency', `must be -1 (one per CPU) or at least 1, got ${decoders}`);
  }
  const cluster = config.ClusterSettings;
  if (cluster.Enable) {
    if (!cluster.ClusterName) throw new ConfigError('ClusterSettings.ClusterName', 'must be set when ClusterSettings.Enable is true');
    if (cluster.ClusterSecret.length < 16)
      throw new ConfigError('ClusterSettings.ClusterSecret', 'must be at least 16 characters when ClusterSettings.Enable is true');
    for (const [name, port] of [
      ['GossipPort', cluster.GossipPort],
      ['StreamingPort', cluster.StreamingPort],
    ] as const) {
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError(`ClusterSettings.${name}`, `must be a port number, got ${port}`);
    }
    const tlsFiles = ['StreamingTLSCertFile', 'StreamingTLSKeyFile', 'StreamingTLSCAFile'] as const;
    const unset = tlsFiles.filter((name) => !cluster[name]);
    if (unset.length > 0 && unset.length < tlsFiles.length) {
      throw new ConfigError(
        `ClusterSettings.${unset[0]}`,
        `must be set when any of ${tlsFiles.join(', ')} is (all three, or none for certificates derived from the ClusterSecret)`,
      );
    }
  }
  if (!/^([01]?\d|2[0-3]):[0-5]\d$/.test(config.DataRetentionSettings.DeletionJobStartTime)) {
    throw new ConfigError(
      'DataRetentionSettings.DeletionJobStartTime',
      `must be a time of day "HH:MM", got ${JSON.stringify(config.DataRetentionSettings.DeletionJobStartTime)}`,
    );
  }
  validateEmailSettings(config.EmailSettings);
  if (!['always_on', 'default_on', 'default_off', 'disabled'].includes(s.CollapsedThreads)) {
    throw new ConfigError('ServiceSettings.CollapsedThreads', 'must be always_on, default_on, default_off or disabled');
  }
  validatePushSettings(config.EmailSettings);
}

/** The push settings (model.EmailSettings.isValid): what a push may carry, the queue's size, the proxy's URL. */
function validatePushSettings(email: Config['EmailSettings']): void {
  if (!['generic_no_channel', 'generic', 'full', 'id_loaded'].includes(email.PushNotificationContents)) {
    throw new ConfigError('EmailSettings.PushNotificationContents', 'must be generic_no_channel, generic, full or id_loaded');
  }
  if (!Number.isInteger(email.PushNotificationBuffer) || email.PushNotificationBuffer <= 0) {
    throw new ConfigError('EmailSettings.PushNotificationBuffer', `must be a whole number greater than 0, got ${email.PushNotificationBuffer}`);
  }
  const server = email.PushNotificationServer.trim();
  if (server !== '' && !/^https?:\/\/[^/\s]+/i.test(server)) {
    throw new ConfigError('EmailSettings.PushNotificationServer', `must be an http:// or https:// URL, got ${JSON.stringify(email.PushNotificationServer)}`);
  }
}

/**
 * EmailSettings.isValid: the connection security Mattermost knows, a notification contents type,
 * a batching buffer and an interval of at least 30 s (the batching job's tick). Unlike Mattermost,
 * batching is allowed in a cluster: the job system sends each digest once cluster-wide.
 */
function validateEmailSettings(e: Config['EmailSettings']): void {
  if (!['', 'TLS', 'STARTTLS'].includes(e.ConnectionSecurity)) {
    throw new ConfigError('EmailSettings.ConnectionSecurity', `must be "", "TLS" or "STARTTLS", got ${JSON.stringify(e.ConnectionSecurity)}`);
  }
  if (!['full', 'generic'].includes(e.EmailNotificationContentsType)) {
    throw new ConfigError('EmailSettings.EmailNotificationContentsType', `must be "full" or "generic", got ${JSON.stringify(e.EmailNotificationContentsType)}`);
  }
  if (!(e.EmailBatchingBufferSize > 0))
    throw new ConfigError('EmailSettings.EmailBatchingBufferSize', `must be greater than 0, got ${e.EmailBatchingBufferSize}`);
  if (!(e.EmailBatchingInterval >= 30))
    throw new ConfigError('EmailSettings.EmailBatchingInterval', `must be at least 30 (seconds), got ${e.EmailBatchingInterval}`);
  if (!(e.SMTPServerTimeout > 0)) throw new ConfigError('EmailSettings.SMTPServerTimeout', `must be greater than 0, got ${e.SMTPServerTimeout}`);
  if (e.SMTPPort !== '' && !/^\d{1,5}$/.test(e.SMTPPort))
    throw new ConfigError('EmailSettings.SMTPPort', `must be a port number, got ${JSON.stringify(e.SMTPPort)}`);
}

/** A copy with every secret replaced by the mask, as GET /config returns it. */
export function sanitizeConfig(config: Config): Config {
  const copy = structuredClone(config) as unknown as Raw;
  for (const [section, setting] of SECRET_SETTINGS) {
    const value = copy[section][setting];
    if (Array.isArray(value)) copy[section][setting] = value.map(() => FAKE_SETTING);
    else if (value !== '') copy[section][setting] = FAKE_SETTING;
  }
  // A lag entry's DataSource holds credentials like the replicas' own (Mattermost masks it too).
  const lag = (copy.SqlSettings.ReplicaLagSettings ?? []) as Array<Record<string, unknown>>;
  copy.SqlSettings.ReplicaLagSettings = lag.map((e) => (e && typeof e === 'object' && e.DataSource ? { ...e, DataSource: FAKE_SETTING } : e));
  return copy as unknown as Config;
}

/** Puts back secrets a client sent as the mask (it never saw the real value). */
export function restoreMaskedSecrets(incoming: Config, current: Config): Config {
  const copy = structuredClone(incoming) as unknown as Raw;
  const cur = current as unknown as Raw;
  for (const [section, setting] of SECRET_SETTINGS) {
    const value = copy[section][setting];
    if (value === FAKE_SETTING) copy[section][setting] = cur[section][setting];
    if (Array.isArray(value) && value.includes(FAKE_SETTING)) copy[section][setting] = cur[section][setting];
  }
  // A masked lag entry's DataSource is the current one at the same place, as Mattermost matches them.
  const lag = copy.SqlSettings.ReplicaLagSettings;
  const curLag = (cur.SqlSettings.ReplicaLagSettings ?? []) as Array<Record<string, unknown>>;
  if (Array.isArray(lag)) {
    copy.SqlSettings.ReplicaLagSettings = lag.map((e: Record<string, unknown>, i: number) =>
      e && typeof e === 'object' && e.DataSource === FAKE_SETTING ? { ...e, DataSource: curLag[i]?.DataSource ?? '' } : e,
    );
  }
  return copy as unknown as Config;
}

export function sectionNames(): SectionName[] {
  return Object.keys(defaultConfig) as SectionName[];
}

const POSTGRES_URL = /^postgres(ql)?:\/\//;

/** DataSourceReplicas, DataSourceSearchReplicas, ReplicaLagSettings and the monitor's interval. */
function validateReplicas(sql: Config['SqlSettings']): void {
  for (const name of ['DataSourceReplicas', 'DataSourceSearchReplicas'] as const) {
    sql[name].forEach((url: unknown, i: number) => {
      if (typeof url !== 'string' || !POSTGRES_URL.test(url)) throw new ConfigError(`SqlSettings.${name}[${i}]`, 'must be a postgres:// URL');
    });
  }
  if (!(Number.isInteger(sql.ReplicaMonitorIntervalSeconds) && sql.ReplicaMonitorIntervalSeconds > 0)) {
    throw new ConfigError(
      'SqlSettings.ReplicaMonitorIntervalSeconds',
      `must be a whole number of seconds greater than 0, got ${sql.ReplicaMonitorIntervalSeconds}`,
    );
  }
  sql.ReplicaLagSettings.forEach((entry: unknown, i: number) => {
    const at = `SqlSettings.ReplicaLagSettings[${i}]`;
    if (typeOf(entry) !== 'object') throw new ConfigError(at, 'must be an object {DataSource, QueryAbsoluteLag, QueryTimeLag}');
    const e = entry as Record<string, unknown>;
    if (typeof e.DataSource !== 'string' || !POSTGRES_URL.test(e.DataSource)) throw new ConfigError(`${at}.DataSource`, 'must be a postgres:// URL');
    for (const q of ['QueryAbsoluteLag', 'QueryTimeLag']) {
      if (e[q] !== undefined && e[q] !== null && typeof e[q] !== 'string') throw new ConfigError(`${at}.${q}`, `must be a string, got ${typeOf(e[q])}`);
    }
    for (const n of ['MaxAbsoluteLagBytes', 'MaxTimeLagSeconds']) {
      const v = e[n];
      if (v !== undefined && v !== null && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
        throw new ConfigError(`${at}.${n}`, `must be a number of 0 or more (0: no limit), got ${JSON.stringify(v)}`);
      }
    }
  });
}
