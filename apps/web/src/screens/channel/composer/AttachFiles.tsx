import { useRef } from 'react';
import { UploadProgress, type FileUploads } from '../../../components/uploads';

/**
 * The composer's attach button (a hidden file input behind a labelled button) and the progress
 * of its uploads; pasted and dropped files join the same list through `uploads.add`.
 */
export function AttachFiles({ uploads, label }: { uploads: FileUploads; label: string }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <div className="composer-attachments">
      <button type="button" className="composer-attach" aria-label={`Attach files to ${label}`} onClick={() => input.current?.click()}>
        Attach
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        data-testid="composer-file-input"
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          e.target.value = '';
          if (files.length > 0) uploads.add(files);
        }}
      />
      <UploadProgress uploads={uploads.uploads} onCancel={uploads.cancel} />
    </div>
  );
}
