import { useEffect, useMemo, useRef, useState } from 'react';
import { cancelUpload, postFiles } from '../../../actions/files';
import { errorMessage } from '../../../api/errors';
import { Alert } from '../../../components/Alert';
import { UploadProgress } from '../../../components/uploads/UploadProgress';
import { uploadsOf } from '../../../state/files';
import { useAppState } from '../../../state/store';

const hasFiles = (e: DragEvent): boolean => !!e.dataTransfer && Array.from(e.dataTransfer.types).includes('Files');

/**
 * Files dropped anywhere on the channel view are uploaded and posted at once (on the thread panel:
 * as a reply in that thread), with their progress in a list at the bottom. While files are dragged
 * over the page a sign says where they will go.
 */
export function FileDropZone({ channelId, label }: { channelId: string; label: string }) {
  const [over, setOver] = useState<'' | 'channel' | 'thread'>('');
  const [error, setError] = useState('');
  const files = useAppState((s) => s.files);
  const uploads = useMemo(() => uploadsOf(files, 'drop'), [files]);
  const openRootId = useAppState((s) => s.threads.openRootId);
  const threadRoot = useAppState((s) => (openRootId ? s.posts.byId[openRootId] : undefined));
  const target = useRef({ channelId, threadRoot });
  target.current = { channelId, threadRoot };

  useEffect(() => {
    let depth = 0;
    const inThread = (e: DragEvent) => !!(e.target instanceof Element && e.target.closest('.thread-panel')) && !!target.current.threadRoot;
    const onEnter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth++;
      setOver(inThread(e) ? 'thread' : 'channel');
    };
    const onOver = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      // Without this the browser would open the file instead of letting it drop here.
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
      setOver(inThread(e) ? 'thread' : 'channel');
    };
    const onLeave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setOver('');
    };
    const onDrop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setOver('');
      const dropped = Array.from(e.dataTransfer?.files ?? []);
      if (dropped.length === 0) return;
      const root = inThread(e) ? target.current.threadRoot : undefined;
      setError('');
      postFiles(root ? root.channel_id : target.current.channelId, root ? root.id : '', dropped).catch((err: unknown) => setError(errorMessage(err)));
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragover', onOver);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('drop', onDrop);
    };
  }, []);

  return (
    <>
      {over && (
        <div className="drop-overlay" aria-hidden="true">
          <p>{over === 'thread' ? 'Drop files to reply with them in the thread' : `Drop files to send them to ${label}`}</p>
        </div>
      )}
      {(uploads.length > 0 || error) && (
        <div className="drop-uploads" role="region" aria-label="Dropped files">
          {error && (
            <Alert>
              {error}{' '}
              <button type="button" className="link-button" onClick={() => setError('')}>
                Dismiss
              </button>
            </Alert>
          )}
          <UploadProgress uploads={uploads} onCancel={cancelUpload} />
        </div>
      )}
    </>
  );
}
