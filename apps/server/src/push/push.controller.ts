import { Body, Controller, HttpCode, Post, Put } from '@nestjs/common';
import { CurrentSession } from '../common/decorators.js';
import type { Session } from '../common/session.js';
import { PushAckService } from './push-ack.service.js';
import { PushDevicesService } from './push-devices.service.js';

/**
 * The mobile apps' side of push notifications: registering a device on the session
 * (api4/user.go attachDeviceId) and acknowledging a push (api4/system.go pushNotificationAck).
 */
@Controller()
export class PushController {
  constructor(
    private readonly devices: PushDevicesService,
    private readonly acks: PushAckService,
  ) {}

  @Put('users/sessions/device')
  attachDevice(@CurrentSession() session: Session, @Body() body: unknown) {
    return this.devices.register(session, body);
  }

  @Post('notifications/ack')
  @HttpCode(200)
  ack(@CurrentSession() session: Session, @Body() body: unknown) {
    return this.acks.ack(session, body);
  }
}
