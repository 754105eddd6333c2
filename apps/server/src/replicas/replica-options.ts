import type { Config } from '#config';
import type { ReplicaOptions } from '#db';

/** The Database's replica options from SqlSettings (main.ts passes them to Database.connect). */
export function replicaOptions(sql: Config['SqlSettings']): ReplicaOptions {
  return {
    replicas: sql.DataSourceReplicas,
    searchReplicas: sql.DataSourceSearchReplicas,
    lagSettings: sql.ReplicaLagSettings,
    monitorIntervalMs: sql.ReplicaMonitorIntervalSeconds * 1000,
  };
}
