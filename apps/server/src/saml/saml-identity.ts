import { badRequest } from '#common';
import type { ExternalIdentity } from '../sso/external-accounts.service.js';
import type { SamlSettings } from './saml-settings.js';

/** An assertion's attributes as node-saml hands them over: one value, several, or structured ones. */
export type SamlAttributes = Record<string, unknown>;

/** The text values of an attribute (structured values and empty strings left out). */
export function attributeValues(attributes: SamlAttributes, name: string): string[] {
  if (!name || !Object.prototype.hasOwnProperty.call(attributes, name)) return [];
  const raw = attributes[name];
  const list = Array.isArray(raw) ? raw : [raw];
  return list.filter((v): v is string => typeof v === 'string').map((v) => v.trim());
}

/** The first value of an attribute, or undefined when the setting is empty or the IdP sent none. */
export function attribute(attributes: SamlAttributes, name: string): string | undefined {
  return attributeValues(attributes, name).find((v) => v !== '');
}

/**
 * Whether the assertion carries a role setting's `name=value` (Mattermost's GuestAttribute and
 * AdminAttribute, e.g. "memberOf=guests"); any of a multi-valued attribute's values may match. A
 * setting without '=' matches nothing.
 */
export function hasRoleAttribute(attributes: SamlAttributes, setting: string): boolean {
  const at = setting.indexOf('=');
  if (at <= 0) return false;
  const name = setting.slice(0, at).trim();
  const value = setting.slice(at + 1).trim();
  return attributeValues(attributes, name).includes(value);
}

function missingAttribute(setting: string, name: string): never {
  throw badRequest(
    'ent.saml.do_login.empty_attribute.app_error',
    `The SAML assertion has no ${name} attribute (SamlSettings.${setting}). Ask your identity provider's administrator to release it.`,
    `attribute=${name}`,
  );
}

/**
 * The person an assertion describes, mapped with the attribute settings: the email (required),
 * auth_data from IdAttribute (or the email when it is empty, as Mattermost), and the profile
 * fields whose attribute is configured and present (absent ones keep their value on later
 * sign-ins). The role is decided by samlRole, which also needs the account as it is.
 */
export function samlIdentity(attributes: SamlAttributes, s: SamlSettings): ExternalIdentity {
  const email = attribute(attributes, s.EmailAttribute);
  if (!email) missingAttribute('EmailAttribute', s.EmailAttribute);
  let authData = email;
  if (s.IdAttribute) authData = attribute(attributes, s.IdAttribute) ?? missingAttribute('IdAttribute', s.IdAttribute);
  const optional = (name: string) => (name ? attribute(attributes, name) : undefined);
  return {
    service: 'saml',
    authData,
    email,
    username: optional(s.UsernameAttribute),
    firstName: optional(s.FirstNameAttribute),
    lastName: optional(s.LastNameAttribute),
    nickname: optional(s.NicknameAttribute),
    position: optional(s.PositionAttribute),
    locale: optional(s.LocaleAttribute),
  };
}

/**
 * The system role the assertion gives, given the account's current roles (none for a first
 * sign-in): guest when GuestAttribute matches; with EnableAdminAttribute, admin when
 * AdminAttribute matches and a plain user otherwise (the IdP decides who is admin); a guest whose
 * guest attribute is gone becomes a user. Otherwise undefined: roles given in the System Console
 * are left alone. A match of both is a guest (the smaller of the two).
 */
export function samlRole(attributes: SamlAttributes, s: SamlSettings, currentRoles?: string): ExternalIdentity['role'] {
  if (s.GuestAttribute && hasRoleAttribute(attributes, s.GuestAttribute)) return 'guest';
  if (s.EnableAdminAttribute && s.AdminAttribute) return hasRoleAttribute(attributes, s.AdminAttribute) ? 'admin' : 'user';
  if (s.GuestAttribute && currentRoles?.split(' ').includes('system_guest')) return 'user';
  return undefined;
}
