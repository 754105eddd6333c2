import { describe, expect, it } from 'vitest';
import { fileExtension, fileFolder, inPostOrder, plainFileName, storeObjectsOf, storeSegment } from './file-info.model.js';
import { contentDisposition, parseRange, servedAs } from './mime.js';

describe('file names', () => {
  it('keeps only the last segment of a path, so traversal names are plain names', () => {
    expect(plainFileName('../../etc/passwd')).toBe('passwd');
    expect(plainFileName('..\\..\\boot.ini')).toBe('boot.ini');
    expect(plainFileName('..')).toBe('file');
    expect(plainFileName('a\nb\u0000.txt')).toBe('ab.txt');
    expect(plainFileName('')).toBe('file');
  });

  it('builds store paths from ids and a safe segment', () => {
    expect(fileFolder(Date.UTC(2026, 0, 5), 'c'.repeat(26), 'u'.repeat(26), 'f'.repeat(26))).toBe(
      `20260105/teams/noteam/channels/${'c'.repeat(26)}/users/${'u'.repeat(26)}/${'f'.repeat(26)}`,
    );
    expect(storeSegment('my photo (1).JPG')).toBe('my_photo__1_.JPG');
    expect(storeSegment('..')).toBe('file');
    expect(fileExtension('Photo.JPG')).toBe('jpg');
    expect(fileExtension('.bashrc')).toBe('');
  });
});

describe('serving', () => {
  it('shows media inline, downloads the rest, and never serves script types as such', () => {
    expect(servedAs('image/png', false)).toEqual({ contentType: 'image/png', attachment: false });
    expect(servedAs('image/png', true).attachment).toBe(true);
    expect(servedAs('text/html; charset=utf-8', false)).toEqual({ contentType: 'text/plain', attachment: true });
    expect(servedAs('', false)).toEqual({ contentType: 'application/octet-stream', attachment: true });
    expect(servedAs('image/svg+xml', false).attachment).toBe(true);
  });

  it('percent-encodes the name in Content-Disposition', () => {
    expect(contentDisposition('a"b\r\n.txt', true)).toBe(`attachment;filename="a%22b%0D%0A.txt"; filename*=UTF-8''a%22b%0D%0A.txt`);
  });

  it('parses one byte range', () => {
    expect(parseRange(undefined, 10)).toBe('all');
    expect(parseRange('bytes=2-5', 10)).toEqual({ start: 2, end: 5 });
    expect(parseRange('bytes=7-', 10)).toEqual({ start: 7, end: 9 });
    expect(parseRange('bytes=-3', 10)).toEqual({ start: 7, end: 9 });
    expect(parseRange('bytes=5-100', 10)).toEqual({ start: 5, end: 9 });
    expect(parseRange('bytes=10-', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=5-2', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,3-4', 10)).toBe('all');
    expect(parseRange('items=1-2', 10)).toBe('all');
  });
});

describe('storeObjectsOf', () => {
  const id = 'f'.repeat(26);
  const folder = `20260105/teams/noteam/channels/${'c'.repeat(26)}/users/${'u'.repeat(26)}/${id}`;

  it('removes a file in its own folder with the folder: file, thumbnail and preview at once', () => {
    expect(storeObjectsOf({ id, path: `${folder}/a.png`, thumbnail_path: `${folder}/a_thumb.jpg`, preview_path: `${folder}/a_preview.jpg` })).toEqual([folder]);
    expect(storeObjectsOf({ id, path: `${folder}/a.txt`, thumbnail_path: '', preview_path: '' })).toEqual([folder]);
  });

  it('never removes a folder that is not named for the file, and takes stray paths one by one', () => {
    expect(storeObjectsOf({ id, path: 'shared/a.png', thumbnail_path: 'shared/a_thumb.jpg', preview_path: '' })).toEqual([
      'shared/a.png',
      'shared/a_thumb.jpg',
    ]);
    expect(storeObjectsOf({ id, path: `${folder}/a.png`, thumbnail_path: 'elsewhere/t.jpg', preview_path: '' })).toEqual([folder, 'elsewhere/t.jpg']);
    expect(storeObjectsOf({ id, path: 'top.png', thumbnail_path: '', preview_path: '' })).toEqual(['top.png']);
  });
});

describe('inPostOrder', () => {
  it("orders a post's files as its file_ids name them, unknown ones last", () => {
    const files = [{ id: 'c' }, { id: 'x' }, { id: 'a' }, { id: 'b' }];
    expect(inPostOrder(files, ['a', 'b', 'c']).map((f) => f.id)).toEqual(['a', 'b', 'c', 'x']);
  });
});
