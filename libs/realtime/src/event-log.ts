import { EventId, eventKey, StampedEvent } from './event-id.js';

interface Entry {
  stamped: StampedEvent;
  at: number;
}

/**
 * The events this node processed recently, in processing order. A client that moves here from
 * another node is sent, from this log, what was published while it was between nodes.
 */
export class EventLog {
  private readonly entries: Entry[] = [];
  private readonly byKey = new Map<string, StampedEvent>();

  constructor(
    private readonly capacity: number,
    private readonly maxAgeMs: number,
  ) {}

  add(stamped: StampedEvent, now = Date.now()): void {
    this.entries.push({ stamped, at: now });
    this.byKey.set(eventKey(stamped.id), stamped);
    while (this.entries.length > this.capacity || (this.entries.length > 0 && now - this.entries[0].at > this.maxAgeMs)) {
      const old = this.entries.shift()!;
      this.byKey.delete(eventKey(old.stamped.id));
    }
  }

  get(id: EventId): StampedEvent | undefined {
    return this.byKey.get(eventKey(id));
  }

  /** Entries in processing order. */
  *all(): Iterable<StampedEvent> {
    for (const entry of this.entries) yield entry.stamped;
  }

  get size(): number {
    return this.entries.length;
  }
}
