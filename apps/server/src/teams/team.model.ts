import { badRequest, invalidUrlParam } from '#common';
import type { TeamMemberRow } from '../membership/membership.model.js';
import { explicitRoles } from '../membership/scheme-roles.js';

export type TeamType = 'O' | 'I';

/** A teams row (column names are the wire names). */
export interface TeamRow {
  id: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  display_name: string;
  name: string;
  description: string;
  email: string;
  type: TeamType;
  company_name: string;
  allowed_domains: string;
  invite_id: string;
  allow_open_invite: boolean;
  last_team_icon_update: number;
  scheme_id: string | null;
  group_constrained: boolean;
}

// model.reservedName: a team name may not start with any of these (they are web app routes).
const RESERVED_PREFIXES = [
  'admin',
  'api',
  'channel',
  'claim',
  'error',
  'files',
  'help',
  'landing',
  'login',
  'mfa',
  'oauth',
  'plug',
  'plugins',
  'post',
  'signup',
  'boards',
  'playbooks',
];
// model.isValidAlphaNum: lowercase letters, digits and '-', starting and ending with a letter or digit.
const TEAM_NAME = /^[a-z0-9]+([a-z\-0-9]+|(__)?)[a-z0-9]+$/;

const NAME_MIN = 2;
const NAME_MAX = 64;
const DISPLAY_NAME_MAX = 64;
const DESCRIPTION_MAX = 255;
const COMPANY_NAME_MAX = 64;
const ALLOWED_DOMAINS_MAX = 500;
const EMAIL_MAX = 128;

export function isReservedTeamName(name: string): boolean {
  const lower = name.toLowerCase();
  return RESERVED_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

export function isValidTeamName(name: string): boolean {
  return name.length >= NAME_MIN && TEAM_NAME.test(name);
}

/** Context.RequireTeamName: a syntactically valid team name in the URL. */
export function urlTeamName(value: string): string {
  if (!isValidTeamName(value)) throw invalidUrlParam('team_name');
  return value;
}

function invalid(field: string, teamId: string): never {
  throw badRequest(`model.team.is_valid.${field}.app_error`, `Invalid team ${field.replace(/_/g, ' ')}.`, teamId ? `id=${teamId}` : '');
}

/** model.Team.IsValid, for the fields clients can set. */
export function validateTeam(t: Pick<TeamRow, 'id' | 'name' | 'display_name' | 'description' | 'email' | 'type' | 'company_name' | 'allowed_domains'>): void {
  if (t.email.length > EMAIL_MAX) invalid('email', t.id);
  const displayLength = [...t.display_name].length;
  if (displayLength === 0 || displayLength > DISPLAY_NAME_MAX) invalid('name', t.id);
  if (t.name.length > NAME_MAX) invalid('url', t.id);
  if (t.description.length > DESCRIPTION_MAX) invalid('description', t.id);
  if (isReservedTeamName(t.name)) invalid('reserved', t.id);
  if (!isValidTeamName(t.name)) invalid('characters', t.id);
  if (t.type !== 'O' && t.type !== 'I') invalid('type', t.id);
  if (t.company_name.length > COMPANY_NAME_MAX) invalid('company', t.id);
  if (t.allowed_domains.length > ALLOWED_DOMAINS_MAX) invalid('domains', t.id);
}

/** What of a team a viewer may see (App.SanitizeTeam): the invite id and the team email are withheld. */
export interface TeamVisibility {
  inviteId: boolean;
  email: boolean;
}

export const FULL_VISIBILITY: TeamVisibility = { inviteId: true, email: true };
export const SANITIZED: TeamVisibility = { inviteId: false, email: false };

/** model.Team as clients receive it. */
export function teamView(row: TeamRow, visibility: TeamVisibility = FULL_VISIBILITY) {
  return {
    id: row.id,
    create_at: row.create_at,
    update_at: row.update_at,
    delete_at: row.delete_at,
    display_name: row.display_name,
    name: row.name,
    description: row.description,
    email: visibility.email ? row.email : '',
    type: row.type,
    company_name: row.company_name,
    allowed_domains: row.allowed_domains,
    invite_id: visibility.inviteId ? row.invite_id : '',
    allow_open_invite: row.allow_open_invite,
    // omitempty in Mattermost's JSON
    ...(row.last_team_icon_update ? { last_team_icon_update: row.last_team_icon_update } : {}),
    scheme_id: row.scheme_id,
    group_constrained: row.group_constrained,
    policy_id: null,
    cloud_limits_archived: false,
  };
}

export type TeamView = ReturnType<typeof teamView>;

/** model.TeamMember as clients receive it. */
export function teamMemberView(row: TeamMemberRow) {
  return {
    team_id: row.team_id,
    user_id: row.user_id,
    roles: row.roles,
    delete_at: row.delete_at,
    scheme_guest: row.scheme_guest,
    scheme_user: row.scheme_user,
    scheme_admin: row.scheme_admin,
    explicit_roles: explicitRoles('team', row.roles),
  };
}

export type TeamMemberView = ReturnType<typeof teamMemberView>;
