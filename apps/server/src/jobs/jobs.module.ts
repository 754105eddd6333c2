import { hostname } from 'node:os';
import { Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '#config';
import { Database } from '#db';
import { QueueDriver, WorkerHandle } from '#jobs';
import { MailDriver } from '#mail';
import { Hub, InvalidationBus } from '#realtime';
import { FileStore } from '#storage';
import { SessionsRepository } from '../auth/sessions.repository.js';
import { EmailDigests } from '../email/email-digests.service.js';
import { EmailNotificationsModule } from '../email/email-notifications.module.js';
import { TokensRepository } from '../email/tokens.repository.js';
import { LdapCoreModule } from '../ldap/ldap-core.module.js';
import { LdapSync } from '../ldap/ldap-sync.js';
import { PushModule } from '../push/push.module.js';
import { PushNotificationsService } from '../push/push-notifications.service.js';
import { ScheduledPostSender } from '../scheduled-posts/scheduled-post-sender.js';
import { ScheduledPostsModule } from '../scheduled-posts/scheduled-posts.module.js';
import { AccessTokensRepository } from '../users/access-tokens.repository.js';
import { UsersModule } from '../users/users.module.js';
import { createJobHandlers } from './handlers/index.js';
import { JobEvents } from './job-events.js';
import { JobHandlers } from './job-handler.js';
import { createQueueDriver } from './job-infrastructure.js';
import { JobNode, JobRunner } from './job-runner.js';
import { JobScheduling } from './job-scheduling.js';
import { JobWatcher } from './job-watcher.js';
import { JobsController } from './jobs.controller.js';
import { JobsRepository } from './jobs.repository.js';
import { JobsService } from './jobs.service.js';
import { ExportsController } from './export/exports.controller.js';
import { ExportsService } from './export/exports.service.js';

/**
 * Starts and stops this node's part of the job system: its workers (JobSettings.RunJobs), the
 * schedules (JobSettings.RunScheduler) and the watcher; both settings apply live on config change.
 */
@Injectable()
export class JobsLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('jobs');
  private workers: WorkerHandle[] = [];
  private unsubscribe: (() => void) | null = null;
  private changing: Promise<void> = Promise.resolve();

  constructor(
    private readonly driver: QueueDriver,
    private readonly handlers: JobHandlers,
    private readonly runner: JobRunner,
    private readonly scheduling: JobScheduling,
    private readonly watcher: JobWatcher,
    private readonly config: ConfigService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.log.log(`job queue: ${this.driver.kind}`);
    this.applyRunJobs();
    await this.scheduling.sync();
    this.watcher.start();
    this.unsubscribe = this.config.onChange(() => {
      this.applyRunJobs();
      void this.scheduling.sync();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await this.watcher.stop();
    await this.changing;
    // Running jobs are told "shutdown": they give their job back for another node or a restart.
    await this.driver.close();
  }

  private applyRunJobs(): void {
    const run = this.config.get().JobSettings.RunJobs;
    this.changing = this.changing.then(async () => {
      if (run && this.workers.length === 0) {
        this.workers = this.handlers
          .all()
          .map((h) => this.driver.work(h.type, (delivery, ctx) => this.runner.deliver(h.type, delivery, ctx), { concurrency: h.concurrency }));
      } else if (!run && this.workers.length > 0) {
        const stopping = this.workers;
        this.workers = [];
        await Promise.allSettled(stopping.map((w) => w.stop()));
      }
    });
  }
}

@Module({
  // The handlers use the repositories of the tables they clean (sessions come from the global AuthModule,
  // mail and link tokens from the global EmailCoreModule). ScheduledPostsModule: the scheduled_posts
  // job sends through its sender; LdapCoreModule: ldap_sync; EmailNotificationsModule: email_batching;
  // PushModule: expiry_notify's push.
  imports: [UsersModule, ScheduledPostsModule, LdapCoreModule, EmailNotificationsModule, PushModule],
  controllers: [JobsController, ExportsController],
  providers: [
    { provide: QueueDriver, useFactory: (config: ConfigService) => createQueueDriver(config.get()), inject: [ConfigService] },
    // "<node id>@<host>:<pid>": the cluster's node id, and the process an operator can find.
    { provide: JobNode, useFactory: (hub: Hub) => new JobNode(`${hub.nodeId}@${hostname()}:${process.pid}`), inject: [Hub] },
    {
      provide: JobHandlers,
      useFactory: (
        db: Database,
        config: ConfigService,
        files: FileStore,
        mail: MailDriver,
        invalidation: InvalidationBus,
        sessions: SessionsRepository,
        accessTokens: AccessTokensRepository,
        scheduledPosts: ScheduledPostSender,
        ldapSync: LdapSync,
        tokens: TokensRepository,
        emailDigests: EmailDigests,
        push: PushNotificationsService,
      ) =>
        // importLocalFiles: a local_mode job only ever comes from the local socket (JobsService.create).
        createJobHandlers({
          db,
          config,
          files,
          mail,
          invalidation,
          sessions,
          accessTokens,
          scheduledPosts,
          ldapSync,
          tokens,
          emailDigests,
          push,
          importLocalFiles: true,
        }),
      inject: [
        Database,
        ConfigService,
        FileStore,
        MailDriver,
        InvalidationBus,
        SessionsRepository,
        AccessTokensRepository,
        ScheduledPostSender,
        LdapSync,
        TokensRepository,
        EmailDigests,
        PushNotificationsService,
      ],
    },
    JobsRepository,
    JobEvents,
    JobRunner,
    JobScheduling,
    JobWatcher,
    JobsService,
    ExportsService,
    JobsLifecycle,
  ],
  // JobRunner: the metrics endpoint reads its count of running jobs.
  exports: [JobsService, JobRunner],
})
export class JobsModule {}
