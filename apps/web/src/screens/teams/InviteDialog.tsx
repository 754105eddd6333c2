import type { Team } from '@mattermost/types/teams';
import { useId, useState, type FormEvent } from 'react';
import { inviteByEmail } from '../../actions/invitations';
import { errorMessage } from '../../api/errors';
import { Alert } from '../../components/Alert';
import { ModalDialog } from '../../components/dialog/ModalDialog';
import { outcomeSummary, parseAddresses, type InviteOutcome } from '../../state/invitations';
import { useAppState } from '../../state/store';

/**
 * "Invite people" (the team menu): addresses separated by commas or spaces, each mailed a link to
 * join the team (POST /teams/{id}/invite/email?graceful=true); then what became of each address —
 * sent, or the server's reason (an address outside the team's allowed domains, say). An error for
 * the whole request (invitations off, too many sent this hour) shows over the form.
 */
export default function InviteDialog({ team, onClose }: { team: Team; onClose(): void }) {
  const enabled = useAppState((s) => s.config.client.EnableEmailInvitations) !== 'false';
  const [text, setText] = useState('');
  const [outcomes, setOutcomes] = useState<InviteOutcome[] | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const id = useId();
  const typed = parseAddresses(text);
  const nothing = typed.valid.length + typed.invalid.length === 0;

  const send = async (e: FormEvent) => {
    e.preventDefault();
    if (nothing) return;
    setBusy(true);
    setError('');
    try {
      setOutcomes(await inviteByEmail(team.id, text));
    } catch (err) {
      setError(errorMessage(err));
    }
    setBusy(false);
  };
  const again = () => {
    setOutcomes(null);
    setText('');
  };

  return (
    <ModalDialog title={`Invite people to ${team.display_name}`} onClose={onClose} className="invite-dialog">
      {!enabled ? (
        <Alert kind="info">Invitations by email are turned off on this server (an administrator can turn them on).</Alert>
      ) : outcomes ? (
        <div className="invite-results">
          <p role="status">{outcomeSummary(outcomes)}</p>
          <ul aria-label="Invitations">
            {outcomes.map((o) => (
              <li key={o.email} className={o.sent ? 'invite-sent' : 'invite-failed'}>
                <span className="invite-address">{o.email}</span>
                <span className="invite-outcome">{o.sent ? 'Invitation sent' : o.message}</span>
              </li>
            ))}
          </ul>
          <div className="modal-actions">
            <button type="button" className="link-button" onClick={again}>
              Invite more people
            </button>
            <button type="button" className="primary" onClick={onClose}>
              Done
            </button>
          </div>
        </div>
      ) : (
        <form onSubmit={(e) => void send(e)}>
          {error && <Alert>{error}</Alert>}
          <div className="field">
            <label htmlFor={`${id}-emails`}>Email addresses</label>
            <textarea id={`${id}-emails`} data-autofocus rows={3} aria-describedby={`${id}-hint`} value={text} onChange={(e) => setText(e.target.value)} />
            <p id={`${id}-hint`} className="field-hint">
              Separate addresses with commas or spaces. Each gets a link to join {team.display_name}, good once and for 48 hours.
            </p>
          </div>
          <div className="modal-actions">
            <span />
            <button type="submit" className="primary" disabled={busy || nothing}>
              {busy ? 'Sending…' : 'Send invitations'}
            </button>
          </div>
        </form>
      )}
    </ModalDialog>
  );
}
