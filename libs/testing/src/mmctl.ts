/** The built admin CLI (apps/mmctl) run as a child process, as an operator runs it. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './server-process.js';
import { track } from './processes.js';

export const MMCTL_ENTRY = join(REPO_ROOT, 'dist/apps/mmctl/src/main.js');

export interface MmctlResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for --json runs). */
  json<T = any>(): T;
}

/**
 * Runs `mmctl <args>` with `env` on top of a clean environment (HOME, PATH and the given
 * variables only, so the developer's own credentials and MMCTL_* settings never leak in).
 */
export function runMmctl(args: string[], env: Record<string, string> = {}, opts: { timeoutMs?: number; input?: string } = {}): Promise<MmctlResult> {
  if (!existsSync(MMCTL_ENTRY)) throw new Error(`${MMCTL_ENTRY} not found: run npm run build:server first`);
  const child = spawn(process.execPath, [MMCTL_ENTRY, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  track(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(opts.input ?? '');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mmctl ${args.join(' ')} did not finish in ${opts.timeoutMs ?? 20_000} ms\n${stdout}\n${stderr}`));
    }, opts.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        code: code ?? -1,
        stdout,
        stderr,
        json: () => {
          try {
            return JSON.parse(stdout);
          } catch {
            throw new Error(`mmctl ${args.join(' ')}: stdout is not JSON:\n${stdout}\nstderr:\n${stderr}`);
          }
        },
      });
    });
  });
}
