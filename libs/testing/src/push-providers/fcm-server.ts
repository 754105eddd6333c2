/**
 * A stand-in for Firebase Cloud Messaging's HTTP v1 API and Google's OAuth 2.0 token endpoint on
 * loopback (plain HTTP: the proxy's FCMServerURL and the service account's token_uri point here).
 *
 * - POST /token: the service-account flow (RFC 7523): grant_type jwt-bearer and an RS256 assertion
 *   verified with the account's public key (kid = private_key_id, iss = client_email, aud =
 *   token_uri, the firebase.messaging scope, exp − iat ≤ 1 h and not expired) →
 *   {access_token, expires_in, token_type: "Bearer"}; refusals as Google's {error, error_description}.
 * - POST /v1/projects/{project_id}/messages:send with `authorization: Bearer <access token>`:
 *   the message checked as FCM does (known fields only, exactly one target, data values strings,
 *   no reserved data keys, ≤ 4096 bytes of data, android.priority) → {"name": …}; errors as
 *   Google's API error bodies with the FcmError detail FCM adds (UNREGISTERED, SENDER_ID_MISMATCH,
 *   QUOTA_EXCEEDED with Retry-After, UNAVAILABLE, INTERNAL, INVALID_ARGUMENT, 401 UNAUTHENTICATED).
 *
 * A test scripts answers per registration token (reply/unregister/hold), revokes access tokens,
 * and reads what was accepted.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeServiceAccount, type ServiceAccountFile } from './credentials.js';
import { verifyJwt, type DecodedJwt } from './jwt-verify.js';
import { TokenScripts } from './token-scripts.js';

export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const FCM_ERROR = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';

/** FCM's error codes, with the HTTP status, Google status and message FCM answers them with. */
export const FCM_ERRORS = {
  UNREGISTERED: { code: 404, status: 'NOT_FOUND', message: 'Requested entity was not found.' },
  SENDER_ID_MISMATCH: { code: 403, status: 'PERMISSION_DENIED', message: 'SenderId mismatch' },
  QUOTA_EXCEEDED: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'Quota exceeded for sending messages to this device.' },
  UNAVAILABLE: { code: 503, status: 'UNAVAILABLE', message: 'The service is currently unavailable.' },
  INTERNAL: { code: 500, status: 'INTERNAL', message: 'Internal error encountered.' },
  INVALID_ARGUMENT: { code: 400, status: 'INVALID_ARGUMENT', message: 'Request contains an invalid argument.' },
  THIRD_PARTY_AUTH_ERROR: { code: 401, status: 'UNAUTHENTICATED', message: 'Auth error from APNS or Web Push Service' },
} as const;

export type FcmErrorCode = keyof typeof FCM_ERRORS;
/** A scripted answer: accept, an FCM error (QUOTA_EXCEEDED and UNAVAILABLE with Retry-After: 1 unless given), or a 401 for the access token. */
export type FcmReply = 'accept' | FcmErrorCode | 'UNAUTHENTICATED' | { error: FcmErrorCode; retryAfterSec?: number };

const MESSAGE_FIELDS = new Set(['name', 'data', 'notification', 'android', 'webpush', 'apns', 'fcm_options', 'token', 'topic', 'condition']);
const ANDROID_FIELDS = new Set(['collapse_key', 'priority', 'ttl', 'restricted_package_name', 'data', 'notification', 'fcm_options', 'direct_boot_ok']);
const MAX_DATA_BYTES = 4096;

export interface FcmMessage {
  token?: string;
  data?: Record<string, string>;
  android?: { priority?: string } & Record<string, unknown>;
  [field: string]: unknown;
}

/** A message FCM accepted. */
export interface FcmDelivery {
  token: string;
  message: FcmMessage;
  /** The access token it came with. */
  accessToken: string;
  /** FCM's name for it (projects/{p}/messages/{id}). */
  name: string;
  at: number;
}

/** Every messages:send request and its answer. */
export interface FcmRequestRecord {
  token: string;
  status: number;
  errorCode?: string;
  authorization?: string;
  body: string;
  at: number;
}

/** Every token request and its answer. */
export interface FcmTokenRequestRecord {
  grantType?: string;
  assertion?: DecodedJwt;
  status: number;
  error?: string;
  at: number;
}

export interface FcmServerOptions {
  projectId?: string;
  /** expires_in of the access tokens it issues (3599 s, as Google's). */
  accessTokenTtlSec?: number;
}

export class FcmServer {
  readonly accepted: FcmDelivery[] = [];
  readonly requests: FcmRequestRecord[] = [];
  readonly tokenRequests: FcmTokenRequestRecord[] = [];
  private readonly scripts = new TokenScripts<FcmReply>();
  /** Issued access tokens and when they expire. */
  private readonly accessTokens = new Map<string, number>();
  private server?: Server;
  private port = 0;
  private serviceAccount?: ServiceAccountFile;

  constructor(
    readonly dir: string,
    private readonly opts: FcmServerOptions,
  ) {}

  /** http://127.0.0.1:port: FCMServerURL. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The OAuth token endpoint (the service account's token_uri). */
  get tokenUri(): string {
    return `${this.url}/token`;
  }

  /** The service-account JSON for this server (ServiceFileLocation) and what it holds. */
  get account(): ServiceAccountFile {
    if (!this.serviceAccount) throw new Error('the FCM stand-in is not started');
    return this.serviceAccount;
  }

  get projectId(): string {
    return this.account.projectId;
  }

  /** The next requests for `token` get these answers, in order (then it accepts again). */
  reply(token: string, ...replies: FcmReply[]): void {
    this.scripts.queue(token, replies);
  }

  /** The app was uninstalled: UNREGISTERED from now on. */
  unregister(token: string): void {
    this.scripts.always(token, 'UNREGISTERED');
  }

  /** Requests for `token` wait, checked but unanswered, until the returned function is called. */
  hold(token: string): () => void {
    return this.scripts.hold(token);
  }

  /** Every access token issued so far stops working (401 UNAUTHENTICATED): a proxy must get a new one. */
  revokeAccessTokens(): void {
    this.accessTokens.clear();
  }

  acceptedFor(token: string): FcmDelivery[] {
    return this.accepted.filter((d) => d.token === token);
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch(() => res.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    this.serviceAccount = writeServiceAccount(this.dir, this.tokenUri, this.opts.projectId);
  }

  async stop(): Promise<void> {
    this.scripts.releaseAll();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const path = new URL(req.url ?? '/', this.url).pathname;
    if (path === '/token') return this.token(req, body, res);
    const match = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(path);
    if (!match) return send(res, 404, { error: { code: 404, message: `The requested URL ${path} was not found on this server.`, status: 'NOT_FOUND' } });
    return this.messagesSend(req, decodeURIComponent(match[1]), body, res);
  }

  private token(req: IncomingMessage, body: string, res: ServerResponse): void {
    const record: FcmTokenRequestRecord = { status: 0, at: Date.now() };
    this.tokenRequests.push(record);
    const refuse = (error: string, description: string) => {
      Object.assign(record, { status: 400, error });
      send(res, 400, { error, error_description: description });
    };
    if (req.method !== 'POST') return refuse('invalid_request', 'Only POST is supported.');
    const form = new URLSearchParams(body);
    record.grantType = form.get('grant_type') ?? undefined;
    if (record.grantType !== JWT_BEARER) return refuse('unsupported_grant_type', `Invalid grant_type: ${record.grantType ?? ''}`);
    const assertion = form.get('assertion');
    if (!assertion) return refuse('invalid_request', 'Missing required parameter: assertion');
    const jwt = verifyJwt(assertion, this.account.publicKey, 'RS256');
    if ('error' in jwt) return refuse('invalid_grant', 'Invalid JWT Signature.');
    record.assertion = jwt;
    const { iss, aud, scope, iat, exp } = jwt.claims;
    if (jwt.header.kid !== undefined && jwt.header.kid !== this.account.privateKeyId) return refuse('invalid_grant', 'Invalid JWT Signature.');
    if (iss !== this.account.clientEmail) return refuse('invalid_grant', 'Invalid grant: account not found');
    if (aud !== this.tokenUri) return refuse('invalid_grant', 'Invalid JWT: Failed audience check.');
    if (typeof scope !== 'string' || !scope.split(' ').includes(FCM_SCOPE))
      return refuse('invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
    const now = Date.now() / 1000;
    if (typeof iat !== 'number' || typeof exp !== 'number' || exp - iat > 3600 || exp <= now || iat > now + 300) {
      return refuse(
        'invalid_grant',
        'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
      );
    }
    const ttl = this.opts.accessTokenTtlSec ?? 3599;
    const accessToken = `ya29.${randomBytes(48).toString('base64url')}`;
    this.accessTokens.set(accessToken, Date.now() + ttl * 1000);
    record.status = 200;
    send(res, 200, { access_token: accessToken, expires_in: ttl, token_type: 'Bearer' });
  }

  private async messagesSend(req: IncomingMessage, projectId: string, body: string, res: ServerResponse): Promise<void> {
    const record: FcmRequestRecord = { token: tokenIn(body), status: 0, authorization: req.headers.authorization, body, at: Date.now() };
    this.requests.push(record);
    const error = (code: number, status: string, message: string, fcmCode?: string, headers: Record<string, string> = {}) => {
      Object.assign(record, { status: code, errorCode: fcmCode ?? status });
      const details = fcmCode ? [{ '@type': FCM_ERROR, errorCode: fcmCode }] : undefined;
      send(res, code, { error: { code, message, status, ...(details ? { details } : {}) } }, headers);
    };
    const fcmError = (code: FcmErrorCode, retryAfterSec?: number) => {
      const e = FCM_ERRORS[code];
      const retryAfter = retryAfterSec ?? (code === 'QUOTA_EXCEEDED' || code === 'UNAVAILABLE' ? 1 : undefined);
      error(e.code, e.status, e.message, code, retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {});
    };
    const unauthenticated = () =>
      error(
        401,
        'UNAUTHENTICATED',
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      );

    if (req.method !== 'POST') return error(405, 'METHOD_NOT_ALLOWED', 'Method not allowed.');
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const expiresAt = bearer ? this.accessTokens.get(bearer) : undefined;
    if (!bearer || !expiresAt || expiresAt < Date.now()) return unauthenticated();
    if (projectId !== this.projectId)
      return error(
        403,
        'PERMISSION_DENIED',
        `Permission 'cloudmessaging.messages.create' denied on resource '//cloudresourcemanager.googleapis.com/projects/${projectId}' (or it may not exist).`,
      );

    const checked = checkMessage(body);
    if ('invalid' in checked) return error(400, 'INVALID_ARGUMENT', checked.invalid, 'INVALID_ARGUMENT');
    const message = checked.message;
    const token = message.token ?? '';

    await this.scripts.waitIfHeld(token);
    const scripted = this.scripts.next(token);
    if (scripted === 'UNAUTHENTICATED') return unauthenticated();
    if (typeof scripted === 'object') return fcmError(scripted.error, scripted.retryAfterSec);
    if (scripted && scripted !== 'accept') return fcmError(scripted);

    const name = `projects/${projectId}/messages/0:${Date.now()}${randomBytes(8).toString('hex')}`;
    record.status = 200;
    this.accepted.push({ token, message, accessToken: bearer, name, at: record.at });
    send(res, 200, { name });
  }
}

/** The request as FCM validates it, or the INVALID_ARGUMENT message. */
function checkMessage(body: string): { message: FcmMessage } | { invalid: string } {
  let request: unknown;
  try {
    request = JSON.parse(body);
  } catch {
    return { invalid: 'Invalid JSON payload received.' };
  }
  if (typeof request !== 'object' || request === null || Array.isArray(request)) return { invalid: 'Invalid JSON payload received.' };
  for (const key of Object.keys(request)) {
    if (key !== 'message' && key !== 'validate_only') return { invalid: `Invalid JSON payload received. Unknown name "${key}": Cannot find field.` };
  }
  const message = (request as { message?: unknown }).message;
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return { invalid: 'Request contains an invalid argument.' };
  const m = message as FcmMessage;
  for (const key of Object.keys(m))
    if (!MESSAGE_FIELDS.has(key)) return { invalid: `Invalid JSON payload received. Unknown name "${key}" at 'message': Cannot find field.` };
  const targets = ['token', 'topic', 'condition'].filter((k) => m[k] !== undefined);
  if (targets.length !== 1) return { invalid: 'Exactly one of token, topic or condition must be specified.' };
  if (m.token !== undefined && (typeof m.token !== 'string' || !/^\S+$/.test(m.token)))
    return { invalid: 'The registration token is not a valid FCM registration token' };
  if (m.data !== undefined) {
    if (typeof m.data !== 'object' || m.data === null || Array.isArray(m.data)) return { invalid: "Invalid value at 'message.data'" };
    let size = 0;
    for (const [key, value] of Object.entries(m.data)) {
      if (typeof value !== 'string') return { invalid: `Invalid value at 'message.data[${key}].value' (TYPE_STRING), ${JSON.stringify(value)}` };
      if (key === 'from' || key === 'message_type' || key.startsWith('google.') || key.startsWith('gcm.'))
        return { invalid: `Invalid data payload key: ${key}` };
      size += Buffer.byteLength(key) + Buffer.byteLength(value);
    }
    if (size > MAX_DATA_BYTES) return { invalid: 'Android message is too big' };
  }
  if (m.android !== undefined) {
    if (typeof m.android !== 'object' || m.android === null) return { invalid: "Invalid value at 'message.android'" };
    for (const key of Object.keys(m.android))
      if (!ANDROID_FIELDS.has(key)) return { invalid: `Invalid JSON payload received. Unknown name "${key}" at 'message.android': Cannot find field.` };
    const priority = m.android.priority;
    if (priority !== undefined && !['high', 'normal', 'HIGH', 'NORMAL'].includes(priority))
      return { invalid: `Invalid value at 'message.android.priority' (TYPE_ENUM), "${String(priority)}"` };
  }
  return { message: m };
}

/** The registration token of a request body, as far as it can be read (to file refused requests under it). */
function tokenIn(body: string): string {
  try {
    const token = (JSON.parse(body) as { message?: { token?: unknown } })?.message?.token;
    return typeof token === 'string' ? token : '';
  } catch {
    return '';
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** Starts an FCM stand-in with a new service account (its `account`: file, project, email); stop() it after the suite. */
export async function startFcmServer(opts: FcmServerOptions = {}): Promise<FcmServer> {
  const server = new FcmServer(mkdtempSync(join(tmpdir(), 'mm-fcm-')), opts);
  try {
    await server.start();
    return server;
  } catch (err) {
    await server.stop();
    throw err;
  }
}
