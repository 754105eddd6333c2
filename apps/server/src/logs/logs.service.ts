import { Injectable, Logger } from '@nestjs/common';
import { AppError } from '#common';
import { ConfigService } from '#config';
import { PermissionsService } from '../auth/permissions.service.js';
import type { Session } from '../common/session.js';
import { readLogPage } from './log-reader.js';
import { activeServerLogger } from './server-logger.js';

/** Mattermost's LogsPerPageDefault and LogsPerPageMax (web/params.go). */
export const LOGS_PER_PAGE_DEFAULT = 10000;
export const LOGS_PER_PAGE_MAX = 10000;
/** Mattermost keeps the first 399 characters of a client's message longer than 400. */
const CLIENT_MESSAGE_MAX = 400;

/** GET and POST /api/v4/logs (api4/system.go getLogs and postLog). */
@Injectable()
export class LogsService {
  private readonly log = new Logger('client');

  constructor(
    private readonly config: ConfigService,
    private readonly permissions: PermissionsService,
  ) {}

  /**
   * This node's log file, a page from the end, as lines (Mattermost's GetLogs). With file logging
   * off Mattermost answers one empty line; so does this. Mattermost also gathers the other nodes'
   * pages in a cluster; here each node answers with its own file.
   */
  async page(page: number, perPage: number): Promise<string[]> {
    const logger = activeServerLogger();
    const path = logger?.filePath;
    if (!this.config.get().LogSettings.EnableFile || !path) return [''];
    await logger.flush();
    try {
      return await readLogPage(path, page, perPage);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new AppError('getLogs', 'api.admin.file_read_error', 'Error reading log file.', 500, String(err));
    }
  }

  /**
   * A client's message into the server's log (Mattermost's postLog). Without
   * ServiceSettings.EnableDeveloper only signed-in users may send, and only system admins'
   * ERROR messages are logged as errors (everyone else's at debug). Answers the body with the
   * message as logged.
   */
  clientMessage(session: Session | undefined, body: Record<string, string>, userAgent: string): Record<string, string> {
    let forceDebug = false;
    if (!this.config.get().ServiceSettings.EnableDeveloper) {
      if (!session?.user_id) throw new AppError('postLog', 'api.context.permissions.app_error', 'You do not have the appropriate permissions.', 403);
      forceDebug = !this.permissions.hasSystem(session, 'manage_system');
    }
    let msg = body.message ?? '';
    if (msg.length > CLIENT_MESSAGE_MAX) msg = msg.slice(0, CLIENT_MESSAGE_MAX - 1);
    msg = `Client Logs API Endpoint Message: ${msg}`;
    const level = !forceDebug && body.level === 'ERROR' ? 'error' : 'debug';
    const fields = { type: 'client_message', user_agent: userAgent };
    const logger = activeServerLogger();
    if (logger) logger.logFields(level, 'client', msg, fields);
    else this.log[level](`${msg} type=client_message`);
    return { ...body, message: msg };
  }
}
