import { useCallback, useState } from 'react';
import { errorMessage } from '../../api/errors';

export interface Action {
  /** The key of the action under way ('' when none): its button shows it is busy. */
  busy: string;
  /** The last failure's message, from the server (''). */
  error: string;
  /** What the last success did, for a status line (''). */
  notice: string;
  /** Runs an action: one at a time, its failure shown as the server's message, its success as `done`. */
  run: (key: string, fn: () => Promise<void>, done?: string) => Promise<void>;
}

/** Busy, error and notice of a page's buttons. */
export function useAction(): Action {
  const [busy, setBusy] = useState('');
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const run = useCallback(async (key: string, fn: () => Promise<void>, done = '') => {
    setBusy(key);
    setError('');
    setNotice('');
    try {
      await fn();
      setNotice(done);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy('');
    }
  }, []);
  return { busy, error, notice, run };
}
