import { randomBytes } from 'node:crypto';

/** Mattermost's token types (app/user.go), the ones this server issues. */
export const TokenType = {
  PasswordRecovery: 'password_recovery',
  VerifyEmail: 'verify_email',
  TeamInvitation: 'team_invitation',
} as const;
export type TokenTypeName = (typeof TokenType)[keyof typeof TokenType];

const HOUR = 3_600_000;
/**
 * How long each kind of link works (Mattermost's PasswordRecoverExpiryTime, 24 h, which also bounds
 * email verification links, and InvitationExpiryTime, 48 h).
 */
export const TOKEN_LIFETIME_MS: Record<TokenTypeName, number> = {
  [TokenType.PasswordRecovery]: 24 * HOUR,
  [TokenType.VerifyEmail]: 24 * HOUR,
  [TokenType.TeamInvitation]: 48 * HOUR,
};

/** model.TokenSize: every token is 64 characters; the routes refuse other lengths as invalid params. */
export const TOKEN_SIZE = 64;

/** A tokens row (the token itself is only ever in the mail; the row holds its hash). */
export interface TokenRow {
  /** SHA-256 hex of the token. */
  token: string;
  create_at: number;
  type: string;
  /** JSON, Mattermost's shape per type: {"UserId","Email"} or {"teamId","email",…}. */
  extra: string;
  user_id: string;
}

/** A new random token: 64 characters of [a-z0-9] (model.NewRandomString's alphabet), 320 random bits. */
export function newTokenString(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const bytes = randomBytes(TOKEN_SIZE);
  let out = '';
  for (const b of bytes) out += alphabet[b & 31];
  return out;
}

export function isExpired(row: Pick<TokenRow, 'type' | 'create_at'>, now = Date.now()): boolean {
  const lifetime = TOKEN_LIFETIME_MS[row.type as TokenTypeName];
  return lifetime === undefined || now - row.create_at >= lifetime;
}

/** The token's extra as a string map (what Mattermost's MapFromJSON reads); {} when it is not one. */
export function tokenExtra(row: Pick<TokenRow, 'extra'>): Record<string, string> {
  try {
    const parsed = JSON.parse(row.extra) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  } catch {
    return {};
  }
}
