import type { Membership } from './contracts.js';

export type LeaderChangeListener = (leaderId: string, isLeader: boolean) => void;

/**
 * Mattermost's leader rule: the live member with the lowest id leads. Not strict consensus; two
 * nodes can both believe they lead until membership converges (a partition, a late eviction), so
 * leader-only work must be idempotent.
 */
export class LeaderElector {
  private current: string;
  private readonly listeners: LeaderChangeListener[] = [];

  constructor(private readonly membership: Membership) {
    this.current = lowestId(membership);
    const recheck = () => this.recheck();
    membership.on('join', recheck);
    membership.on('leave', recheck);
  }

  leaderId(): string {
    return this.current;
  }

  isLeader(): boolean {
    return this.current === this.membership.self().id;
  }

  /** Called with the new leader whenever a join or leave changes it. */
  onChange(listener: LeaderChangeListener): void {
    this.listeners.push(listener);
  }

  private recheck(): void {
    const next = lowestId(this.membership);
    if (next === this.current) return;
    this.current = next;
    const isLeader = this.isLeader();
    for (const listener of this.listeners) listener(next, isLeader);
  }
}

function lowestId(membership: Membership): string {
  let lowest = membership.self().id;
  for (const member of membership.members()) if (member.id < lowest) lowest = member.id;
  return lowest;
}
