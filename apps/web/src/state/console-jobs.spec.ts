import type { Job } from '@mattermost/types/jobs';
import { describe, expect, it } from 'vitest';
import { initialConsoleJobs, isCancelable, jobProgress, jobsOfType, receivedJob, receivedJobs } from './console-jobs';

const job = (id: string, extra: Partial<Job> = {}): Job =>
  ({ id, type: 'data_retention', priority: 0, create_at: 10, start_at: 0, last_activity_at: 10, status: 'pending', progress: 0, data: {}, ...extra }) as Job;

describe('console jobs', () => {
  it("lists a type's jobs newest first", () => {
    const s = receivedJobs(initialConsoleJobs, 'data_retention', [job('a', { create_at: 1 }), job('c', { create_at: 3 }), job('b', { create_at: 2 })]);
    expect(jobsOfType(s, 'data_retention')?.map((j) => j.id)).toEqual(['c', 'b', 'a']);
    expect(jobsOfType(s, 'export_process')).toBeUndefined();
  });

  it('adds a job_updated job to its loaded list, updates a listed one, and only stores one of an unloaded type', () => {
    let s = receivedJobs(initialConsoleJobs, 'data_retention', [job('a', { create_at: 1 })]);
    s = receivedJob(s, job('n', { create_at: 5 }));
    expect(jobsOfType(s, 'data_retention')?.map((j) => j.id)).toEqual(['n', 'a']);
    s = receivedJob(s, job('a', { create_at: 1, status: 'in_progress', progress: 40, last_activity_at: 20 }));
    expect(jobsOfType(s, 'data_retention')?.map((j) => [j.id, j.status, j.progress])).toEqual([
      ['n', 'pending', 0],
      ['a', 'in_progress', 40],
    ]);
    const other = receivedJob(s, job('x', { type: 'export_process' } as unknown as Partial<Job>));
    expect(other.byId.x).toBeDefined();
    expect(other.byType.export_process).toBeUndefined();
  });

  it('keeps the newer copy when events of two nodes cross: later activity wins, and a final status over a running one', () => {
    let s = receivedJob(initialConsoleJobs, job('a', { status: 'success', progress: 100, last_activity_at: 30 }));
    s = receivedJob(s, job('a', { status: 'in_progress', progress: 50, last_activity_at: 20 }));
    expect(s.byId.a?.status).toBe('success');
    s = receivedJob(s, job('a', { status: 'in_progress', last_activity_at: 30 }));
    expect(s.byId.a?.status).toBe('success');
    const t = receivedJob(
      receivedJob(initialConsoleJobs, job('b', { status: 'in_progress', last_activity_at: 5 })),
      job('b', { status: 'canceled', last_activity_at: 5 }),
    );
    expect(t.byId.b?.status).toBe('canceled');
  });

  it('says which jobs can be cancelled and clamps progress', () => {
    expect(
      ['pending', 'in_progress', 'success', 'error', 'cancel_requested', 'canceled'].map((status) => isCancelable(job('a', { status } as Partial<Job>))),
    ).toEqual([true, true, false, false, false, false]);
    expect([-1, 0, 42.4, 100, 150].map((progress) => jobProgress(job('a', { progress })))).toEqual([0, 0, 42, 100, 100]);
  });
});
