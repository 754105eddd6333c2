import type { AnchorHTMLAttributes, MouseEvent } from 'react';
import { navigate } from '../actions/navigation';
import { routePath, type Route } from '../state/route';

type Props = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: Route | string };

/** A link inside the app: a real <a href> (open in a new tab works), followed without a page load. */
export function Link({ to, onClick, ...rest }: Props) {
  const href = typeof to === 'string' ? to : routePath(to);
  const follow = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    // Modified clicks (new tab, new window) and other buttons are the browser's.
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={follow} {...rest} />;
}
