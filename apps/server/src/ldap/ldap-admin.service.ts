import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '#config';
import { PermissionsService } from '../auth/permissions.service.js';
import type { Session } from '../common/session.js';
import { JobType } from '../jobs/job.model.js';
import { JobsService } from '../jobs/jobs.service.js';
import { LdapService } from './ldap.service.js';

/** api4/ldap.go's sync and test, with Mattermost's permissions (no licence needed here). */
@Injectable()
export class LdapAdminService {
  private readonly log = new Logger('ldap');

  constructor(
    private readonly permissions: PermissionsService,
    private readonly jobs: JobsService,
    private readonly ldap: LdapService,
    private readonly config: ConfigService,
  ) {}

  /**
   * POST /ldap/sync: queues an ldap_sync job (create_ldap_sync_job). As Mattermost's SyncLdap it
   * answers OK whatever happens next, and with EnableSync off it only logs that nothing was started.
   */
  async requestSync(session: Session): Promise<void> {
    this.permissions.requireSystem(session, 'create_ldap_sync_job');
    if (!this.config.get().LdapSettings.EnableSync) {
      this.log.warn('LdapSettings.EnableSync is off: no LDAP sync started');
      return;
    }
    await this.jobs.createJob(JobType.LdapSync, {});
  }

  /** POST /ldap/test (test_ldap). */
  async test(session: Session): Promise<void> {
    this.permissions.requireSystem(session, 'test_ldap');
    await this.ldap.test();
  }
}
