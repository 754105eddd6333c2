import type { ChannelsTestbed } from '../channels/in-memory-channels.js';
import { ScheduledPostError, ScheduledPostRow } from './scheduled-post.model.js';
import type { ScheduledPostsRepository } from './scheduled-posts.repository.js';

const copy = (row: ScheduledPostRow | undefined) => (row ? structuredClone(row) : undefined);
const inFlight = (r: ScheduledPostRow) => r.claimed_at > 0 && r.error_code === '';

/**
 * The scheduled_posts table in memory, with the answers of ScheduledPostsRepository's SQL. Each
 * method finds and changes its row without awaiting in between, so, like the single UPDATE it
 * stands for, a claim is atomic however calls interleave.
 */
export class MemoryScheduledPosts {
  readonly rows = new Map<string, ScheduledPostRow>();

  constructor(private readonly bed: ChannelsTestbed) {}

  async insert(p: ScheduledPostRow) {
    this.rows.set(p.id, { ...structuredClone(p), claimed_at: 0 });
  }

  async get(id: string) {
    return copy(this.rows.get(id));
  }

  async update(p: Pick<ScheduledPostRow, 'id' | 'message' | 'props' | 'file_ids' | 'priority' | 'scheduled_at' | 'error_code'>, now: number) {
    const row = this.rows.get(p.id);
    if (!row || inFlight(row)) return undefined;
    const { message, props, file_ids, priority, scheduled_at, error_code } = structuredClone(p);
    const claimed_at = error_code === '' ? 0 : row.claimed_at;
    Object.assign(row, { message, props, file_ids, priority, scheduled_at, error_code, update_at: now, processed_at: now, claimed_at });
    return copy(row);
  }

  async delete(id: string) {
    const row = this.rows.get(id);
    this.rows.delete(id);
    return row;
  }

  async forUserInTeam(userId: string, teamId: string) {
    return [...this.rows.values()]
      .filter((r) => r.user_id === userId && this.bed.channels.rows.get(r.channel_id)?.team_id === teamId)
      .sort((a, b) => a.scheduled_at - b.scheduled_at || a.create_at - b.create_at)
      .map((r) => structuredClone(r));
  }

  async claimNextDue(dueBy: number, oldest: number, claimAt: number) {
    const due = [...this.rows.values()]
      .filter((r) => r.error_code === '' && r.claimed_at === 0 && r.scheduled_at <= dueBy && r.scheduled_at >= oldest)
      .sort((a, b) => a.scheduled_at - b.scheduled_at || a.id.localeCompare(b.id))[0];
    if (!due) return undefined;
    due.claimed_at = claimAt;
    return copy(due);
  }

  async deleteSent(id: string, claimedAt: number) {
    if (this.rows.get(id)?.claimed_at === claimedAt) this.rows.delete(id);
  }

  async markFailed(id: string, claimedAt: number, errorCode: string, now: number) {
    const row = this.rows.get(id);
    if (!row || row.claimed_at !== claimedAt) return undefined;
    Object.assign(row, { error_code: errorCode, processed_at: now, update_at: now });
    return copy(row);
  }

  async expireStale(oldest: number, stuckBefore: number, now: number) {
    const stale = [...this.rows.values()].filter(
      (r) => r.error_code === '' && ((r.claimed_at === 0 && r.scheduled_at < oldest) || (r.claimed_at > 0 && r.claimed_at < stuckBefore)),
    );
    for (const r of stale) Object.assign(r, { error_code: ScheduledPostError.UnableToSend, processed_at: now });
    return stale.map((r) => structuredClone(r));
  }

  asRepository(): ScheduledPostsRepository {
    return this as unknown as ScheduledPostsRepository;
  }
}
