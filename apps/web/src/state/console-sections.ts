/**
 * The System Console's sections: their URLs (/admin_console/<path>, Mattermost's paths where it
 * has the page), their place in the navigation, and for the config pages the settings each form
 * edits. Screens render from this list; a new config page is one more entry here.
 */
import type { ConfigFieldDef } from './console-config';

export type SectionKind = 'cluster' | 'jobs' | 'users' | 'teams' | 'channels' | 'config';

export interface ConfigForm {
  intro: string;
  groups: ReadonlyArray<{ title: string; fields: readonly ConfigFieldDef[] }>;
  /** The file storage page tests its S3 settings (POST /file/s3_test). */
  s3Test?: boolean;
}

export interface ConsoleSection {
  path: string;
  title: string;
  group: 'Environment' | 'User management' | 'Authentication';
  kind: SectionKind;
  form?: ConfigForm;
}

const text = (path: string, label: string, hint?: string): ConfigFieldDef => ({ path, label, kind: 'text', hint });
const num = (path: string, label: string, hint?: string): ConfigFieldDef => ({ path, label, kind: 'number', hint });
const bool = (path: string, label: string, hint?: string): ConfigFieldDef => ({ path, label, kind: 'boolean', hint });
const secret = (path: string, label: string, hint?: string): ConfigFieldDef => ({ path, label, kind: 'secret', hint });
const select = (path: string, label: string, options: Array<[string, string]>, hint?: string): ConfigFieldDef => ({
  path,
  label,
  kind: 'select',
  hint,
  options: options.map(([value, optionLabel]) => ({ value, label: optionLabel })),
});

const CONNECTION_SECURITY: Array<[string, string]> = [
  ['', 'None'],
  ['TLS', 'TLS'],
  ['STARTTLS', 'STARTTLS'],
];

const LOG_LEVELS: Array<[string, string]> = [
  ['DEBUG', 'DEBUG'],
  ['INFO', 'INFO'],
  ['WARN', 'WARN'],
  ['ERROR', 'ERROR'],
];

/** Client id, secret and switch of an OAuth or OpenID Connect provider. */
const provider = (section: string, name: string): ConfigFieldDef[] => [
  bool(`${section}.Enable`, `Enable sign-in with ${name}`),
  text(`${section}.Id`, 'Application (client) ID'),
  secret(`${section}.Secret`, 'Application secret'),
];

export const CONSOLE_SECTIONS: readonly ConsoleSection[] = [
  {
    path: 'environment/web_server',
    title: 'Web server',
    group: 'Environment',
    kind: 'config',
    form: {
      intro: 'How people reach this server. Changes to the listen address take effect when the nodes restart.',
      groups: [
        {
          title: 'Addresses',
          fields: [
            text(
              'ServiceSettings.SiteURL',
              'Site URL',
              'The URL people use to reach the site (e.g. https://chat.example.com); links in emails and SSO redirects use it.',
            ),
            text('ServiceSettings.WebsocketURL', 'WebSocket URL', 'Only when the WebSocket is served from another address than the site.'),
            text('ServiceSettings.ListenAddress', 'Listen address', 'host:port or :port each node listens on.'),
          ],
        },
        {
          title: 'TLS and timeouts',
          fields: [
            select('ServiceSettings.ConnectionSecurity', 'Connection security', [
              ['', 'None (TLS ends at the proxy)'],
              ['TLS', 'TLS'],
            ]),
            text('ServiceSettings.TLSCertFile', 'TLS certificate file', 'PEM: the certificate, then its intermediates. Read when the node starts.'),
            text('ServiceSettings.TLSKeyFile', 'TLS key file', "PEM, unencrypted; it must be the certificate's key."),
            select('ServiceSettings.TLSMinVer', 'Minimum TLS version', [
              ['1.0', 'TLS 1.0'],
              ['1.1', 'TLS 1.1'],
              ['1.2', 'TLS 1.2'],
              ['1.3', 'TLS 1.3'],
            ]),
            bool('ServiceSettings.TLSStrictTransport', 'Send Strict-Transport-Security (HSTS)', 'Browsers then use https only for this site.'),
            num('ServiceSettings.TLSStrictTransportMaxAge', 'HSTS max age (seconds)'),
            bool('ServiceSettings.Forward80To443', 'Forward port 80 to 443', 'Needs the listen address on port 443.'),
            num('ServiceSettings.ReadTimeout', 'Read timeout (seconds)'),
            num('ServiceSettings.WriteTimeout', 'Write timeout (seconds)'),
            num('ServiceSettings.IdleTimeout', 'Idle timeout (seconds)'),
          ],
        },
      ],
    },
  },
  {
    path: 'environment/database',
    title: 'Database',
    group: 'Environment',
    kind: 'config',
    form: {
      intro: 'The PostgreSQL database every node shares. Connection settings take effect when the nodes restart.',
      groups: [
        {
          title: 'Connection',
          fields: [
            select('SqlSettings.DriverName', 'Driver', [['postgres', 'PostgreSQL']]),
            secret('SqlSettings.DataSource', 'Data source', 'postgres://user:password@host:5432/database — empty starts the embedded PostgreSQL.'),
            num('SqlSettings.MaxIdleConns', 'Maximum idle connections'),
            num('SqlSettings.MaxOpenConns', 'Maximum open connections'),
            num('SqlSettings.QueryTimeout', 'Query timeout (seconds)'),
            num('SqlSettings.ConnMaxLifetimeMilliseconds', 'Connection lifetime (ms)'),
            num('SqlSettings.ConnMaxIdleTimeMilliseconds', 'Connection idle time (ms)'),
          ],
        },
        {
          title: 'Behaviour',
          fields: [bool('SqlSettings.Trace', 'Log every SQL statement'), bool('SqlSettings.DisableDatabaseSearch', 'Disable database search')],
        },
      ],
    },
  },
  {
    path: 'environment/file_storage',
    title: 'File storage',
    group: 'Environment',
    kind: 'config',
    form: {
      intro: 'Where attachments, pictures and exports are stored: a folder every node shares, or an S3 bucket.',
      s3Test: true,
      groups: [
        {
          title: 'Storage',
          fields: [
            select('FileSettings.DriverName', 'File storage system', [
              ['local', 'Local file system'],
              ['amazons3', 'Amazon S3 (or compatible)'],
            ]),
            text('FileSettings.Directory', 'Local storage directory'),
            num('FileSettings.MaxFileSize', 'Maximum file size (bytes)'),
            num('FileSettings.MaxImageResolution', 'Maximum image resolution (pixels)'),
            num('FileSettings.MaxImageDecoderConcurrency', 'Images decoded at once per node', '-1 for one per CPU.'),
            bool('FileSettings.EnableFileAttachments', 'Allow file sharing'),
            bool('FileSettings.ExtractContent', 'Extract text from attachments for search'),
          ],
        },
        {
          title: 'Amazon S3',
          fields: [
            text('FileSettings.AmazonS3Bucket', 'Bucket'),
            text('FileSettings.AmazonS3PathPrefix', 'Path prefix'),
            text('FileSettings.AmazonS3Region', 'Region'),
            text('FileSettings.AmazonS3AccessKeyId', 'Access key ID'),
            secret('FileSettings.AmazonS3SecretAccessKey', 'Secret access key'),
            text('FileSettings.AmazonS3Endpoint', 'Endpoint'),
            bool('FileSettings.AmazonS3SSL', 'Use a secure connection'),
            bool('FileSettings.AmazonS3SSE', 'Server-side encryption (SSE-S3)'),
            num('FileSettings.AmazonS3RequestTimeoutMilliseconds', 'Request timeout (ms)'),
            num('FileSettings.AmazonS3UploadPartSizeBytes', 'Upload part size (bytes)'),
          ],
        },
      ],
    },
  },
  {
    path: 'environment/smtp',
    title: 'SMTP',
    group: 'Environment',
    kind: 'config',
    form: {
      intro: 'The mail server that sends notifications and invitations.',
      groups: [
        {
          title: 'Server',
          fields: [
            text('EmailSettings.SMTPServer', 'SMTP server'),
            num('EmailSettings.SMTPPort', 'SMTP server port'),
            select('EmailSettings.ConnectionSecurity', 'Connection security', CONNECTION_SECURITY),
            bool('EmailSettings.EnableSMTPAuth', 'Authenticate'),
            text('EmailSettings.SMTPUsername', 'SMTP username'),
            secret('EmailSettings.SMTPPassword', 'SMTP password'),
            bool('EmailSettings.SkipServerCertificateVerification', "Skip the server's certificate verification"),
            num('EmailSettings.SMTPServerTimeout', 'Server timeout (seconds)'),
          ],
        },
        {
          title: 'Notifications',
          fields: [
            bool('EmailSettings.SendEmailNotifications', 'Send email notifications'),
            text('EmailSettings.FeedbackName', 'Notification display name'),
            text('EmailSettings.FeedbackEmail', 'Notification from address'),
            text('EmailSettings.ReplyToAddress', 'Notification reply-to address'),
          ],
        },
      ],
    },
  },
  {
    path: 'environment/rate_limiting',
    title: 'Rate limiting',
    group: 'Environment',
    kind: 'config',
    form: {
      intro: 'Limits on how fast clients may call the API.',
      groups: [
        {
          title: 'API',
          fields: [
            bool('RateLimitSettings.Enable', 'Enable rate limiting'),
            num('RateLimitSettings.PerSec', 'Requests per second'),
            num('RateLimitSettings.MaxBurst', 'Maximum burst'),
            num('RateLimitSettings.MemoryStoreSize', 'Memory store size'),
            bool('RateLimitSettings.VaryByRemoteAddr', 'Vary by remote address'),
            bool('RateLimitSettings.VaryByUser', 'Vary by user'),
            text('RateLimitSettings.VaryByHeader', 'Vary by HTTP header'),
          ],
        },
        {
          title: 'Login',
          fields: [
            num('ServiceSettings.MaximumLoginAttempts', 'Maximum login attempts'),
            num('ServiceSettings.LoginRateLimitPerSec', 'Logins per second per address', '0 turns the limit off.'),
            num('ServiceSettings.LoginRateLimitMaxBurst', 'Login burst per address'),
            num('ServiceSettings.LoginRateLimitPerAccountPerSec', 'Logins per second per account', '0 turns the limit off.'),
            num('ServiceSettings.LoginRateLimitPerAccountMaxBurst', 'Login burst per account'),
          ],
        },
        {
          title: 'Password reset',
          fields: [
            num('ServiceSettings.PasswordResetRateLimitPerSec', 'Resets per second per address', '0 turns the limit off.'),
            num('ServiceSettings.PasswordResetRateLimitMaxBurst', 'Reset burst per address'),
            num('ServiceSettings.PasswordResetRateLimitPerEmailPerSec', 'Reset mails per second per email', '0 turns the limit off.'),
            num('ServiceSettings.PasswordResetRateLimitPerEmailMaxBurst', 'Reset mail burst per email'),
            num('ServiceSettings.PasswordResetRateLimitPerTokenPerSec', 'Tries per second per reset link', '0 turns the limit off.'),
            num('ServiceSettings.PasswordResetRateLimitPerTokenMaxBurst', 'Try burst per reset link'),
          ],
        },
      ],
    },
  },
  {
    path: 'environment/logging',
    title: 'Logging',
    group: 'Environment',
    kind: 'config',
    form: {
      intro: 'Where the server writes its log, and how much of it.',
      groups: [
        {
          title: 'Console',
          fields: [
            bool('LogSettings.EnableConsole', 'Output logs to console'),
            select('LogSettings.ConsoleLevel', 'Console log level', LOG_LEVELS),
            bool('LogSettings.ConsoleJson', 'Output console logs as JSON'),
          ],
        },
        {
          title: 'File',
          fields: [
            bool('LogSettings.EnableFile', 'Output logs to file'),
            text('LogSettings.FileLocation', 'File log directory', 'mattermost.log is written here; empty: ./logs.'),
            select('LogSettings.FileLevel', 'File log level', LOG_LEVELS),
            bool('LogSettings.FileJson', 'Output file logs as JSON'),
            num('LogSettings.FileMaxSizeMB', 'Rotate at (MB)'),
            num('LogSettings.FileMaxBackups', 'Old files kept'),
            bool('LogSettings.FileCompress', 'Compress old files'),
          ],
        },
      ],
    },
  },
  { path: 'environment/high_availability', title: 'Cluster', group: 'Environment', kind: 'cluster' },
  { path: 'environment/jobs', title: 'Jobs', group: 'Environment', kind: 'jobs' },
  { path: 'user_management/users', title: 'Users', group: 'User management', kind: 'users' },
  { path: 'user_management/teams', title: 'Teams', group: 'User management', kind: 'teams' },
  { path: 'user_management/channels', title: 'Channels', group: 'User management', kind: 'channels' },
  {
    path: 'authentication/saml',
    title: 'SAML 2.0',
    group: 'Authentication',
    kind: 'config',
    form: {
      intro: 'Sign-in through a SAML 2.0 identity provider. Certificates are uploaded through the API (/saml/certificate/…).',
      groups: [
        {
          title: 'Identity provider',
          fields: [
            bool('SamlSettings.Enable', 'Enable sign-in with SAML'),
            text('SamlSettings.IdpMetadataURL', 'Identity provider metadata URL'),
            text('SamlSettings.IdpURL', 'SAML SSO URL'),
            text('SamlSettings.IdpDescriptorURL', 'Identity provider issuer URL'),
            text('SamlSettings.ServiceProviderIdentifier', 'Service provider identifier'),
            text('SamlSettings.AssertionConsumerServiceURL', 'Service provider login URL'),
            bool('SamlSettings.Verify', 'Verify the signature'),
            bool('SamlSettings.Encrypt', 'Require encrypted assertions'),
            bool('SamlSettings.SignRequest', 'Sign requests'),
          ],
        },
        {
          title: 'Attributes',
          fields: [
            text('SamlSettings.IdAttribute', 'Id attribute'),
            text('SamlSettings.EmailAttribute', 'Email attribute'),
            text('SamlSettings.UsernameAttribute', 'Username attribute'),
            text('SamlSettings.FirstNameAttribute', 'First name attribute'),
            text('SamlSettings.LastNameAttribute', 'Last name attribute'),
            text('SamlSettings.LoginButtonText', 'Login button text'),
          ],
        },
      ],
    },
  },
  {
    path: 'authentication/ldap',
    title: 'AD/LDAP',
    group: 'Authentication',
    kind: 'config',
    form: {
      intro: 'Sign-in and synchronisation with an AD/LDAP directory.',
      groups: [
        {
          title: 'Connection',
          fields: [
            bool('LdapSettings.Enable', 'Enable sign-in with AD/LDAP'),
            bool('LdapSettings.EnableSync', 'Enable synchronisation'),
            text('LdapSettings.LdapServer', 'AD/LDAP server'),
            num('LdapSettings.LdapPort', 'AD/LDAP port'),
            select('LdapSettings.ConnectionSecurity', 'Connection security', CONNECTION_SECURITY),
            bool('LdapSettings.SkipCertificateVerification', 'Skip certificate verification'),
            text('LdapSettings.BaseDN', 'Base DN'),
            text('LdapSettings.BindUsername', 'Bind username'),
            secret('LdapSettings.BindPassword', 'Bind password'),
            text('LdapSettings.UserFilter', 'User filter'),
            num('LdapSettings.SyncIntervalMinutes', 'Synchronisation interval (minutes)'),
            num('LdapSettings.QueryTimeout', 'Query timeout (seconds)'),
          ],
        },
        {
          title: 'Attributes',
          fields: [
            text('LdapSettings.IdAttribute', 'Id attribute'),
            text('LdapSettings.LoginIdAttribute', 'Login id attribute'),
            text('LdapSettings.UsernameAttribute', 'Username attribute'),
            text('LdapSettings.EmailAttribute', 'Email attribute'),
            text('LdapSettings.FirstNameAttribute', 'First name attribute'),
            text('LdapSettings.LastNameAttribute', 'Last name attribute'),
            text('LdapSettings.LoginFieldName', 'Login field name'),
          ],
        },
      ],
    },
  },
  {
    path: 'authentication/openid',
    title: 'OpenID Connect',
    group: 'Authentication',
    kind: 'config',
    form: {
      intro: 'Sign-in with GitLab, Google, Office 365 or any OpenID Connect provider. Each needs an application registered with the provider.',
      groups: [
        {
          title: 'GitLab',
          fields: [
            ...provider('GitLabSettings', 'GitLab'),
            text('GitLabSettings.AuthEndpoint', 'Authorization endpoint'),
            text('GitLabSettings.TokenEndpoint', 'Token endpoint'),
            text('GitLabSettings.UserAPIEndpoint', 'User API endpoint'),
          ],
        },
        { title: 'Google', fields: provider('GoogleSettings', 'Google') },
        { title: 'Office 365', fields: [...provider('Office365Settings', 'Office 365'), text('Office365Settings.DirectoryId', 'Directory (tenant) ID')] },
        {
          title: 'OpenID Connect',
          fields: [
            ...provider('OpenIdSettings', 'OpenID Connect'),
            text('OpenIdSettings.DiscoveryEndpoint', 'Discovery endpoint'),
            text('OpenIdSettings.ButtonText', 'Button text'),
            text('OpenIdSettings.ButtonColor', 'Button colour'),
          ],
        },
      ],
    },
  },
];

/** Where /admin_console itself leads. */
export const DEFAULT_SECTION = 'environment/high_availability';

export const sectionByPath = (path: string): ConsoleSection | undefined => CONSOLE_SECTIONS.find((s) => s.path === path);

/** Every field of a form, in order. */
export const formFields = (form: ConfigForm): ConfigFieldDef[] => form.groups.flatMap((g) => g.fields);
