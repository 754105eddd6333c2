import { ConfigService } from '#config';
import { Database } from '#db';
import { Hub, InvalidationBus, LocalEventPublisher, LocalInvalidationBus, NoEventOutbox, SingleNodeConnectionCounter } from '#realtime';
import { NoCrossNodeResume } from '../cluster/cluster-state.js';
import { SingleNodeState } from '../cluster/single-node.js';
import { versionId } from '../common/http-pipeline.js';
import { ChannelMembersRepository } from '../membership/channel-members.repository.js';
import { TeamMembersRepository } from '../membership/team-members.repository.js';
import { MembershipCache } from '../websocket/membership-cache.js';
import type { CoreParts } from './core.module.js';

/** This node's hub: its sockets, with channel and team members cached until the bus invalidates them. */
export function newHub(config: ConfigService, db: Database, invalidation: InvalidationBus, nodeId?: string): Hub {
  const members = new MembershipCache(new ChannelMembersRepository(db), new TeamMembersRepository(db), invalidation);
  return new Hub(members, {
    nodeId,
    serverVersion: () => versionId(config),
    replayCapacity: 128 + 256,
    inactiveTimeoutMs: 5 * 60_000,
    maxBufferedBytes: 4 * 1024 * 1024,
    eventScope: () => config.get().FeatureFlags.WebSocketEventScope,
  });
}

/** One node alone: events, invalidations and presence stay in this process. */
export function singleNodeParts(config: ConfigService, db: Database): CoreParts {
  const invalidation = new LocalInvalidationBus();
  const hub = newHub(config, db, invalidation);
  return {
    config,
    db,
    hub,
    publisher: new LocalEventPublisher(hub),
    invalidation,
    connections: new SingleNodeConnectionCounter(),
    cluster: new SingleNodeState(),
    crossNodeResume: new NoCrossNodeResume(),
    outbox: new NoEventOutbox(),
  };
}
