import { useEffect, useRef, useState } from 'react';
import { useAppState } from '../../state/store';

export interface Drawer {
  open: boolean;
  toggle(): void;
  close(): void;
  buttonRef: React.RefObject<HTMLButtonElement | null>;
}

/**
 * The sidebar as a drawer on narrow screens (styles/app.css hides it below 768 px unless the team
 * layout says data-drawer="open"). Opening moves the focus into it; Escape, the backdrop or going
 * to another channel closes it, and the focus returns to the button.
 */
export function useDrawer(): Drawer {
  const [open, setOpen] = useState(false);
  const route = useAppState((s) => s.route);
  const buttonRef = useRef<HTMLButtonElement>(null);

  useEffect(() => setOpen(false), [route]);

  useEffect(() => {
    if (!open) return;
    const sidebar = document.querySelector<HTMLElement>('.team-layout > .sidebar');
    (sidebar?.querySelector<HTMLElement>('a[aria-current="page"]') ?? sidebar?.querySelector<HTMLElement>('a, button'))?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setOpen(false);
      buttonRef.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [open]);

  return {
    open,
    toggle: () => setOpen((o) => !o),
    close: () => {
      setOpen(false);
      buttonRef.current?.focus();
    },
    buttonRef,
  };
}

/** The header's "open channels" button (shown on narrow screens only). */
export function DrawerToggle({ drawer }: { drawer: Drawer }) {
  return (
    <button
      ref={drawer.buttonRef}
      type="button"
      className="drawer-toggle"
      aria-label={drawer.open ? 'Close the channel list' : 'Open the channel list'}
      aria-expanded={drawer.open}
      onClick={drawer.toggle}
    >
      <span aria-hidden="true">☰</span>
    </button>
  );
}

/** The dimmed page behind the open drawer; a click closes it. */
export function DrawerBackdrop({ drawer }: { drawer: Drawer }) {
  if (!drawer.open) return null;
  return <div className="drawer-backdrop" aria-hidden="true" onClick={drawer.close} />;
}
