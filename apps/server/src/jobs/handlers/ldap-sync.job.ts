import type { Config } from '#config';
import type { Schedule } from '#jobs';
import type { LdapSync } from '../../ldap/ldap-sync.js';
import { checkAborted, JobContext, JobHandler } from '../job-handler.js';
import { JobType } from '../job.model.js';

/**
 * ldap_sync: brings every LDAP account (and, with SamlSettings.EnableSyncWithLdap, every SAML
 * account) in line with the directory (ldap/ldap-sync.ts). Every
 * LdapSettings.SyncIntervalMinutes while EnableSync, and on demand (POST /ldap/sync, POST /jobs).
 * A run cut off and started again does the same work again, which changes nothing twice.
 */
export class LdapSyncJob extends JobHandler {
  readonly type = JobType.LdapSync;

  constructor(private readonly sync: LdapSync) {
    super();
  }

  schedule(config: Config): Schedule | null {
    const s = config.LdapSettings;
    return s.EnableSync ? { every: Math.max(1, s.SyncIntervalMinutes) * 60_000 } : null;
  }

  async run(ctx: JobContext): Promise<void> {
    const report = await this.sync.run(
      (percent) => ctx.progress(percent),
      () => ctx.signal.aborted,
    );
    checkAborted(ctx.signal);
    ctx.setData({
      updated: String(report.updated),
      deactivated: String(report.deactivated),
      reactivated: String(report.reactivated),
      failed: String(report.failed),
    });
  }
}
