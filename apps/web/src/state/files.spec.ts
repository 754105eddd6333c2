import type { FileInfo } from '@mattermost/types/files';
import { describe, expect, it } from 'vitest';
import { initialFiles, uploadFailed, uploadFinished, uploadPercent, uploadProgressed, uploadsFor, uploadsOf, uploadsRemoved, uploadStarted } from './files';

const start = (clientId: string, channelId = 'c1', rootId = '', owner: 'drop' | 'composer' = 'composer') => ({
  clientId,
  channelId,
  rootId,
  owner,
  name: `${clientId}.png`,
  size: 200,
});

describe('uploads', () => {
  it('follows an upload from start to its FileInfo', () => {
    let state = uploadStarted(initialFiles, start('a'));
    expect(state.uploads.a).toMatchObject({ status: 'uploading', loaded: 0 });
    state = uploadProgressed(state, 'a', 50);
    expect(uploadPercent(state.uploads.a!)).toBe(25);
    // Progress never goes back, nor past the size.
    expect(uploadProgressed(state, 'a', 10)).toBe(state);
    expect(uploadProgressed(state, 'a', 999).uploads.a!.loaded).toBe(200);
    state = uploadFinished(state, 'a', { id: 'f1' } as FileInfo);
    expect(state.uploads.a).toMatchObject({ status: 'done', loaded: 200, file: { id: 'f1' } });
    expect(uploadPercent(state.uploads.a!)).toBe(100);
    expect(uploadProgressed(state, 'a', 200)).toBe(state);
  });

  it('keeps a failure with its message, and forgets removed uploads', () => {
    let state = uploadFailed(uploadStarted(initialFiles, start('a')), 'a', 'Too large');
    expect(state.uploads.a).toMatchObject({ status: 'failed', error: 'Too large' });
    state = uploadsRemoved(state, ['a']);
    expect(state.uploads).toEqual({});
    expect(uploadsRemoved(state, ['a'])).toBe(state);
    expect(uploadFailed(state, 'gone', 'x')).toBe(state);
  });

  it('lists the uploads of a channel or one of its threads, for the part of the screen that started them', () => {
    let state = uploadStarted(initialFiles, start('a'));
    state = uploadStarted(state, start('b', 'c1', 'root'));
    state = uploadStarted(state, start('c', 'c2'));
    state = uploadStarted(state, start('d', 'c1', '', 'drop'));
    expect(uploadsFor(state, 'composer', 'c1').map((u) => u.clientId)).toEqual(['a']);
    expect(uploadsFor(state, 'composer', 'c1', 'root').map((u) => u.clientId)).toEqual(['b']);
    expect(uploadsFor(state, 'drop', 'c1').map((u) => u.clientId)).toEqual(['d']);
    expect(uploadsOf(state, 'drop').map((u) => u.clientId)).toEqual(['d']);
  });
});
