/**
 * What the app shows of a file (pure, with specs): its size in words, an icon by kind, whether it
 * shows as an image, the box it takes (reserved before it loads, so nothing jumps), and its URLs
 * on this site (so the page's CSP allows them).
 */
import type { FileInfo } from '@mattermost/types/files';

/** Mattermost's thumbnail box (app/file.go): thumbnails fit inside it. */
export const THUMBNAIL_BOX = { width: 120, height: 100 } as const;
/** The width Mattermost scales previews down to. */
export const PREVIEW_WIDTH = 1920;

/** 512 B, 1.5 KB, 23 MB, 1.2 GB (1024-based, as Mattermost's fileSizeToString). */
export function formatFileSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = unit === 0 || value >= 10 ? Math.round(value).toString() : (Math.round(value * 10) / 10).toString();
  return `${shown} ${units[unit]}`;
}

const KINDS: { kind: string; icon: string; extensions: string[] }[] = [
  { kind: 'PDF', icon: '📕', extensions: ['pdf'] },
  { kind: 'Document', icon: '📝', extensions: ['doc', 'docx', 'odt', 'rtf', 'pages'] },
  { kind: 'Spreadsheet', icon: '📊', extensions: ['xls', 'xlsx', 'ods', 'csv', 'tsv', 'numbers'] },
  { kind: 'Presentation', icon: '📽️', extensions: ['ppt', 'pptx', 'odp', 'key'] },
  { kind: 'Archive', icon: '🗜️', extensions: ['zip', 'gz', 'tgz', 'tar', 'bz2', 'xz', '7z', 'rar'] },
  { kind: 'Audio', icon: '🎵', extensions: ['mp3', 'wav', 'ogg', 'oga', 'flac', 'm4a', 'aac'] },
  { kind: 'Video', icon: '🎬', extensions: ['mp4', 'mov', 'webm', 'mkv', 'avi', 'm4v'] },
  { kind: 'Image', icon: '🖼️', extensions: ['png', 'jpg', 'jpeg', 'gif', 'bmp', 'webp', 'svg', 'tif', 'tiff', 'heic', 'psd'] },
  {
    kind: 'Code',
    icon: '💻',
    extensions: [
      'js',
      'ts',
      'tsx',
      'jsx',
      'py',
      'go',
      'java',
      'c',
      'h',
      'cpp',
      'cs',
      'rb',
      'rs',
      'php',
      'sh',
      'json',
      'yml',
      'yaml',
      'xml',
      'html',
      'css',
      'sql',
    ],
  },
  { kind: 'Text', icon: '📄', extensions: ['txt', 'md', 'log', 'ini', 'cfg'] },
];

/** The file's kind and icon by its extension (else by its MIME type's family). */
export function fileKind(name: string, mimeType = ''): { kind: string; icon: string } {
  const extension = name.includes('.') ? (name.split('.').pop() ?? '').toLowerCase() : '';
  const byExtension = KINDS.find((k) => k.extensions.includes(extension));
  if (byExtension) return { kind: byExtension.kind, icon: byExtension.icon };
  const family = mimeType.split('/')[0];
  const byMime = family === 'image' ? 'Image' : family === 'audio' ? 'Audio' : family === 'video' ? 'Video' : family === 'text' ? 'Text' : '';
  const found = KINDS.find((k) => k.kind === byMime);
  return found ? { kind: found.kind, icon: found.icon } : { kind: 'File', icon: '📎' };
}

/** Whether the file shows as a picture: an image the server measured and made a thumbnail of. */
export function isImageFile(file: Pick<FileInfo, 'mime_type' | 'width' | 'height' | 'has_preview_image'>): boolean {
  return file.mime_type.startsWith('image/') && file.width > 0 && file.height > 0 && file.has_preview_image !== false;
}

/** The size of a `width`×`height` picture shrunk (never enlarged) to fit a box, keeping its shape. */
export function fitWithin(width: number, height: number, maxWidth: number, maxHeight: number): { width: number; height: number } {
  if (width <= 0 || height <= 0) return { width: maxWidth, height: maxHeight };
  const scale = Math.min(1, maxWidth / width, maxHeight / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

export const fileUrl = (id: string): string => `/api/v4/files/${encodeURIComponent(id)}`;
export const thumbnailUrl = (id: string): string => `${fileUrl(id)}/thumbnail`;
export const previewUrl = (id: string): string => `${fileUrl(id)}/preview`;
export const downloadUrl = (id: string): string => `${fileUrl(id)}?download=1`;
