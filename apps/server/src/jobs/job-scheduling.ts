import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '#config';
import { QueueDriver, sameSchedule, Schedule } from '#jobs';
import { ClusterState } from '../cluster/cluster-state.js';
import { JobHandlers } from './job-handler.js';

/**
 * Keeps the queue's schedules in line with the config. With BullMQ every node that has
 * JobSettings.RunScheduler upserts the same schedulers (one id per job type) and BullMQ turns each
 * slot into one job, so no leader is needed and no node can schedule a slot twice. The
 * in-process driver has only this node's timers, so there (in a cluster without Redis) only the
 * leader schedules, as Mattermost does; the job row's schedule slot key still makes a slot run
 * once if two nodes briefly both think they lead.
 */
@Injectable()
export class JobScheduling {
  private readonly log = new Logger('jobs');
  private readonly applied = new Map<string, Schedule | null>();
  private syncing: Promise<void> = Promise.resolve();

  constructor(
    private readonly driver: QueueDriver,
    private readonly handlers: JobHandlers,
    private readonly config: ConfigService,
    private readonly cluster: ClusterState,
  ) {}

  /** Applies what changed since the last call (one sync at a time). */
  sync(): Promise<void> {
    this.syncing = this.syncing.then(() => this.apply()).catch((err) => this.log.warn(`schedules not applied: ${err instanceof Error ? err.message : err}`));
    return this.syncing;
  }

  private async apply(): Promise<void> {
    const cfg = this.config.get();
    const local = this.driver.kind === 'in-process';
    for (const handler of this.handlers.all()) {
      let desired: Schedule | null;
      if (!cfg.JobSettings.RunScheduler) {
        // Shared schedulers belong to the nodes that run the scheduler: leave them alone.
        if (!local) continue;
        desired = null;
      } else if (local && !this.cluster.isLeader()) {
        desired = null;
      } else {
        desired = handler.schedule(cfg);
      }
      const before = this.applied.get(handler.type);
      if (this.applied.has(handler.type) && sameSchedule(before, desired)) continue;
      if (desired) await this.driver.schedule(handler.type, handler.type, desired);
      else await this.driver.unschedule(handler.type, handler.type);
      this.applied.set(handler.type, desired);
      if (desired || before) this.log.log(`schedule ${handler.type}: ${desired ? JSON.stringify(desired) : 'off'}`);
    }
  }
}
