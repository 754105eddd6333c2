/**
 * The configured platforms, by Type. A setting that cannot push (no key, an unreadable file) is
 * logged and left out, and the proxy starts anyway, as Mattermost's does: notifications for that
 * platform then get FAIL.
 */
import type { PushProxyConfig } from './config.js';
import { ApnsTarget } from './apns/apns-target.js';
import { FcmTarget } from './fcm/fcm-target.js';
import type { PushTarget, TargetDeps } from './push-notification.js';

export function createTargets(config: PushProxyConfig, deps: TargetDeps): Map<string, PushTarget> {
  const targets = new Map<string, PushTarget>();
  const add = (type: string, make: () => PushTarget) => {
    try {
      targets.set(type, make());
      deps.log.info('push target ready', { type });
    } catch (err) {
      deps.log.error('push target not configured: its notifications will FAIL', { type, err });
    }
  };
  for (const settings of config.ApplePushSettings) add(settings.Type, () => ApnsTarget.fromSettings(settings, deps));
  for (const settings of config.AndroidPushSettings) add(settings.Type, () => FcmTarget.fromSettings(settings, deps));
  return targets;
}
