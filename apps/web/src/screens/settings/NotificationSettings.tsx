import { useState, type FormEvent } from 'react';
import { askNotificationPermission, notificationPermission, type PermissionState } from '../../actions/notifications';
import { updateNotifyProps } from '../../actions/profile';
import { Field } from '../../components/Field';
import { currentUser } from '../../state/selectors';
import { useAppState } from '../../state/store';
import { SaveStatus } from './SaveStatus';
import { useSave } from './use-save';

const DESKTOP_LEVELS = [
  { value: 'all', label: 'For all activity' },
  { value: 'mention', label: 'For mentions and direct messages' },
  { value: 'none', label: 'Never' },
];

const PERMISSION_TEXT: Record<PermissionState, string> = {
  granted: 'This browser shows desktop notifications (when this tab is hidden).',
  denied: "This browser blocks notifications from this site; allow them in the browser's site settings.",
  default: 'This browser has not been allowed to show notifications yet.',
  unsupported: 'This browser cannot show desktop notifications.',
};

/** Notifications: desktop level, email, mention keywords (notify_props), and the browser's permission. */
export function NotificationSettings() {
  const me = useAppState(currentUser)!;
  const props = me.notify_props ?? ({} as NonNullable<typeof me.notify_props>);
  const [desktop, setDesktop] = useState<string>(props.desktop || 'mention');
  const [email, setEmail] = useState(props.email !== 'false');
  const [keywords, setKeywords] = useState(props.mention_keys ?? '');
  const [permission, setPermission] = useState<PermissionState>(notificationPermission());
  const save = useSave();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const mention_keys = keywords
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean)
      .join(',');
    void save.run(() => updateNotifyProps({ desktop: desktop as 'all', email: String(email) as 'true', mention_keys }));
  };

  return (
    <form className="settings-form" onSubmit={submit} aria-labelledby="settings-notifications">
      <h3 id="settings-notifications">Notifications</h3>
      <SaveStatus error={save.error} saved={save.saved} />
      <fieldset className="settings-choices">
        <legend>Desktop notifications</legend>
        {DESKTOP_LEVELS.map((l) => (
          <label key={l.value}>
            <input type="radio" name="desktop" value={l.value} checked={desktop === l.value} onChange={() => setDesktop(l.value)} /> {l.label}
          </label>
        ))}
      </fieldset>
      <div className="settings-permission">
        <p className="field-hint">{PERMISSION_TEXT[permission]}</p>
        {permission === 'default' && (
          <button type="button" className="link-button" onClick={() => void askNotificationPermission().then(setPermission)}>
            Allow desktop notifications in this browser
          </button>
        )}
      </div>
      <label className="settings-check">
        <input type="checkbox" checked={email} onChange={(e) => setEmail(e.target.checked)} /> Email me about mentions and direct messages while I am away
      </label>
      <Field
        label="Keywords that notify me"
        value={keywords}
        onChange={(e) => setKeywords(e.target.value)}
        hint="Besides your username: words separated by commas (not case sensitive)."
      />
      <button type="submit" className="primary" disabled={save.busy}>
        Save
      </button>
    </form>
  );
}
