import { Injectable } from '@nestjs/common';
import { invalidParam } from '#common';
import { SessionsService } from '../auth/sessions.service.js';
import type { Session } from '../common/session.js';
import { isValidDeviceId } from './push-notification.js';

/**
 * PUT /users/sessions/device (attachDeviceId): a mobile app registers the device its pushes go to
 * on the session it signed in with, as `<platform>:<token>` (apple, android, apple_rn, android_rn,
 * apple_voip_rn, optionally with `-v2`).
 */
@Injectable()
export class PushDevicesService {
  constructor(private readonly sessions: SessionsService) {}

  async register(session: Session, body: unknown): Promise<{ status: 'OK' }> {
    const deviceId = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>).device_id : undefined;
    if (!isValidDeviceId(deviceId)) throw invalidParam('device_id');
    await this.sessions.attachDevice(session, deviceId);
    return { status: 'OK' };
  }
}
