import { Injectable } from '@nestjs/common';

/** A counter's labels, as Mattermost's notification metrics name them. */
export interface NotificationCounterLabels {
  type: string;
  platform: string;
  reason?: string;
}

/** One counter and its value. */
export interface NotificationCount {
  name: 'ack' | 'success' | 'error' | 'not_sent' | 'unsupported';
  labels: NotificationCounterLabels;
  value: number;
}

/** Notification statuses a client may report (model.NotificationStatus) and the counter each feeds. */
const STATUS_COUNTERS: Record<string, NotificationCount['name']> = {
  success: 'success',
  error: 'error',
  not_sent: 'not_sent',
  unsupported: 'unsupported',
};

/**
 * This node's notification counters (Mattermost's CountNotificationAck / CountNotificationReason,
 * with MetricsSettings.EnableNotificationMetrics): Prometheus counters are per process, so each
 * node counts what its own sockets report and a metrics endpoint reads `counts()`.
 */
@Injectable()
export class NotificationMetrics {
  private readonly counters = new Map<string, NotificationCount>();

  /** A client acknowledged a notification of `type` (websocket, push). */
  countAck(type: string, platform: string): void {
    this.bump('ack', { type, platform });
  }

  /** What became of a notification; statuses Mattermost does not count are ignored as it does. */
  countReason(status: string, type: string, reason: string, platform: string): void {
    const name = STATUS_COUNTERS[status];
    if (!name) return;
    this.bump(name, name === 'success' ? { type, platform } : { type, reason, platform });
  }

  counts(): NotificationCount[] {
    return [...this.counters.values()].map((c) => ({ ...c, labels: { ...c.labels } }));
  }

  private bump(name: NotificationCount['name'], labels: NotificationCounterLabels): void {
    const key = JSON.stringify([name, labels.type, labels.platform, labels.reason ?? null]);
    const counter = this.counters.get(key) ?? { name, labels, value: 0 };
    counter.value++;
    this.counters.set(key, counter);
  }
}
