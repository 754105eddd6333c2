import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { connect, type Connection, type GlobalOptions } from './context.js';
import { CliError, describeError, MultiError } from './errors.js';
import { printer } from './printer.js';

/** Where the running command points (for error messages before and after it connected). */
export const state = { target: 'the server' };

/**
 * mmctl's withClient around a commander action: connects (token or --local) first, then runs the
 * command with its own options and positional arguments.
 */
export function withClient<A extends unknown[]>(fn: (conn: Connection, opts: Record<string, unknown>, ...args: A) => Promise<void>) {
  return async (...params: unknown[]): Promise<void> => {
    const cmd = params[params.length - 1] as Command;
    const args = params.slice(0, params.length - 2) as A;
    const globals = cmd.optsWithGlobals<GlobalOptions>();
    const conn = await connect(globals);
    state.target = conn.target;
    if (printer.stat) printer.stat.server = conn.local ? '' : conn.target;
    await fn(conn, cmd.opts(), ...args);
  };
}

/** A command that works on several things: each failure is printed and the command fails at the end (mmctl's multierror). */
export class Failures {
  private readonly messages: string[] = [];

  add(message: string): void {
    printer.error(message);
    this.messages.push(message);
  }

  /** Runs `work`; a failure is recorded as `prefix: <reason>`. */
  async attempt(prefix: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.add(`${prefix}: ${describeError(err, state.target)}`);
    }
  }

  throwIfAny(): void {
    if (this.messages.length) throw new MultiError(this.messages);
  }
}

/** mmctl's getConfirmation: YES on a terminal, or --confirm. */
export async function confirm(question: string, confirmed: unknown): Promise<void> {
  if (confirmed) return;
  if (!process.stdin.isTTY) throw new CliError('aborted: confirm with --confirm (no terminal to ask on)');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} (YES/NO): `);
    if (answer.trim() !== 'YES') throw new CliError('aborted: you did not answer YES to the question');
  } finally {
    rl.close();
  }
}

/** Asks on the terminal (never when stdin is not one: scripts must pass the flag). */
export async function ask(question: string): Promise<string> {
  if (!process.stdin.isTTY) throw new CliError(`${question.replace(/:\s*$/, '')} is required (no terminal to ask on)`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

/** A password, read without echo (mmctl's term.ReadPassword). */
export async function askSecret(question: string): Promise<string> {
  if (!process.stdin.isTTY) throw new CliError(`${question.replace(/:\s*$/, '')} is required (no terminal to ask on)`);
  process.stderr.write(question);
  const silent = new Writable({ write: (_chunk, _enc, done) => done() });
  const rl = createInterface({ input: process.stdin, output: silent, terminal: true });
  try {
    return await rl.question('');
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

export function intOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`invalid number: ${value}`);
  return n;
}

/** Mattermost's timestamps as mmctl prints them (Go's time.Time String, in UTC here). */
export function formatTime(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' +0000 UTC');
}
