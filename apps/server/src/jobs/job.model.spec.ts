import { describe, expect, it } from 'vitest';
import { ALL_JOB_TYPES, createPermission, isFinished, isJobStatus, JobType, jobView, parseCreateJob, readPermission } from './job.model.js';

describe('job permissions (app/job.go)', () => {
  it('maps each type to the permission Mattermost checks', () => {
    expect(createPermission('data_retention')).toBe('create_data_retention_job');
    expect(readPermission('data_retention')).toBe('read_data_retention_job');
    expect(createPermission('message_export')).toBe('create_compliance_export_job');
    expect(readPermission('ldap_sync')).toBe('read_ldap_sync_job');
    for (const t of ['export_process', 'expiry_notify', 'migrations', 'plugins']) {
      expect(createPermission(t)).toBe('manage_jobs');
      expect(readPermission(t)).toBe('read_jobs');
    }
    expect(readPermission('mobile_session_metadata')).toBe('read_jobs');
    expect(createPermission('mobile_session_metadata')).toBeNull();
    expect(createPermission('access_control_sync')).toBe('manage_system');
  });

  it('gives our own cleanup types to admins like the other housekeeping jobs', () => {
    expect(createPermission(JobType.CleanupExpiredSessions)).toBe('manage_jobs');
    expect(readPermission(JobType.CleanupExpiredAccessTokens)).toBe('read_jobs');
  });

  it('has no permission (so the API refuses) for unknown types, whatever their spelling', () => {
    for (const t of ['', 'nope', 'constructor', '__proto__', 'toString']) {
      expect(createPermission(t), t).toBeNull();
      expect(readPermission(t), t).toBeNull();
    }
  });

  it('lists every type the server runs among the known types', () => {
    for (const t of Object.values(JobType)) expect(ALL_JOB_TYPES).toContain(t);
  });
});

describe('parseCreateJob', () => {
  it('takes a type and string data', () => {
    expect(parseCreateJob({ type: 'export_process', data: { a: 'b' } })).toEqual({ type: 'export_process', data: { a: 'b' } });
    expect(parseCreateJob({ type: 'export_process', data: null })).toEqual({ type: 'export_process', data: {} });
    expect(parseCreateJob({})).toEqual({ type: '', data: {} });
  });

  it('refuses what Go would not decode into model.Job', () => {
    for (const body of [
      null,
      [],
      'x',
      3,
      { type: 1 },
      { type: 'x', data: [] },
      { type: 'x', data: 'y' },
      { type: 'x', data: { n: 1 } },
      { type: 'x', data: { n: null } },
    ]) {
      expect(() => parseCreateJob(body), JSON.stringify(body)).toThrow(
        expect.objectContaining({ id: 'api.context.invalid_body_param.app_error', statusCode: 400 }),
      );
    }
  });
});

describe('statuses and the wire view', () => {
  it('knows Mattermost statuses and which are final', () => {
    for (const s of ['pending', 'in_progress', 'success', 'error', 'cancel_requested', 'canceled', 'warning']) expect(isJobStatus(s)).toBe(true);
    expect(isJobStatus('done')).toBe(false);
    expect(['success', 'error', 'canceled', 'warning'].every(isFinished)).toBe(true);
    expect(['pending', 'in_progress', 'cancel_requested'].some(isFinished)).toBe(false);
  });

  it('keeps internal columns off the wire', () => {
    const view = jobView({
      id: 'i',
      type: 't',
      priority: 0,
      create_at: 1,
      start_at: 2,
      last_activity_at: 3,
      status: 'success',
      progress: 100,
      data: { a: 'b' },
      attempts: 2,
      claim_id: 'c',
      node_id: 'n',
      schedule_key: 'k',
    });
    expect(Object.keys(view).sort()).toEqual(['create_at', 'data', 'id', 'last_activity_at', 'priority', 'progress', 'start_at', 'status', 'type']);
  });
});
