/**
 * The client config (GET /config/client?format=old): a flat map of strings, limited before sign-in
 * to what the login and sign-up pages need. Read settings through these helpers, never by
 * comparing strings in components.
 */
import type { ClientConfig } from '@mattermost/types/config';

export type ClientConfigMap = Partial<Record<keyof ClientConfig, string>> & Record<string, string | undefined>;

export interface ConfigState {
  loaded: boolean;
  client: ClientConfigMap;
}

export const initialConfig: ConfigState = { loaded: false, client: {} };

export function receivedClientConfig(_state: ConfigState, client: ClientConfigMap): ConfigState {
  return { loaded: true, client };
}

/** A boolean setting ("true"/"false" on the wire). */
export const enabled = (cfg: ClientConfigMap, key: string): boolean => cfg[key] === 'true';

/** A button of a browser sign-in method: a plain link to the server's route, which redirects to the provider. */
export interface SsoButton {
  /** The service's id in the server's URLs (/oauth/{id}/login) or 'saml'. */
  id: 'gitlab' | 'google' | 'office365' | 'openid' | 'saml';
  label: string;
  href: string;
  /** Colours the admin chose (GitLabButtonColor, …); empty for the app's own. */
  color: string;
  borderColor: string;
  textColor: string;
}

export interface SignInOptions {
  /** The login id field's label, from the methods that may use it. */
  loginIdLabel: string;
  /** Whether the password form is shown at all (email, username or LDAP). */
  passwordForm: boolean;
  /** Only the directory may check the login (LDAP without email or username sign-in): sent as ldap_only. */
  ldapOnly: boolean;
  sso: SsoButton[];
  /** Whether the login page offers the sign-up page. */
  signUp: boolean;
}

/**
 * What the login page offers, as the client config announces it (Mattermost's login page reads the
 * same settings): one button per enabled browser method, each starting the sign-in at the server
 * with `redirect_to` so that the person lands where they were going.
 */
export function signInOptions(cfg: ClientConfigMap, redirectTo = ''): SignInOptions {
  const email = enabled(cfg, 'EnableSignInWithEmail');
  const username = enabled(cfg, 'EnableSignInWithUsername');
  const ldap = enabled(cfg, 'EnableLdap');
  const names = [email && 'email', username && 'username', ldap && (cfg.LdapLoginFieldName || 'AD/LDAP username')].filter(Boolean) as string[];
  const query = redirectTo ? `?${new URLSearchParams({ redirect_to: redirectTo }).toString()}` : '';
  const sso: SsoButton[] = [];
  const oauth = (id: SsoButton['id'], setting: string, label: string, color = '') => {
    if (enabled(cfg, setting))
      sso.push({ id, label, href: `/oauth/${id}/login${query}`, color, borderColor: '', textColor: color ? readableTextOn(color) : '' });
  };
  oauth('gitlab', 'EnableSignUpWithGitLab', cfg.GitLabButtonText || 'GitLab', cfg.GitLabButtonColor);
  oauth('google', 'EnableSignUpWithGoogle', 'Google');
  oauth('office365', 'EnableSignUpWithOffice365', 'Entra ID');
  oauth('openid', 'EnableSignUpWithOpenId', cfg.OpenIdButtonText || 'OpenID', cfg.OpenIdButtonColor);
  if (enabled(cfg, 'EnableSaml')) {
    sso.push({
      id: 'saml',
      label: cfg.SamlLoginButtonText || 'SAML',
      href: `/login/sso/saml${query}`,
      color: cfg.SamlLoginButtonColor ?? '',
      borderColor: cfg.SamlLoginButtonBorderColor ?? '',
      textColor: cfg.SamlLoginButtonTextColor ?? '',
    });
  }
  return {
    loginIdLabel: joinNames(names),
    passwordForm: names.length > 0,
    ldapOnly: ldap && !email && !username,
    sso,
    signUp: canSignUp(cfg),
  };
}

/**
 * Whether a person may make an account with email and password: the first account of a server
 * always (it becomes the system admin), others when the server is open and creation allowed — or,
 * with an invitation (`invited`), when creation is allowed on a closed server too (the server's
 * rule for POST /users?t= and ?iid=).
 */
export function canSignUp(cfg: ClientConfigMap, invited = false): boolean {
  if (!enabled(cfg, 'EnableSignUpWithEmail')) return false;
  if (enabled(cfg, 'NoAccounts')) return true;
  return (invited || enabled(cfg, 'EnableOpenServer')) && enabled(cfg, 'EnableUserCreation');
}

/** ['email', 'username', 'AD/LDAP username'] → 'Email, username or AD/LDAP username'. */
function joinNames(names: string[]): string {
  const text = names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * White or near-black, whichever reads better on a button colour the admin chose (OpenID and the
 * other OAuth buttons have no text colour setting): the WCAG contrast of each against the colour's
 * relative luminance. '' for a colour that is not #rgb or #rrggbb (the theme's text stays).
 */
export function readableTextOn(background: string): string {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(background.trim())?.[1];
  if (!hex) return '';
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex;
  const channel = (i: number) => {
    const v = parseInt(full.slice(i, i + 2), 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4);
  const DARK = 0.0123; // #1b1d22's relative luminance
  return 1.05 / (luminance + 0.05) >= (luminance + 0.05) / (DARK + 0.05) ? '#ffffff' : '#1b1d22';
}
