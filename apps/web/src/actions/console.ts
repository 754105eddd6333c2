/**
 * Entering a System Console page (loaded with import() by actions/routing.ts, so that none of
 * this is in the initial bundle): /admin_console itself leads to the first page; each page loads
 * what it shows. The router calls it for system admins only (the screen tells others they may not).
 */
import { UserFacingError } from '../api/errors';
import { DEFAULT_SECTION, sectionByPath } from '../state/console-sections';
import { loadClusterStatus } from './console-cluster';
import { loadServerConfig } from './console-config';
import { loadConsoleTeamPicker, searchConsoleTeams, searchConsoleUsers } from './console-directory';
import { navigate } from './navigation';

export async function loadConsoleSection(path: string): Promise<void> {
  if (path === '') {
    navigate({ screen: 'admin_console', section: DEFAULT_SECTION }, { replace: true });
    return;
  }
  const section = sectionByPath(path);
  if (!section) throw new UserFacingError(`The System Console has no page "${path}".`);
  switch (section.kind) {
    case 'cluster':
      return loadClusterStatus();
    case 'jobs':
      // The page loads the type it shows (and again when another is picked).
      return;
    case 'users':
      return searchConsoleUsers('');
    case 'teams':
      return searchConsoleTeams('');
    case 'channels':
      return loadConsoleTeamPicker();
    case 'config':
      return loadServerConfig();
  }
}
