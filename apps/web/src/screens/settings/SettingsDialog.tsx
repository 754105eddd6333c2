import { useId, useState, type KeyboardEvent } from 'react';
import { ModalDialog } from '../../components/dialog/ModalDialog';
import { DisplaySettings } from './DisplaySettings';
import { NotificationSettings } from './NotificationSettings';
import { ProfileSettings } from './ProfileSettings';

const TABS = [
  { id: 'profile', label: 'Profile', Panel: ProfileSettings },
  { id: 'notifications', label: 'Notifications', Panel: NotificationSettings },
  { id: 'display', label: 'Display', Panel: DisplaySettings },
] as const;

type TabId = (typeof TABS)[number]['id'];

/**
 * The settings dialog (loaded when first opened): profile, notifications and display, one tab
 * each (arrow keys move between the tabs, as the ARIA tabs pattern has it).
 */
export default function SettingsDialog({ onClose }: { onClose(): void }) {
  const [tab, setTab] = useState<TabId>('profile');
  const id = useId();
  const index = TABS.findIndex((t) => t.id === tab);
  const { Panel } = TABS[index]!;

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 }[e.key];
    if (!step) return;
    e.preventDefault();
    const next = TABS[(index + step + TABS.length) % TABS.length]!;
    setTab(next.id);
    document.getElementById(`${id}-${next.id}-tab`)?.focus();
  };

  return (
    <ModalDialog title="Settings" onClose={onClose} className="settings-dialog">
      <div className="settings">
        <div role="tablist" aria-label="Settings" aria-orientation="vertical" className="settings-tabs" onKeyDown={onKeyDown}>
          {TABS.map((t) => (
            <button
              key={t.id}
              type="button"
              role="tab"
              id={`${id}-${t.id}-tab`}
              aria-selected={tab === t.id}
              aria-controls={`${id}-${t.id}`}
              tabIndex={tab === t.id ? 0 : -1}
              onClick={() => setTab(t.id)}
            >
              {t.label}
            </button>
          ))}
        </div>
        <div role="tabpanel" id={`${id}-${tab}`} aria-labelledby={`${id}-${tab}-tab`} className="settings-panel">
          <Panel />
        </div>
      </div>
    </ModalDialog>
  );
}
