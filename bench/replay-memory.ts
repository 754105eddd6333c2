/**
 * What the WebSocket replay buffers hold: N connections that each were sent E `posted`-sized events
 * (one frame prefix per event, shared by the connections, as the hub fans out), then the heap
 * after a full collection, and the CPU of the fan-out. A development measurement for issue 17 (the
 * server's heap at the capacity test's tip), not a published bench:
 *
 *   npx tsc -p tsconfig.bench.json && node --expose-gc dist-bench/bench/replay-memory.js [N] [E]
 *
 * BENCH_REALTIME_ENTRY=<worktree>/dist/libs/realtime/src/index.js measures another build's
 * realtime library (before/after a change, in one command each, same machine).
 */
import { pathToFileURL } from 'node:url';

type Realtime = typeof import('#realtime');

const connections = Number(process.argv[2] ?? 5600);
const eventsEach = Number(process.argv[3] ?? 384);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const entry = process.env.BENCH_REALTIME_ENTRY;
const { WebConnection, framePrefix, newEvent }: Realtime = entry ? await import(pathToFileURL(entry).href) : await import('#realtime');

// A socket that costs what ws's send does to the string (its UTF-8 length), and keeps nothing.
const socket = () => ({ readyState: 1, bufferedAmount: 0, send: (data: string) => void Buffer.byteLength(data), close: () => {} });

gc();
const before = process.memoryUsage().heapUsed;
const conns = Array.from({ length: connections }, (_, i) => {
  const c = new WebConnection(`c${i}`, { userId: `u${i}`, sessionId: 's', sessionExpiresAt: 0, roles: 'system_user' }, 384, i);
  c.attach(socket());
  return c;
});
const cpu0 = process.cpuUsage();
for (let e = 0; e < eventsEach; e++) {
  const prefix = framePrefix(newEvent('posted', { channel_id: 'c' }, { post: 'x'.repeat(600), n: e }));
  for (const c of conns) c.send(prefix, 1e9);
}
const cpu = process.cpuUsage(cpu0);
gc();
const held = process.memoryUsage().heapUsed - before;
const frames = conns.reduce((n, c) => n + c.heldFrames, 0);
console.log(
  JSON.stringify({
    build: entry ?? 'this',
    connections,
    eventsEach,
    framesHeld: frames,
    heldMiB: +(held / 2 ** 20).toFixed(1),
    fanOutCpuSec: +((cpu.user + cpu.system) / 1e6).toFixed(2),
  }),
);
