/**
 * The two API calls: send_push hands a notification to its platform's target, ack counts a
 * device's receipt. Both always answer a PushResponse; bad input gets FAIL with the reason
 * (HTTP 200, as Mattermost's proxy answers them).
 */
import { redactToken, type Logger } from '../log.js';
import type { PushMetrics } from '../metrics.js';
import { fail, ok, parseAck, parsePushNotification, splitPlatform, withinLimits, type PushResponse, type PushTarget } from '../push-notification.js';

export class Handlers {
  constructor(
    private readonly targets: ReadonlyMap<string, PushTarget>,
    private readonly log: Logger,
    private readonly metrics?: PushMetrics,
  ) {}

  async sendPush(body: string): Promise<PushResponse> {
    const parsed = parsePushNotification(body);
    if ('error' in parsed) return this.badRequest(`failed to read the message body: ${parsed.error}`);
    if (!parsed.server_id) return this.badRequest('server_id is missing');
    if (!parsed.device_id) return this.badRequest(`device_id is missing (server_id=${parsed.server_id})`);

    const { type, appVersion, badVersion } = splitPlatform(parsed.platform ?? '');
    if (badVersion !== undefined) this.log.error('could not read the app version in the platform', { platform: parsed.platform, app_version: badVersion });
    const target = this.targets.get(type);
    if (!target) return this.badRequest(`no push target for platform "${type}" (server_id=${parsed.server_id})`);

    this.metrics?.appVersion(type, appVersion);
    try {
      return await target.send({ ...withinLimits(parsed), platform: type }, appVersion);
    } catch (err) {
      // Targets answer every outcome themselves; this is a bug, not a provider's answer.
      this.log.error('push target failed unexpectedly', { type, did: redactToken(parsed.device_id), err });
      return fail(`internal error: ${(err as Error).message}`);
    }
  }

  ack(body: string): PushResponse {
    const parsed = parseAck(body);
    if ('error' in parsed) return this.badRequest(`failed to read the ack body: ${parsed.error}`);
    if (!parsed.id) return this.badRequest('the ack id is missing');
    if (!parsed.platform) return this.badRequest('the ack platform is missing');
    if (!parsed.type) return this.badRequest('the ack type is missing');
    this.log.info('delivery acknowledged', { ack_id: parsed.id, platform: parsed.platform, type: parsed.type });
    this.metrics?.acknowledged(parsed.platform, parsed.type);
    return ok();
  }

  private badRequest(error: string): PushResponse {
    this.log.error(error);
    this.metrics?.badRequestReceived();
    return fail(error);
  }
}
