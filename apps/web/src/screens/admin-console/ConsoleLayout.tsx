/**
 * The System Console's frame (its own chunk): the navigation by group, and the open page. Each
 * page's data is loaded by actions/console.ts when its route is entered; the page components
 * below read it and call the console's actions.
 */
import { Alert } from '../../components/Alert';
import { Link } from '../../components/Link';
import { useTitle } from '../../lib/use-title';
import { CONSOLE_SECTIONS, sectionByPath, type ConsoleSection } from '../../state/console-sections';
import { useAppState } from '../../state/store';
import { ChannelsPage } from './ChannelsPage';
import { ClusterPage } from './ClusterPage';
import { ConfigPage } from './ConfigPage';
import { JobsPage } from './JobsPage';
import { TeamsPage } from './TeamsPage';
import { UsersPage } from './UsersPage';

const GROUPS = [...new Set(CONSOLE_SECTIONS.map((s) => s.group))];

export default function ConsoleLayout({ section }: { section: string }) {
  const view = useAppState((s) => s.view);
  const current = sectionByPath(section);
  useTitle(current ? `${current.title} - System Console` : 'System Console');

  return (
    <div className="console-layout">
      <nav className="console-nav" aria-label="System Console">
        <p className="console-title">System Console</p>
        <Link to={{ screen: 'root' }} className="console-back">
          Back to the app
        </Link>
        {GROUPS.map((group) => (
          <section key={group} aria-labelledby={`console-group-${group}`}>
            <h2 id={`console-group-${group}`}>{group}</h2>
            <ul>
              {CONSOLE_SECTIONS.filter((s) => s.group === group).map((s) => (
                <li key={s.path}>
                  <Link to={{ screen: 'admin_console', section: s.path }} aria-current={s.path === section ? 'page' : undefined}>
                    {s.title}
                  </Link>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </nav>
      <main className="console-main" aria-labelledby="console-page-title">
        <h1 id="console-page-title">{current?.title ?? 'System Console'}</h1>
        {view.status === 'failed' && <Alert>{view.error}</Alert>}
        {current && <Page section={current} />}
      </main>
    </div>
  );
}

function Page({ section }: { section: ConsoleSection }) {
  switch (section.kind) {
    case 'cluster':
      return <ClusterPage />;
    case 'jobs':
      return <JobsPage />;
    case 'users':
      return <UsersPage />;
    case 'teams':
      return <TeamsPage />;
    case 'channels':
      return <ChannelsPage />;
    case 'config':
      // Keyed: another config page starts with its own inputs.
      return section.form ? <ConfigPage key={section.path} form={section.form} /> : null;
  }
}
