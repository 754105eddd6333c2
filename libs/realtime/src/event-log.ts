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
  /** entries[head..] are the log; the consumed prefix is cut off in bulk (see add). */
  private entries: Entry[] = [];
  private head = 0;
  private readonly byKey = new Map<string, StampedEvent>();

  constructor(
    private readonly capacity: number,
    private readonly maxAgeMs: number,
  ) {}

  add(stamped: StampedEvent, now = Date.now()): void {
    this.entries.push({ stamped, at: now });
    this.byKey.set(eventKey(stamped.id), stamped);
    while (this.size > this.capacity || (this.size > 0 && now - this.entries[this.head].at > this.maxAgeMs)) {
      const old = this.entries[this.head++];
      this.byKey.delete(eventKey(old.stamped.id));
    }
    // shift() on an array this large copies all of it every time (it was 5 % of a busy node's CPU);
    // dropping the consumed half at once costs O(1) per event.
    if (this.head >= 1024 && this.head * 2 >= this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  get(id: EventId): StampedEvent | undefined {
    return this.byKey.get(eventKey(id));
  }

  /** Entries in processing order. */
  *all(): Iterable<StampedEvent> {
    for (let i = this.head; i < this.entries.length; i++) yield this.entries[i].stamped;
  }

  get size(): number {
    return this.entries.length - this.head;
  }
}
