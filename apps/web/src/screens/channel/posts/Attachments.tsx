import type { FileInfo } from '@mattermost/types/files';
import type { Post } from '@mattermost/types/posts';
import { useEffect, useRef, useState } from 'react';
import {
  downloadUrl,
  fileKind,
  fitWithin,
  formatFileSize,
  isImageFile,
  PREVIEW_WIDTH,
  previewUrl,
  THUMBNAIL_BOX,
  thumbnailUrl,
} from '../../../components/uploads/files';

/**
 * A post's files (post.metadata.files): images as thumbnails, their box reserved from the
 * FileInfo's size so the list does not jump as they load, opening the preview; other files as a
 * card with an icon by kind, the name and size, that downloads the file.
 */
export function Attachments({ post }: { post: Post }) {
  const files = post.metadata?.files ?? [];
  const [preview, setPreview] = useState<FileInfo | undefined>(undefined);
  if (files.length === 0) return null;
  const images = files.filter(isImageFile);
  const others = files.filter((f) => !isImageFile(f));
  return (
    <div className="attachments">
      {images.length > 0 && (
        <div className="attachment-images">
          {images.map((file) => {
            const box = fitWithin(file.width, file.height, THUMBNAIL_BOX.width, THUMBNAIL_BOX.height);
            return (
              <button
                key={file.id}
                type="button"
                className="attachment-thumb"
                aria-label={`Open ${file.name}`}
                title={file.name}
                onClick={() => setPreview(file)}
              >
                <img src={thumbnailUrl(file.id)} alt={file.name} width={box.width} height={box.height} loading="lazy" />
              </button>
            );
          })}
        </div>
      )}
      {others.map((file) => (
        <FileCard key={file.id} file={file} />
      ))}
      {preview && <FilePreview file={preview} onClose={() => setPreview(undefined)} />}
    </div>
  );
}

function FileCard({ file }: { file: FileInfo }) {
  const { kind, icon } = fileKind(file.name, file.mime_type);
  return (
    <a className="file-card" href={downloadUrl(file.id)} download={file.name} title={`Download ${file.name}`}>
      <span className="file-card-icon" aria-hidden="true">
        {icon}
      </span>
      <span className="file-card-text">
        <span className="file-card-name">{file.name}</span>
        <span className="file-card-meta">
          {kind} · {formatFileSize(file.size)}
        </span>
      </span>
    </a>
  );
}

/**
 * An image's preview (GET /files/{id}/preview) in a modal dialog, sized from the FileInfo to fit
 * the window; Escape or the close button ends it, and focus goes back where it was.
 */
function FilePreview({ file, onClose }: { file: FileInfo; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  // The preview is at most PREVIEW_WIDTH wide; shown within 90% of the window.
  const natural = fitWithin(file.width, file.height, PREVIEW_WIDTH, Number.MAX_SAFE_INTEGER);
  const box = fitWithin(natural.width, natural.height, Math.floor(window.innerWidth * 0.9), Math.floor(window.innerHeight * 0.8));
  return (
    <dialog
      ref={ref}
      className="file-preview"
      aria-label={file.name}
      onClose={onClose}
      onClick={(e) => {
        // A click on the backdrop (the dialog itself, outside its content) closes it.
        if (e.target === ref.current) ref.current.close();
      }}
    >
      <div className="file-preview-header">
        <span className="file-preview-name">{file.name}</span>
        <span className="file-card-meta">{formatFileSize(file.size)}</span>
        <a href={downloadUrl(file.id)} download={file.name}>
          Download
        </a>
        <button type="button" className="thread-close" aria-label="Close the preview" onClick={() => ref.current?.close()}>
          ×
        </button>
      </div>
      <img src={previewUrl(file.id)} alt={file.name} width={box.width} height={box.height} />
    </dialog>
  );
}
