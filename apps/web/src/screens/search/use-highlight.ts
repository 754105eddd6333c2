import { useEffect } from 'react';
import { update } from '../../state/store';
import { highlightDone } from '../../state/search';

/** How long the highlight stays on a message jumped to, and how long the message may take to appear. */
const HIGHLIGHT_MS = 3000;
const WAIT_MS = 10_000;

/**
 * Scrolls the channel view to the post jumped to and highlights it for a moment. The post list
 * marks every post with data-post-id; the post may take a moment to arrive (the channel loads),
 * so the hook looks for it on each frame until it shows.
 */
export function useHighlight(postId: string): void {
  useEffect(() => {
    if (!postId) return;
    const until = Date.now() + WAIT_MS;
    let frame = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let shown: HTMLElement | null = null;
    const look = () => {
      const el = document.querySelector<HTMLElement>(`[data-post-id="${CSS.escape(postId)}"]`);
      if (!el) {
        if (Date.now() < until) frame = requestAnimationFrame(look);
        else update('search', (s) => highlightDone(s, postId));
        return;
      }
      shown = el;
      el.scrollIntoView({ block: 'center' });
      el.classList.add('post-highlight');
      timer = setTimeout(() => {
        el.classList.remove('post-highlight');
        update('search', (s) => highlightDone(s, postId));
      }, HIGHLIGHT_MS);
    };
    look();
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
      shown?.classList.remove('post-highlight');
    };
  }, [postId]);
}
