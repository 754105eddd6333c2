import { lazy, Suspense, useEffect, useState } from 'react';
import { setMyStatus, watchStatuses } from '../../actions/status';
import { errorMessage } from '../../api/errors';
import { MenuButton, type MenuEntry } from '../../components/menu/MenuButton';
import { CustomStatusText, StatusDot } from '../../components/status/StatusDot';
import { currentUser } from '../../state/selectors';
import { AVAILABILITY_LABELS, customStatusOf, statusOf, type Availability } from '../../state/status';
import { useAppState } from '../../state/store';
import { CustomStatusDialog } from './CustomStatusDialog';

/** The settings dialog is loaded when first opened (it is not part of the initial bundle). */
const SettingsDialog = lazy(() => import('../settings/SettingsDialog'));

const CHOICES: Availability[] = ['online', 'away', 'dnd', 'offline'];

/**
 * The signed-in user's menu in the sidebar: their availability (online, away, do not disturb,
 * offline), their custom status, and the settings. While it is shown, the statuses of the people
 * the app knows are kept fresh.
 */
export function AccountMenu() {
  const me = useAppState(currentUser);
  const status = useAppState((s) => (me ? statusOf(s.status, me.id) : undefined));
  const [dialog, setDialog] = useState<'none' | 'custom' | 'settings'>('none');
  const [error, setError] = useState('');
  useEffect(() => watchStatuses(), []);
  if (!me) return null;
  const custom = customStatusOf(me, Date.now());

  const choose = (next: Availability) => {
    setError('');
    setMyStatus(next).catch((err: unknown) => setError(errorMessage(err)));
  };
  const entries: MenuEntry[] = [
    { key: 'who', heading: `@${me.username}` },
    ...CHOICES.map((c) => ({ key: c, label: <AvailabilityLabel status={c} />, checked: status === c, onSelect: () => choose(c) })),
    { key: 'sep1', separator: true },
    { key: 'custom', label: custom ? 'Change custom status…' : 'Set a custom status…', onSelect: () => setDialog('custom') },
    { key: 'sep2', separator: true },
    { key: 'settings', label: 'Settings…', onSelect: () => setDialog('settings') },
  ];

  return (
    <div className="account">
      <MenuButton
        label={`@${me.username}, account and status: ${status ? AVAILABILITY_LABELS[status] : 'unknown'}`}
        entries={entries}
        className="account-button"
      >
        <StatusDot userId={me.id} />
        <span aria-hidden="true">@{me.username}</span>
      </MenuButton>
      <CustomStatusText userId={me.id} className="account-custom-status" />
      {error && (
        <p role="alert" className="account-error">
          {error}
        </p>
      )}
      {dialog === 'custom' && <CustomStatusDialog onClose={() => setDialog('none')} />}
      {dialog === 'settings' && (
        <Suspense fallback={null}>
          <SettingsDialog onClose={() => setDialog('none')} />
        </Suspense>
      )}
    </div>
  );
}

function AvailabilityLabel({ status }: { status: Availability }) {
  return (
    <>
      <span className={`status-dot status-${status}`} aria-hidden="true" /> {AVAILABILITY_LABELS[status]}
    </>
  );
}
