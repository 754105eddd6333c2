import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventPublisher, InvalidationBus, LocalInvalidationBus } from './event-publisher.js';
import { Hub } from './hub.js';
import { LocalEventPublisher } from './local-publisher.js';
import { SocketLike } from './web-connection.js';
import { newEvent, WebSocketEvent } from './websocket-event.js';

describe('LocalInvalidationBus', () => {
  it('is an InvalidationBus', () => {
    expect(new LocalInvalidationBus()).toBeInstanceOf(InvalidationBus);
  });

  it('calls every handler of the kind, in registration order, with the key, synchronously', () => {
    const bus = new LocalInvalidationBus();
    const log: string[] = [];
    bus.on('channel_members', (key) => log.push(`a:${key}`));
    bus.on('channel_members', (key) => log.push(`b:${key}`));
    bus.emit('channel_members', 'c1');
    expect(log).toEqual(['a:c1', 'b:c1']);
    bus.emit('channel_members', 'c2');
    expect(log).toEqual(['a:c1', 'b:c1', 'a:c2', 'b:c2']);
  });

  it('does not call handlers of other kinds', () => {
    const bus = new LocalInvalidationBus();
    const log: string[] = [];
    bus.on('team_members', (key) => log.push(`team:${key}`));
    bus.on('session', (key) => log.push(`session:${key}`));
    bus.emit('channel_members', 'c1');
    bus.emit('user', 'u1');
    expect(log).toEqual([]);
    bus.emit('session', 'tok');
    expect(log).toEqual(['session:tok']);
  });

  it('emitting a kind nobody listens to is harmless', () => {
    expect(() => new LocalInvalidationBus().emit('user_sessions', 'u1')).not.toThrow();
  });
});

describe('LocalEventPublisher', () => {
  it('is an EventPublisher that hands events to the hub', async () => {
    const hub = new Hub(
      { channelMemberIds: async () => new Set(['alice']), teamMemberIds: async () => new Set() },
      { serverVersion: () => 'v', replayCapacity: 4, inactiveTimeoutMs: 1000, maxBufferedBytes: 1000 },
    );
    const sent: string[] = [];
    const socket: SocketLike = { readyState: 1, bufferedAmount: 0, send: (d) => sent.push(d), close: () => undefined };
    hub.connect({ userId: 'alice', sessionId: 's', sessionExpiresAt: 0, roles: '' }, socket);

    const publisher = new LocalEventPublisher(hub);
    expect(publisher).toBeInstanceOf(EventPublisher);
    publisher.publish(newEvent('posted', { channel_id: 'c1' }, { n: 1 }));
    // The hub delivers asynchronously; an empty publish queued after it resolves once it is done.
    await hub.publish(newEvent('noop', { connection_id: 'none' }));
    expect(sent.map((s) => JSON.parse(s).event)).toEqual(['hello', 'posted']);

    // With no other node, a confirmed publish has nothing to wait for and delivers the same way.
    await publisher.publishConfirmed(newEvent('post_edited', { channel_id: 'c1' }, { n: 2 }));
    await hub.publish(newEvent('noop', { connection_id: 'none' }));
    expect(sent.map((s) => JSON.parse(s).event)).toEqual(['hello', 'posted', 'post_edited']);
  });
});

/** A publisher whose delivery fails the way the test says: a rejected promise or a throw. */
class FailingPublisher extends EventPublisher {
  constructor(private readonly how: 'rejects' | 'throws') {
    super();
  }

  async publishConfirmed(): Promise<void> {}

  protected send(event: WebSocketEvent): Promise<void> {
    if (this.how === 'throws') throw new Error(`no route for ${event.event}`);
    return Promise.reject(new Error(`peer gone for ${event.event}`));
  }
}

describe('EventPublisher.publish', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each([
    ['rejects', 'peer gone for posted'],
    ['throws', 'no route for posted'],
  ] as const)('logs a delivery that %s and neither throws nor leaves an unhandled rejection', async (how, message) => {
    const errors = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      expect(new FailingPublisher(how).publish(newEvent('posted', { channel_id: 'c1' }))).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    expect(errors).toHaveBeenCalledWith(`could not publish posted: ${message}`);
  });
});
