import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigService, type Config } from '#config';
import { Handler, QueueDriver, Schedule, WorkerHandle } from '#jobs';
import { ClusterInfo, ClusterState } from '../cluster/cluster-state.js';
import { JobContext, JobHandler, JobHandlers } from './job-handler.js';
import { JobScheduling } from './job-scheduling.js';

class RecordingDriver extends QueueDriver {
  readonly calls: string[] = [];
  constructor(readonly kind: 'bullmq' | 'in-process') {
    super();
  }
  async enqueue(): Promise<void> {}
  async schedule(queue: string, id: string, s: Schedule): Promise<void> {
    this.calls.push(`schedule ${queue}/${id} ${JSON.stringify(s)}`);
  }
  async unschedule(queue: string, id: string): Promise<void> {
    this.calls.push(`unschedule ${queue}/${id}`);
  }
  work(_q: string, _h: Handler): WorkerHandle {
    return { stop: async () => undefined };
  }
  async cancel(): Promise<void> {}
  connected(): boolean {
    return true;
  }
  async waitUntilConnected(): Promise<boolean> {
    return true;
  }
  onConnected(): void {}
  async close(): Promise<void> {}
}

class Leadership extends ClusterState {
  readonly enabled = true;
  leader = true;
  isLeader(): boolean {
    return this.leader;
  }
  async infos(): Promise<ClusterInfo[]> {
    return [];
  }
  health() {
    return { healthy: true, detail: '' };
  }
}

class Periodic extends JobHandler {
  readonly type = 'periodic';
  async run(_ctx: JobContext): Promise<void> {}
  schedule(config: Config): Schedule {
    return { every: config.JobSettings.CleanupIntervalSeconds * 1000 };
  }
}

class OnDemand extends JobHandler {
  readonly type = 'on_demand';
  async run(): Promise<void> {}
}

const dir = mkdtempSync(join(tmpdir(), 'sched-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const config = (env: Record<string, string> = {}) => new ConfigService(join(dir, `c${n++}.json`), env);
const handlers = new JobHandlers([new Periodic(), new OnDemand()]);

describe('JobScheduling', () => {
  it('with BullMQ every node upserts the schedules (no leader needed), and only changes are applied again', async () => {
    const driver = new RecordingDriver('bullmq');
    const cluster = new Leadership();
    cluster.leader = false;
    const scheduling = new JobScheduling(driver, handlers, config({ MM_JOBSETTINGS_CLEANUPINTERVALSECONDS: '60' }), cluster);
    await scheduling.sync();
    await scheduling.sync();
    expect(driver.calls).toEqual(['schedule periodic/periodic {"every":60000}', 'unschedule on_demand/on_demand']);
  });

  it('with BullMQ and RunScheduler off, the shared schedulers are left alone', async () => {
    const driver = new RecordingDriver('bullmq');
    await new JobScheduling(driver, handlers, config({ MM_JOBSETTINGS_RUNSCHEDULER: 'false' }), new Leadership()).sync();
    expect(driver.calls).toEqual([]);
  });

  it('with the in-process queue only the leader schedules, and a node that loses leadership stops', async () => {
    const driver = new RecordingDriver('in-process');
    const cluster = new Leadership();
    const scheduling = new JobScheduling(driver, handlers, config(), cluster);
    await scheduling.sync();
    expect(driver.calls[0]).toBe('schedule periodic/periodic {"every":3600000}');
    cluster.leader = false;
    await scheduling.sync();
    expect(driver.calls.at(-1)).toBe('unschedule periodic/periodic');
  });

  it('with the in-process queue and RunScheduler off, nothing is scheduled here', async () => {
    const driver = new RecordingDriver('in-process');
    await new JobScheduling(driver, handlers, config({ MM_JOBSETTINGS_RUNSCHEDULER: 'false' }), new Leadership()).sync();
    expect(driver.calls.filter((c) => c.startsWith('schedule'))).toEqual([]);
  });
});
