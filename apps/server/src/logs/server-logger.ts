import { ConsoleLogger, type LoggerService, type LogLevel } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';
import type { Config, ConfigService } from '#config';

/** Mattermost's log file name (config.LogFilename), inside LogSettings.FileLocation. */
export const LOG_FILENAME = 'mattermost.log';

/** Mattermost's level names, lowest first; Nest's `verbose` is Mattermost's trace, `log` its info. */
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type MmLevel = (typeof LEVELS)[number];
const NEST_TO_MM: Record<LogLevel, MmLevel> = { verbose: 'trace', debug: 'debug', log: 'info', warn: 'warn', error: 'error', fatal: 'fatal' };

/** The lowest level a LogSettings.*Level lets through (Mattermost's DEBUG, INFO, WARN, ERROR; TRACE too). */
export function minimumLevel(setting: string): number {
  const i = LEVELS.indexOf(setting.toLowerCase() as MmLevel);
  return i < 0 ? LEVELS.indexOf('info') : i;
}

/** Nest's console levels for LogSettings.ConsoleLevel (what main.ts gave ConsoleLogger before). */
export function consoleLevels(level: string): LogLevel[] {
  switch (level.toUpperCase()) {
    case 'ERROR':
      return ['fatal', 'error'];
    case 'WARN':
      return ['fatal', 'error', 'warn'];
    case 'DEBUG':
      return ['fatal', 'error', 'warn', 'log', 'debug'];
    case 'TRACE':
      return ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
    default:
      return ['fatal', 'error', 'warn', 'log'];
  }
}

/** Where the log file is: `mattermost.log` in LogSettings.FileLocation, or in ./logs when empty (as Mattermost's GetLogFileLocation). */
export function logFilePath(fileLocation: string): string {
  const dir = fileLocation || 'logs';
  return join(isAbsolute(dir) ? dir : resolve(dir), LOG_FILENAME);
}

/** Mattermost's timestamp ("2006-01-02 15:04:05.000 Z07:00", here always UTC: "… Z"). */
function timestamp(d: Date): string {
  return `${d.toISOString().replace('T', ' ').slice(0, 23)} Z`;
}

const plainValue = (v: unknown) => {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return /^[^\s"=]+$/.test(s) ? s : JSON.stringify(s);
};

/**
 * One log line in Mattermost's shape: JSON `{"timestamp","level","msg","caller",…fields}`, or
 * plain `level [timestamp] msg caller="…" key=value…`. The caller is the logging area (Nest's
 * context, e.g. "users"), where Mattermost names the Go file and line.
 */
export function formatLine(json: boolean, at: Date, level: MmLevel, msg: string, caller: string, fields: Record<string, unknown> = {}): string {
  if (json) return JSON.stringify({ timestamp: timestamp(at), level, msg, caller, ...fields });
  const rest = Object.entries({ caller, ...fields })
    .map(([k, v]) => `${k}=${plainValue(v)}`)
    .join(' ');
  return `${level.padEnd(5)} [${timestamp(at)}] ${msg} ${rest}`;
}

type FileSettings = Pick<Config['LogSettings'], 'EnableFile' | 'FileLocation' | 'FileMaxSizeMB' | 'FileMaxBackups' | 'FileCompress'>;
const fileKey = (s: FileSettings) => (s.EnableFile ? JSON.stringify([s.FileLocation, s.FileMaxSizeMB, s.FileMaxBackups, s.FileCompress]) : '');

/**
 * The log file (LogSettings.EnableFile): `mattermost.log`, rotated by size (FileMaxSizeMB) into
 * mattermost.log.1 … .N, keeping FileMaxBackups old files (rotating-file-stream's logrotate mode;
 * Mattermost's advanced logging names these MaxSizeMB and MaxBackups).
 */
class LogFile {
  readonly path: string;
  private readonly stream: RotatingFileStream;
  private pending = 0;
  private readonly flushed: Array<() => void> = [];
  failed = false;

  constructor(s: FileSettings, onError: (err: Error) => void) {
    this.path = logFilePath(s.FileLocation);
    const dir = resolve(this.path, '..');
    mkdirSync(dir, { recursive: true });
    this.stream = createStream((index: number | Date | null) => (typeof index === 'number' && index > 0 ? `${LOG_FILENAME}.${index}` : LOG_FILENAME), {
      path: dir,
      size: `${Math.max(1, Math.round(s.FileMaxSizeMB * 1024))}K`,
      rotate: Math.max(1, Math.floor(s.FileMaxBackups)),
      ...(s.FileCompress ? { compress: 'gzip' as const } : {}),
    });
    this.stream.on('error', (err: Error) => {
      this.failed = true;
      for (const ok of this.flushed.splice(0)) ok();
      onError(err);
    });
  }

  write(line: string): void {
    if (this.failed) return;
    this.pending++;
    this.stream.write(`${line}\n`, () => {
      if (--this.pending === 0) for (const ok of this.flushed.splice(0)) ok();
    });
  }

  /** Resolves once every line written so far is in the file. */
  flush(): Promise<void> {
    if (this.failed || this.pending === 0) return Promise.resolve();
    return new Promise((ok) => this.flushed.push(ok));
  }

  close(): void {
    this.stream.end();
  }
}

/**
 * The node's logger (Nest's LoggerService): the console as before (LogSettings.EnableConsole,
 * ConsoleLevel, ConsoleJson) and the log file (EnableFile, FileLevel, FileJson, FileLocation and
 * the rotation settings). A saved config applies to the next line, without a restart.
 */
export class ServerLogger implements LoggerService {
  private console: ConsoleLogger;
  private consoleKey: string;
  private file?: LogFile;
  private fileSettings = '';

  constructor(private readonly config: Pick<ConfigService, 'get' | 'onChange'>) {
    const s = config.get().LogSettings;
    this.consoleKey = `${s.ConsoleJson}`;
    this.console = new ConsoleLogger({ json: s.ConsoleJson, logLevels: consoleLevels(s.ConsoleLevel) });
    this.applyFileSettings();
    config.onChange(() => this.reconfigure());
  }

  log(message: unknown, ...params: unknown[]) {
    this.write('log', message, params);
  }
  error(message: unknown, ...params: unknown[]) {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]) {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]) {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]) {
    this.write('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]) {
    this.write('fatal', message, params);
  }

  /**
   * A line with fields of its own (POST /logs: type, user_agent): the file gets them as fields,
   * the console as one line.
   */
  logFields(level: 'debug' | 'error', context: string, msg: string, fields: Record<string, string>) {
    const s = this.config.get().LogSettings;
    if (s.EnableConsole) {
      const text = `${msg} ${Object.entries(fields)
        .map(([k, v]) => `${k}=${plainValue(v)}`)
        .join(' ')}`;
      this.console[level](text, context);
    }
    this.toFile(s, NEST_TO_MM[level], msg, context, fields);
  }

  /** The log file's path when file logging is on (GET /logs reads it). */
  get filePath(): string | undefined {
    return this.file?.path;
  }

  async flush(): Promise<void> {
    await this.file?.flush();
  }

  close(): void {
    this.file?.close();
    this.file = undefined;
  }

  private write(level: LogLevel, message: unknown, params: unknown[]) {
    const s = this.config.get().LogSettings;
    if (s.EnableConsole) this.console[level](message, ...params);
    if (!this.file) return;
    // Nest passes the context last, and for errors a stack before it.
    const rest = [...params];
    const context = rest.length && typeof rest[rest.length - 1] === 'string' ? String(rest.pop()) : '';
    const fields: Record<string, unknown> = {};
    if (level === 'error' && typeof rest[0] === 'string' && rest[0].includes('\n')) fields.stack = rest.shift();
    const msg = message instanceof Error ? message.message : typeof message === 'string' ? message : JSON.stringify(message);
    if (message instanceof Error && message.stack) fields.stack = message.stack;
    this.toFile(s, NEST_TO_MM[level], msg ?? String(message), context, fields);
  }

  private toFile(s: Config['LogSettings'], level: MmLevel, msg: string, caller: string, fields: Record<string, unknown>) {
    if (!this.file || LEVELS.indexOf(level) < minimumLevel(s.FileLevel)) return;
    this.file.write(formatLine(s.FileJson, new Date(), level, msg, caller, fields));
  }

  private reconfigure() {
    const s = this.config.get().LogSettings;
    if (`${s.ConsoleJson}` !== this.consoleKey) {
      this.consoleKey = `${s.ConsoleJson}`;
      this.console = new ConsoleLogger({ json: s.ConsoleJson, logLevels: consoleLevels(s.ConsoleLevel) });
    } else {
      this.console.setLogLevels(consoleLevels(s.ConsoleLevel));
    }
    this.applyFileSettings();
  }

  /** Opens, moves or closes the file when its settings changed. */
  private applyFileSettings() {
    const s = this.config.get().LogSettings;
    const key = fileKey(s);
    if (key === this.fileSettings) return;
    this.fileSettings = key;
    this.file?.close();
    this.file = undefined;
    if (!s.EnableFile) return;
    try {
      this.file = new LogFile(s, (err) => this.console.error(`the log file cannot be written: ${err.message}`, 'logs'));
    } catch (err) {
      this.console.error(`the log file cannot be opened in LogSettings.FileLocation: ${err instanceof Error ? err.message : String(err)}`, 'logs');
    }
  }
}

let active: ServerLogger | undefined;

/**
 * The node's logger, made once in main.ts and given to Nest; GET and POST /logs reach it through
 * activeServerLogger() (it exists before Nest's container does).
 */
export function createServerLogger(config: Pick<ConfigService, 'get' | 'onChange'>): ServerLogger {
  active = new ServerLogger(config);
  return active;
}

export function activeServerLogger(): ServerLogger | undefined {
  return active;
}
