import type { FileInfo } from '@mattermost/types/files';
import type { Post } from '@mattermost/types/posts';
import { describe, expect, it } from 'vitest';
import {
  fileSize,
  highlightDone,
  highlightParts,
  highlightSet,
  initialSearch,
  receivedFileResults,
  receivedPostResults,
  searchClosed,
  searchFailed,
  searchStarted,
  tabChosen,
  timeZoneOffsetSeconds,
} from './search';

const post = (id: string, delete_at = 0) => ({ id, message: id, delete_at }) as Post;

describe('search', () => {
  it('opens on the messages tab with both tabs loading, and numbers each search', () => {
    const s = searchStarted(initialSearch, 'from:bob hello');
    expect(s).toMatchObject({ open: true, terms: 'from:bob hello', tab: 'messages', id: 1 });
    expect(s.messages.status).toBe('loading');
    expect(s.files.status).toBe('loading');
    expect(searchStarted(tabChosen(s, 'files'), 'again').tab).toBe('files');
  });

  it("takes the answers of the current search only, in the server's order, without deleted posts", () => {
    const s = searchStarted(initialSearch, 'x');
    const list = { order: ['b', 'a', 'gone'], posts: { a: post('a'), b: post('b'), gone: post('gone', 5) }, matches: { a: ['x'] } };
    const done = receivedPostResults(s, 1, list);
    expect(done.messages.items.map((p) => p.id)).toEqual(['b', 'a']);
    expect(done.messages.matches).toEqual({ a: ['x'] });
    expect(receivedPostResults(searchStarted(s, 'y'), 1, list).messages.status).toBe('loading');
    const files = receivedFileResults(s, 1, { order: ['f2', 'f1'], file_infos: { f1: { id: 'f1' } as FileInfo, f2: { id: 'f2' } as FileInfo } });
    expect(files.files.items.map((f) => f.id)).toEqual(['f2', 'f1']);
  });

  it('keeps an error per tab, and drops answers once the panel is closed', () => {
    const s = searchFailed(searchStarted(initialSearch, 'x'), 1, 'files', 'File search is off');
    expect(s.files).toMatchObject({ status: 'failed', error: 'File search is off' });
    expect(s.messages.status).toBe('loading');
    const closed = searchClosed(s);
    expect(closed.open).toBe(false);
    expect(closed.terms).toBe('x');
    expect(receivedPostResults(closed, 1, { order: [], posts: {} }).messages.status).toBe('loading');
  });

  it('remembers the post jumped to until it has been shown', () => {
    const s = highlightSet(initialSearch, 'p1');
    expect(highlightDone(s, 'p2').highlight).toBe('p1');
    expect(highlightDone(s, 'p1').highlight).toBe('');
  });
});

describe('highlightParts', () => {
  it('marks every matched word or phrase, whatever its case', () => {
    expect(highlightParts('Hello world, hello again', ['hello'])).toEqual([
      { text: 'Hello', match: true },
      { text: ' world, ', match: false },
      { text: 'hello', match: true },
      { text: ' again', match: false },
    ]);
    expect(
      highlightParts('a.b (c)', ['a.b', '(c)'])
        .filter((p) => p.match)
        .map((p) => p.text),
    ).toEqual(['a.b', '(c)']);
    expect(highlightParts('nothing', [])).toEqual([{ text: 'nothing', match: false }]);
  });
});

describe('helpers', () => {
  it("gives the browser's UTC offset in seconds and file sizes in words", () => {
    expect(typeof timeZoneOffsetSeconds()).toBe('number');
    expect(fileSize(512)).toBe('512 B');
    expect(fileSize(1536)).toBe('1.5 KB');
    expect(fileSize(20 * 1024 * 1024)).toBe('20 MB');
  });
});
