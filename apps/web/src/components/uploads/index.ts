/**
 * Uploads for a composer (web-compose wires them in): `useFileUploads(channelId, rootId)` gives the
 * uploads and `add` (picker, paste, drop), `<UploadProgress>` shows them, and the finished files go
 * with the message through sendPost(channelId, message, { rootId, files: ready }). `uploadFile`
 * is the single XMLHttpRequest upload with progress underneath.
 */
export { uploadFile, type UploadOptions } from './upload';
export { useFileUploads, type FileUploads } from './use-uploads';
export { UploadProgress } from './UploadProgress';
export { formatFileSize, fileKind } from './files';
