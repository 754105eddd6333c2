import { useMemo } from 'react';
import { CLUSTER_REFRESH_MS, loadClusterStatus } from '../../actions/console-cluster';
import { Alert } from '../../components/Alert';
import { clusterWarnings, formatUptime } from '../../state/console-cluster';
import { useAppState } from '../../state/store';
import { useInterval } from './use-interval';

const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

/** Every live node as the node this browser talks to sees them; refreshed every few seconds. */
export function ClusterPage() {
  const status = useAppState((s) => s.adminConsole.cluster);
  const warnings = useMemo(() => clusterWarnings(status.nodes), [status.nodes]);
  useInterval(() => void loadClusterStatus(), CLUSTER_REFRESH_MS);

  if (!status.loaded) return status.error ? <Alert>{status.error}</Alert> : <p className="splash-text">Loading…</p>;
  return (
    <>
      <p className="console-intro">
        The live nodes of the cluster, as the node you are connected to sees them (nodes find each other through the database and gossip; a node that stops
        answering leaves the list within seconds). Refreshed every {CLUSTER_REFRESH_MS / 1000} seconds.
      </p>
      {status.error && <Alert>{status.error}</Alert>}
      {warnings.map((w) => (
        <Alert key={w} kind="info">
          {w}
        </Alert>
      ))}
      {status.nodes.length === 0 ? (
        <p>Clustering is off (ClusterSettings.Enable): this server runs as a single node.</p>
      ) : (
        <div className="console-table-wrap">
          <table className="console-table" aria-label="Cluster nodes">
            <thead>
              <tr>
                <th scope="col">Hostname</th>
                <th scope="col">Version</th>
                <th scope="col">Config hash</th>
                <th scope="col">Gossip</th>
                <th scope="col">Leader</th>
                <th scope="col">Uptime</th>
              </tr>
            </thead>
            <tbody>
              {status.nodes.map((n) => (
                <tr key={n.id}>
                  <th scope="row">{n.hostname}</th>
                  <td>{n.version}</td>
                  <td>
                    <code title={n.config_hash}>{n.config_hash.slice(0, 12)}</code>
                  </td>
                  <td>{n.gossip_state ?? '—'}</td>
                  <td>{n.is_leader === undefined ? '—' : n.is_leader ? 'Leader' : ''}</td>
                  <td>{formatUptime(n.uptime_seconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="console-meta">
        {status.nodes.length} {status.nodes.length === 1 ? 'node' : 'nodes'} · updated at {timeFormat.format(status.fetchedAt)}{' '}
        <button type="button" className="link-button" onClick={() => void loadClusterStatus()}>
          Refresh now
        </button>
      </p>
    </>
  );
}
