/** DatabaseConfigStore against a throwaway database: nodes that start or save at the same moment. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Config, defaultConfig } from '#config';
import type { Database } from '#db';
import { ThrowawayDatabase } from '#testing';
import { DatabaseConfigStore } from './database-config-store.js';

function configNamed(siteName: string): Config {
  const config = structuredClone(defaultConfig);
  config.TeamSettings.SiteName = siteName;
  return config;
}

describe('DatabaseConfigStore', () => {
  let pg: ThrowawayDatabase;
  let nodes: Database[];

  beforeAll(async () => {
    pg = await ThrowawayDatabase.create({ nodes: 3, maxConnections: 2 });
    nodes = pg.nodes;
  });

  afterAll(() => pg?.drop());

  const activeRows = async () => (await nodes[0].query<{ n: number }>('SELECT count(*)::int AS n FROM configurations WHERE active'))[0].n;

  it('seeds once when three nodes start together, and every node adopts the same config', async () => {
    const stores = nodes.map((db) => new DatabaseConfigStore(db));
    const seeded = await Promise.all(stores.map((store, i) => store.seed(configNamed(`node ${i}`))));
    const names = seeded.map((c) => (c as Config).TeamSettings.SiteName);
    expect(new Set(names).size).toBe(1);
    expect(await activeRows()).toBe(1);
    expect(((await stores[2].load()) as Config).TeamSettings.SiteName).toBe(names[0]);
  });

  it('keeps one active row when nodes save at the same moment; the last save wins', async () => {
    const stores = nodes.map((db) => new DatabaseConfigStore(db));
    await Promise.all(stores.map((store, i) => store.save(configNamed(`saved ${i}`))));
    expect(await activeRows()).toBe(1);
    expect(((await stores[0].load()) as Config).TeamSettings.SiteName).toMatch(/^saved \d$/);
  });
});
