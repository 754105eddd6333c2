import { describe, expect, it } from 'vitest';
import { downloadUrl, fileKind, fitWithin, formatFileSize, isImageFile, thumbnailUrl } from './files';
import { csrfToken, uploadError } from './upload';

describe('formatFileSize', () => {
  it('counts in 1024s with one decimal below ten', () => {
    expect(formatFileSize(512)).toBe('512 B');
    expect(formatFileSize(1536)).toBe('1.5 KB');
    expect(formatFileSize(23 * 1024 * 1024)).toBe('23 MB');
    expect(formatFileSize(1.25 * 1024 ** 3)).toBe('1.3 GB');
    expect(formatFileSize(0)).toBe('0 B');
  });
});

describe('fileKind', () => {
  it('knows a file by its extension, else by its MIME family', () => {
    expect(fileKind('Report.PDF')).toEqual({ kind: 'PDF', icon: '📕' });
    expect(fileKind('data.csv').kind).toBe('Spreadsheet');
    expect(fileKind('backup.tar.gz').kind).toBe('Archive');
    expect(fileKind('main.ts').kind).toBe('Code');
    expect(fileKind('noextension', 'audio/mpeg').kind).toBe('Audio');
    expect(fileKind('mystery.xyz', 'application/octet-stream')).toEqual({ kind: 'File', icon: '📎' });
  });
});

describe('isImageFile', () => {
  it('takes images the server measured and made a preview of', () => {
    expect(isImageFile({ mime_type: 'image/png', width: 10, height: 10, has_preview_image: true })).toBe(true);
    expect(isImageFile({ mime_type: 'image/svg+xml', width: 0, height: 0, has_preview_image: false })).toBe(false);
    expect(isImageFile({ mime_type: 'application/pdf', width: 10, height: 10, has_preview_image: true })).toBe(false);
  });
});

describe('fitWithin', () => {
  it('shrinks to the box keeping the shape, never enlarges', () => {
    expect(fitWithin(1200, 600, 120, 100)).toEqual({ width: 120, height: 60 });
    expect(fitWithin(300, 900, 120, 100)).toEqual({ width: 33, height: 100 });
    expect(fitWithin(50, 40, 120, 100)).toEqual({ width: 50, height: 40 });
    expect(fitWithin(0, 0, 120, 100)).toEqual({ width: 120, height: 100 });
  });
});

describe('urls and upload errors', () => {
  it("serves files from this site's API", () => {
    expect(thumbnailUrl('f1')).toBe('/api/v4/files/f1/thumbnail');
    expect(downloadUrl('f1')).toBe('/api/v4/files/f1?download=1');
  });

  it('reads the CSRF token as Client4 does', () => {
    expect(csrfToken('MMUSERID=u1; MMCSRF=abc=def; other=1')).toBe('abc=def');
    expect(csrfToken('MMUSERID=u1')).toBe('');
  });

  it("keeps the server's message and id, else says what happened", () => {
    expect(uploadError(413, '{"id":"api.file.upload_file.too_large_detailed.app_error","message":"Too large"}')).toEqual({
      message: 'Too large',
      status_code: 413,
      server_error_id: 'api.file.upload_file.too_large_detailed.app_error',
    });
    expect(uploadError(413, '<html>nginx</html>').message).toBe('The file is too large to upload.');
    expect(uploadError(0, '').message).toMatch(/connection/);
    expect(uploadError(502, '').message).toBe('The upload failed (HTTP 502).');
  });
});
