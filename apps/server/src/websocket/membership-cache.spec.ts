import { describe, expect, it } from 'vitest';
import { ALL_KEYS, LocalInvalidationBus } from '#realtime';
import { MembershipCache } from './membership-cache.js';

/** In-memory member tables that count reads and can hold a read open until released. */
class MemoryMembers {
  channels = new Map<string, string[]>();
  teams = new Map<string, string[]>();
  reads = 0;
  private gate: Promise<void> | null = null;
  private open: (() => void) | null = null;

  hold() {
    this.gate = new Promise((r) => (this.open = r));
  }
  release() {
    this.open?.();
    this.gate = null;
  }
  async userIds(channelId: string) {
    return this.read(() => this.channels.get(channelId) ?? []);
  }
  async activeUserIds(teamId: string) {
    return this.read(() => this.teams.get(teamId) ?? []);
  }
  private async read(rows: () => string[]) {
    this.reads++;
    const snapshot = [...rows()];
    if (this.gate) await this.gate;
    return snapshot;
  }
}

function setup() {
  const members = new MemoryMembers();
  const bus = new LocalInvalidationBus();
  return { members, bus, cache: new MembershipCache(members, members, bus) };
}

describe('MembershipCache', () => {
  it('reads a channel’s and a team’s members once, then from memory', async () => {
    const { members, cache } = setup();
    members.channels.set('c1', ['u1', 'u2']);
    members.teams.set('t1', ['u3']);
    expect([...(await cache.channelMemberIds('c1'))]).toEqual(['u1', 'u2']);
    expect([...(await cache.channelMemberIds('c1'))]).toEqual(['u1', 'u2']);
    expect([...(await cache.teamMemberIds('t1'))]).toEqual(['u3']);
    expect(members.reads).toBe(2);
  });

  it('reads again after the membership changed', async () => {
    const { members, bus, cache } = setup();
    members.channels.set('c1', ['u1']);
    await cache.channelMemberIds('c1');
    members.channels.set('c1', []);
    bus.emit('channel_members', 'c1');
    expect([...(await cache.channelMemberIds('c1'))]).toEqual([]);
    members.teams.set('t1', ['u1']);
    await cache.teamMemberIds('t1');
    members.teams.set('t1', ['u1', 'u2']);
    bus.emit('all', ALL_KEYS);
    expect([...(await cache.teamMemberIds('t1'))]).toEqual(['u1', 'u2']);
  });

  it('answers lookups made while a read is under way from that read', async () => {
    const { members, cache } = setup();
    members.channels.set('c1', ['u1']);
    members.teams.set('t1', ['u2']);
    members.hold();
    const lookups = [cache.channelMemberIds('c1'), cache.channelMemberIds('c1'), cache.teamMemberIds('t1'), cache.teamMemberIds('t1')];
    members.release();
    expect((await Promise.all(lookups)).map((s) => [...s])).toEqual([['u1'], ['u1'], ['u2'], ['u2']]);
    expect(members.reads).toBe(2);
  });

  it('never answers a lookup made after a change from a read begun before it', async () => {
    const { members, bus, cache } = setup();
    members.channels.set('c1', ['u1', 'u2']);
    members.hold();
    const before = cache.channelMemberIds('c1');
    members.channels.set('c1', ['u1']);
    bus.emit('channel_members', 'c1');
    const after = cache.channelMemberIds('c1');
    members.teams.set('t1', ['u3']);
    const teamBefore = cache.teamMemberIds('t1');
    bus.emit('all', ALL_KEYS);
    members.teams.set('t1', []);
    const teamAfter = cache.teamMemberIds('t1');
    members.release();
    expect([...(await before)]).toEqual(['u1', 'u2']);
    expect([...(await after)]).toEqual(['u1']);
    expect([...(await teamBefore)]).toEqual(['u3']);
    expect([...(await teamAfter)]).toEqual([]);
    expect(members.reads).toBe(4);
  });

  it('does not keep a read that raced with a change', async () => {
    const { members, bus, cache } = setup();
    members.channels.set('c1', ['u1']);
    members.hold();
    const stale = cache.channelMemberIds('c1');
    members.channels.set('c1', []);
    bus.emit('channel_members', 'c1');
    members.release();
    expect([...(await stale)]).toEqual(['u1']);
    expect([...(await cache.channelMemberIds('c1'))]).toEqual([]);
  });
});
