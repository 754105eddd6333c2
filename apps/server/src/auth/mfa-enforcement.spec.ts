import { describe, expect, it } from 'vitest';
import { defaultConfig } from '#config';
import type { Session } from '../common/session.js';
import { mfaSetupRequired } from './mfa-enforcement.js';
import type { SessionAccount } from './sessions.repository.js';

function enforced(over: { guests?: boolean; enable?: boolean; enforce?: boolean } = {}) {
  const cfg = structuredClone(defaultConfig);
  cfg.ServiceSettings.EnableMultifactorAuthentication = over.enable ?? true;
  cfg.ServiceSettings.EnforceMultifactorAuthentication = over.enforce ?? true;
  cfg.GuestAccountsSettings.EnforceMultifactorAuthentication = over.guests ?? false;
  return cfg;
}
const session = (over: Partial<Session> = {}) => ({ roles: 'system_user', is_oauth: false, ...over }) as Session;
const account = (over: Partial<SessionAccount> = {}): SessionAccount => ({ mfa_active: false, auth_service: '', is_bot: false, ...over });
const TEAMS = '/api/v4/users/me/teams';

describe('mfaSetupRequired (Mattermost Context.MfaRequired)', () => {
  it('refuses email and LDAP accounts without MFA while MFA is enabled and enforced', () => {
    expect(mfaSetupRequired(enforced(), session(), account(), TEAMS)).toBe(true);
    expect(mfaSetupRequired(enforced(), session(), account({ auth_service: 'ldap' }), TEAMS)).toBe(true);
    expect(mfaSetupRequired(enforced(), session({ roles: 'system_admin system_user' }), account(), TEAMS)).toBe(true);
  });

  it('lets everyone through when MFA is off or not enforced', () => {
    expect(mfaSetupRequired(enforced({ enforce: false }), session(), account(), TEAMS)).toBe(false);
    expect(mfaSetupRequired(enforced({ enable: false }), session(), account(), TEAMS)).toBe(false);
  });

  it('exempts accounts with MFA, bots, OAuth-app sessions, provider accounts and the own profile', () => {
    const cfg = enforced();
    expect(mfaSetupRequired(cfg, session(), account({ mfa_active: true }), TEAMS)).toBe(false);
    expect(mfaSetupRequired(cfg, session(), account({ is_bot: true }), TEAMS)).toBe(false);
    expect(mfaSetupRequired(cfg, session({ is_oauth: true }), account(), TEAMS)).toBe(false);
    for (const service of ['saml', 'gitlab', 'google', 'office365', 'openid']) {
      expect(mfaSetupRequired(cfg, session(), account({ auth_service: service }), TEAMS)).toBe(false);
    }
    expect(mfaSetupRequired(cfg, session(), account(), '/api/v4/users/me')).toBe(false);
    expect(mfaSetupRequired(cfg, session(), account(), '/api/v4/users/me/')).toBe(false);
    expect(mfaSetupRequired(cfg, session(), account(), '/api/v4/users/me/sessions')).toBe(true);
    expect(mfaSetupRequired(cfg, session(), undefined, TEAMS)).toBe(false);
  });

  it('exempts guests unless GuestAccountsSettings.EnforceMultifactorAuthentication', () => {
    const guest = session({ roles: 'system_guest' });
    expect(mfaSetupRequired(enforced(), guest, account(), TEAMS)).toBe(false);
    expect(mfaSetupRequired(enforced({ guests: true }), guest, account(), TEAMS)).toBe(true);
  });
});
