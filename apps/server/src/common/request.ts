import type { Request } from 'express';
import { Session } from './session.js';

/** The Express request with what our middleware and guard attach. */
export interface ApiRequest extends Request {
  requestId: string;
  session?: Session;
}
