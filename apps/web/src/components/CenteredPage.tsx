import type { ReactNode } from 'react';
import { useAppState } from '../state/store';

/** The frame of the pages outside a team (sign-in, sign-up, errors): the site's name over a card. */
export function CenteredPage({ title, children }: { title: string; children: ReactNode }) {
  const siteName = useAppState((s) => s.config.client.SiteName) || 'mmchat';
  return (
    <main className="centered-page">
      <p className="site-name">{siteName}</p>
      <section className="card" aria-labelledby="page-title">
        <h1 id="page-title">{title}</h1>
        {children}
      </section>
    </main>
  );
}
