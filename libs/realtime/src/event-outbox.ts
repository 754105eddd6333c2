import type { WebSocketEvent } from './websocket-event.js';

/** Anything that runs SQL inside the caller's transaction. */
export interface OutboxTx {
  query(sql: string, params?: unknown[]): Promise<unknown[]>;
  /** A statement sent with the transaction's COMMIT (the database's Queryable.commitWith). */
  commitWith?(sql: string, params: unknown[]): void;
}

/**
 * Makes an event survive the death of the node that committed its data: the domain notes the
 * event in the same transaction as the data, and marks it done once published (confirmed). A
 * surviving node rebuilds and publishes noted events of a node that died in between.
 */
export abstract class EventOutbox {
  abstract note(tx: OutboxTx, kind: string, refId: string): Promise<void>;
  abstract done(kind: string, refId: string): Promise<void>;
  /** How to rebuild the event of `kind` for `refId` from the database (null: nothing to send). */
  abstract onRecover(kind: string, rebuild: (refId: string) => Promise<WebSocketEvent | null>): void;
}

/** One node: if it dies, every client reconnects to it afresh and refetches; nothing to recover. */
export class NoEventOutbox extends EventOutbox {
  async note(): Promise<void> {}
  async done(): Promise<void> {}
  onRecover(): void {}
}
