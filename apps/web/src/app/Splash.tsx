import { Alert } from '../components/Alert';

/** What shows while the app finds out where to go (or why it cannot). */
export function Splash({ error }: { error: string }) {
  return (
    <main className="splash" aria-busy={!error}>
      {error ? <Alert>{error}</Alert> : <p className="splash-text">Loading…</p>}
    </main>
  );
}
