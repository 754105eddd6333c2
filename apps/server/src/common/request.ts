import type { Request } from 'express';
import { Session } from './session.js';
import type { RequestDbStats } from '#db';

/** The Express request with what our middleware and guard attach. */
export interface ApiRequest extends Request {
  requestId: string;
  session?: Session;
  /**
   * Whose account a route without a session acted on (a password reset by mailed link), for its
   * audit record: the record belongs to that user, as a signed-in user's records do.
   */
  auditUserId?: string;
  /** The statements this request ran on the database, counted while metrics are on (ReadRoutingInterceptor). */
  dbStats?: RequestDbStats;
}
