/** What the composer does besides sending: editing the user's last message (Up arrow in an empty box). */
import { client } from '../api/client';
import { receivedPost } from '../state/posts';
import { update } from '../state/store';

/** PUT /posts/{id}/patch with the new text; the edited post shows at once (the `post_edited` event follows). */
export async function editPost(postId: string, message: string): Promise<void> {
  const post = await client.patchPost({ id: postId, message });
  update('posts', (s) => receivedPost(s, post));
}
