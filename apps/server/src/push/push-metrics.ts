import { Injectable } from '@nestjs/common';

/** This node's push counters since it started. */
export interface PushCounts {
  /** Messages the proxy took (status OK), one per device. */
  sent: number;
  /** Messages the proxy refused (FAIL) or did not answer properly (network error, timeout, non-200, bad JSON). */
  failed: number;
  /** Messages answered REMOVE: the device was unregistered and its session lost its device id. */
  removed: number;
  /** Notifications never sent because the queue (EmailSettings.PushNotificationBuffer) was full. */
  dropped: number;
  /** Acks of `message` pushes the apps reported (POST /notifications/ack). */
  acked: number;
}

/**
 * The push counters (Mattermost's IncrementPostSentPush and notification counters, by outcome),
 * per process: a metrics endpoint reads `counts()`. No labels yet; the metrics issue decides them.
 */
@Injectable()
export class PushMetrics {
  private readonly values: PushCounts = { sent: 0, failed: 0, removed: 0, dropped: 0, acked: 0 };

  count(outcome: keyof PushCounts, by = 1): void {
    this.values[outcome] += by;
  }

  counts(): PushCounts {
    return { ...this.values };
  }
}
