import { useAppState } from '../state/store';

/** The app's frame: picks the screen for the current route. */
export function App() {
  const route = useAppState((s) => s.route);
  return <main className="app">mmchat — {route.screen}</main>;
}
