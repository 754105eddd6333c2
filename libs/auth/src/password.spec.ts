import { describe, expect, it } from 'vitest';
import { hashPassword, PasswordHasher, passwordError, passwordHasher, PasswordRules } from './password.js';

const rules = (over: Partial<PasswordRules> = {}): PasswordRules => ({
  MinimumLength: 8,
  Lowercase: false,
  Uppercase: false,
  Number: false,
  Symbol: false,
  ...over,
});

describe('passwordError', () => {
  describe('length', () => {
    it('accepts a password of exactly the minimum length and refuses one shorter', () => {
      expect(passwordError('12345678', rules())).toBeNull();
      expect(passwordError('1234567', rules())).toBe('model.user.is_valid.pwd.app_error');
      expect(passwordError('', rules())).toBe('model.user.is_valid.pwd.app_error');
    });

    it('follows the configured minimum', () => {
      expect(passwordError('abcde', rules({ MinimumLength: 5 }))).toBeNull();
      expect(passwordError('abcdefghij', rules({ MinimumLength: 11 }))).toBe('model.user.is_valid.pwd.app_error');
    });

    it('accepts 72 bytes and refuses 73 (bcrypt reads 72)', () => {
      expect(passwordError('a'.repeat(72), rules())).toBeNull();
      expect(passwordError('a'.repeat(73), rules())).toBe('model.user.is_valid.pwd.app_error');
    });

    it('measures the maximum in UTF-8 bytes', () => {
      // 36 two-byte characters = 72 bytes; 37 = 74 bytes.
      expect(passwordError('é'.repeat(36), rules())).toBeNull();
      expect(passwordError('é'.repeat(37), rules())).toBe('model.user.is_valid.pwd.app_error');
    });

    it('counts the minimum in UTF-8 bytes too, as Mattermost does', () => {
      // 'é' is 2 bytes: four of them are 8 bytes, enough for a minimum of 8 (Go's len counts bytes).
      expect(passwordError('éééé', rules())).toBeNull();
      expect(passwordError('ééé', rules())).toBe('model.user.is_valid.pwd.app_error');
      // Two emoji are 8 bytes.
      expect(passwordError('😀😀', rules())).toBeNull();
      expect(passwordError('😀', rules())).toBe('model.user.is_valid.pwd.app_error');
    });
  });

  describe('each rule alone', () => {
    it('lowercase', () => {
      const r = rules({ Lowercase: true });
      expect(passwordError('ABCDEFGh', r)).toBeNull();
      expect(passwordError('ABCDEFGH', r)).toBe('model.user.is_valid.pwd_lowercase.app_error');
    });

    it('uppercase', () => {
      const r = rules({ Uppercase: true });
      expect(passwordError('abcdefgH', r)).toBeNull();
      expect(passwordError('abcdefgh', r)).toBe('model.user.is_valid.pwd_uppercase.app_error');
    });

    it('number', () => {
      const r = rules({ Number: true });
      expect(passwordError('abcdefg1', r)).toBeNull();
      expect(passwordError('abcdefgh', r)).toBe('model.user.is_valid.pwd_number.app_error');
    });

    it('symbol', () => {
      const r = rules({ Symbol: true });
      expect(passwordError('abcdefgh', r)).toBe('model.user.is_valid.pwd_symbol.app_error');
      for (const symbol of ` !"\\#$%&'()*+,-./:;<=>?@[]^_\`|~`) {
        expect(passwordError(`abcdefg${symbol}`, r), `symbol ${JSON.stringify(symbol)}`).toBeNull();
      }
    });

    it("symbol: characters outside Mattermost's symbol set do not count", () => {
      const r = rules({ Symbol: true });
      for (const notSymbol of ['{', '}', 'é', '€', '\t']) {
        expect(passwordError(`abcdefg${notSymbol}`, r), `char ${JSON.stringify(notSymbol)}`).toBe('model.user.is_valid.pwd_symbol.app_error');
      }
    });

    it('a too-short password names the rules in force', () => {
      expect(passwordError('aB1', rules({ Lowercase: true, Uppercase: true }))).toBe('model.user.is_valid.pwd_lowercase_uppercase.app_error');
    });
  });

  describe('combined rules', () => {
    it('build the id in the order lowercase, uppercase, number, symbol', () => {
      const all = rules({ Lowercase: true, Uppercase: true, Number: true, Symbol: true });
      expect(passwordError('abcdefgh', all)).toBe('model.user.is_valid.pwd_lowercase_uppercase_number_symbol.app_error');
      expect(passwordError('aB3$efgh', all)).toBeNull();
    });

    it('lowercase + number', () => {
      const r = rules({ Lowercase: true, Number: true });
      expect(passwordError('abcdefg1', r)).toBeNull();
      expect(passwordError('abcdefgh', r)).toBe('model.user.is_valid.pwd_lowercase_number.app_error');
      expect(passwordError('ABCDEFG1', r)).toBe('model.user.is_valid.pwd_lowercase_number.app_error');
    });

    it('uppercase + symbol', () => {
      const r = rules({ Uppercase: true, Symbol: true });
      expect(passwordError('abcdefG!', r)).toBeNull();
      expect(passwordError('abcdefG1', r)).toBe('model.user.is_valid.pwd_uppercase_symbol.app_error');
    });

    it('lowercase + uppercase + number', () => {
      const r = rules({ Lowercase: true, Uppercase: true, Number: true });
      expect(passwordError('abcdeF12', r)).toBeNull();
      expect(passwordError('abcdeFgh', r)).toBe('model.user.is_valid.pwd_lowercase_uppercase_number.app_error');
    });

    it('number + symbol', () => {
      const r = rules({ Number: true, Symbol: true });
      expect(passwordError('abcdef1.', r)).toBeNull();
      expect(passwordError('abcdefg.', r)).toBe('model.user.is_valid.pwd_number_symbol.app_error');
    });
  });
});

describe('hashPassword / passwordHasher.compare', () => {
  it('hashes with bcrypt cost 10 and verifies only the right password', async () => {
    const hash = await hashPassword('correct horse');
    expect(hash).toMatch(/^\$2[aby]\$10\$/);
    expect(hash).not.toContain('correct horse');
    expect(await passwordHasher.compare('correct horse', hash)).toBe(true);
    expect(await passwordHasher.compare('correct horsE', hash)).toBe(false);
  });

  it('never matches an empty hash (users without a password)', async () => {
    expect(await passwordHasher.compare('', '')).toBe(false);
    expect(await passwordHasher.compare('anything', '')).toBe(false);
  });
});

describe('PasswordHasher', () => {
  it('runs at most `concurrency` bcrypts at once; the rest wait their turn and all finish', async () => {
    const hasher = new PasswordHasher(2, 100);
    const hash = await hasher.hash('right');
    const checks = Array.from({ length: 6 }, (_, i) => hasher.compare(i === 5 ? 'right' : 'wrong', hash));
    expect(hasher.queued).toBe(4);
    expect(await Promise.all(checks)).toEqual([false, false, false, false, false, true]);
    expect(hasher.queued).toBe(0);
    expect(hasher.compares).toBe(6);
  });

  it('refuses work past its queue bound with 503 instead of queueing for ever', async () => {
    const hasher = new PasswordHasher(1, 2);
    const accepted = [hasher.compare('a', ''), hasher.compare('b', ''), hasher.compare('c', '')];
    await expect(hasher.compare('d', '')).rejects.toMatchObject({ statusCode: 503, id: 'api.context.server_busy.app_error' });
    expect(await Promise.all(accepted)).toEqual([false, false, false]);
  });

  it('spends one bcrypt on an empty hash too, so a missing password answers as slowly as a wrong one', async () => {
    const hasher = new PasswordHasher();
    expect(await hasher.compare('anything', '')).toBe(false);
    expect(hasher.compares).toBe(1);
  });
});
