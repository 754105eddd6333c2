import { Config } from '#config';
import { BUILD_NUMBER, SERVER_VERSION } from '../common/http-pipeline.js';

const str = (v: unknown) => String(v);

/**
 * The flat string map of GET /config/client?format=old. Before login only what the login and
 * sign-up pages need; after login the settings the web and mobile apps read.
 */
export function clientConfig(
  cfg: Config,
  opts: { loggedIn: boolean; diagnosticId: string; signingPublicKey?: string; noAccounts: boolean },
): Record<string, string> {
  const s = cfg.ServiceSettings;
  const limited: Record<string, string> = {
    Version: SERVER_VERSION,
    BuildNumber: BUILD_NUMBER,
    BuildDate: '',
    BuildHash: '',
    BuildHashEnterprise: 'none',
    BuildEnterpriseReady: 'false',
    SiteName: cfg.TeamSettings.SiteName,
    SiteURL: s.SiteURL,
    DiagnosticId: opts.diagnosticId,
    // The apps verify the ES256 signature of every push with it (push/push-sender.ts).
    AsymmetricSigningPublicKey: opts.signingPublicKey ?? '',
    DiagnosticsEnabled: str(cfg.LogSettings.EnableDiagnostics),
    WebsocketURL: s.WebsocketURL,
    WebsocketPort: '80',
    WebsocketSecurePort: '443',
    EnableSignUpWithEmail: str(cfg.EmailSettings.EnableSignUpWithEmail),
    EnableSignInWithEmail: str(cfg.EmailSettings.EnableSignInWithEmail),
    EnableSignInWithUsername: str(cfg.EmailSettings.EnableSignInWithUsername),
    EnableUserCreation: str(cfg.TeamSettings.EnableUserCreation),
    EnableOpenServer: str(cfg.TeamSettings.EnableOpenServer),
    EnableMultifactorAuthentication: str(s.EnableMultifactorAuthentication),
    EnforceMultifactorAuthentication: str(s.EnforceMultifactorAuthentication),
    ...signInMethods(cfg),
    EnableCustomBrand: str(cfg.TeamSettings.EnableCustomBrand),
    CustomBrandText: cfg.TeamSettings.CustomBrandText,
    CustomDescriptionText: cfg.TeamSettings.CustomDescriptionText,
    DefaultClientLocale: cfg.LocalizationSettings.DefaultClientLocale,
    AvailableLocales: cfg.LocalizationSettings.AvailableLocales,
    PasswordMinimumLength: str(cfg.PasswordSettings.MinimumLength),
    PasswordRequireLowercase: str(cfg.PasswordSettings.Lowercase),
    PasswordRequireUppercase: str(cfg.PasswordSettings.Uppercase),
    PasswordRequireNumber: str(cfg.PasswordSettings.Number),
    PasswordRequireSymbol: str(cfg.PasswordSettings.Symbol),
    PasswordEnableForgotLink: str(cfg.PasswordSettings.EnableForgotLink),
    NoAccounts: str(opts.noAccounts),
    TermsOfServiceLink: cfg.SupportSettings.TermsOfServiceLink,
    PrivacyPolicyLink: cfg.SupportSettings.PrivacyPolicyLink,
    AboutLink: cfg.SupportSettings.AboutLink,
    HelpLink: cfg.SupportSettings.HelpLink,
    ReportAProblemLink: cfg.SupportSettings.ReportAProblemLink,
    SupportEmail: cfg.SupportSettings.SupportEmail,
    EnableGuestAccounts: str(cfg.GuestAccountsSettings.Enable),
    HasImageProxy: str(cfg.ImageProxySettings.Enable),
  };
  if (!opts.loggedIn) return limited;
  return {
    ...limited,
    EnableUserAccessTokens: str(s.EnableUserAccessTokens),
    EnableCustomEmoji: str(s.EnableCustomEmoji),
    EnableEmojiPicker: str(s.EnableEmojiPicker),
    EnableFileAttachments: str(cfg.FileSettings.EnableFileAttachments),
    EnablePublicLink: str(cfg.FileSettings.EnablePublicLink),
    MaxFileSize: str(cfg.FileSettings.MaxFileSize),
    MaxPostSize: '16383',
    MaxNotificationsPerChannel: str(cfg.TeamSettings.MaxNotificationsPerChannel),
    TeammateNameDisplay: cfg.TeamSettings.TeammateNameDisplay,
    LockTeammateNameDisplay: str(cfg.TeamSettings.LockTeammateNameDisplay),
    RestrictDirectMessage: cfg.TeamSettings.RestrictDirectMessage,
    ShowEmailAddress: str(cfg.PrivacySettings.ShowEmailAddress),
    ShowFullName: str(cfg.PrivacySettings.ShowFullName),
    EnableUserTypingMessages: str(s.EnableUserTypingMessages),
    TimeBetweenUserTypingUpdatesMilliseconds: str(s.TimeBetweenUserTypingUpdatesMilliseconds),
    EnableChannelViewedMessages: str(s.EnableChannelViewedMessages),
    EnableUserStatuses: str(s.EnableUserStatuses),
    EnablePostSearch: str(s.EnablePostSearch),
    MinimumHashtagLength: str(s.MinimumHashtagLength),
    CollapsedThreads: s.CollapsedThreads,
    ExperimentalViewArchivedChannels: str(cfg.TeamSettings.ExperimentalViewArchivedChannels),
    EnableCustomUserStatuses: str(cfg.TeamSettings.EnableCustomUserStatuses),
    EnableLastActiveTime: str(cfg.TeamSettings.EnableLastActiveTime),
    EnableConfirmNotificationsToChannel: str(cfg.TeamSettings.EnableConfirmNotificationsToChannel),
    PostEditTimeLimit: str(s.PostEditTimeLimit),
    EnableLinkPreviews: str(s.EnableLinkPreviews),
    EnableCommands: str(s.EnableCommands),
    EnableIncomingWebhooks: str(s.EnableIncomingWebhooks),
    EnableOutgoingWebhooks: str(s.EnableOutgoingWebhooks),
    EnableOAuthServiceProvider: str(s.EnableOAuthServiceProvider),
    EnableTutorial: str(s.EnableTutorial),
    SendPushNotifications: str(cfg.EmailSettings.SendPushNotifications),
    SendEmailNotifications: str(cfg.EmailSettings.SendEmailNotifications),
    RequireEmailVerification: str(cfg.EmailSettings.RequireEmailVerification),
    EnableEmailBatching: str(cfg.EmailSettings.EnableEmailBatching),
    EmailNotificationContentsType: cfg.EmailSettings.EmailNotificationContentsType,
    EnableEmailInvitations: str(s.EnableEmailInvitations),
    EnableBanner: str(cfg.AnnouncementSettings.EnableBanner),
    BannerText: cfg.AnnouncementSettings.BannerText,
    BannerColor: cfg.AnnouncementSettings.BannerColor,
    BannerTextColor: cfg.AnnouncementSettings.BannerTextColor,
    AllowBannerDismissal: str(cfg.AnnouncementSettings.AllowBannerDismissal),
    ExperimentalPrimaryTeam: cfg.TeamSettings.ExperimentalPrimaryTeam,
    ExperimentalTimezone: str(cfg.DisplaySettings.ExperimentalTimezone),
    PostPriority: str(s.PostPriority),
    AllowPersistentNotifications: str(s.AllowPersistentNotifications),
    AllowPersistentNotificationsForGuests: str(s.AllowPersistentNotificationsForGuests),
    RestrictLinkPreviews: s.RestrictLinkPreviews,
    EnablePermalinkPreviews: str(s.EnablePermalinkPreviews),
    ...featureFlags(cfg),
    // Drafts and scheduled posts (config.go GenerateClientConfig).
    AllowSyncedDrafts: str(s.AllowSyncedDrafts),
    ScheduledPosts: str(s.ScheduledPosts),
  };
}

/** Every feature flag as FeatureFlag<Name> (Mattermost's GenerateClientConfig, signed-in only). */
function featureFlags(cfg: Config): Record<string, string> {
  return Object.fromEntries(Object.entries(cfg.FeatureFlags).map(([name, value]) => [`FeatureFlag${name}`, str(value)]));
}

/**
 * The sign-in buttons and fields the login page draws (GenerateLimitedClientConfig), announced
 * before login. Mattermost sends most of these only with a licence; here every method is free.
 */
function signInMethods(cfg: Config): Record<string, string> {
  const { GitLabSettings: gitlab, GoogleSettings: google, Office365Settings: office365, OpenIdSettings: openid } = cfg;
  const ldap = cfg.LdapSettings;
  const saml = cfg.SamlSettings;
  return {
    EnableSignUpWithGitLab: str(gitlab.Enable),
    GitLabButtonText: gitlab.ButtonText,
    GitLabButtonColor: gitlab.ButtonColor,
    EnableSignUpWithGoogle: str(google.Enable),
    EnableSignUpWithOffice365: str(office365.Enable),
    EnableSignUpWithOpenId: str(openid.Enable),
    OpenIdButtonText: openid.ButtonText,
    OpenIdButtonColor: openid.ButtonColor,
    EnableLdap: str(ldap.Enable),
    LdapLoginFieldName: ldap.LoginFieldName,
    LdapLoginButtonColor: ldap.LoginButtonColor,
    LdapLoginButtonBorderColor: ldap.LoginButtonBorderColor,
    LdapLoginButtonTextColor: ldap.LoginButtonTextColor,
    EnableSaml: str(saml.Enable),
    SamlLoginButtonText: saml.LoginButtonText,
    SamlLoginButtonColor: saml.LoginButtonColor,
    SamlLoginButtonBorderColor: saml.LoginButtonBorderColor,
    SamlLoginButtonTextColor: saml.LoginButtonTextColor,
  };
}
