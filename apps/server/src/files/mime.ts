/**
 * MIME types by extension, as Go's mime.TypeByExtension answers the common ones Mattermost sees;
 * an unknown extension has no type (served as application/octet-stream).
 */
const TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  bmp: 'image/bmp',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  psd: 'image/vnd.adobe.photoshop',
  heic: 'image/heic',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  ogg: 'audio/ogg',
  m4a: 'audio/mp4',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
  avi: 'video/avi',
  mpeg: 'video/mpeg',
  mpg: 'video/mpeg',
  pdf: 'application/pdf',
  txt: 'text/plain; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  html: 'text/html; charset=utf-8',
  htm: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  json: 'application/json',
  xml: 'text/xml; charset=utf-8',
  zip: 'application/zip',
  gz: 'application/gzip',
  tar: 'application/x-tar',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

export function mimeTypeFor(extension: string): string {
  return TYPES[extension] ?? '';
}

/** Types the browser may run as script in our origin: served as text/plain (Mattermost's UnsafeContentTypes). */
const UNSAFE = ['application/javascript', 'application/ecmascript', 'text/javascript', 'text/ecmascript', 'application/x-javascript', 'text/html'];
/** Types shown inline; everything else downloads (Mattermost's MediaContentTypes). */
const MEDIA = ['image/jpeg', 'image/png', 'image/bmp', 'image/gif', 'image/tiff', 'video/avi', 'video/mpeg', 'video/mp4', 'audio/mpeg', 'audio/wav'];

/** The Content-Type and disposition a stored file is served with (api4/file.go writeFileResponse). */
export function servedAs(mimeType: string, forceDownload: boolean): { contentType: string; attachment: boolean } {
  let contentType = mimeType || 'application/octet-stream';
  if (UNSAFE.some((t) => contentType.startsWith(t))) contentType = 'text/plain';
  const media = MEDIA.some((t) => contentType.startsWith(t));
  return { contentType, attachment: forceDownload || !media };
}

/** Content-Disposition with the name percent-encoded (RFC 5987), so no quote or newline breaks the header. */
export function contentDisposition(name: string, attachment: boolean): string {
  const escaped = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${attachment ? 'attachment' : 'inline'};filename="${escaped}"; filename*=UTF-8''${escaped}`;
}

/**
 * One byte range of a `Range: bytes=…` header against a file of `size` bytes: the range, 'all'
 * when the header is absent or not one we serve (several ranges, other units: the whole file, as
 * RFC 9110 allows), or 'unsatisfiable' (416).
 */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'all' | 'unsatisfiable' {
  if (!header) return 'all';
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return 'all';
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (!Number.isSafeInteger(start) || start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}
