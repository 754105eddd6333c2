import bcrypt from 'bcrypt';
import { AppError } from '#common';

// Mattermost hashes with bcrypt cost 10.
const BCRYPT_COST = 10;

/**
 * A cost-10 hash of a random secret nobody knows. A login id without an account (or an account
 * without a password) is checked against it, so the answer costs one bcrypt like a wrong password
 * for a real account and its timing does not tell whether the account exists.
 */
const DUMMY_HASH = '$2b$10$lMy10sGMv/nedSTaXjiymOkAgywnqr.Y3vrUHbPiEDP7GyoQLjCrC';

/**
 * Two bcrypts at a time: one takes ~50–120 ms of a core, so two keep at least half of libuv's four
 * threads free for file, DNS and zlib work and leave the event loop CPU. A flood of passwords then
 * waits here instead of filling the thread pool that every other request needs.
 */
const DEFAULT_CONCURRENCY = 2;

/** Past this many waiting, new work is refused (503) instead of queueing for seconds. */
const DEFAULT_MAX_WAITING = 128;

/** Every bcrypt of the process goes through one bounded queue. */
export class PasswordHasher {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  /** How many bcrypt comparisons ran, the dummy ones included (specs read it). */
  compares = 0;

  constructor(
    readonly concurrency = DEFAULT_CONCURRENCY,
    readonly maxWaiting = DEFAULT_MAX_WAITING,
  ) {}

  /** How many are waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  hash(password: string): Promise<string> {
    return this.run(() => bcrypt.hash(password, BCRYPT_COST));
  }

  /**
   * Whether `password` matches `hash`. An empty hash (no password set) never matches, but still
   * costs one bcrypt against the dummy hash, as does any other comparison.
   */
  async compare(password: string, hash: string): Promise<boolean> {
    const target = hash || DUMMY_HASH;
    const matches = await this.run(() => {
      this.compares++;
      return bcrypt.compare(password, target);
    });
    return matches && target === hash;
  }

  private async run<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.maxWaiting) {
      return Promise.reject(new AppError('PasswordHasher', 'api.context.server_busy.app_error', 'The server is busy, please try again later.', 503));
    }
    // The slot passes straight from the releasing run to the next in line (running stays the same).
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}

/** The process's one queue: sign-up, login and password changes all hash and compare through it. */
export const passwordHasher = new PasswordHasher();

export function hashPassword(password: string): Promise<string> {
  return passwordHasher.hash(password);
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
