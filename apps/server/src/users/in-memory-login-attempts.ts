/** login_attempts for service specs, with the repository's contract (the SQL's window and frozen clock). */
export class MemoryLoginAttempts {
  rows = new Map<string, { attempts: number; updatedAt: number }>();

  async count(loginId: string, address: string, { now, lockoutMs, max }: { now: number; lockoutMs: number; max: number }) {
    const key = `${loginId}|${address}`;
    const row = this.rows.get(key);
    if (!row || row.updatedAt <= now - lockoutMs) {
      this.rows.set(key, { attempts: 1, updatedAt: now });
      return 1;
    }
    if (row.attempts < max) row.updatedAt = now;
    return ++row.attempts;
  }

  async uncount(loginId: string, address: string) {
    const row = this.rows.get(`${loginId}|${address}`);
    if (row && row.attempts > 0) row.attempts--;
  }

  async forget(loginId: string, address: string) {
    this.rows.delete(`${loginId}|${address}`);
  }
}
