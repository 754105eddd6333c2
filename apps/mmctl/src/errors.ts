/** An error whose message is what the user reads (stderr, exit code 1). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Several failures of one command (mmctl's multierror: each was printed, the command fails). */
export class MultiError extends CliError {
  constructor(readonly errors: string[]) {
    super(errors.join('\n'));
  }
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOENT: 'no such socket',
  EACCES: 'permission denied',
  UND_ERR_CONNECT_TIMEOUT: 'timed out',
  UND_ERR_SOCKET: 'connection closed',
};

function networkCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && NETWORK_CODES[e.code]) return e.code;
  }
  return undefined;
}

/**
 * One readable line for whatever a command threw: the server's AppError message (with its id),
 * a clear "cannot reach" for a server that does not answer, never a stack trace.
 */
export function describeError(err: unknown, target: string): string {
  const code = networkCode(err);
  if (code) {
    const where = target.startsWith('the local socket') ? target : `the server at ${target}`;
    return `cannot connect to ${where}: ${NETWORK_CODES[code]}. Is it running, and is the address right?`;
  }
  if (err instanceof CliError) return err.message;
  const e = err as { message?: string; server_error_id?: string; status_code?: number; name?: string };
  if (e && typeof e === 'object' && 'server_error_id' in e) {
    const id = e.server_error_id
      ? ` (${e.server_error_id}` + (e.status_code ? `, status ${e.status_code})` : ')')
      : e.status_code
        ? ` (status ${e.status_code})`
        : '';
    return `${e.message || 'the server refused the request'}${id}`;
  }
  if (e?.name === 'TypeError' && e.message === 'fetch failed') return `cannot connect to the server at ${target}`;
  return e?.message ?? String(err);
}
