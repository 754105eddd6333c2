import { describe, expect, it } from 'vitest';
import { ConnectionOwner, SocketLike, WebConnection } from './web-connection.js';
import { framePrefix, newEvent } from './websocket-event.js';

class FakeSocket implements SocketLike {
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: string[] = [];
  closed: { code?: number; reason?: string } | null = null;

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    this.closed = { code, reason };
    this.readyState = 2;
  }

  frames(): Array<{ event: string; data: Record<string, unknown>; seq: number }> {
    return this.sent.map((s) => JSON.parse(s));
  }
}

const owner = (): ConnectionOwner => ({ userId: 'u1', sessionId: 's1', sessionExpiresAt: 0, roles: 'system_user' });
const prefix = (n: number) => framePrefix(newEvent('test', { user_id: 'u1' }, { n }));
const LIMIT = 1000;

describe('WebConnection', () => {
  it('numbers frames 0, 1, 2… and writes them to the socket', () => {
    const c = new WebConnection('c1', owner(), 16);
    const socket = new FakeSocket();
    c.attach(socket);
    for (let n = 0; n < 3; n++) c.send(prefix(n), LIMIT);
    expect(socket.frames().map((f) => [f.seq, f.data.n])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
  });

  it('exposes id, owner and userId', () => {
    const o = owner();
    const c = new WebConnection('c1', o, 4);
    expect(c.id).toBe('c1');
    expect(c.owner).toBe(o);
    expect(c.userId).toBe('u1');
  });

  it('is active only while a socket is attached', () => {
    const c = new WebConnection('c1', owner(), 4);
    expect(c.isActive).toBe(false);
    const socket = new FakeSocket();
    c.attach(socket);
    expect(c.isActive).toBe(true);
    expect(c.detach(socket, 1234)).toBe(true);
    expect(c.isActive).toBe(false);
    expect(c.inactiveSince).toBe(1234);
  });

  it('detach of a socket that is not the attached one changes nothing', () => {
    const c = new WebConnection('c1', owner(), 4);
    const socket = new FakeSocket();
    c.attach(socket);
    expect(c.detach(new FakeSocket(), 99)).toBe(false);
    expect(c.isActive).toBe(true);
    expect(c.inactiveSince).toBe(0);
  });

  it('keeps numbering and buffering while detached, and replays the missed frames after a reattach', () => {
    const c = new WebConnection('c1', owner(), 16);
    const first = new FakeSocket();
    c.attach(first);
    c.send(prefix(0), LIMIT);
    c.send(prefix(1), LIMIT);
    c.detach(first, Date.now());
    c.send(prefix(2), LIMIT);
    c.send(prefix(3), LIMIT);
    expect(first.sent).toHaveLength(2);

    const second = new FakeSocket();
    c.attach(second);
    expect(c.inactiveSince).toBe(0);
    expect(c.replayFrom(2)).toBe(true);
    expect(second.frames().map((f) => [f.seq, f.data.n])).toEqual([
      [2, 2],
      [3, 3],
    ]);
    c.send(prefix(4), LIMIT);
    expect(second.frames().at(-1)!.seq).toBe(4);
  });

  it('replayFrom with nothing missed writes nothing and succeeds', () => {
    const c = new WebConnection('c1', owner(), 4);
    const socket = new FakeSocket();
    c.attach(socket);
    c.send(prefix(0), LIMIT);
    socket.sent.length = 0;
    expect(c.replayFrom(1)).toBe(true);
    expect(socket.sent).toEqual([]);
  });

  it('replayFrom fails when the gap is gone, or for a seq never sent', () => {
    const c = new WebConnection('c1', owner(), 2);
    const socket = new FakeSocket();
    c.attach(socket);
    for (let n = 0; n < 5; n++) c.send(prefix(n), LIMIT);
    socket.sent.length = 0;
    expect(c.replayFrom(1)).toBe(false);
    expect(c.replayFrom(9)).toBe(false);
    expect(socket.sent).toEqual([]);
    expect(c.replayFrom(3)).toBe(true);
    expect(socket.frames().map((f) => f.seq)).toEqual([3, 4]);
  });

  it('replayFrom fails without a socket', () => {
    const c = new WebConnection('c1', owner(), 4);
    c.send(prefix(0), LIMIT);
    expect(c.replayFrom(0)).toBe(false);
  });

  it('does not write to a socket that is not open, but still numbers the frame', () => {
    const c = new WebConnection('c1', owner(), 8);
    const socket = new FakeSocket();
    socket.readyState = 0; // CONNECTING
    c.attach(socket);
    c.send(prefix(0), LIMIT);
    expect(socket.sent).toEqual([]);
    socket.readyState = 1;
    c.send(prefix(1), LIMIT);
    expect(socket.frames().map((f) => f.seq)).toEqual([1]);
  });

  it('closes a socket whose bufferedAmount exceeds the limit, without writing', () => {
    const c = new WebConnection('c1', owner(), 8);
    const socket = new FakeSocket();
    c.attach(socket);
    socket.bufferedAmount = LIMIT; // at the limit: still written
    c.send(prefix(0), LIMIT);
    expect(socket.sent).toHaveLength(1);
    expect(socket.closed).toBeNull();

    socket.bufferedAmount = LIMIT + 1;
    c.send(prefix(1), LIMIT);
    expect(socket.sent).toHaveLength(1);
    expect(socket.closed).toEqual({ code: 1008, reason: 'send buffer full' });

    // The frame was kept, so the client can resume and get it.
    const next = new FakeSocket();
    c.attach(next);
    expect(c.replayFrom(1)).toBe(true);
    expect(next.frames().map((f) => f.data.n)).toEqual([1]);
  });

  it("continues another node's frames: replays them with their numbers, and holds nothing of a handover whose frames are misnumbered", () => {
    const frames = [`${prefix(5)}5}`, `${prefix(6)}6}`];
    const c = new WebConnection('c1', owner(), 8);
    c.continueFrom(5, frames, 7, {});
    const socket = new FakeSocket();
    c.attach(socket);
    expect(c.replayFrom(5)).toBe(true);
    expect(socket.sent).toEqual(frames);
    c.send(prefix(7), LIMIT);
    expect(socket.frames().at(-1)).toMatchObject({ seq: 7, data: { n: 7 } });

    const wrong = new WebConnection('c2', owner(), 8);
    wrong.continueFrom(5, [`${prefix(5)}5}`, `${prefix(6)}9}`], 7, {});
    wrong.attach(new FakeSocket());
    expect(wrong.replayFrom(5), 'not replayed under numbers it did not have').toBe(false);
    expect(wrong.replayFrom(7)).toBe(true);
  });

  it('attaching a new socket closes the previous one', () => {
    const c = new WebConnection('c1', owner(), 4);
    const a = new FakeSocket();
    const b = new FakeSocket();
    c.attach(a);
    c.attach(b);
    expect(a.closed).toEqual({ code: 1000, reason: 'replaced by a newer connection' });
    expect(b.closed).toBeNull();
    c.send(prefix(0), LIMIT);
    expect(a.sent).toEqual([]);
    expect(b.sent).toHaveLength(1);
    // Reattaching the same socket does not close it.
    c.attach(b);
    expect(b.closed).toBeNull();
  });

  it('close() closes the socket with the code and reason and becomes inactive', () => {
    const c = new WebConnection('c1', owner(), 4);
    const socket = new FakeSocket();
    c.attach(socket);
    c.close(4000, 'bye');
    expect(socket.closed).toEqual({ code: 4000, reason: 'bye' });
    expect(c.isActive).toBe(false);
    expect(() => c.close(1000, 'again')).not.toThrow();
  });
});
