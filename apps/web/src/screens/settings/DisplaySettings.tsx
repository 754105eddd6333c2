import { savePreference } from '../../actions/preferences';
import { chooseTheme } from '../../actions/theme';
import { Alert } from '../../components/Alert';
import { collapsedThreadsChoosable, collapsedThreadsOn, CRT_PREFERENCE, themeMode, type ThemeMode } from '../../state/preferences';
import { useAppState } from '../../state/store';
import { useSave } from './use-save';

const THEMES: { value: ThemeMode; label: string }[] = [
  { value: 'system', label: "The system's (light or dark as the device is set)" },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

/** Display: the colour theme and collapsed reply threads, saved as preferences when chosen. */
export function DisplaySettings() {
  const preferences = useAppState((s) => s.preferences);
  const crtSetting = useAppState((s) => s.config.client.CollapsedThreads);
  const save = useSave();
  const mode = themeMode(preferences);
  const crt = collapsedThreadsOn(crtSetting, preferences);

  return (
    <div className="settings-form">
      <h3>Display</h3>
      {save.error && <Alert>{save.error}</Alert>}
      <fieldset className="settings-choices">
        <legend>Theme</legend>
        {THEMES.map((t) => (
          <label key={t.value}>
            <input type="radio" name="theme" value={t.value} checked={mode === t.value} onChange={() => void save.run(() => chooseTheme(t.value))} /> {t.label}
          </label>
        ))}
      </fieldset>
      <fieldset className="settings-choices" disabled={!collapsedThreadsChoosable(crtSetting)}>
        <legend>Collapsed reply threads</legend>
        {[
          { on: true, label: 'On: replies stay in their thread (the Threads view lists them)' },
          { on: false, label: 'Off: replies show in the channel too' },
        ].map((c) => (
          <label key={String(c.on)}>
            <input
              type="radio"
              name="crt"
              checked={crt === c.on}
              onChange={() => void save.run(() => savePreference(CRT_PREFERENCE.category, CRT_PREFERENCE.name, c.on ? 'on' : 'off'))}
            />{' '}
            {c.label}
          </label>
        ))}
        {!collapsedThreadsChoosable(crtSetting) && (
          <p className="field-hint">
            {crtSetting === 'always_on' ? 'The server keeps collapsed reply threads on for everyone.' : 'The server has collapsed reply threads off.'}
          </p>
        )}
      </fieldset>
    </div>
  );
}
