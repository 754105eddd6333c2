import { useEffect } from 'react';

/** Sets the page's title while the component is shown (what tabs, history and screen readers name). */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title;
  }, [title]);
}
