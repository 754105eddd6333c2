import { useId, useState, type FormEvent } from 'react';
import { clearCustomStatus, setCustomStatus } from '../../actions/status';
import { errorMessage } from '../../api/errors';
import { Alert } from '../../components/Alert';
import { emojiChar } from '../../components/autocomplete/system-emoji';
import { ModalDialog } from '../../components/dialog/ModalDialog';
import { currentUser } from '../../state/selectors';
import { CLEAR_AFTER, customStatusExpiry, customStatusOf } from '../../state/status';
import { useAppState } from '../../state/store';

/** Mattermost's suggested statuses. */
const PRESETS = [
  { emoji: 'calendar', text: 'In a meeting', duration: 'one_hour' },
  { emoji: 'hamburger', text: 'Out for lunch', duration: 'thirty_minutes' },
  { emoji: 'face_with_thermometer', text: 'Out sick', duration: 'today' },
  { emoji: 'house', text: 'Working from home', duration: 'today' },
  { emoji: 'palm_tree', text: 'On a vacation', duration: 'this_week' },
];

/** The emoji offered for a status (system emoji names). */
const EMOJI = [
  'speech_balloon',
  'calendar',
  'hamburger',
  'coffee',
  'house',
  'car',
  'airplane',
  'palm_tree',
  'face_with_thermometer',
  'headphones',
  'computer',
  'no_bell',
  'zzz',
  'tada',
  'fire',
  'rocket',
  'bulb',
  'eyes',
];

/** Text of a custom status: at most 100 characters (the server cuts longer ones). */
const MAX_TEXT = 100;

/** "Set a custom status": an emoji, a text and when it clears; or clear the current one. */
export function CustomStatusDialog({ onClose }: { onClose(): void }) {
  const me = useAppState(currentUser);
  const current = customStatusOf(me, Date.now());
  const [emoji, setEmoji] = useState(current?.emoji || 'speech_balloon');
  const [text, setText] = useState(current?.text ?? '');
  const [duration, setDuration] = useState(current?.duration === 'date_and_time' ? 'date_and_time' : (current?.duration ?? 'today'));
  const [chosen, setChosen] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const id = useId();

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError('');
    try {
      await work();
      onClose();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  const save = (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim() && !emoji) return;
    const expiresAt = customStatusExpiry(duration, new Date(), chosen ? new Date(chosen) : undefined);
    if (duration === 'date_and_time' && (!expiresAt || expiresAt <= Date.now())) {
      setError('Choose a date and time in the future.');
      return;
    }
    void run(() => setCustomStatus(emoji, text, duration, expiresAt));
  };

  return (
    <ModalDialog title="Set a custom status" onClose={onClose}>
      {error && <Alert>{error}</Alert>}
      <form className="custom-status-form" onSubmit={save}>
        <div className="custom-status-row">
          <div className="field">
            <label htmlFor={`${id}-emoji`}>Emoji</label>
            <select id={`${id}-emoji`} value={emoji} onChange={(e) => setEmoji(e.target.value)}>
              {(EMOJI.includes(emoji) ? EMOJI : [emoji, ...EMOJI]).map((name) => (
                <option key={name} value={name}>
                  {emojiChar(name) || '·'} {name.replace(/_/g, ' ')}
                </option>
              ))}
            </select>
          </div>
          <div className="field custom-status-text-field">
            <label htmlFor={`${id}-text`}>What is your status?</label>
            <input id={`${id}-text`} data-autofocus maxLength={MAX_TEXT} value={text} onChange={(e) => setText(e.target.value)} />
          </div>
        </div>
        <fieldset className="custom-status-presets">
          <legend>Suggestions</legend>
          {PRESETS.map((p) => (
            <button
              key={p.text}
              type="button"
              className="chip"
              onClick={() => {
                setEmoji(p.emoji);
                setText(p.text);
                setDuration(p.duration);
              }}
            >
              {emojiChar(p.emoji)} {p.text}
            </button>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor={`${id}-clear`}>Clear after</label>
          <select id={`${id}-clear`} value={duration} onChange={(e) => setDuration(e.target.value)}>
            {CLEAR_AFTER.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
        {duration === 'date_and_time' && (
          <div className="field">
            <label htmlFor={`${id}-at`}>Date and time</label>
            <input id={`${id}-at`} type="datetime-local" required value={chosen} onChange={(e) => setChosen(e.target.value)} />
          </div>
        )}
        <div className="modal-actions">
          {current ? (
            <button type="button" className="link-button" disabled={busy} onClick={() => void run(clearCustomStatus)}>
              Clear status
            </button>
          ) : (
            <span />
          )}
          <button type="submit" className="primary" disabled={busy || (!text.trim() && !emoji)}>
            Set status
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}
