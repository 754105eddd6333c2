import { ClusterInfo, ClusterState } from './cluster-state.js';

/** Clustering off: this node is the leader, healthy, and (as Mattermost) reports no cluster. */
export class SingleNodeState extends ClusterState {
  readonly enabled = false;

  isLeader(): boolean {
    return true;
  }

  async infos(): Promise<ClusterInfo[]> {
    return [];
  }

  health() {
    return { healthy: true, detail: '' };
  }
}
