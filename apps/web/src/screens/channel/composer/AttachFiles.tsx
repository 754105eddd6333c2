import { useRef } from 'react';
import { UploadProgress, type FileUploads } from '../../../components/uploads';

/**
 * The composer's attach button (a hidden file input behind a labelled button) and the progress
 * of its uploads; pasted and dropped files join the same list through `uploads.add`. A refused
 * choice (too many files, too large) goes to `onError`.
 */
export function AttachFiles({ uploads, label, onError }: { uploads: FileUploads; label: string; onError: (err: unknown) => void }) {
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
          if (files.length > 0) uploads.add(files).catch(onError);
        }}
      />
      <UploadProgress uploads={uploads.uploads} onCancel={uploads.cancel} />
    </div>
  );
}
