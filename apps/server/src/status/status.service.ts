import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '#config';
import { Database } from '#db';
import { ConnectionCounter, EventPublisher, Hub, newEvent, PresenceListener, WsEvents } from '#realtime';
import { applyStatusChange, isExpiredDnd, offlineStatus, StatusChange, StatusRow, STATUS_MIN_UPDATE_TIME_MS } from './status.model.js';
import { StatusRepository } from './status.repository.js';

/** Timed DNDs are also swept this often, so ones set through other nodes end on time too. */
const DND_SWEEP_INTERVAL_MS = 60_000;

/**
 * User presence (app/platform/status.go). The database is the one source of truth, so every node
 * answers the same. Automatic changes come from the WebSocket hub (first socket → online, last one
 * gone → offline) and from client activity reports; statuses chosen by hand win over automatic ones.
 * Each change is announced only to the user's own sockets, as Mattermost does; others poll.
 */
@Injectable()
export class StatusService implements PresenceListener, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('status');
  /** Per-user queue, so that connect → disconnect bursts apply in the order they happened. */
  private readonly queues = new Map<string, Promise<void>>();
  /** When this node last wrote each user's activity time, to keep activity writes rare. */
  private readonly activityWritten = new Map<string, number>();
  private dndTimer: NodeJS.Timeout | null = null;
  private dndTimerAt = 0;
  private stopped = false;

  constructor(
    private readonly repo: StatusRepository,
    private readonly db: Database,
    private readonly publisher: EventPublisher,
    private readonly config: ConfigService,
    private readonly hub: Hub,
    private readonly connections: ConnectionCounter,
  ) {}

  async onModuleInit(): Promise<void> {
    this.hub.setPresenceListener(this);
    // A lone node that just started has no sockets: nobody is automatically online any more.
    if (!this.config.get().ClusterSettings.Enable) {
      await this.repo.resetAutomatic().catch((err) => this.logger.warn(`could not reset statuses: ${err}`));
    }
    await this.sweepDnd();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    if (this.dndTimer) clearTimeout(this.dndTimer);
    this.dndTimer = null;
  }

  private get enabled(): boolean {
    return this.config.get().ServiceSettings.EnableUserStatuses;
  }

  // ---- reads ----------------------------------------------------------------------------

  /** Statuses for these users in the order asked; users without a row are offline. Empty when statuses are off. */
  async getMany(userIds: string[]): Promise<StatusRow[]> {
    if (!this.enabled || userIds.length === 0) return [];
    let rows = await this.repo.byIds(userIds);
    const now = Date.now();
    if (rows.some((r) => isExpiredDnd(r, now))) {
      // A DND that has run out is ended before anyone sees it, whatever the timer is doing.
      await this.sweepDnd();
      rows = await this.repo.byIds(userIds);
    }
    const byId = new Map(rows.map((r) => [r.user_id, r]));
    return userIds.map((id) => byId.get(id) ?? offlineStatus(id));
  }

  async get(userId: string): Promise<StatusRow | null> {
    const [row] = await this.getMany([userId]);
    return row ?? null;
  }

  /** For the `get_statuses_by_ids` WebSocket action: user id → status. */
  async getStatusesByIds(userIds: string[]): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const row of await this.getMany(userIds)) out[row.user_id] = row.status;
    return out;
  }

  /** For the `get_statuses` WebSocket action: everyone who is not offline (offline is implied). */
  async getAllConnectedStatuses(): Promise<Record<string, string>> {
    if (!this.enabled) return {};
    const out: Record<string, string> = {};
    for (const row of await this.repo.notOffline()) out[row.user_id] = row.status;
    return out;
  }

  // ---- changes --------------------------------------------------------------------------

  /** PUT /users/{id}/status: a status the user chose (dndEndTime in epoch seconds, 0 = no end). */
  async setByUser(userId: string, status: string, dndEndTime: number): Promise<void> {
    const change: StatusChange =
      status === 'dnd'
        ? { kind: 'dnd', endTime: dndEndTime }
        : status === 'away'
          ? { kind: 'away', manual: true, awayTimeoutMs: this.awayTimeoutMs() }
          : { kind: status === 'online' ? 'online' : 'offline', manual: true };
    await this.enqueue(userId, () => this.apply(userId, change));
  }

  /** `user_update_active_status`: active → online (unless a manual status holds), idle → away if idle long enough. */
  async setActivity(userId: string, active: boolean, manual: boolean): Promise<void> {
    const change: StatusChange = active ? { kind: 'online', manual } : { kind: 'away', manual, awayTimeoutMs: this.awayTimeoutMs() };
    await this.enqueue(userId, () => this.apply(userId, change));
  }

  /** The user did something: remember when (written at most every StatusMinUpdateTime per node). */
  async recordActivity(userId: string): Promise<void> {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - (this.activityWritten.get(userId) ?? 0) < STATUS_MIN_UPDATE_TIME_MS) return;
    this.activityWritten.set(userId, now);
    await this.repo.setLastActivityAt(userId, now);
  }

  // PresenceListener: called by the hub, synchronously; the work runs in the background.

  userConnected(userId: string): void {
    void this.enqueue(userId, () => this.apply(userId, { kind: 'online', manual: false })).catch((err) =>
      this.logger.warn(`could not set ${userId} online: ${err}`),
    );
  }

  userDisconnected(userId: string): void {
    this.activityWritten.delete(userId);
    void this.enqueue(userId, async () => {
      // Offline only when no node holds a connection; if peers cannot be asked, stay online.
      if ((await this.connections.countElsewhere(userId).catch(() => 1)) > 0) return;
      if (this.hub.activeCountForUser(userId) > 0) return; // reconnected here meanwhile
      await this.apply(userId, { kind: 'offline', manual: false });
    }).catch((err) => this.logger.warn(`could not set ${userId} offline: ${err}`));
  }

  private awayTimeoutMs(): number {
    return this.config.get().TeamSettings.UserStatusAwayTimeout * 1000;
  }

  /** Runs one status change under a row lock, then tells the user. */
  private async apply(userId: string, change: StatusChange): Promise<void> {
    if (!this.enabled) return;
    const result = await this.db.transaction(async (tx) => {
      const current = await this.repo.lockForUpdate(tx, userId);
      const transition = applyStatusChange(current, userId, change, Date.now());
      if (!transition) return null;
      if (transition.write === 'row') await this.repo.save(tx, transition.next);
      else if (transition.write === 'activity') await this.repo.setLastActivityAt(userId, transition.next.last_activity_at, tx);
      return transition;
    });
    if (!result) return;
    if (result.broadcast) this.broadcast(result.next);
    if (result.next.dnd_end_time > 0 && result.next.status === 'dnd') this.scheduleDndExpiry(result.next.dnd_end_time);
  }

  private enqueue(userId: string, work: () => Promise<void>): Promise<void> {
    const previous = this.queues.get(userId) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => undefined);
    this.queues.set(userId, tail);
    void tail.then(() => {
      if (this.queues.get(userId) === tail) this.queues.delete(userId);
    });
    return run;
  }

  /** status_change goes only to the user whose status changed (platform.BroadcastStatus). */
  private broadcast(row: StatusRow): void {
    this.publisher.publish(newEvent(WsEvents.StatusChange, { user_id: row.user_id }, { status: row.status, user_id: row.user_id }));
  }

  // ---- timed DND ------------------------------------------------------------------------

  /** Ends every timed DND that is due, tells each user, and arms the timer for the next one. */
  private async sweepDnd(): Promise<void> {
    if (this.stopped) return;
    try {
      const expired = await this.repo.expireDnd(Math.floor(Date.now() / 1000));
      for (const row of expired) this.broadcast(row);
      const next = await this.repo.nextDndEnd();
      this.armDndTimer(next === null ? Date.now() + DND_SWEEP_INTERVAL_MS : next * 1000);
    } catch (err) {
      this.logger.warn(`DND expiry sweep failed: ${err}`);
      this.armDndTimer(Date.now() + DND_SWEEP_INTERVAL_MS);
    }
  }

  private scheduleDndExpiry(endSeconds: number): void {
    const at = endSeconds * 1000;
    if (!this.dndTimer || at < this.dndTimerAt) this.armDndTimer(at);
  }

  private armDndTimer(at: number): void {
    if (this.stopped) return;
    if (this.dndTimer) clearTimeout(this.dndTimer);
    const delay = Math.min(Math.max(at - Date.now(), 0), DND_SWEEP_INTERVAL_MS);
    this.dndTimerAt = Date.now() + delay;
    this.dndTimer = setTimeout(() => {
      this.dndTimer = null;
      void this.sweepDnd();
    }, delay);
    this.dndTimer.unref();
  }
}
