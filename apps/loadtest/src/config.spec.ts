import { describe, expect, it } from 'vitest';
import { applySetting, assertLoopback, deepMerge, loadConfig } from './config.js';

describe('load-test config', () => {
  it("ships Mattermost's load model defaults", () => {
    const c = loadConfig();
    expect(c.userController).toMatchObject({
      minIdleTimeMs: 1000,
      avgIdleTimeMs: 20000,
      rate: 5.4,
      percentReplies: 0.18,
      statusPollIntervalMs: 60000,
      avgWordsPerPost: 35,
      avgWordsPerReply: 24,
    });
    expect(c.coordinator).toMatchObject({ numUsersInc: 8, numUsersDec: 8, restTimeSec: 2, updateIntervalMs: 2000, healthWindowSec: 60 });
    expect(c.coordinator.thresholds).toEqual({ avgRequestMs: 100, p99RequestMs: 2000, http5xxPercent: 0.025, timeoutPercent: 0.025 });
    expect(c.seed).toMatchObject({ users: 2000, teams: 20, posts: 200000 });
    expect(c.seed.publicChannels + c.seed.privateChannels).toBe(2000);
    expect(JSON.stringify(c)).not.toContain('$comment');
  });

  it('merges files and --set overrides, parsing JSON values', () => {
    const c = loadConfig({ files: ['capacity.json'], set: ['userController.rate=1', 'seed.postShares.group=0.5', 'users.password=secret word'] });
    expect(c.coordinator.stableWindowSec).toBe(300);
    expect(c.coordinator.numUsersInc).toBe(8);
    expect(c.userController.rate).toBe(1);
    expect(c.seed.postShares.group).toBe(0.5);
    expect(c.users.password).toBe('secret word');
    expect(() => applySetting(c, 'coordinator.nope=1')).toThrow(/no such setting/);
    expect(deepMerge({ a: { b: 1, c: 2 } }, { a: { c: 3 } })).toEqual({ a: { b: 1, c: 3 } });
  });

  it('refuses invalid settings and non-loopback targets', () => {
    expect(() => loadConfig({ set: ['userController.avgIdleTimeMs=500'] })).toThrow(/avgIdleTimeMs/);
    expect(() => loadConfig({ set: ['target.url=http://example.com:8065'] })).toThrow(/loopback/);
    expect(() => assertLoopback('http://127.0.0.3:8065')).not.toThrow();
    expect(() => assertLoopback('http://[::1]:8065')).not.toThrow();
    expect(() => assertLoopback('http://10.0.0.1:8065')).toThrow();
  });
});
