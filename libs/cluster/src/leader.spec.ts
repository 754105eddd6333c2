import { describe, expect, it } from 'vitest';
import type { Membership, MembershipEvent, NodeInfo } from './contracts.js';
import { LeaderElector } from './leader.js';

/** A membership whose members the test moves by hand. */
class ManualMembership implements Membership {
  private readonly others = new Map<string, NodeInfo>();
  private readonly listeners: Record<MembershipEvent, Array<(n: NodeInfo) => void>> = { join: [], leave: [], update: [] };
  constructor(private readonly me: NodeInfo) {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async join(): Promise<void> {}
  self = () => this.me;
  members = () => [this.me, ...this.others.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  updateSelf(): void {}
  on(event: MembershipEvent, listener: (n: NodeInfo) => void): void {
    this.listeners[event].push(listener);
  }
  add(id: string): void {
    const node = info(id);
    this.others.set(id, node);
    for (const l of this.listeners.join) l(node);
  }
  remove(id: string): void {
    const node = this.others.get(id)!;
    this.others.delete(id);
    for (const l of this.listeners.leave) l(node);
  }
  update(id: string): void {
    for (const l of this.listeners.update) l(this.others.get(id)!);
  }
}

function info(id: string): NodeInfo {
  return { id, clusterName: 'c', hostname: 'h', gossipPort: 1, streamingPort: 2, version: 'v', schemaVersion: 's', configHash: 'x', startedAt: 0 };
}

describe('LeaderElector', () => {
  it('makes a lone node its own leader', () => {
    const elector = new LeaderElector(new ManualMembership(info('m')));
    expect(elector.leaderId()).toBe('m');
    expect(elector.isLeader()).toBe(true);
  });

  it('follows the lowest live id and reports only real changes', () => {
    const membership = new ManualMembership(info('m'));
    const elector = new LeaderElector(membership);
    const changes: Array<[string, boolean]> = [];
    elector.onChange((leaderId, isLeader) => changes.push([leaderId, isLeader]));

    membership.add('z'); // higher: no change
    membership.add('c'); // lower: c leads
    membership.update('c');
    membership.add('d'); // not the lowest: no change
    expect(elector.leaderId()).toBe('c');
    expect(elector.isLeader()).toBe(false);

    membership.remove('c'); // d < m: d leads
    membership.remove('d'); // back to m
    membership.remove('z');
    expect(changes).toEqual([
      ['c', false],
      ['d', false],
      ['m', true],
    ]);
    expect(elector.isLeader()).toBe(true);
  });
});
