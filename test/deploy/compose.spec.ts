/**
 * docker-compose.yml: Debian's docker-compose (1.29, `apt-get install docker-compose`) validates
 * it with `docker-compose config` (both profiles), and its resolved form agrees with the server and
 * the repository: every MM_ variable is a real setting, nginx runs deploy files that exist, the
 * nodes build from the Dockerfile, and they get time to drain. Bringing it up needs images from
 * Docker Hub, which the machine the tests were written on cannot reach (README.md, "Deploying").
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '#testing';
import { DEPLOY_DIR, portOf, unknownSettings } from './settings.js';

const COMPOSE_BIN = process.env.DOCKER_COMPOSE_BIN ?? '/usr/bin/docker-compose';
const available = existsSync(COMPOSE_BIN);
if (!available) console.warn(`${COMPOSE_BIN} not found (apt-get install docker-compose): docker-compose.yml is not validated`);

const SECRET = 'a-test-secret-of-32-characters!!';

function compose(args: string[], env: Record<string, string> = { MM_CLUSTER_SECRET: SECRET }) {
  const { MM_CLUSTER_SECRET: _inherited, ...rest } = process.env;
  return spawnSync(COMPOSE_BIN, ['-f', join(REPO_ROOT, 'docker-compose.yml'), '--project-directory', REPO_ROOT, ...args], {
    env: { ...rest, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

// Each docker-compose run takes a few seconds (Python start-up).
describe.runIf(available)('docker-compose.yml', { timeout: 60_000 }, () => {
  it('passes docker-compose config, with and without the tls profile', () => {
    for (const profile of [[], ['--profile', 'tls']]) {
      const r = compose([...profile, 'config', '-q']);
      expect(r.stderr, profile.join(' ')).toBe('');
      expect(r.status).toBe(0);
    }
    expect(compose(['--profile', 'tls', 'config', '--services']).stdout.trim().split('\n').sort()).toEqual(
      ['nginx', 'nginx-tls', 'node1', 'node2', 'node3', 'postgres', 'redis'].sort(),
    );
  });

  it('refuses to run without a cluster secret', () => {
    const r = compose(['config', '-q'], {});
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('set MM_CLUSTER_SECRET');
  });

  it('agrees with the server and the repository', () => {
    const resolved = parse(compose(['--profile', 'tls', 'config']).stdout);
    const services: Record<string, any> = resolved.services;
    for (const name of ['node1', 'node2', 'node3']) {
      const node = services[name];
      const env: Record<string, string> = node.environment;
      expect(unknownSettings(Object.keys(env)), name).toEqual([]);
      expect(env.MM_CLUSTERSETTINGS_CLUSTERSECRET).toBe(SECRET);
      expect(env.MM_CLUSTERSETTINGS_OVERRIDEHOSTNAME).toBe(name);
      expect(portOf(env.MM_SERVICESETTINGS_LISTENADDRESS)).toBe(8065);
      expect(existsSync(join(node.build.context, node.build.dockerfile))).toBe(true);
      expect(node.stop_signal).toBe('SIGTERM');
      expect(node.stop_grace_period).toBe('60s');
    }
    for (const name of ['nginx', 'nginx-tls']) {
      const nginx = services[name];
      const conf: string = nginx.command[nginx.command.indexOf('-c') + 1];
      // docker-compose 1.29 resolves volumes to "source:target:mode".
      expect(nginx.volumes).toContain(`${join(DEPLOY_DIR, 'nginx')}:/etc/nginx/mattermost:ro`);
      expect(existsSync(join(DEPLOY_DIR, 'nginx', conf.replace('/etc/nginx/mattermost/', ''))), conf).toBe(true);
    }
    expect(services['nginx-tls'].ports.map((p: any) => p.target).sort()).toEqual([443, 80]);
  });
});
