import { Logger } from '@nestjs/common';
import type { ClusterTransport } from '#cluster';
import type { ReplicaSet } from '#db';
import { Req } from './cluster-messages.js';

/** How long a writing request waits for a peer to take its fence before going on without it. */
const FENCE_TIMEOUT_MS = 2_000;

/**
 * Read-your-writes across nodes: each fence this node sets goes to every connected peer as a
 * cluster request, and the writing request is answered only once they all took it (or timed out:
 * a peer that does not answer in 2 s is on its way out of the membership). A peer that does not
 * know the request (an older version during a rolling upgrade) answers at once with an error,
 * which costs nothing. See libs/db replicas.ts for why this, and not a store read per request.
 */
export function shareFences(replicas: ReplicaSet, transport: ClusterTransport): void {
  const log = new Logger('database');
  transport.onRequest(Req.WriteFence, ({ userId, lsn }: { userId: string; lsn: number }) => {
    if (typeof userId === 'string' && Number.isFinite(lsn)) replicas.applyFence(userId, lsn);
    return true;
  });
  replicas.onFence(async (userId, lsn) => {
    await Promise.all(
      transport
        .connectedPeers()
        .map((peer) =>
          transport
            .request(peer, { type: Req.WriteFence, payload: { userId, lsn } }, FENCE_TIMEOUT_MS)
            .catch((err: unknown) => log.warn(`read-your-writes fence not taken by ${peer}: ${(err as Error).message}`)),
        ),
    );
  });
}
