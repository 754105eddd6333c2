import { useEffect, useRef } from 'react';
import { Emoji } from '../../../components/markdown/Markdown';
import { PICKER_EMOJI } from '../../../components/markdown/emoji';

/**
 * A small emoji picker (the common emoji of components/markdown/emoji.ts): a grid of buttons,
 * the first focused on opening; Escape, a click outside or a choice closes it, and focus goes back
 * to the button that opened it (the caller's `onClose`).
 */
export function EmojiPicker({ onPick, onClose }: { onPick: (name: string) => void; onClose: () => void }) {
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    ref.current?.querySelector('button')?.focus();
    const onPointer = (e: PointerEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) onClose();
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [onClose]);

  return (
    <div
      ref={ref}
      className="emoji-picker"
      role="dialog"
      aria-label="Choose a reaction"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      {PICKER_EMOJI.map((name) => (
        <button key={name} type="button" className="emoji-picker-item" aria-label={`:${name}:`} title={`:${name}:`} onClick={() => onPick(name)}>
          <Emoji name={name} />
        </button>
      ))}
    </div>
  );
}
