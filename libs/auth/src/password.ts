import bcrypt from 'bcrypt';

// Mattermost hashes with bcrypt cost 10.
const BCRYPT_COST = 10;

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, BCRYPT_COST);
}

export async function comparePassword(password: string, hash: string): Promise<boolean> {
  if (!hash) return false;
  return bcrypt.compare(password, hash);
}

export interface PasswordRules {
  MinimumLength: number;
  Lowercase: boolean;
  Uppercase: boolean;
  Number: boolean;
  Symbol: boolean;
}

/**
 * Mattermost's password check: returns the error id for the first rule broken (the id names the
 * combination of rules in force, as model.IsPasswordValidWithSettings does), or null.
 */
export function passwordError(password: string, rules: PasswordRules): string | null {
  const maxLength = 72; // bcrypt reads at most 72 bytes
  // Both bounds count UTF-8 bytes, as Mattermost's len(password) does.
  const bytes = Buffer.byteLength(password);
  let broken = bytes < rules.MinimumLength || bytes > maxLength;
  let id = 'model.user.is_valid.pwd';
  if (rules.Lowercase) {
    id += '_lowercase';
    if (!/[a-z]/.test(password)) broken = true;
  }
  if (rules.Uppercase) {
    id += '_uppercase';
    if (!/[A-Z]/.test(password)) broken = true;
  }
  if (rules.Number) {
    id += '_number';
    if (!/[0-9]/.test(password)) broken = true;
  }
  if (rules.Symbol) {
    id += '_symbol';
    if (!/[ !"\\#$%&'()*+,\-./:;<=>?@[\]^_`|~]/.test(password)) broken = true;
  }
  return broken ? `${id}.app_error` : null;
}
