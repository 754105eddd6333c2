import type { ExternalIdentity } from '../sso/external-accounts.service.js';

/**
 * What moving an email account to AD/LDAP needs of the LDAP sign-in (Mattermost's
 * LdapInterface.SwitchToLdap): the directory entry an LDAP login id and password open, as the
 * identity its sign-in maps it to. The LDAP area provides it (`{ provide: LdapSwitch, useExisting:
 * … }` in a global module); without a provider, switches to and from LDAP answer Mattermost's 501
 * "not available".
 */
export abstract class LdapSwitch {
  /** Binds as the entry `ldapLoginId` names with `password`; throws the login's AppError when that fails. */
  abstract identify(ldapLoginId: string, password: string): Promise<ExternalIdentity>;
}
