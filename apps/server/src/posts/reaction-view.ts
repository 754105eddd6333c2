/** A reactions row (the table keeps live reactions only; removal deletes the row). */
export interface ReactionRow {
  user_id: string;
  post_id: string;
  emoji_name: string;
  channel_id: string;
  create_at: number;
}

/** The wire shape of model.Reaction: in a post's metadata and in the reactions API. */
export interface ReactionView {
  user_id: string;
  post_id: string;
  emoji_name: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  remote_id: string;
  channel_id: string;
}

export function reactionView(row: ReactionRow, deletedAt = 0): ReactionView {
  return {
    user_id: row.user_id,
    post_id: row.post_id,
    emoji_name: row.emoji_name,
    create_at: row.create_at,
    update_at: deletedAt || row.create_at,
    delete_at: deletedAt,
    remote_id: '',
    channel_id: row.channel_id,
  };
}
