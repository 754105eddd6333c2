/**
 * The browser's URL and the store's route, kept in step: navigate() pushes (or replaces) a history
 * entry and sets the route; the back and forward buttons set it too. Whoever must act on a new
 * route (actions/routing.ts, which loads what the screen shows) listens with onRouteChange.
 */
import { parseRoute, routePath, type Route } from '../state/route';
import { store, update } from '../state/store';

let listener: (route: Route) => void = () => undefined;

/** The one listener told of every route change (set once at start-up). */
export function onRouteChange(fn: (route: Route) => void): void {
  listener = fn;
}

/** Reads the current URL into the store and follows the back and forward buttons from now on. */
export function startNavigation(): void {
  window.addEventListener('popstate', applyLocation);
  update('route', () => currentLocationRoute());
}

/** Goes to a route or a path on this site; `replace` for redirects, so that Back does not return to them. */
export function navigate(to: Route | string, opts: { replace?: boolean } = {}): void {
  const path = typeof to === 'string' ? to : routePath(to);
  if (path !== currentPath()) {
    if (opts.replace) window.history.replaceState(null, '', path);
    else window.history.pushState(null, '', path);
  }
  applyLocation();
}

/** The current URL's path and query (what redirect_to carries). */
export const currentPath = (): string => window.location.pathname + window.location.search;

function currentLocationRoute(): Route {
  return parseRoute(window.location.pathname, window.location.search);
}

function applyLocation(): void {
  const route = currentLocationRoute();
  // A route that reads the same keeps its object, so that screens do not re-render for nothing.
  if (routePath(route) !== routePath(store.get().route)) update('route', () => route);
  listener(store.get().route);
}
