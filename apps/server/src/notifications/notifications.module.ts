import { Module } from '@nestjs/common';
import { EphemeralModule } from '../commands/ephemeral/ephemeral.module.js';
import { EmailNotificationsModule } from '../email/email-notifications.module.js';
import { MembershipModule } from '../membership/membership.module.js';
import { PostsModule } from '../posts/posts.module.js';
import { PushModule } from '../push/push.module.js';
import { StatusModule } from '../status/status.module.js';
import { TeamsModule } from '../teams/teams.module.js';
import { ThreadsModule } from '../threads/threads.module.js';
import { UsersModule } from '../users/users.module.js';
import { NotificationsService } from './notifications.service.js';

/**
 * Who hears of a post by push and email. It depends on posts (it listens to new posts) and on the
 * delivery areas (push, email notifications); nothing depends on it.
 */
@Module({
  imports: [PostsModule, UsersModule, StatusModule, MembershipModule, TeamsModule, ThreadsModule, EphemeralModule, PushModule, EmailNotificationsModule],
  providers: [NotificationsService],
})
export class NotificationsModule {}
