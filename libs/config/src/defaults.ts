/**
 * Mattermost's configuration sections and defaults (model/config.go SetDefaults), limited to the
 * settings this server reads or will read. The shape of this object is the schema: a setting's type
 * is the type of its default, which is how file values and MM_* overrides are validated.
 */
export const defaultConfig = {
  ServiceSettings: {
    SiteURL: '',
    WebsocketURL: '',
    ListenAddress: ':8065',
    ConnectionSecurity: '',
    TLSCertFile: '',
    TLSKeyFile: '',
    // ConnectionSecurity "TLS" (common/tls-server.ts): the oldest protocol accepted, "1.0"-"1.3";
    // ciphers by Mattermost's (Go's) names, empty for its six ECDHE/RSA AES-GCM suites; the HSTS
    // header (sent whenever TLSStrictTransport is on, as Mattermost does, TLS here or at a proxy);
    // a plain listener on port 80 of the listen host that redirects to https (ListenAddress must
    // then be on port 443).
    TLSMinVer: '1.2',
    TLSStrictTransport: false,
    TLSStrictTransportMaxAge: 63072000,
    TLSOverwriteCiphers: [] as string[],
    Forward80To443: false,
    TrustedProxyIPHeader: [] as string[],
    ReadTimeout: 300,
    WriteTimeout: 300,
    IdleTimeout: 60,
    // Not in Mattermost (its shutdown waits a fixed second for open connections): how long a node
    // drains after SIGTERM/SIGINT before it exits (README "Running a cluster"). Under Kubernetes'
    // default terminationGracePeriodSeconds of 30, with room for the steps that always run.
    GracefulShutdownTimeoutSeconds: 25,
    MaximumLoginAttempts: 10,
    // The login limits below are this server's (Mattermost has no such settings). They apply
    // whatever RateLimitSettings.Enable says; a PerSec of 0 turns that limit off.
    // Per client address: Mattermost's own login limiter (api4 wraps /users/login in a
    // RateLimitedHandler of 5 a second, bursts of 10), here configurable.
    LoginRateLimitPerSec: 5,
    LoginRateLimitMaxBurst: 10,
    // Per login id across all addresses: one try every 5 s, bursts of 30 (three addresses' worth
    // of MaximumLoginAttempts). Only tries that got past the address's lockout count, so a
    // locked-out attacker cannot use up the owner's tries; many attacking addresses can slow the
    // owner down (429) but never lock them out.
    LoginRateLimitPerAccountPerSec: 0.2,
    LoginRateLimitPerAccountMaxBurst: 30,
    // MaximumLoginAttempts failures of one login id from one address lock that pair for this long
    // (15 min, the usual account-lockout baseline, e.g. CIS/Windows). Mattermost locks the account
    // everywhere until a password reset, which let anyone lock anyone out.
    LoginLockoutDurationSeconds: 900,
    // The password-reset limits are this server's too (Mattermost has none), on whatever
    // RateLimitSettings.Enable says; a PerSec of 0 turns that limit off. Per client address, for
    // asking for a link and for using one (each route its own budget): 0.2 a second, bursts of 10.
    PasswordResetRateLimitPerSec: 0.2,
    PasswordResetRateLimitMaxBurst: 10,
    // Per email address asked for: a mail a minute after a burst of 3, so nobody's inbox can be
    // flooded with reset mails from many addresses.
    PasswordResetRateLimitPerEmailPerSec: 1 / 60,
    PasswordResetRateLimitPerEmailMaxBurst: 2,
    // Per link used: a few tries (new passwords the policy refuses) and then one every 5 s.
    PasswordResetRateLimitPerTokenPerSec: 0.2,
    PasswordResetRateLimitPerTokenMaxBurst: 5,
    EnableOAuthServiceProvider: true,
    EnableIncomingWebhooks: true,
    EnableOutgoingWebhooks: true,
    EnableCommands: true,
    EnablePostUsernameOverride: false,
    EnablePostIconOverride: false,
    // Integrations (model/config.go): only admins manage webhooks, commands and OAuth apps unless
    // this is off (deprecated there in favour of the manage_*_webhooks permissions, still honoured);
    // callbacks (outgoing webhooks, slash commands, interactive actions) get this many seconds.
    EnableOnlyAdminIntegrations: true,
    OutgoingIntegrationRequestsTimeout: 30,
    EnableLinkPreviews: true,
    EnableTesting: false,
    EnableDeveloper: false,
    EnableMultifactorAuthentication: false,
    EnforceMultifactorAuthentication: false,
    EnableUserAccessTokens: false,
    AllowCorsFrom: '',
    CorsExposedHeaders: '',
    CorsAllowCredentials: false,
    AllowCookiesForSubdomains: false,
    ExtendSessionLengthWithActivity: true,
    // Mattermost's default on a fresh install (existing ones must turn it on).
    TerminateSessionsOnPasswordChange: true,
    SessionLengthWebInHours: 720,
    SessionLengthMobileInHours: 720,
    SessionLengthSSOInHours: 720,
    SessionCacheInMinutes: 10,
    SessionIdleTimeoutInMinutes: 43200,
    WebserverMode: 'gzip',
    EnableCustomEmoji: true,
    EnableEmojiPicker: true,
    PostEditTimeLimit: -1,
    TimeBetweenUserTypingUpdatesMilliseconds: 5000,
    EnablePostSearch: true,
    // Off: both file search routes answer 501 (store.sql_file_info.search.disabled).
    EnableFileSearch: true,
    MinimumHashtagLength: 3,
    EnableUserTypingMessages: true,
    EnableChannelViewedMessages: true,
    EnableUserStatuses: true,
    EnableTutorial: true,
    ExperimentalStrictCSRFEnforcement: false,
    EnableEmailInvitations: false,
    EnableBotAccountCreation: false,
    EnableAPITeamDeletion: false,
    EnableAPIUserDeletion: false,
    EnableAPIChannelDeletion: false,
    ExperimentalEnableHardenedMode: false,
    EnableLocalMode: false,
    LocalModeSocketLocation: '/var/tmp/mattermost_local.socket',
    CollapsedThreads: 'always_on',
    MaximumPayloadSizeBytes: 300000,
    MaximumURLLength: 2048,
    ThreadAutoFollow: true,
    // Message priority and acknowledgements (model/config.go defaults).
    PostPriority: true,
    AllowPersistentNotifications: true,
    AllowPersistentNotificationsForGuests: false,
    // Link previews and the image proxy (Mattermost's names and defaults): hosts and CIDRs that
    // outgoing fetches may reach although private or reserved, space or comma separated.
    AllowedUntrustedInternalConnections: '',
    EnableInsecureOutgoingConnections: false,
    RestrictLinkPreviews: '',
    EnablePermalinkPreviews: true,
    // Drafts and scheduled posts (both on by default in Mattermost).
    AllowSyncedDrafts: true,
    ScheduledPosts: true,
  },
  TeamSettings: {
    SiteName: 'Mattermost',
    MaxUsersPerTeam: 50,
    EnableJoinLeaveMessageByDefault: true,
    EnableUserCreation: true,
    EnableOpenServer: false,
    EnableUserDeactivation: false,
    RestrictCreationToDomains: '',
    EnableCustomUserStatuses: true,
    EnableCustomBrand: false,
    CustomBrandText: '',
    CustomDescriptionText: '',
    RestrictDirectMessage: 'any',
    EnableLastActiveTime: true,
    UserStatusAwayTimeout: 300,
    MaxChannelsPerTeam: 2000,
    MaxNotificationsPerChannel: 1000,
    EnableConfirmNotificationsToChannel: true,
    TeammateNameDisplay: 'username',
    ExperimentalViewArchivedChannels: true,
    LockTeammateNameDisplay: false,
    ExperimentalPrimaryTeam: '',
    ExperimentalDefaultChannels: [] as string[],
  },
  ClientRequirements: { AndroidLatestVersion: '', AndroidMinVersion: '', IosLatestVersion: '', IosMinVersion: '' },
  SqlSettings: {
    DriverName: 'postgres',
    // Empty means "start the embedded PostgreSQL" (zero set-up single node).
    DataSource: '',
    DataSourceReplicas: [] as string[],
    DataSourceSearchReplicas: [] as string[],
    MaxIdleConns: 20,
    ConnMaxLifetimeMilliseconds: 3600000,
    ConnMaxIdleTimeMilliseconds: 300000,
    MaxOpenConns: 300,
    Trace: false,
    AtRestEncryptKey: '',
    QueryTimeout: 30,
    DisableDatabaseSearch: false,
    MigrationsStatementTimeoutSeconds: 100000,
    // Mattermost's {DataSource, QueryAbsoluteLag, QueryTimeLag}, plus MaxAbsoluteLagBytes and
    // MaxTimeLagSeconds, the limits past which the replica named by DataSource is taken out.
    ReplicaLagSettings: [] as ReplicaLagSettingConfig[],
    ReplicaMonitorIntervalSeconds: 5,
  },
  LogSettings: {
    EnableConsole: true,
    ConsoleLevel: 'INFO',
    ConsoleJson: true,
    EnableColor: false,
    EnableFile: false,
    FileLevel: 'INFO',
    FileJson: true,
    FileLocation: '',
    // Not in LogSettings (Mattermost's default file target rotates at 100 MB): the size at which
    // mattermost.log is rotated and how many old files (mattermost.log.1 …) are kept, named after
    // the advanced logging file target's MaxSizeMB / MaxBackups / Compress (gzip the old files).
    FileMaxSizeMB: 100,
    FileMaxBackups: 10,
    FileCompress: false,
    EnableWebhookDebugging: true,
    EnableDiagnostics: false,
  },
  PasswordSettings: {
    MinimumLength: 8,
    Lowercase: false,
    Number: false,
    Uppercase: false,
    Symbol: false,
    EnableForgotLink: true,
  },
  FileSettings: {
    EnableFileAttachments: true,
    EnableMobileUpload: true,
    EnableMobileDownload: true,
    MaxFileSize: 104857600,
    MaxImageResolution: 33177600,
    /** Images decoded at once on a node; -1 is one per CPU (Mattermost's default). */
    MaxImageDecoderConcurrency: -1,
    DriverName: 'local',
    Directory: './data/',
    EnablePublicLink: false,
    // Text of text-like and PDF attachments is extracted after upload for file search.
    ExtractContent: true,
    // Mattermost reads archives' entries (recursively when true); this server extracts no archives yet.
    ArchiveRecursion: false,
    PublicLinkSalt: '',
    AmazonS3AccessKeyId: '',
    AmazonS3SecretAccessKey: '',
    AmazonS3Bucket: '',
    AmazonS3PathPrefix: '',
    AmazonS3Region: '',
    AmazonS3Endpoint: 's3.amazonaws.com',
    AmazonS3SSL: true,
    AmazonS3SignV2: false,
    AmazonS3SSE: false,
    AmazonS3Trace: false,
    AmazonS3RequestTimeoutMilliseconds: 30000,
    AmazonS3UploadPartSizeBytes: 5242880,
  },
  EmailSettings: {
    EnableSignUpWithEmail: true,
    EnableSignInWithEmail: true,
    EnableSignInWithUsername: true,
    SendEmailNotifications: true,
    RequireEmailVerification: false,
    FeedbackName: '',
    FeedbackEmail: 'test@example.com',
    ReplyToAddress: 'test@example.com',
    FeedbackOrganization: '',
    EnableSMTPAuth: false,
    SMTPUsername: '',
    SMTPPassword: '',
    SMTPServer: 'localhost',
    SMTPPort: '10025',
    SMTPServerTimeout: 10,
    ConnectionSecurity: '',
    SkipServerCertificateVerification: false,
    SendPushNotifications: true,
    PushNotificationServer: '',
    PushNotificationContents: 'full',
    PushNotificationBuffer: 1000,
    EnableEmailBatching: false,
    EmailBatchingBufferSize: 256,
    EmailBatchingInterval: 30,
    EmailNotificationContentsType: 'full',
    // The channel's name in a channel notification's subject ("Team (Channel)"), as Mattermost's.
    UseChannelInEmailNotifications: false,
  },
  RateLimitSettings: {
    Enable: false,
    PerSec: 10,
    MaxBurst: 100,
    MemoryStoreSize: 10000,
    VaryByRemoteAddr: true,
    VaryByUser: false,
    VaryByHeader: '',
  },
  PrivacySettings: { ShowEmailAddress: true, ShowFullName: true },
  SupportSettings: {
    TermsOfServiceLink: 'https://mattermost.com/pl/terms-of-use/',
    PrivacyPolicyLink: 'https://mattermost.com/pl/privacy-policy/',
    AboutLink: 'https://mattermost.com/pl/about-mattermost',
    HelpLink: 'https://mattermost.com/pl/help/',
    ReportAProblemLink: 'https://mattermost.com/pl/report-a-bug',
    SupportEmail: '',
  },
  AnnouncementSettings: { EnableBanner: false, BannerText: '', BannerColor: '#f2a93b', BannerTextColor: '#333333', AllowBannerDismissal: true },
  // Sign-in providers (Mattermost's SSOSettings shape). None is licence-gated here. GitLab is
  // OAuth 2.0 with GitLab's own user API; Google, Office 365 and OpenId are OpenID Connect through
  // their discovery documents (Office 365's from DirectoryId).
  GitLabSettings: {
    Enable: false,
    Secret: '',
    Id: '',
    Scope: '',
    AuthEndpoint: '',
    TokenEndpoint: '',
    UserAPIEndpoint: '',
    DiscoveryEndpoint: '',
    ButtonText: '',
    ButtonColor: '',
  },
  GoogleSettings: {
    Enable: false,
    Secret: '',
    Id: '',
    Scope: 'profile email',
    AuthEndpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
    TokenEndpoint: 'https://www.googleapis.com/oauth2/v4/token',
    UserAPIEndpoint: 'https://people.googleapis.com/v1/people/me?personFields=names,emailAddresses,nicknames,metadata',
    DiscoveryEndpoint: 'https://accounts.google.com/.well-known/openid-configuration',
    ButtonText: '',
    ButtonColor: '',
  },
  Office365Settings: {
    Enable: false,
    Secret: '',
    Id: '',
    Scope: 'User.Read',
    AuthEndpoint: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
    TokenEndpoint: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
    UserAPIEndpoint: 'https://graph.microsoft.com/v1.0/me',
    DiscoveryEndpoint: '',
    DirectoryId: '',
    ButtonText: '',
    ButtonColor: '',
  },
  OpenIdSettings: {
    Enable: false,
    Secret: '',
    Id: '',
    Scope: 'profile openid email',
    AuthEndpoint: '',
    TokenEndpoint: '',
    UserAPIEndpoint: '',
    DiscoveryEndpoint: '',
    ButtonText: '',
    ButtonColor: '#145DBF',
  },
  LdapSettings: {
    Enable: false,
    EnableSync: false,
    LdapServer: '',
    LdapPort: 389,
    // '' (plain), 'TLS' (LDAPS) or 'STARTTLS'.
    ConnectionSecurity: '',
    BaseDN: '',
    BindUsername: '',
    BindPassword: '',
    MaximumLoginAttempts: 10,
    UserFilter: '',
    GroupFilter: '',
    GuestFilter: '',
    EnableAdminFilter: false,
    AdminFilter: '',
    GroupDisplayNameAttribute: '',
    GroupIdAttribute: '',
    FirstNameAttribute: '',
    LastNameAttribute: '',
    EmailAttribute: '',
    UsernameAttribute: '',
    NicknameAttribute: '',
    IdAttribute: '',
    PositionAttribute: '',
    LoginIdAttribute: '',
    PictureAttribute: '',
    SyncIntervalMinutes: 60,
    SkipCertificateVerification: false,
    PublicCertificateFile: '',
    PrivateKeyFile: '',
    QueryTimeout: 60,
    MaxPageSize: 0,
    LoginFieldName: '',
    LoginButtonColor: '#0000',
    LoginButtonBorderColor: '#2389D7',
    LoginButtonTextColor: '#2389D7',
  },
  SamlSettings: {
    Enable: false,
    EnableSyncWithLdap: false,
    EnableSyncWithLdapIncludeAuth: false,
    IgnoreGuestsLdapSync: false,
    // Verify: the IdP's signature is required on the response or the assertion. Encrypt: the
    // assertion must be encrypted to PublicCertificateFile (and is decrypted with PrivateKeyFile).
    // SignRequest: AuthnRequests are signed with PrivateKeyFile.
    Verify: true,
    Encrypt: true,
    SignRequest: false,
    IdpURL: '',
    IdpDescriptorURL: '',
    IdpMetadataURL: '',
    ServiceProviderIdentifier: '',
    AssertionConsumerServiceURL: '',
    SignatureAlgorithm: 'RSAwithSHA1',
    CanonicalAlgorithm: 'Canonical1.0',
    ScopingIDPProviderId: '',
    ScopingIDPName: '',
    // File names of the certificates and key, as uploaded through /api/v4/saml/certificate/*.
    IdpCertificateFile: '',
    PublicCertificateFile: '',
    PrivateKeyFile: '',
    IdAttribute: '',
    GuestAttribute: '',
    EnableAdminAttribute: false,
    AdminAttribute: '',
    FirstNameAttribute: '',
    LastNameAttribute: '',
    EmailAttribute: '',
    UsernameAttribute: '',
    NicknameAttribute: '',
    LocaleAttribute: '',
    PositionAttribute: '',
    LoginButtonText: 'SAML',
    LoginButtonColor: '#34a28b',
    LoginButtonBorderColor: '#2389D7',
    LoginButtonTextColor: '#ffffff',
  },
  LocalizationSettings: { DefaultServerLocale: 'en', DefaultClientLocale: 'en', AvailableLocales: '' },
  // AppCustomURLSchemes: the only redirect targets outside SiteURL a sign-in may end on (the
  // mobile and desktop apps' schemes, e.g. mmauth://callback).
  NativeAppSettings: {
    AppCustomURLSchemes: ['mmauth://', 'mmauthbeta://'] as string[],
    AppDownloadLink: '',
    AndroidAppDownloadLink: '',
    IosAppDownloadLink: '',
    MobileExternalBrowser: false,
  },
  // A RedisAddress also moves the job queue to Redis (BullMQ), shared by every node.
  CacheSettings: { CacheType: 'lru', RedisAddress: '', RedisPassword: '', RedisDB: -1, RedisCachePrefix: '', DisableClientCache: false },
  ClusterSettings: {
    Enable: false,
    ClusterName: '',
    OverrideHostname: '',
    NetworkInterface: '',
    BindAddress: '',
    AdvertiseAddress: '',
    UseIPAddress: true,
    EnableGossipCompression: true,
    EnableExperimentalGossipEncryption: false,
    ReadOnlyConfig: true,
    GossipPort: 8074,
    StreamingPort: 8075,
    // Not in Mattermost: the shared secret that authenticates gossip and streams between nodes.
    // Secrets in PreviousClusterSecrets are still accepted, so it can be rotated node by node.
    ClusterSecret: '',
    PreviousClusterSecrets: [] as string[],
    // Not in Mattermost: PEM files for the streams' mutual TLS, for operators with their own PKI
    // (each node's certificate names its advertised address). Empty: every node derives the
    // cluster's CA from the secret and issues itself a certificate.
    StreamingTLSCertFile: '',
    StreamingTLSKeyFile: '',
    StreamingTLSCAFile: '',
  },
  MetricsSettings: {
    Enable: false,
    BlockProfileRate: 0,
    ListenAddress: ':8067',
    EnableClientMetrics: true,
    EnableNotificationMetrics: true,
    // Not in Mattermost: count each API request's database statements by handler
    // (mattermost_api_db_*). Off by default: the count follows a request through every await
    // (AsyncLocalStorage), which costs a little on every promise while it is on.
    EnableStatementCounts: false,
  },
  ExperimentalSettings: { ClientSideCertEnable: false, LinkMetadataTimeoutMilliseconds: 5000, RestrictSystemAdmin: false },
  DataRetentionSettings: {
    EnableMessageDeletion: false,
    EnableFileDeletion: false,
    MessageRetentionDays: 365,
    FileRetentionDays: 365,
    DeletionJobStartTime: '02:00',
    BatchSize: 3000,
  },
  JobSettings: {
    RunJobs: true,
    RunScheduler: true,
    CleanupJobsThresholdDays: -1,
    CleanupConfigThresholdDays: -1,
    // Not in Mattermost: how long a running job may go without its node's heartbeat before another
    // node takes it over, and how often the expired session and access token cleanups run.
    StalledJobTimeoutSeconds: 30,
    CleanupIntervalSeconds: 3600,
    // Not in Mattermost (a fixed one-minute recurring task there): how often the scheduled_posts
    // job sends the posts that are due.
    ScheduledPostsIntervalSeconds: 60,
  },
  ExportSettings: { Directory: './export' },
  // Where import uploads (POST /uploads of type "import") land in the file store, and what
  // GET /imports lists; RetentionDays as Mattermost's (its import_delete job is not run here).
  ImportSettings: { Directory: './import', RetentionDays: 30 },
  GuestAccountsSettings: { Enable: false, AllowEmailAccounts: true, EnforceMultifactorAuthentication: false, RestrictCreationToDomains: '' },
  DisplaySettings: { CustomURLSchemes: [] as string[], MaxMarkdownNodes: 0, ExperimentalTimezone: true },
  ImageProxySettings: { Enable: false, ImageProxyType: 'local', RemoteImageProxyURL: '', RemoteImageProxyOptions: '' },
  // Mattermost's feature flags that change what the apps send; the client config shows each as
  // FeatureFlag<Name>. WebSocketEventScope: the web app reports the channel, team and thread in
  // view with the `presence` socket action. NotificationMonitoring: notification delivery is
  // tracked (the apps acknowledge `posted` events with `posted_notify_ack`).
  FeatureFlags: { WebSocketEventScope: true, NotificationMonitoring: true },
};

export type Config = typeof defaultConfig;

/** One SqlSettings.ReplicaLagSettings entry (libs/db's ReplicaLagSetting). */
export interface ReplicaLagSettingConfig {
  DataSource: string;
  QueryAbsoluteLag?: string;
  QueryTimeLag?: string;
  MaxAbsoluteLagBytes?: number;
  MaxTimeLagSeconds?: number;
}
export type SectionName = keyof Config;

/** Settings whose values GET /config replaces with this mask (model.FakeSetting). */
export const FAKE_SETTING = '********************************';
export const SECRET_SETTINGS: ReadonlyArray<[SectionName, string]> = [
  ['SqlSettings', 'DataSource'],
  ['SqlSettings', 'DataSourceReplicas'],
  ['SqlSettings', 'DataSourceSearchReplicas'],
  ['SqlSettings', 'AtRestEncryptKey'],
  ['FileSettings', 'PublicLinkSalt'],
  ['FileSettings', 'AmazonS3SecretAccessKey'],
  ['EmailSettings', 'SMTPPassword'],
  ['GitLabSettings', 'Secret'],
  ['OpenIdSettings', 'Secret'],
  ['GoogleSettings', 'Secret'],
  ['Office365Settings', 'Secret'],
  ['LdapSettings', 'BindPassword'],
  ['CacheSettings', 'RedisPassword'],
  ['ClusterSettings', 'ClusterSecret'],
  ['ClusterSettings', 'PreviousClusterSecrets'],
  ['ImageProxySettings', 'RemoteImageProxyOptions'],
];
