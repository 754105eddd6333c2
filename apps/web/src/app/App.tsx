/**
 * The app's frame: the screen for the current route. Signed-out people only ever see the public
 * screens (actions/routing.ts sends them to the login page meanwhile); until the session is known
 * nothing but a splash shows. A new screen is one more case here (see apps/web/README.md).
 */
import { AdminConsoleScreen } from '../screens/admin-console/AdminConsoleScreen';
import { ChannelScreen } from '../screens/channel/ChannelScreen';
import { SelectTeamScreen } from '../screens/teams/SelectTeamScreen';
import { CreateTeamScreen } from '../screens/create-team/CreateTeamScreen';
import { ErrorScreen } from '../screens/error/ErrorScreen';
import { LoginScreen } from '../screens/login/LoginScreen';
import { NotFoundScreen } from '../screens/not-found/NotFoundScreen';
import { OAuthAuthorizeScreen } from '../screens/oauth/OAuthAuthorizeScreen';
import { ResetPasswordCompleteScreen } from '../screens/password-reset/ResetPasswordCompleteScreen';
import { ResetPasswordScreen } from '../screens/password-reset/ResetPasswordScreen';
import { SignupScreen } from '../screens/signup/SignupScreen';
import { ThreadsScreen } from '../screens/threads/ThreadsScreen';
import { DoVerifyEmailScreen } from '../screens/verify-email/DoVerifyEmailScreen';
import { ShouldVerifyEmailScreen } from '../screens/verify-email/ShouldVerifyEmailScreen';
import { isPublicScreen } from '../state/route';
import { useAppState } from '../state/store';
import { Splash } from './Splash';

export function App() {
  const route = useAppState((s) => s.route);
  const session = useAppState((s) => s.session.status);
  const view = useAppState((s) => s.view);

  if (session === 'unknown' || (session === 'signed-out' && !isPublicScreen(route.screen))) {
    return <Splash error={view.status === 'failed' ? view.error : ''} />;
  }
  switch (route.screen) {
    case 'login':
      return <LoginScreen route={route} />;
    case 'signup':
      return <SignupScreen route={route} />;
    case 'reset_password':
      return <ResetPasswordScreen />;
    case 'reset_password_complete':
      return <ResetPasswordCompleteScreen route={route} />;
    case 'do_verify_email':
      return <DoVerifyEmailScreen route={route} />;
    case 'should_verify_email':
      return <ShouldVerifyEmailScreen route={route} />;
    case 'error':
      return <ErrorScreen route={route} />;
    case 'not_found':
      return <NotFoundScreen />;
    case 'admin_console':
      return <AdminConsoleScreen />;
    case 'create_team':
      return <CreateTeamScreen />;
    case 'select_team':
      return <SelectTeamScreen />;
    case 'channel':
    case 'direct':
    case 'group':
      return <ChannelScreen />;
    case 'threads':
      return <ThreadsScreen />;
    case 'oauth_authorize':
      return <OAuthAuthorizeScreen route={route} />;
    case 'root':
    case 'team':
    case 'permalink':
      // These only lead somewhere else (actions/routing.ts), unless that failed.
      return view.status === 'failed' ? <NotFoundScreen message={view.error} /> : <Splash error="" />;
  }
}
