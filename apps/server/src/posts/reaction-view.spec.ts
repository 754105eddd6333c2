import { describe, expect, it } from 'vitest';
import { reactionView } from './reaction-view.js';

describe('reactionView', () => {
  it('has the model.Reaction wire shape', () => {
    const row = { user_id: 'u', post_id: 'p', emoji_name: 'smile', channel_id: 'c', create_at: 5 };
    expect(reactionView(row)).toEqual({ ...row, update_at: 5, delete_at: 0, remote_id: '' });
    expect(reactionView(row, 9)).toMatchObject({ update_at: 9, delete_at: 9 });
  });
});
