import { describe, expect, it } from 'vitest';
import { PermissionsService } from '../auth/permissions.service.js';
import type { Session } from '../common/session.js';
import { AUDIT_LIMITS, type Audit } from './audit.model.js';
import { AuditsService } from './audits.service.js';

const session = (user_id: string, roles = 'system_user') => ({ id: `s-${user_id}`, user_id, roles }) as Session;

/** The rows kept in memory, newest first as the table reads them. */
function memoryRepo(failing = false) {
  const rows: Audit[] = [];
  return {
    rows,
    async insert(a: Audit) {
      if (failing) throw new Error('disk full');
      rows.unshift(a);
    },
    async page(userId: string, offset: number, limit: number) {
      return rows.filter((r) => !userId || r.user_id === userId).slice(offset, offset + limit);
    },
  };
}

/** Only the system role checks matter here: edit_other_users is a system admin's. */
const permissions = {
  requireSelfOrAdmin(s: Session, userId: string) {
    if (s.user_id !== userId && !s.roles.includes('system_admin')) throw Object.assign(new Error('denied'), { status: 403 });
  },
} as unknown as PermissionsService;

describe('AuditsService', () => {
  it('records a caller and cuts what does not fit the columns', async () => {
    const repo = memoryRepo();
    await new AuditsService(repo, permissions).record(
      { user_id: 'u1', session_id: 's1', ip_address: '127.0.0.1' },
      '/api/v4/x'.padEnd(600, 'x'),
      'd'.repeat(2000),
    );
    expect(repo.rows[0]).toMatchObject({ user_id: 'u1', session_id: 's1', ip_address: '127.0.0.1' });
    expect(repo.rows[0]!.action).toHaveLength(AUDIT_LIMITS.action);
    expect(repo.rows[0]!.extra_info).toHaveLength(AUDIT_LIMITS.extra_info);
  });

  it('never fails the request it records when the write fails', async () => {
    await expect(new AuditsService(memoryRepo(true), permissions).record({ user_id: 'u', session_id: '', ip_address: '' }, '/a', 'b')).resolves.toBeUndefined();
  });

  it("lets a user read their own audits, and another's only with edit_other_users", async () => {
    const repo = memoryRepo();
    const audits = new AuditsService(repo, permissions);
    await audits.record({ user_id: 'u1', session_id: '', ip_address: '' }, '/one', '');
    await audits.record({ user_id: 'u2', session_id: '', ip_address: '' }, '/two', '');
    expect((await audits.forUser(session('u1'), 'u1', 0, 60)).map((a) => a.action)).toEqual(['/one']);
    await expect(audits.forUser(session('u2'), 'u1', 0, 60)).rejects.toMatchObject({ status: 403 });
    expect((await audits.forUser(session('admin', 'system_user system_admin'), 'u1', 0, 60)).map((a) => a.action)).toEqual(['/one']);
    expect((await audits.all(0, 1)).map((a) => a.action)).toEqual(['/two']);
  });
});
