import { Alert } from '../../components/Alert';
import type { Action } from './use-action';

/** A page's last failure (the server's message) or success, announced to screen readers. */
export function ActionMessages({ action }: { action: Action }) {
  return (
    <>
      {action.error && <Alert>{action.error}</Alert>}
      {action.notice && <Alert kind="info">{action.notice}</Alert>}
    </>
  );
}
