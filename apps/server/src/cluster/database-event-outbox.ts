import { Logger } from '@nestjs/common';
import type { ClusterTransport } from '#cluster';
import { Database, lastInTransaction } from '#db';
import { EventOutbox, EventPublisher, Hub, OutboxTx, WebSocketEvent } from '#realtime';
import { Msg, Req } from './cluster-messages.js';

type Rebuild = (refId: string) => Promise<WebSocketEvent | null>;

interface HasEventRequest {
  event: string;
  refId: string;
}

const ASK_TIMEOUT_MS = 2_000;

/** True when this hub holds (delivered recently, or waiting to deliver) an event of that name mentioning the id. */
function hubHas(hub: Hub, { event, refId }: HasEventRequest): boolean {
  for (const stamped of hub.held()) {
    if (stamped.event.event === event && JSON.stringify(stamped.event.data).includes(refId)) return true;
  }
  return false;
}

/**
 * The outbox in PostgreSQL. Rows carry the writing node's id; when a node dies, a survivor claims
 * its rows (DELETE … RETURNING, so exactly one node does) and, per event, asks every live node
 * whether it already has it: nobody has → publish it; everybody has → nothing to do; some have
 * it → the others are told to resync (their clients refetch), so no one is left with a gap.
 */
export class DatabaseEventOutbox extends EventOutbox {
  private readonly logger = new Logger('outbox');
  private readonly rebuilders = new Map<string, Rebuild>();

  constructor(
    private readonly db: Database,
    private readonly nodeId: string,
    private readonly hub: Hub,
    private readonly transport: ClusterTransport,
    private readonly publisher: EventPublisher,
    private readonly resyncLocally: () => void,
  ) {
    super();
    transport.onRequest(Req.HasEvent, (req: HasEventRequest) => hubHas(hub, req));
  }

  /** Sent with the COMMIT where the transaction can (its rows are not read): no round trip of its own. */
  async note(tx: OutboxTx, kind: string, refId: string): Promise<void> {
    await lastInTransaction(tx, 'INSERT INTO event_outbox (kind, ref_id, node_id, create_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
      kind,
      refId,
      this.nodeId,
      Date.now(),
    ]);
  }

  async done(kind: string, refId: string): Promise<void> {
    await this.db.query('DELETE FROM event_outbox WHERE kind = $1 AND ref_id = $2', [kind, refId]).catch(() => undefined);
  }

  onRecover(kind: string, rebuild: Rebuild): void {
    this.rebuilders.set(kind, rebuild);
  }

  /**
   * Publishes what nodes that are no longer alive noted but never confirmed. Rows younger than a
   * few seconds are left alone: their node may be alive and not yet known here.
   */
  async recover(liveNodeIds: string[]): Promise<void> {
    const rows = await this.db.query<{ kind: string; ref_id: string; node_id: string }>(
      'DELETE FROM event_outbox WHERE NOT (node_id = ANY($1)) AND create_at < $2 RETURNING kind, ref_id, node_id',
      [liveNodeIds, Date.now() - 3_000],
    );
    for (const row of rows) {
      try {
        await this.recoverOne(row.kind, row.ref_id);
      } catch (err) {
        this.logger.error(`could not recover ${row.kind} ${row.ref_id} of node ${row.node_id}: ${String(err)}`);
      }
    }
  }

  private async recoverOne(kind: string, refId: string): Promise<void> {
    const event = await this.rebuilders.get(kind)?.(refId);
    if (!event) return;
    const query: HasEventRequest = { event: event.event, refId };
    const peers = this.transport.connectedPeers();
    const answers = await Promise.all(
      peers.map((peer) => this.transport.request<boolean>(peer, { type: Req.HasEvent, payload: query }, ASK_TIMEOUT_MS).catch(() => false)),
    );
    const holders = [hubHas(this.hub, query), ...answers];
    if (holders.every((has) => !has)) {
      this.logger.warn(`publishing ${kind} ${refId} for a node that died before it could`);
      await this.publisher.publishConfirmed(event);
    } else if (!holders.every(Boolean)) {
      this.logger.warn(`${kind} ${refId} reached only some nodes before its node died: the others resync`);
      peers.forEach((peer, i) => {
        if (!answers[i]) this.transport.send(peer, { type: Msg.Resync, payload: {} });
      });
      if (!holders[0]) this.resyncLocally();
    }
  }
}
