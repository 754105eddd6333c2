import type { ConnectionOwner, SocketLike, WebConnection } from '#realtime';

/** Mattermost's ClusterInfo, as GET /api/v4/cluster/status lists it. */
export interface ClusterInfo {
  id: string;
  version: string;
  schema_version: string;
  config_hash: string;
  ipaddress: string;
  hostname: string;
}

/** What the API layer asks of the cluster; a single node answers for itself. */
export abstract class ClusterState {
  abstract readonly enabled: boolean;
  abstract isLeader(): boolean;
  abstract infos(): Promise<ClusterInfo[]>;
  /** False when this node is cut off from a cluster it should be part of (ping fails closed). */
  abstract health(): { healthy: boolean; detail: string };
}

/** Resumes here a WebSocket connection another node held (null: start afresh). */
export abstract class CrossNodeResume {
  abstract resume(connectionId: string, sequenceNumber: number, owner: ConnectionOwner, socket: SocketLike): Promise<WebConnection | null>;
}

export class NoCrossNodeResume extends CrossNodeResume {
  async resume(): Promise<WebConnection | null> {
    return null;
  }
}
