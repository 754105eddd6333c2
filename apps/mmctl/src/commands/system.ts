import { Command } from 'commander';
import { withClient } from '../command.js';
import { CliError } from '../errors.js';
import { printer } from '../printer.js';

interface NodeInfo {
  id: string;
  version: string;
  config_hash: string;
  ipaddress: string;
  hostname: string;
  schema_version?: string;
  is_leader?: boolean;
  gossip_state?: string;
  start_at?: number;
  uptime_seconds?: number;
}

export function systemCommand(): Command {
  const system = new Command('system').description('System management commands for interacting with the server state and configuration.');

  system
    .command('version')
    .description('Prints the server version of the currently connected Mattermost instance')
    .action(
      withClient(async ({ client }) => {
        printer.single = true;
        // The version comes with every answer (X-Version-Id); ping works in both modes.
        const { headers } = await client.api('get', '/system/ping');
        const version = headers.get('X-Version-Id') ?? '';
        printer.print(`Server version ${version}`, { version });
      }),
    );

  system
    .command('status')
    .description('Prints the server status calculated using several basic server healthchecks')
    .action(
      withClient(async ({ client }) => {
        printer.single = true;
        // use_rest_semantics: an unhealthy node answers 500 with the same body; read it anyway.
        const { data } = await client.api<Record<string, string>>('get', '/system/ping?get_server_status=true&use_rest_semantics=true', { ignoreStatus: true });
        const s = data ?? {};
        const text = [
          `Server status: ${s.status ?? ''}`,
          `Android Latest Version: ${s.AndroidLatestVersion ?? ''}`,
          `Android Minimum Version: ${s.AndroidMinVersion ?? ''}`,
          `Desktop Latest Version: ${s.DesktopLatestVersion ?? ''}`,
          `Desktop Minimum Version: ${s.DesktopMinVersion ?? ''}`,
          `Ios Latest Version: ${s.IosLatestVersion ?? ''}`,
          `Ios Minimum Version: ${s.IosMinVersion ?? ''}`,
          `Database Status: ${s.database_status ?? ''}`,
          `Filestore Status: ${s.filestore_status ?? ''}`,
        ].join('\n');
        printer.print(text, s);
        if (s.status !== 'OK') throw new CliError(`server status is unhealthy: ${s.status ?? 'unknown'}`);
        if (s.database_status && s.database_status !== 'OK') throw new CliError(`database status is unhealthy: ${s.database_status}`);
        if (s.filestore_status && s.filestore_status !== 'OK') throw new CliError(`filestore status is unhealthy: ${s.filestore_status}`);
      }),
    );

  return system;
}

/** Ours (mmctl has none): the cluster's nodes as GET /cluster/status reports them. */
export function clusterCommand(): Command {
  const cluster = new Command('cluster').description('Cluster status (GET /api/v4/cluster/status)');
  cluster
    .command('status')
    .description("Every live node of the cluster as this node's gossip sees it: address, version, leader, gossip state, uptime")
    .action(
      withClient(async ({ client }) => {
        const nodes = (await client.getClusterStatus()) as unknown as NodeInfo[];
        for (const n of nodes) {
          const flags = [n.is_leader ? 'leader' : '', n.gossip_state ?? ''].filter(Boolean).join(', ');
          const up = n.uptime_seconds !== undefined ? `, up ${n.uptime_seconds}s` : '';
          printer.print(`${n.id}: ${n.hostname} ${n.ipaddress} version ${n.version}${flags ? ` (${flags})` : ''}${up}`, n);
        }
        if (nodes.length === 0) printer.print('No cluster nodes (ClusterSettings.Enable is off)', undefined);
      }),
    );
  return cluster;
}
