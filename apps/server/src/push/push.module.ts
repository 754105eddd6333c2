import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module.js';
import { MembershipModule } from '../membership/membership.module.js';
import { PostAccess } from '../posts/post-access.service.js';
import { PostsCoreModule } from '../posts/posts-core.module.js';
import { PreferencesCoreModule } from '../preferences/preferences-core.module.js';
import { ThreadsCoreModule } from '../threads/threads-core.module.js';
import { SystemCoreModule } from '../system/system-core.module.js';
import { UsersModule } from '../users/users.module.js';
import { PushAckService } from './push-ack.service.js';
import { PushDevicesService } from './push-devices.service.js';
import { PushMetrics } from './push-metrics.js';
import { PushNotificationsService } from './push-notifications.service.js';
import { PushProxyClient } from './push-proxy-client.js';
import { PushSender } from './push-sender.js';
import { PushController } from './push.controller.js';

/**
 * Mobile push notifications through a push proxy (EmailSettings.PushNotificationServer). It
 * builds on the channels, membership and users areas and on storage, never on the posts area
 * (PostAccess, which needs only post and channel storage, is provided here too), so the posts
 * and notifications areas can use it without a cycle. The notifications engine calls
 * PushNotificationsService.sendPostNotifications; reads reach it through ReadStateListeners;
 * the expiry_notify job and the test push call it too.
 */
@Module({
  imports: [PostsCoreModule, ThreadsCoreModule, PreferencesCoreModule, ChannelsModule, MembershipModule, UsersModule, SystemCoreModule],
  controllers: [PushController],
  providers: [
    PostAccess,
    PushMetrics,
    { provide: PushProxyClient, useFactory: () => new PushProxyClient() },
    PushSender,
    PushNotificationsService,
    PushAckService,
    PushDevicesService,
  ],
  // PushMetrics: the metrics endpoint reads the counters.
  exports: [PushNotificationsService, PushMetrics],
})
export class PushModule {}
