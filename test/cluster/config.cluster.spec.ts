/**
 * Config across the cluster: a change saved through one node is what every node serves, every
 * node reports the same config_hash for every live node, and a restarted node comes back with
 * the change (no drift). Each node has its own config file here, as on separate machines; the
 * per-node settings (listen and bind addresses) come from the environment and are not part of
 * what the nodes must agree on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, hostOf, NewUser, TestCluster } from '#testing';
import { startFormedCluster, uniqueName } from './cluster-fixtures.js';

/** A saved change is served by every node this soon. */
const PROPAGATION_MS = 2000;
const NODES = [0, 1, 2];

let cluster: TestCluster;
let admin: NewUser;

beforeAll(async () => {
  ({ cluster, admin } = await startFormedCluster({ nginx: false }));
});

afterAll(() => cluster?.stop());

/** The config_hash of each node (by address), as each node reports it; `observers` must all agree. */
async function reportedHashes(observers = NODES): Promise<Map<string, string>> {
  let agreed: Map<string, string> | undefined;
  for (const n of observers) {
    const infos = await cluster.status(n, admin);
    const seen = new Map(infos.map((i) => [hostOf(i), i.config_hash]));
    if (agreed) expect(Object.fromEntries(seen), `hashes reported by node ${n}`).toEqual(Object.fromEntries(agreed));
    agreed = seen;
  }
  return agreed!;
}

/** The one config_hash every node reports for every live node. */
async function agreedHash(): Promise<string> {
  const hashes = await reportedHashes();
  expect(hashes.size, 'live nodes in cluster status').toBe(NODES.length);
  expect(new Set(hashes.values()), `config hashes across the cluster: ${JSON.stringify(Object.fromEntries(hashes))}`).toHaveLength(1);
  return [...hashes.values()][0];
}

const siteNameOn = async (n: number) => (await cluster.clientAs(admin, n).getConfig()).TeamSettings.SiteName;

describe('config across nodes', () => {
  it('starts with every node reporting the same config hash for every live node', async () => {
    expect(await agreedHash()).toMatch(/\S/);
  });

  it('serves a change saved on one node from every node, and every node reports a new hash', async () => {
    const before = await reportedHashes();
    const siteName = uniqueName('Cluster ').slice(0, 30);
    await cluster.clientAs(admin, 1).patchConfig({ TeamSettings: { SiteName: siteName } } as any);

    await eventually(async () => {
      for (const n of NODES) expect(await siteNameOn(n), `GET /config on node ${n}`).toBe(siteName);
      for (const n of NODES) expect((await cluster.clientAs(admin, n).getClientConfig()).SiteName, `client config on node ${n}`).toBe(siteName);
      const after = await reportedHashes();
      for (const [host, hash] of before) expect(after.get(host), `config hash of ${host}`).not.toBe(hash);
    }, PROPAGATION_MS);
  });

  it('has every node report the same config hash after the change', async () => {
    await agreedHash();
  });

  it('keeps the change on a node that restarts (no drift back to its own file)', async () => {
    const expected = await siteNameOn(0);
    const hashes = await reportedHashes();
    const node = await cluster.restart(2);
    await cluster.waitForMembership(admin, Math.max(0, node.readyAt + 2000 - Date.now()));
    expect(await siteNameOn(2)).toBe(expected);
    // The whole config, not only the changed setting (the listen addresses and ClusterSettings are per node).
    const shared = async (n: number) => {
      const c: any = await cluster.clientAs(admin, n).getConfig();
      delete c.ServiceSettings.ListenAddress;
      delete c.MetricsSettings.ListenAddress;
      delete c.ClusterSettings;
      return c;
    };
    expect(await shared(2)).toEqual(await shared(0));
    expect(await reportedHashes()).toEqual(hashes);
  });

  it('lists every live node, and only those, after one stops', async () => {
    const ids = await cluster.waitForMembership(admin, 1000);
    await cluster.node(1).stop();
    await eventually(async () => {
      for (const n of [0, 2]) {
        const infos = await cluster.status(n, admin);
        expect(infos.map((i) => i.id).sort(), `cluster status on node ${n}`).toEqual([ids.get(0), ids.get(2)].sort());
      }
    }, 3000);
  });
});
