import type { PostRow } from './post.model.js';

/** A complete posts row for specs: a root post by `u` in channel `c`, created at `create_at`, its message its id. */
export function testPostRow(id: string, create_at: number, over: Partial<PostRow> = {}): PostRow {
  return {
    id,
    create_at,
    update_at: create_at,
    edit_at: 0,
    delete_at: 0,
    is_pinned: false,
    user_id: 'u',
    channel_id: 'c',
    root_id: '',
    original_id: '',
    message: id,
    type: '',
    props: {},
    hashtags: '',
    file_ids: [],
    has_reactions: false,
    reply_count: 0,
    last_reply_at: 0,
    ...over,
  };
}
