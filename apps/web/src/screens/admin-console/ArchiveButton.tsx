import { useState } from 'react';

/** Archiving asks once more in place ("Archive X?" Yes / No) instead of a browser dialog. */
export function ArchiveButton({ name, disabled, onArchive }: { name: string; disabled: boolean; onArchive: () => void }) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="console-button console-danger" disabled={disabled} aria-label={`Archive ${name}`} onClick={() => setAsking(true)}>
        Archive
      </button>
    );
  }
  return (
    <span className="console-confirm" role="group" aria-label={`Archive ${name}?`}>
      Archive {name}?{' '}
      <button
        type="button"
        className="console-button console-danger"
        disabled={disabled}
        onClick={() => {
          setAsking(false);
          onArchive();
        }}
      >
        Yes, archive
      </button>{' '}
      <button type="button" className="console-button" onClick={() => setAsking(false)}>
        No
      </button>
    </span>
  );
}
