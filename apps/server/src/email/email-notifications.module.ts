import { Module } from '@nestjs/common';
import { MembershipModule } from '../membership/membership.module.js';
import { PreferencesCoreModule } from '../preferences/preferences-core.module.js';
import { TeamsRepository } from '../teams/teams.repository.js';
import { UsersRepository } from '../users/users.repository.js';
import { EmailBatchRepository } from './email-batch.repository.js';
import { EmailDigests } from './email-digests.service.js';
import { EmailNotificationsService } from './email-notifications.service.js';

/**
 * Email notifications of posts: EmailNotificationsService for the notifications engine, EmailDigests
 * for the email_batching job. It imports only leaf modules (preferences table, memberships) and
 * provides its own instances of the stateless users and teams repositories, so that the posts and
 * notifications areas can import it without a cycle through users → teams → posts.
 */
@Module({
  imports: [PreferencesCoreModule, MembershipModule],
  providers: [EmailBatchRepository, EmailNotificationsService, EmailDigests, TeamsRepository, UsersRepository],
  exports: [EmailNotificationsService, EmailDigests, EmailBatchRepository],
})
export class EmailNotificationsModule {}
