/** TCP listeners and connections in other processes, for tests of accept queues and timeouts. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';

/**
 * A listener on 127.0.0.1 whose process never accepts (it blocks right after listening, for up
 * to 10 s): connections complete into its accept queue until `backlog` is exceeded, after which
 * the kernel drops their SYNs. `stop()` kills it.
 */
export async function stalledListener(backlog: number): Promise<{ port: number; stop: () => void }> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const s=require('net').createServer().listen({port:0,host:'127.0.0.1',backlog:${backlog}},()=>{console.log(s.address().port);Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,10000)})`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = Number((await once(child.stdout!, 'data'))[0].toString());
  return { port, stop: () => void child.kill('SIGKILL') };
}

/** Opens `n` connections to 127.0.0.1:`port` from another process (they queue while this one is busy); `stop()` kills it. */
export function connectFromAnotherProcess(port: number, n: number): { stop: () => void } {
  const child = spawn(
    process.execPath,
    ['-e', `for(let i=0;i<${n};i++)require('net').connect(${port},'127.0.0.1').on('error',()=>{});setTimeout(()=>{},120000)`],
    {
      stdio: 'ignore',
    },
  );
  return { stop: () => void child.kill('SIGKILL') };
}
