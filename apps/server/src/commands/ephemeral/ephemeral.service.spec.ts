import { describe, expect, it } from 'vitest';
import { CommandsTestbed } from '../in-memory-commands.js';
import { parseEphemeralRequest } from './ephemeral.controller.js';

describe('EphemeralService', () => {
  it('sends a system_ephemeral post to one user, whatever type it was given', () => {
    const bed = new CommandsTestbed();
    const post = bed.ephemeralService.send('u'.repeat(26), { channel_id: 'c'.repeat(26), message: 'hi', user_id: 'p'.repeat(26) });
    expect(post).toMatchObject({ type: 'system_ephemeral', message: 'hi', props: {}, delete_at: 0, channel_id: 'c'.repeat(26) });
    expect(post.id).toHaveLength(26);
    expect(post.create_at).toBeGreaterThan(0);
    const [event] = bed.events;
    expect(event).toMatchObject({ event: 'ephemeral_message', broadcast: { user_id: 'u'.repeat(26), channel_id: 'c'.repeat(26) } });
    expect(JSON.parse(event.data.post as string)).toEqual(post);
  });

  it('POST /posts/ephemeral needs create_post_ephemeral and makes the post the caller’s, now', () => {
    const bed = new CommandsTestbed();
    const [user, admin] = [bed.user(), bed.user('system_user system_admin')];
    expect(() => bed.ephemeralService.createFromApi(user.session, user.user.id, { channel_id: 'c'.repeat(26), message: 'x' })).toThrow(
      expect.objectContaining({ statusCode: 403 }),
    );
    expect(bed.events).toHaveLength(0);
    const post = bed.ephemeralService.createFromApi(admin.session, user.user.id, {
      channel_id: 'c'.repeat(26),
      message: 'x',
      user_id: 'someone',
      create_at: 5,
    });
    expect(post.user_id).toBe(admin.user.id);
    expect(post.create_at).toBeGreaterThan(5);
  });

  it('reads {user_id, post}: a wrong type is `body`, then user_id and post are named', () => {
    expect(parseEphemeralRequest({ user_id: 'u', post: { channel_id: 'c', message: 'm', props: { a: 1 } } })).toEqual({
      userId: 'u',
      post: { id: '', channel_id: 'c', root_id: '', message: 'm', props: { a: 1 } },
    });
    expect(() => parseEphemeralRequest({ user_id: 5, post: {} })).toThrow('Invalid or missing body in request body.');
    expect(() => parseEphemeralRequest({ user_id: 'u', post: { message: 5 } })).toThrow('Invalid or missing body in request body.');
    expect(() => parseEphemeralRequest({ post: {} })).toThrow('Invalid or missing user_id in request body.');
    expect(() => parseEphemeralRequest({ user_id: 'u' })).toThrow('Invalid or missing post in request body.');
  });
});
