import { ConfigService } from '#config';
import { Database } from '#db';
import { MailDriver } from '#mail';
import { InvalidationBus } from '#realtime';
import { FileStore } from '#storage';
import { SessionsRepository } from '../../auth/sessions.repository.js';
import type { EmailDigests } from '../../email/email-digests.service.js';
import { TokensRepository } from '../../email/tokens.repository.js';
import type { LdapSync } from '../../ldap/ldap-sync.js';
import type { ScheduledPostSender } from '../../scheduled-posts/scheduled-post-sender.js';
import { AccessTokensRepository } from '../../users/access-tokens.repository.js';
import { JobHandlers } from '../job-handler.js';
import { BulkExportJob } from './bulk-export.job.js';
import { BulkImportJob } from './bulk-import.job.js';
import { CleanupExpiredAccessTokensJob } from './cleanup-expired-access-tokens.job.js';
import { CleanupExpiredSessionsJob } from './cleanup-expired-sessions.job.js';
import { DataRetentionJob } from './data-retention.job.js';
import { EmailBatchingJob } from './email-batching.job.js';
import { ExpiredSessionPush, ExpiryNotifyJob } from './expiry-notify.job.js';
import { LdapSyncJob } from './ldap-sync.job.js';
import { ScheduledPostsJob } from './scheduled-posts.job.js';

export interface JobDependencies {
  db: Database;
  config: ConfigService;
  files: FileStore;
  mail: MailDriver;
  invalidation: InvalidationBus;
  sessions: SessionsRepository;
  accessTokens: AccessTokensRepository;
  /** Mailed links (password recovery, verification, invitations), cleaned with the sessions. */
  tokens: TokensRepository;
  /** The server's; the CLI, which builds no post path, runs without the scheduled_posts type. */
  scheduledPosts?: ScheduledPostSender;
  /** The server's; the CLI builds no account path, so it runs without the ldap_sync type. */
  ldapSync?: LdapSync;
  /** The server's push notifications; the CLI sends expiry_notify's mail only. */
  push?: ExpiredSessionPush;
  /** The server's; the CLI builds no notification path, so it runs without the email_batching type. */
  emailDigests?: EmailDigests;
  /**
   * import_process may read a file of this machine's disk (`local_mode=true`): the jobs CLI's, and
   * the server's for jobs made over the local socket (mmctl --local import process
   * --bypass-upload; POST /jobs refuses local_mode from anyone else).
   */
  importLocalFiles?: boolean;
}

/** Every job type this server runs (the server's module and the CLI build the same set). */
export function createJobHandlers(d: JobDependencies): JobHandlers {
  return new JobHandlers([
    new CleanupExpiredSessionsJob(d.sessions, d.tokens),
    new CleanupExpiredAccessTokensJob(d.db, d.accessTokens, d.sessions, d.invalidation),
    new DataRetentionJob(d.db, d.config, d.files, d.invalidation),
    new BulkExportJob(d.db, d.config, d.files),
    new BulkImportJob(d.db, d.config, d.files, d.invalidation, { localFiles: d.importLocalFiles }),
    new ExpiryNotifyJob(d.sessions, d.config, d.mail, d.push),
    ...(d.scheduledPosts ? [new ScheduledPostsJob(d.scheduledPosts)] : []),
    ...(d.ldapSync ? [new LdapSyncJob(d.ldapSync)] : []),
    ...(d.emailDigests ? [new EmailBatchingJob(d.emailDigests)] : []),
  ]);
}
