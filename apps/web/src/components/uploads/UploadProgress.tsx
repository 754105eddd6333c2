import { formatFileSize, fileKind } from './files';
import { uploadPercent, type Upload } from '../../state/files';

/**
 * Uploads with their progress: a progress bar while sending, the size once done, the server's
 * message when it failed; each can be cancelled or removed.
 */
export function UploadProgress({ uploads, onCancel }: { uploads: Upload[]; onCancel: (clientId: string) => void }) {
  if (uploads.length === 0) return null;
  return (
    <ul className="upload-progress" aria-label="Uploads">
      {uploads.map((u) => {
        const percent = uploadPercent(u);
        return (
          <li key={u.clientId} className={`upload upload-${u.status}`}>
            <span className="upload-icon" aria-hidden="true">
              {fileKind(u.name).icon}
            </span>
            <span className="upload-name" title={u.name}>
              {u.name}
            </span>
            {u.status === 'uploading' && (
              <>
                <progress max={100} value={percent} aria-label={`Uploading ${u.name}`} />
                <span className="upload-percent">{percent}%</span>
              </>
            )}
            {u.status === 'done' && <span className="upload-size">{formatFileSize(u.size)}</span>}
            {u.status === 'failed' && (
              <span className="upload-error" role="alert">
                {u.error}
              </span>
            )}
            <button
              type="button"
              className="upload-cancel"
              aria-label={`${u.status === 'uploading' ? 'Cancel' : 'Remove'} ${u.name}`}
              onClick={() => onCancel(u.clientId)}
            >
              ×
            </button>
          </li>
        );
      })}
    </ul>
  );
}
