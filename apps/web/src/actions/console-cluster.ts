/** The cluster page: GET /api/v4/cluster/status, refreshed while the page is open. */
import { client } from '../api/client';
import { errorMessage } from '../api/errors';
import { clusterStatusFailed, receivedClusterStatus, type ClusterNode } from '../state/console-cluster';
import { updateConsole } from './console-update';

/** How often the open cluster page asks again (a dead node leaves the list within seconds). */
export const CLUSTER_REFRESH_MS = 5_000;

/** Fetches the status; a failure keeps the last nodes on screen and says why. */
export async function loadClusterStatus(): Promise<void> {
  try {
    const nodes = (await client.getClusterStatus()) as ClusterNode[];
    updateConsole('cluster', (s) => receivedClusterStatus(s, nodes, Date.now()));
  } catch (err) {
    updateConsole('cluster', (s) => clusterStatusFailed(s, errorMessage(err)));
  }
}
