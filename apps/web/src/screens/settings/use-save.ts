import { useState } from 'react';
import { errorMessage } from '../../api/errors';

/** A settings form's saving: busy while it runs, then "Saved" or the server's message. */
export function useSave() {
  const [state, setState] = useState<{ busy: boolean; error: string; saved: boolean }>({ busy: false, error: '', saved: false });
  const run = async (work: () => Promise<void>) => {
    setState({ busy: true, error: '', saved: false });
    try {
      await work();
      setState({ busy: false, error: '', saved: true });
    } catch (err) {
      setState({ busy: false, error: errorMessage(err), saved: false });
    }
  };
  return { ...state, run, reset: () => setState({ busy: false, error: '', saved: false }) };
}
