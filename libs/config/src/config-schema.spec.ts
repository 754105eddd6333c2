import { describe, expect, it } from 'vitest';
import {
  applyEnvOverrides,
  ConfigError,
  envName,
  mergeWithDefaults,
  parseListenAddress,
  patchConfig,
  restoreMaskedSecrets,
  sanitizeConfig,
  sectionNames,
  validateConfig,
} from './config-schema.js';
import { Config, defaultConfig, FAKE_SETTING, SECRET_SETTINGS } from './defaults.js';

/** Runs `fn` and returns the ConfigError it throws (fails the test if it throws anything else). */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

const defaults = (): Config => structuredClone(defaultConfig);

function withChange(change: (c: Config) => void): Config {
  const c = defaults();
  change(c);
  return c;
}

describe('mergeWithDefaults', () => {
  it('returns the defaults for an empty object, as a copy', () => {
    const merged = mergeWithDefaults({});
    expect(merged).toEqual(defaultConfig);
    expect(merged).not.toBe(defaultConfig);
    merged.ServiceSettings.TrustedProxyIPHeader.push('X-Forwarded-For');
    merged.SqlSettings.MaxOpenConns = 1;
    expect(defaultConfig.ServiceSettings.TrustedProxyIPHeader).toEqual([]);
    expect(defaultConfig.SqlSettings.MaxOpenConns).toBe(300);
  });

  it('lays given values over the defaults and keeps the other settings of the section', () => {
    const merged = mergeWithDefaults({
      SqlSettings: { MaxOpenConns: 42, DataSourceReplicas: ['postgres://r1'] },
      TeamSettings: { EnableOpenServer: true, SiteName: 'Chat' },
    });
    expect(merged.SqlSettings.MaxOpenConns).toBe(42);
    expect(merged.SqlSettings.DataSourceReplicas).toEqual(['postgres://r1']);
    expect(merged.SqlSettings.MaxIdleConns).toBe(defaultConfig.SqlSettings.MaxIdleConns);
    expect(merged.SqlSettings.DriverName).toBe('postgres');
    expect(merged.TeamSettings.EnableOpenServer).toBe(true);
    expect(merged.TeamSettings.SiteName).toBe('Chat');
    expect(merged.TeamSettings.MaxUsersPerTeam).toBe(50);
  });

  it('keeps falsy values (false, 0, empty string, empty array) rather than the default', () => {
    const merged = mergeWithDefaults({
      ServiceSettings: { EnableCommands: false, ListenAddress: '', TrustedProxyIPHeader: [] },
      SqlSettings: { MaxIdleConns: 0 },
    });
    expect(merged.ServiceSettings.EnableCommands).toBe(false);
    expect(merged.ServiceSettings.ListenAddress).toBe('');
    expect(merged.ServiceSettings.TrustedProxyIPHeader).toEqual([]);
    expect(merged.SqlSettings.MaxIdleConns).toBe(0);
  });

  it('treats null sections and null settings as absent', () => {
    const merged = mergeWithDefaults({ SqlSettings: null, TeamSettings: { SiteName: null } });
    expect(merged.SqlSettings).toEqual(defaultConfig.SqlSettings);
    expect(merged.TeamSettings.SiteName).toBe('Mattermost');
  });

  it('ignores unknown sections and unknown settings', () => {
    const merged = mergeWithDefaults({
      NoSuchSettings: { Foo: 1 },
      SqlSettings: { NoSuchSetting: 'x', MaxOpenConns: 7 },
    }) as unknown as Record<string, Record<string, unknown>>;
    expect(merged.NoSuchSettings).toBeUndefined();
    expect(merged.SqlSettings.NoSuchSetting).toBeUndefined();
    expect(merged.SqlSettings.MaxOpenConns).toBe(7);
    expect(Object.keys(merged)).toEqual(Object.keys(defaultConfig));
  });

  it('names the setting when a value has the wrong type', () => {
    const err = configError(() => mergeWithDefaults({ SqlSettings: { MaxOpenConns: '300' } }));
    expect(err.setting).toBe('SqlSettings.MaxOpenConns');
    expect(err.message).toContain('SqlSettings.MaxOpenConns');
    expect(err.message).toContain('number');
    expect(err.message).toContain('string');
  });

  it.each([
    ['ServiceSettings', 'EnableCommands', 'true'],
    ['ServiceSettings', 'EnableCommands', 1],
    ['ServiceSettings', 'ListenAddress', 8065],
    ['ServiceSettings', 'TrustedProxyIPHeader', 'X-Forwarded-For'],
    ['ServiceSettings', 'TrustedProxyIPHeader', { a: 1 }],
    ['TeamSettings', 'MaxUsersPerTeam', [50]],
    ['SqlSettings', 'DataSource', false],
  ])('refuses %s.%s = %j', (section, setting, value) => {
    const err = configError(() => mergeWithDefaults({ [section]: { [setting]: value } }));
    expect(err.setting).toBe(`${section}.${setting}`);
  });

  it('refuses a section that is not an object, naming the section', () => {
    expect(configError(() => mergeWithDefaults({ SqlSettings: 'postgres' })).setting).toBe('SqlSettings');
    expect(configError(() => mergeWithDefaults({ SqlSettings: ['a'] })).setting).toBe('SqlSettings');
  });

  it.each([[null], [[]], ['{}'], [42], [undefined]])('refuses a root that is not an object: %j', (root) => {
    expect(configError(() => mergeWithDefaults(root)).setting).toBe('(root)');
  });

  it('does not share arrays with the input', () => {
    const input = { ServiceSettings: { TrustedProxyIPHeader: ['X-Real-IP'] } };
    const merged = mergeWithDefaults(input);
    expect(merged.ServiceSettings.TrustedProxyIPHeader).toEqual(['X-Real-IP']);
  });
});

describe('patchConfig', () => {
  it('lays the patched settings over the base and keeps the rest', () => {
    const base = defaults();
    const patched = patchConfig(base, { TeamSettings: { SiteName: 'Patched' }, ServiceSettings: { SiteURL: null } });
    expect(patched.TeamSettings.SiteName).toBe('Patched');
    expect(patched.TeamSettings.MaxUsersPerTeam).toBe(base.TeamSettings.MaxUsersPerTeam);
    expect(patched.ServiceSettings.SiteURL).toBeNull(); // null resets to the default in mergeWithDefaults
    expect(base.TeamSettings.SiteName).toBe(defaultConfig.TeamSettings.SiteName);
  });

  it("copies only the schema's sections and settings, so __proto__ pollutes nothing", () => {
    // As PUT /config/patch parses it: "__proto__" is an own key of the parsed object.
    const patch = JSON.parse('{"__proto__":{"nickname":"X"},"TeamSettings":{"__proto__":{"polluted":1},"constructor":{"prototype":{"p":1}},"Unknown":1}}');
    const patched = patchConfig(defaults(), patch);
    expect(({} as Record<string, unknown>).nickname).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).p).toBeUndefined();
    expect(Object.getPrototypeOf(patched.TeamSettings)).toBe(Object.prototype);
    expect(Object.keys(patched.TeamSettings).sort()).toEqual(Object.keys(defaultConfig.TeamSettings).sort());
    expect(Object.keys(patched).sort()).toEqual(Object.keys(defaultConfig).sort());
  });

  it('refuses a section that is not an object, naming it', () => {
    expect(configError(() => patchConfig(defaults(), { TeamSettings: 'x' })).setting).toBe('TeamSettings');
    expect(configError(() => patchConfig(defaults(), { TeamSettings: null })).setting).toBe('TeamSettings');
  });
});

describe('mergeWithDefaults and Object.prototype', () => {
  it('never takes a section or setting from the prototype chain', () => {
    const inherited = Object.create({ TeamSettings: { SiteName: 'inherited' } }) as Record<string, unknown>;
    inherited.ServiceSettings = Object.create({ SiteURL: 'http://inherited' });
    const merged = mergeWithDefaults(inherited);
    expect(merged.TeamSettings.SiteName).toBe(defaultConfig.TeamSettings.SiteName);
    expect(merged.ServiceSettings.SiteURL).toBe(defaultConfig.ServiceSettings.SiteURL);
  });
});

describe('envName', () => {
  it('is MM_<SECTION>_<SETTING> in upper case', () => {
    expect(envName('SqlSettings', 'MaxOpenConns')).toBe('MM_SQLSETTINGS_MAXOPENCONNS');
  });
});

describe('applyEnvOverrides', () => {
  it('changes nothing and reports nothing without MM_ variables', () => {
    const base = defaults();
    const { config, overridden } = applyEnvOverrides(base, { PATH: '/bin', HOME: '/root' });
    expect(config).toEqual(defaultConfig);
    expect(overridden).toEqual({});
  });

  it('does not modify the config it is given', () => {
    const base = defaults();
    applyEnvOverrides(base, { MM_SQLSETTINGS_MAXOPENCONNS: '5', MM_SERVICESETTINGS_TRUSTEDPROXYIPHEADER: 'a b' });
    expect(base).toEqual(defaultConfig);
  });

  it.each([
    ['true', true],
    ['1', true],
    ['false', false],
    ['0', false],
  ])('parses boolean %j', (text, expected) => {
    const { config } = applyEnvOverrides(defaults(), { MM_TEAMSETTINGS_ENABLEOPENSERVER: text });
    expect(config.TeamSettings.EnableOpenServer).toBe(expected);
  });

  it('accepts the other spellings Go strconv.ParseBool accepts, as Mattermost does', () => {
    for (const text of ['TRUE', 'True', 't', 'T']) {
      expect(applyEnvOverrides(defaults(), { MM_TEAMSETTINGS_ENABLEOPENSERVER: text }).config.TeamSettings.EnableOpenServer).toBe(true);
    }
    for (const text of ['FALSE', 'False', 'f', 'F']) {
      expect(applyEnvOverrides(defaults(), { MM_SERVICESETTINGS_ENABLECOMMANDS: text }).config.ServiceSettings.EnableCommands).toBe(false);
    }
  });

  it.each(['yes', 'on', '', 'tru', '2'])('refuses boolean %j naming the setting', (text) => {
    const err = configError(() => applyEnvOverrides(defaults(), { MM_TEAMSETTINGS_ENABLEOPENSERVER: text }));
    expect(err.setting).toBe('TeamSettings.EnableOpenServer');
    expect(err.message).toContain('TeamSettings.EnableOpenServer');
  });

  it('parses numbers, including negative ones', () => {
    const { config } = applyEnvOverrides(defaults(), {
      MM_SQLSETTINGS_MAXOPENCONNS: '25',
      MM_SERVICESETTINGS_POSTEDITTIMELIMIT: '-1',
      MM_TEAMSETTINGS_MAXUSERSPERTEAM: '10000',
    });
    expect(config.SqlSettings.MaxOpenConns).toBe(25);
    expect(config.ServiceSettings.PostEditTimeLimit).toBe(-1);
    expect(config.TeamSettings.MaxUsersPerTeam).toBe(10000);
  });

  it.each(['abc', '', '   ', '12abc', 'Infinity', 'NaN'])('refuses number %j naming the setting', (text) => {
    const err = configError(() => applyEnvOverrides(defaults(), { MM_SQLSETTINGS_MAXOPENCONNS: text }));
    expect(err.setting).toBe('SqlSettings.MaxOpenConns');
  });

  it('takes strings verbatim, including an empty string', () => {
    const { config } = applyEnvOverrides(defaults(), {
      MM_SQLSETTINGS_DATASOURCE: 'postgres://u:p@db:5432/mm?sslmode=disable',
      MM_TEAMSETTINGS_SITENAME: '',
      MM_SERVICESETTINGS_SITEURL: ' http://x ',
    });
    expect(config.SqlSettings.DataSource).toBe('postgres://u:p@db:5432/mm?sslmode=disable');
    expect(config.TeamSettings.SiteName).toBe('');
    expect(config.ServiceSettings.SiteURL).toBe(' http://x ');
  });

  it('parses arrays given as JSON', () => {
    const { config } = applyEnvOverrides(defaults(), {
      MM_SQLSETTINGS_DATASOURCEREPLICAS: '["postgres://r1", "postgres://r 2"]',
    });
    expect(config.SqlSettings.DataSourceReplicas).toEqual(['postgres://r1', 'postgres://r 2']);
  });

  it('parses arrays given as a space-separated list, skipping empty items', () => {
    const { config } = applyEnvOverrides(defaults(), {
      MM_SERVICESETTINGS_TRUSTEDPROXYIPHEADER: 'X-Forwarded-For  X-Real-IP ',
      MM_DISPLAYSETTINGS_CUSTOMURLSCHEMES: 'zoommtg',
      MM_TEAMSETTINGS_EXPERIMENTALDEFAULTCHANNELS: '',
    });
    expect(config.ServiceSettings.TrustedProxyIPHeader).toEqual(['X-Forwarded-For', 'X-Real-IP']);
    expect(config.DisplaySettings.CustomURLSchemes).toEqual(['zoommtg']);
    expect(config.TeamSettings.ExperimentalDefaultChannels).toEqual([]);
  });

  it.each(['[', '["a",', '[1,2', ' [nope]'])('refuses malformed JSON array %j naming the setting', (text) => {
    const err = configError(() => applyEnvOverrides(defaults(), { MM_SQLSETTINGS_DATASOURCEREPLICAS: text }));
    expect(err.setting).toBe('SqlSettings.DataSourceReplicas');
  });

  it('reports every overridden setting, and only those, in the overridden map', () => {
    const { overridden } = applyEnvOverrides(defaults(), {
      MM_SQLSETTINGS_MAXOPENCONNS: '5',
      MM_SQLSETTINGS_DATASOURCE: 'postgres://db',
      MM_TEAMSETTINGS_ENABLEOPENSERVER: 'true',
      MM_NOSUCHSECTION_FOO: 'bar',
      MM_SQLSETTINGS_NOSUCHSETTING: 'x',
      OTHER: 'y',
    });
    expect(overridden).toEqual({
      SqlSettings: { MaxOpenConns: true, DataSource: true },
      TeamSettings: { EnableOpenServer: true },
    });
  });

  it('counts a value equal to the default as an override', () => {
    const { overridden } = applyEnvOverrides(defaults(), { MM_SQLSETTINGS_MAXOPENCONNS: '300' });
    expect(overridden).toEqual({ SqlSettings: { MaxOpenConns: true } });
  });

  it('only matches upper-case variable names built from section and setting', () => {
    const { config, overridden } = applyEnvOverrides(defaults(), { MM_SqlSettings_MaxOpenConns: '5', MM_SQLSETTINGS_MAXOPENCONN: '6' });
    expect(config.SqlSettings.MaxOpenConns).toBe(300);
    expect(overridden).toEqual({});
  });
});

describe('parseListenAddress', () => {
  it.each([
    [':8065', '0.0.0.0', 8065],
    ['127.0.0.1:8065', '127.0.0.1', 8065],
    ['localhost:1', 'localhost', 1],
    ['[::1]:443', '::1', 443],
    ['[::]:65535', '::', 65535],
    [':0', '0.0.0.0', 0],
  ])('parses %j', (address, host, port) => {
    expect(parseListenAddress('ServiceSettings.ListenAddress', address)).toEqual({ host, port });
  });

  it.each(['', '8065', 'localhost', 'localhost:', ':65536', ':99999', ':123456', ':-1', ':80a', 'a b:80', '::1:80', 'host:80:81', ' :8065'])(
    'refuses %j naming the setting',
    (address) => {
      const err = configError(() => parseListenAddress('MetricsSettings.ListenAddress', address));
      expect(err.setting).toBe('MetricsSettings.ListenAddress');
      expect(err.message).toContain(JSON.stringify(address));
    },
  );
});

describe('validateConfig', () => {
  it('accepts the defaults', () => {
    expect(() => validateConfig(defaults())).not.toThrow();
  });

  it('accepts email batching in a cluster (the job system mails each digest once; Mattermost refuses the pair)', () => {
    const cfg = withChange((c) => {
      c.EmailSettings.EnableEmailBatching = true;
      c.EmailSettings.ConnectionSecurity = 'STARTTLS';
      Object.assign(c.ClusterSettings, { Enable: true, ClusterName: 'mail', ClusterSecret: 'x'.repeat(32) });
    });
    expect(() => validateConfig(cfg)).not.toThrow();
  });

  it('accepts a postgres:// or postgresql:// DataSource', () => {
    expect(() => validateConfig(withChange((c) => (c.SqlSettings.DataSource = 'postgres://u@h/db')))).not.toThrow();
    expect(() => validateConfig(withChange((c) => (c.SqlSettings.DataSource = 'postgresql://u@h/db')))).not.toThrow();
  });

  it.each<[string, (c: Config) => void]>([
    ['ServiceSettings.ListenAddress', (c) => (c.ServiceSettings.ListenAddress = 'not an address')],
    ['ServiceSettings.ListenAddress', (c) => (c.ServiceSettings.ListenAddress = ':70000')],
    ['ServiceSettings.LocalModeSocketLocation', (c) => Object.assign(c.ServiceSettings, { EnableLocalMode: true, LocalModeSocketLocation: ' ' })],
    ['SqlSettings.DriverName', (c) => (c.SqlSettings.DriverName = 'mysql')],
    ['SqlSettings.DriverName', (c) => (c.SqlSettings.DriverName = '')],
    ['SqlSettings.DataSource', (c) => (c.SqlSettings.DataSource = 'mysql://u@h/db')],
    ['SqlSettings.DataSource', (c) => (c.SqlSettings.DataSource = 'host=localhost dbname=mm')],
    ['SqlSettings.MaxOpenConns', (c) => (c.SqlSettings.MaxOpenConns = 0)],
    ['ServiceSettings.MaximumLoginAttempts', (c) => (c.ServiceSettings.MaximumLoginAttempts = -1)],
    ['ServiceSettings.LoginLockoutDurationSeconds', (c) => (c.ServiceSettings.LoginLockoutDurationSeconds = 0)],
    ['ServiceSettings.LoginRateLimitPerSec', (c) => (c.ServiceSettings.LoginRateLimitPerSec = -1)],
    ['ServiceSettings.LoginRateLimitPerAccountMaxBurst', (c) => (c.ServiceSettings.LoginRateLimitPerAccountMaxBurst = -1)],
    ['ServiceSettings.SessionLengthWebInHours', (c) => (c.ServiceSettings.SessionLengthWebInHours = 0)],
    ['ServiceSettings.SessionLengthMobileInHours', (c) => (c.ServiceSettings.SessionLengthMobileInHours = 0)],
    ['ServiceSettings.SessionLengthSSOInHours', (c) => (c.ServiceSettings.SessionLengthSSOInHours = 0)],
    ['ServiceSettings.MaximumPayloadSizeBytes', (c) => (c.ServiceSettings.MaximumPayloadSizeBytes = 0)],
    ['TeamSettings.MaxUsersPerTeam', (c) => (c.TeamSettings.MaxUsersPerTeam = 0)],
    ['TeamSettings.MaxChannelsPerTeam', (c) => (c.TeamSettings.MaxChannelsPerTeam = -5)],
    ['PasswordSettings.MinimumLength', (c) => (c.PasswordSettings.MinimumLength = 4)],
    ['PasswordSettings.MinimumLength', (c) => (c.PasswordSettings.MinimumLength = 73)],
    ['CacheSettings.CacheType', (c) => (c.CacheSettings.CacheType = 'memcached')],
    ['FileSettings.DriverName', (c) => (c.FileSettings.DriverName = 'gcs')],
    ['EmailSettings.ConnectionSecurity', (c) => (c.EmailSettings.ConnectionSecurity = 'SSL')],
    ['EmailSettings.EmailNotificationContentsType', (c) => (c.EmailSettings.EmailNotificationContentsType = 'everything')],
    ['EmailSettings.EmailBatchingBufferSize', (c) => (c.EmailSettings.EmailBatchingBufferSize = 0)],
    ['EmailSettings.EmailBatchingInterval', (c) => (c.EmailSettings.EmailBatchingInterval = 29)],
    ['EmailSettings.SMTPServerTimeout', (c) => (c.EmailSettings.SMTPServerTimeout = 0)],
    ['EmailSettings.SMTPPort', (c) => (c.EmailSettings.SMTPPort = 'smtp')],
    ['FileSettings.MaxImageDecoderConcurrency', (c) => (c.FileSettings.MaxImageDecoderConcurrency = 0)],
    ['FileSettings.MaxImageDecoderConcurrency', (c) => (c.FileSettings.MaxImageDecoderConcurrency = -2)],
    ['FileSettings.MaxImageDecoderConcurrency', (c) => (c.FileSettings.MaxImageDecoderConcurrency = 1.5)],
    ['ServiceSettings.CollapsedThreads', (c) => (c.ServiceSettings.CollapsedThreads = 'sometimes')],
    ['EmailSettings.PushNotificationContents', (c) => (c.EmailSettings.PushNotificationContents = 'everything')],
    ['EmailSettings.PushNotificationBuffer', (c) => (c.EmailSettings.PushNotificationBuffer = 0)],
    ['EmailSettings.PushNotificationServer', (c) => (c.EmailSettings.PushNotificationServer = 'push.example.com')],
  ])('refuses a bad %s', (setting, change) => {
    const err = configError(() => validateConfig(withChange(change)));
    expect(err.setting).toBe(setting);
    expect(err.message.startsWith(`config: ${setting} `)).toBe(true);
  });

  it('accepts the MinimumLength bounds 5 and 72', () => {
    expect(() => validateConfig(withChange((c) => (c.PasswordSettings.MinimumLength = 5)))).not.toThrow();
    expect(() => validateConfig(withChange((c) => (c.PasswordSettings.MinimumLength = 72)))).not.toThrow();
  });

  it('accepts every CollapsedThreads value and both cache and file drivers', () => {
    for (const v of ['always_on', 'default_on', 'default_off', 'disabled']) {
      expect(() => validateConfig(withChange((c) => (c.ServiceSettings.CollapsedThreads = v)))).not.toThrow();
    }
    expect(() => validateConfig(withChange((c) => (c.CacheSettings.CacheType = 'redis')))).not.toThrow();
    expect(() => validateConfig(withChange((c) => (c.FileSettings.DriverName = 'amazons3')))).not.toThrow();
  });

  it('accepts every PushNotificationContents value, and an empty or http(s) PushNotificationServer', () => {
    for (const v of ['generic_no_channel', 'generic', 'full', 'id_loaded']) {
      expect(() => validateConfig(withChange((c) => (c.EmailSettings.PushNotificationContents = v)))).not.toThrow();
    }
    for (const v of ['', 'https://push.example.com', 'http://127.0.0.1:8066/']) {
      expect(() => validateConfig(withChange((c) => (c.EmailSettings.PushNotificationServer = v)))).not.toThrow();
    }
  });

  it('checks the metrics ListenAddress only when metrics are enabled', () => {
    const bad = withChange((c) => (c.MetricsSettings.ListenAddress = 'nope'));
    expect(() => validateConfig(bad)).not.toThrow();
    bad.MetricsSettings.Enable = true;
    expect(configError(() => validateConfig(bad)).setting).toBe('MetricsSettings.ListenAddress');
  });
});

describe('sanitizeConfig', () => {
  it('masks every non-empty secret and leaves empty ones empty', () => {
    const config = withChange((c) => {
      c.SqlSettings.DataSource = 'postgres://u:secret@h/db';
      c.SqlSettings.DataSourceReplicas = ['postgres://r1', 'postgres://r2'];
      c.EmailSettings.SMTPPassword = 'smtp';
      c.GitLabSettings.Secret = 'gl';
    });
    const clean = sanitizeConfig(config);
    expect(clean.SqlSettings.DataSource).toBe(FAKE_SETTING);
    expect(clean.SqlSettings.DataSourceReplicas).toEqual([FAKE_SETTING, FAKE_SETTING]);
    expect(clean.SqlSettings.DataSourceSearchReplicas).toEqual([]);
    expect(clean.EmailSettings.SMTPPassword).toBe(FAKE_SETTING);
    expect(clean.GitLabSettings.Secret).toBe(FAKE_SETTING);
    expect(clean.OpenIdSettings.Secret).toBe('');
    expect(clean.CacheSettings.RedisPassword).toBe('');
    // Not secret: unchanged.
    expect(clean.SqlSettings.MaxOpenConns).toBe(300);
    expect(clean.EmailSettings.SMTPUsername).toBe('');
    // The original is untouched.
    expect(config.SqlSettings.DataSource).toBe('postgres://u:secret@h/db');
  });

  it('leaves no secret value anywhere in the output', () => {
    const config = defaults() as unknown as Record<string, Record<string, unknown>>;
    for (const [section, setting] of SECRET_SETTINGS) {
      config[section][setting] = Array.isArray(config[section][setting]) ? [`s3cr3t-${setting}`] : `s3cr3t-${setting}`;
    }
    const text = JSON.stringify(sanitizeConfig(config as unknown as Config));
    expect(text).not.toContain('s3cr3t');
  });
});

describe('restoreMaskedSecrets', () => {
  const current = withChange((c) => {
    c.SqlSettings.DataSource = 'postgres://real';
    c.SqlSettings.DataSourceReplicas = ['postgres://r1'];
    c.EmailSettings.SMTPPassword = 'real-smtp';
  });

  it('round-trips a sanitized config back to the real secrets', () => {
    const incoming = sanitizeConfig(current);
    incoming.TeamSettings.SiteName = 'Renamed';
    const restored = restoreMaskedSecrets(incoming, current);
    expect(restored.SqlSettings.DataSource).toBe('postgres://real');
    expect(restored.SqlSettings.DataSourceReplicas).toEqual(['postgres://r1']);
    expect(restored.EmailSettings.SMTPPassword).toBe('real-smtp');
    expect(restored.TeamSettings.SiteName).toBe('Renamed');
  });

  it('keeps secrets the client actually changed or cleared', () => {
    const incoming = sanitizeConfig(current);
    incoming.SqlSettings.DataSource = 'postgres://new';
    incoming.EmailSettings.SMTPPassword = '';
    incoming.SqlSettings.DataSourceReplicas = ['postgres://r9'];
    const restored = restoreMaskedSecrets(incoming, current);
    expect(restored.SqlSettings.DataSource).toBe('postgres://new');
    expect(restored.EmailSettings.SMTPPassword).toBe('');
    expect(restored.SqlSettings.DataSourceReplicas).toEqual(['postgres://r9']);
  });

  it('does not modify its inputs', () => {
    const incoming = sanitizeConfig(current);
    restoreMaskedSecrets(incoming, current);
    expect(incoming.SqlSettings.DataSource).toBe(FAKE_SETTING);
    expect(current.SqlSettings.DataSource).toBe('postgres://real');
  });
});

describe('sectionNames', () => {
  it('lists every section of the defaults', () => {
    expect(sectionNames()).toEqual(Object.keys(defaultConfig));
    expect(sectionNames()).toContain('ClusterSettings');
  });
});

describe('cluster settings', () => {
  const clustered = (change: (c: ReturnType<typeof mergeWithDefaults>) => void) => {
    const c = mergeWithDefaults({ ClusterSettings: { Enable: true, ClusterName: 'prod', ClusterSecret: 'x'.repeat(32) } });
    change(c);
    return c;
  };

  it('accepts an enabled cluster with a name and a long enough secret', () => {
    expect(() => validateConfig(clustered(() => undefined))).not.toThrow();
  });

  it('requires a cluster name and a secret of at least 16 characters', () => {
    expect(() => validateConfig(clustered((c) => (c.ClusterSettings.ClusterName = '')))).toThrow(/ClusterSettings.ClusterName/);
    expect(() => validateConfig(clustered((c) => (c.ClusterSettings.ClusterSecret = 'short')))).toThrow(/ClusterSettings.ClusterSecret/);
  });

  it('refuses port numbers out of range', () => {
    expect(() => validateConfig(clustered((c) => (c.ClusterSettings.GossipPort = 70000)))).toThrow(/ClusterSettings.GossipPort/);
  });

  it("takes the streams' TLS files all three or none", () => {
    const files = { StreamingTLSCertFile: '/etc/mm/node.crt', StreamingTLSKeyFile: '/etc/mm/node.key', StreamingTLSCAFile: '/etc/mm/ca.crt' };
    expect(clustered(() => undefined).ClusterSettings).toMatchObject({ StreamingTLSCertFile: '', StreamingTLSKeyFile: '', StreamingTLSCAFile: '' });
    expect(() => validateConfig(clustered((c) => Object.assign(c.ClusterSettings, files)))).not.toThrow();
    expect(() => validateConfig(clustered((c) => Object.assign(c.ClusterSettings, files, { StreamingTLSCAFile: '' })))).toThrow(
      /ClusterSettings.StreamingTLSCAFile must be set/,
    );
    expect(() => validateConfig(clustered((c) => (c.ClusterSettings.StreamingTLSKeyFile = files.StreamingTLSKeyFile)))).toThrow(
      /ClusterSettings.StreamingTLSCertFile must be set/,
    );
  });

  it('masks the cluster secrets in the sanitized config', () => {
    const c = clustered((x) => (x.ClusterSettings.PreviousClusterSecrets = ['y'.repeat(20)]));
    const s = sanitizeConfig(c);
    expect(s.ClusterSettings.ClusterSecret).toBe('********************************');
    expect(s.ClusterSettings.PreviousClusterSecrets).toEqual(['********************************']);
  });
});

describe('validateConfig: read replicas', () => {
  const url = 'postgres://mm@replica:5432/mattermost?sslmode=disable';

  it("accepts replicas and Mattermost's ReplicaLagSettings, with or without our limits", () => {
    const cfg = withChange((c) => {
      c.SqlSettings.DataSourceReplicas = [url];
      c.SqlSettings.DataSourceSearchReplicas = [url];
      c.SqlSettings.ReplicaLagSettings = [
        { DataSource: url, QueryAbsoluteLag: 'select 1', QueryTimeLag: '' },
        { DataSource: url, MaxAbsoluteLagBytes: 1_000_000, MaxTimeLagSeconds: 0 },
      ];
    });
    expect(() => validateConfig(cfg)).not.toThrow();
  });

  it('reads ReplicaLagSettings from the environment as JSON', () => {
    const { config } = applyEnvOverrides(defaults(), {
      MM_SQLSETTINGS_REPLICALAGSETTINGS: JSON.stringify([{ DataSource: url, MaxTimeLagSeconds: 5 }]),
      MM_SQLSETTINGS_DATASOURCEREPLICAS: JSON.stringify([url]),
    });
    expect(config.SqlSettings.ReplicaLagSettings).toEqual([{ DataSource: url, MaxTimeLagSeconds: 5 }]);
    expect(() => validateConfig(config)).not.toThrow();
  });

  it.each<[string, (c: Config) => void]>([
    ['SqlSettings.DataSourceReplicas[0]', (c) => (c.SqlSettings.DataSourceReplicas = ['mysql://x'])],
    ['SqlSettings.DataSourceSearchReplicas[1]', (c) => (c.SqlSettings.DataSourceSearchReplicas = [url, 42 as unknown as string])],
    ['SqlSettings.ReplicaMonitorIntervalSeconds', (c) => (c.SqlSettings.ReplicaMonitorIntervalSeconds = 0)],
    ['SqlSettings.ReplicaMonitorIntervalSeconds', (c) => (c.SqlSettings.ReplicaMonitorIntervalSeconds = 1.5)],
    ['SqlSettings.ReplicaLagSettings[0]', (c) => (c.SqlSettings.ReplicaLagSettings = ['postgres://x' as never])],
    ['SqlSettings.ReplicaLagSettings[0].DataSource', (c) => (c.SqlSettings.ReplicaLagSettings = [{ DataSource: '' }])],
    ['SqlSettings.ReplicaLagSettings[0].QueryTimeLag', (c) => (c.SqlSettings.ReplicaLagSettings = [{ DataSource: url, QueryTimeLag: 5 as never }])],
    ['SqlSettings.ReplicaLagSettings[0].MaxAbsoluteLagBytes', (c) => (c.SqlSettings.ReplicaLagSettings = [{ DataSource: url, MaxAbsoluteLagBytes: -1 }])],
    ['SqlSettings.ReplicaLagSettings[0].MaxTimeLagSeconds', (c) => (c.SqlSettings.ReplicaLagSettings = [{ DataSource: url, MaxTimeLagSeconds: '5' as never }])],
  ])('refuses a bad %s', (setting, change) => {
    const err = configError(() => validateConfig(withChange(change)));
    expect(err.setting).toBe(setting);
  });
});

describe('ReplicaLagSettings and GET /config', () => {
  it("masks each entry's DataSource and restores it from the current config when it comes back masked", () => {
    const url = 'postgres://mm:secret@replica/mattermost';
    const current = withChange((c) => (c.SqlSettings.ReplicaLagSettings = [{ DataSource: url, QueryAbsoluteLag: 'select 1', MaxTimeLagSeconds: 5 }]));
    const shown = sanitizeConfig(current);
    expect(shown.SqlSettings.ReplicaLagSettings).toEqual([{ DataSource: FAKE_SETTING, QueryAbsoluteLag: 'select 1', MaxTimeLagSeconds: 5 }]);
    expect(JSON.stringify(shown)).not.toContain('secret');
    const saved = restoreMaskedSecrets(shown, current);
    expect(saved.SqlSettings.ReplicaLagSettings).toEqual(current.SqlSettings.ReplicaLagSettings);
  });
});
