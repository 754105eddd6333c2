import { lazy, Suspense } from 'react';
import { Splash } from '../../app/Splash';
import { CenteredPage } from '../../components/CenteredPage';
import { Link } from '../../components/Link';
import { useTitle } from '../../lib/use-title';
import { isSystemAdmin } from '../../state/console';
import { currentUser } from '../../state/selectors';
import { useAppState } from '../../state/store';

/** The console itself is a chunk of its own, loaded when a system admin opens it (the bundle budget). */
const ConsoleLayout = lazy(() => import('./ConsoleLayout'));

/**
 * /admin_console/*: the System Console for system admins; everyone else is told they may not
 * (the server refuses them every console call anyway), without loading the console's code.
 */
export function AdminConsoleScreen() {
  const me = useAppState(currentUser);
  const route = useAppState((s) => s.route);
  useTitle('System Console');
  if (!isSystemAdmin(me)) {
    return (
      <CenteredPage title="Not allowed">
        <p>Only system admins may open the System Console.</p>
        <p className="page-footer">
          <Link to={{ screen: 'root' }}>Back to the app</Link>
        </p>
      </CenteredPage>
    );
  }
  return (
    <Suspense fallback={<Splash error="" />}>
      <ConsoleLayout section={route.screen === 'admin_console' ? route.section : ''} />
    </Suspense>
  );
}
