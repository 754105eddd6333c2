import type { ReactNode } from 'react';

/** A message screen readers announce when it appears: errors (`role=alert`) or notices (`role=status`). */
export function Alert({ kind = 'error', children }: { kind?: 'error' | 'info'; children: ReactNode }) {
  return (
    <div className={`alert alert-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}
