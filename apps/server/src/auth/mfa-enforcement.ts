import { forbidden } from '#common';
import type { Config } from '#config';
import { hasRole, type Session } from '../common/session.js';
import type { SessionAccount } from './sessions.repository.js';

/** The one route a signed-in user without MFA may still call under enforcement besides the MFA set-up routes. */
const OWN_PROFILE_PATH = '/api/v4/users/me';

/**
 * Whether ServiceSettings.EnforceMultifactorAuthentication refuses this request until the user sets
 * up MFA (Mattermost's Context.MfaRequired, without its licence check): on when MFA is enabled and
 * enforced; OAuth-app sessions, bots, accounts of SAML and OAuth providers (MFA is theirs), and
 * guests unless GuestAccountsSettings.EnforceMultifactorAuthentication are exempt, as is
 * `GET|PUT /api/v4/users/me`. Routes without a session and the MFA set-up routes never ask
 * (the guard skips them). Reads only what the session lookup brought (no query per request).
 */
export function mfaSetupRequired(cfg: Config, session: Session, account: SessionAccount | undefined, path: string): boolean {
  const s = cfg.ServiceSettings;
  if (!s.EnableMultifactorAuthentication || !s.EnforceMultifactorAuthentication) return false;
  if (session.is_oauth || !account) return false;
  if (hasRole(session.roles, 'system_guest') && !cfg.GuestAccountsSettings.EnforceMultifactorAuthentication) return false;
  if (account.auth_service !== '' && account.auth_service !== 'email' && account.auth_service !== 'ldap') return false;
  if (path.replace(/\/$/, '') === OWN_PROFILE_PATH) return false;
  if (account.is_bot) return false;
  return !account.mfa_active;
}

/** Mattermost's answer while an enforced MFA is not set up (the web app sends the user to /mfa/setup on it). */
export function mfaRequired() {
  return forbidden('api.context.mfa_required.app_error', 'Multi-factor authentication is required on this server.');
}
