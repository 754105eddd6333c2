import { useEffect, useId, useRef, type ReactNode } from 'react';

/**
 * A modal dialog on the browser's own <dialog> (showModal): the rest of the page is inert, focus
 * starts inside (on the field marked `data-autofocus`, else the first control), Escape closes it, and focus
 * returns to what opened it. A click on the backdrop closes it too. `onClose` runs however it
 * was closed; the parent then stops rendering it.
 */
export function ModalDialog({ title, onClose, children, className = '' }: { title: string; onClose(): void; children: ReactNode; className?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog || dialog.open) return;
    dialog.showModal();
    // showModal focuses the first control; a field marked data-autofocus is where typing starts.
    dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus();
  }, []);
  return (
    <dialog
      ref={ref}
      className={`modal ${className}`}
      aria-labelledby={titleId}
      onClose={onClose}
      onClick={(e) => {
        // The dialog element itself is only hit outside its content box: the backdrop.
        if (e.target === ref.current) ref.current.close();
      }}
    >
      <div className="modal-header">
        <h2 id={titleId}>{title}</h2>
      </div>
      <div className="modal-body">{children}</div>
      {/* Last in the focus order (the content comes first), shown at the top right. */}
      <button type="button" className="modal-close modal-close-corner" aria-label="Close" onClick={() => ref.current?.close()}>
        ×
      </button>
    </dialog>
  );
}
