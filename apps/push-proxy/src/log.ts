/**
 * Structured logs: one JSON object per line on stdout ({timestamp, level, msg, …fields}), the shape
 * of Mattermost's JSON log format, so that the same collectors read both.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** A logger writing lines at `level` and above to `write` (stdout by default). */
export function createLogger(level: LogLevel = 'info', write: (line: string) => void = (line) => process.stdout.write(line)): Logger {
  const log =
    (at: LogLevel) =>
    (msg: string, fields: LogFields = {}) => {
      if (RANK[at] < RANK[level]) return;
      write(JSON.stringify({ timestamp: new Date().toISOString(), level: at, msg, ...fields }, errorsAsText) + '\n');
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** A logger that drops everything (unit specs). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

// Errors have no enumerable fields: JSON.stringify would write {}.
function errorsAsText(_key: string, value: unknown): unknown {
  return value instanceof Error ? value.message : value;
}

/** The first 16 characters of a device token: enough to find it, too little to push to it. */
export function redactToken(token: string): string {
  return token.length <= 16 ? token : `${token.slice(0, 16)}…`;
}
