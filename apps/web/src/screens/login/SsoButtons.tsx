import type { CSSProperties } from 'react';
import type { SsoButton } from '../../state/config';

/**
 * One link per browser sign-in method: the server's route starts the sign-in and the provider
 * sends the browser back with a session. Plain links (a full page load), not app navigation.
 */
export function SsoButtons({ buttons }: { buttons: SsoButton[] }) {
  if (buttons.length === 0) return null;
  return (
    <nav className="sso-buttons" aria-label="Other ways to log in">
      {buttons.map((b) => (
        <a key={b.id} className={`sso-button sso-${b.id}`} href={b.href} style={colours(b)}>
          {b.label}
        </a>
      ))}
    </nav>
  );
}

/** The admin's colours (set through the CSSOM by React, which the CSP allows; no inline style attribute). */
function colours(b: SsoButton): CSSProperties | undefined {
  const style: CSSProperties = {};
  if (b.color) style.backgroundColor = b.color;
  if (b.borderColor) style.borderColor = b.borderColor;
  if (b.textColor) style.color = b.textColor;
  return Object.keys(style).length ? style : undefined;
}
