import { logout } from '../../actions/session';
import { useTitle } from '../../lib/use-title';
import { currentTeam, currentUser } from '../../state/selectors';
import { useAppState } from '../../state/store';

/** A team's channel (/{team}/channels/{channel}); the chat view comes with the next step. */
export function ChannelScreen() {
  const team = useAppState(currentTeam);
  const me = useAppState(currentUser);
  useTitle(team?.display_name ?? 'mmchat');
  return (
    <main className="channel-screen">
      <p>
        Signed in as <strong>{me?.username}</strong> on {team?.display_name}.
      </p>
      <button type="button" onClick={() => void logout()}>
        Log out
      </button>
    </main>
  );
}
