/**
 * Prometheus metrics under the names Mattermost's push proxy uses (so its dashboards work),
 * plus Node's process metrics. One registry per proxy (not prom-client's global one).
 *
 * `transport` is "" for ordinary pushes, as Mattermost's proxy labels them (it has "voip" for
 * PushKit calls, which this proxy does not send).
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export type Platform = 'apple' | 'android';
const TRANSPORT = '';

export class PushMetrics {
  readonly registry = new Registry();
  private readonly notifications = this.counter('service_notifications_total', 'Number of notifications sent', ['platform', 'type', 'transport']);
  private readonly byAppVersion = this.counter(
    'service_notifications_by_app_version_total',
    'Number of notifications sent, by the app version in the platform (1 when none)',
    ['platform', 'app_version'],
  );
  private readonly success = this.counter('service_success_total', 'Number of push successes', ['platform', 'type', 'transport']);
  private readonly successWithAck = this.counter('service_success_with_ack_total', 'Number of push successes that carried an ack id', [
    'platform',
    'type',
    'transport',
  ]);
  private readonly delivered = this.counter('service_delivered_total', 'Number of pushes the devices acknowledged', ['platform', 'type', 'transport']);
  private readonly failure = this.counter('service_failure_total', 'Number of push errors', ['platform', 'type', 'transport']);
  private readonly failureWithReason = this.counter('service_failure_with_reason_total', 'Number of push errors, by reason', [
    'platform',
    'type',
    'transport',
    'reason',
  ]);
  private readonly removal = this.counter('service_removal_total', 'Number of device tokens the providers refused', ['platform', 'transport', 'reason']);
  private readonly badRequest = new Counter({
    name: 'service_bad_request_total',
    help: 'Requests to the push proxy that were bad requests',
    registers: [this.registry],
  });
  private readonly apnsDuration = this.histogram('service_apns_request_duration_seconds', 'APNs request latency');
  private readonly fcmDuration = this.histogram('service_fcm_request_duration_seconds', 'FCM request latency');
  private readonly notificationDuration = new Histogram({
    name: 'service_notification_duration_seconds',
    help: 'Provider request latency by platform',
    labelNames: ['platform'],
    registers: [this.registry],
  });
  private readonly serviceDuration = this.histogram('service_request_duration_seconds', 'send_push and ack request latency');

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** One notification handed to a platform (before the provider answers). */
  sending(platform: Platform, type: string): void {
    this.notifications.inc({ platform, type, transport: TRANSPORT });
  }

  /** By the `platform` field's Type and its "-v<n>" suffix; versions other than 1 and 2 are "other", to bound the label's values. */
  appVersion(type: string, appVersion: number): void {
    this.byAppVersion.inc({ platform: type, app_version: appVersion === 1 || appVersion === 2 ? String(appVersion) : 'other' });
  }

  sent(platform: Platform, type: string, withAck: boolean): void {
    this.success.inc({ platform, type, transport: TRANSPORT });
    if (withAck) this.successWithAck.inc({ platform, type, transport: TRANSPORT });
  }

  failed(platform: Platform, type: string, reason: string): void {
    this.failure.inc({ platform, type, transport: TRANSPORT });
    if (reason) this.failureWithReason.inc({ platform, type, transport: TRANSPORT, reason });
  }

  /** A REMOVE answer; it counts as a failure too, as in Mattermost's proxy. */
  removed(platform: Platform, type: string, reason: string): void {
    this.removal.inc({ platform, transport: TRANSPORT, reason });
    this.failed(platform, type, reason);
  }

  acknowledged(platform: string, type: string): void {
    this.delivered.inc({ platform, type, transport: TRANSPORT });
  }

  badRequestReceived(): void {
    this.badRequest.inc();
  }

  providerResponded(platform: Platform, seconds: number): void {
    this.notificationDuration.observe({ platform }, seconds);
    (platform === 'apple' ? this.apnsDuration : this.fcmDuration).observe(seconds);
  }

  requestServed(seconds: number): void {
    this.serviceDuration.observe(seconds);
  }

  /** The text exposition format, with its content type. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private counter(name: string, help: string, labelNames: string[]) {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private histogram(name: string, help: string) {
    return new Histogram({ name, help, registers: [this.registry] });
  }
}
