import { Alert } from '../../components/Alert';

export function SaveStatus({ error, saved, what = 'Saved.' }: { error: string; saved: boolean; what?: string }) {
  if (error) return <Alert>{error}</Alert>;
  if (saved) return <Alert kind="info">{what}</Alert>;
  return null;
}
