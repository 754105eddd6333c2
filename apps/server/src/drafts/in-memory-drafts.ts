import type { ChannelsTestbed } from '../channels/in-memory-channels.js';
import { DraftRow } from './draft.model.js';
import type { DraftsRepository } from './drafts.repository.js';

const key = (userId: string, channelId: string, rootId: string) => `${userId}:${channelId}:${rootId}`;

/**
 * The drafts table in memory, with the answers of DraftsRepository's SQL; the per-team list reads
 * the testbed's channels and channel members as the SQL joins them.
 */
export class MemoryDrafts {
  readonly rows = new Map<string, DraftRow>();

  constructor(private readonly bed: ChannelsTestbed) {}

  async get(userId: string, channelId: string, rootId: string) {
    const row = this.rows.get(key(userId, channelId, rootId));
    return row && row.delete_at === 0 ? structuredClone(row) : undefined;
  }

  async upsert(d: DraftRow) {
    const k = key(d.user_id, d.channel_id, d.root_id);
    const existing = this.rows.get(k);
    const row = existing
      ? { ...existing, update_at: d.update_at, message: d.message, props: d.props, file_ids: d.file_ids, priority: d.priority, delete_at: 0 }
      : { ...d };
    this.rows.set(k, structuredClone(row));
    return structuredClone(row);
  }

  async delete(userId: string, channelId: string, rootId: string) {
    const k = key(userId, channelId, rootId);
    const row = this.rows.get(k);
    this.rows.delete(k);
    return row;
  }

  async deleteSavedBy(userId: string, channelId: string, rootId: string, savedBy: number) {
    const row = this.rows.get(key(userId, channelId, rootId));
    return row && row.update_at <= savedBy ? this.delete(userId, channelId, rootId) : undefined;
  }

  async deleteThread(channelId: string, rootId: string) {
    for (const [k, d] of this.rows) if (d.channel_id === channelId && d.root_id === rootId) this.rows.delete(k);
  }

  async forUserInTeam(userId: string, teamId: string) {
    return [...this.rows.values()]
      .filter((d) => d.user_id === userId && d.delete_at === 0)
      .filter((d) => this.bed.channelMembers.rows.has(`${d.channel_id}:${userId}`))
      .filter((d) => {
        const team = this.bed.channels.rows.get(d.channel_id)?.team_id;
        return team === teamId || team === '';
      })
      .sort((a, b) => b.update_at - a.update_at)
      .map((d) => structuredClone(d));
  }

  asRepository(): DraftsRepository {
    return this as unknown as DraftsRepository;
  }
}
