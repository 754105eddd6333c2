/**
 * A stand-in for APNs (api.push.apple.com) on loopback: HTTP/2 over TLS with a certificate from a
 * CA made for it (a proxy trusts it through NODE_EXTRA_CA_CERTS=caFile), following Apple's
 * documented provider API ("Sending notification requests to APNs"):
 *
 * - POST /3/device/{token}, the token in hex; other paths 404 BadPath, other methods 405.
 * - Token authentication: `authorization: bearer <ES256 JWT>` with {alg: ES256, kid}{iss: team id,
 *   iat}, verified with the auth key's public key; missing → 403 MissingProviderToken, bad
 *   signature/kid/iss → 403 InvalidProviderToken, iat older than an hour → 403 ExpiredProviderToken.
 * - Headers: apns-topic one of `topics` (MissingTopic, TopicDisallowed), apns-push-type one of
 *   Apple's types (InvalidPushType; Apple only recommends it on iOS, this stand-in requires it),
 *   apns-priority 10, 5 or 1 and 5 for background pushes (BadPriority), apns-expiration a number
 *   (BadExpirationDate), apns-collapse-id ≤ 64 bytes (BadCollapseId), apns-id a UUID (BadMessageId).
 * - Payload: a JSON object ≤ 4096 bytes (PayloadEmpty, 413 PayloadTooLarge) with an `aps`
 *   dictionary of the documented key types. Apple names no reason for a payload that is not one;
 *   this stand-in answers 400 "BadPayload" so that a test sees which check failed.
 * - 200 with an apns-id header when accepted; errors as Apple's JSON bodies ({"reason"}, and
 *   {"reason", "timestamp"} with 410).
 *
 * A test scripts answers per device token (reply/unregister/hold) and reads what was accepted.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createSecureServer, Http2SecureServer, IncomingHttpHeaders, ServerHttp2Session, ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestCertificates } from '../certificates.js';
import { writeApnsAuthKey, type ApnsAuthKey } from './credentials.js';
import { verifyJwt, type DecodedJwt } from './jwt-verify.js';
import { TokenScripts } from './token-scripts.js';

/** Apple's error reasons and their status codes. */
export const APNS_REASONS = {
  BadCollapseId: 400,
  BadDeviceToken: 400,
  BadExpirationDate: 400,
  BadMessageId: 400,
  BadPriority: 400,
  BadTopic: 400,
  DeviceTokenNotForTopic: 400,
  DuplicateHeaders: 400,
  IdleTimeout: 400,
  InvalidPushType: 400,
  MissingDeviceToken: 400,
  MissingTopic: 400,
  PayloadEmpty: 400,
  TopicDisallowed: 400,
  BadCertificate: 403,
  BadCertificateEnvironment: 403,
  ExpiredProviderToken: 403,
  Forbidden: 403,
  InvalidProviderToken: 403,
  MissingProviderToken: 403,
  BadPath: 404,
  MethodNotAllowed: 405,
  ExpiredToken: 410,
  Unregistered: 410,
  PayloadTooLarge: 413,
  TooManyProviderTokenUpdates: 429,
  TooManyRequests: 429,
  InternalServerError: 500,
  ServiceUnavailable: 503,
  Shutdown: 503,
} as const;

export type ApnsReason = keyof typeof APNS_REASONS;
/** A scripted answer: accept, or one of Apple's errors. */
export type ApnsReply = 'accept' | ApnsReason;

const PUSH_TYPES = new Set([
  'alert',
  'background',
  'location',
  'voip',
  'complication',
  'fileprovider',
  'mdm',
  'liveactivity',
  'pushtotalk',
  'controls',
  'widgets',
]);
const MAX_PAYLOAD_BYTES = 4096;
/** Apple refuses provider tokens older than this. */
const TOKEN_MAX_AGE_SEC = 3600;

/** A push APNs accepted. */
export interface ApnsDelivery {
  token: string;
  topic: string;
  pushType: string;
  priority: string | undefined;
  /** Every request header (lower-case names; the pseudo-headers left out). */
  headers: Record<string, string>;
  payload: { aps: Record<string, unknown> } & Record<string, unknown>;
  /** The provider token it came with, verified. */
  jwt: DecodedJwt;
  apnsId: string;
  at: number;
}

/** Every request and its answer, accepted or not. */
export interface ApnsRequestRecord {
  token: string;
  status: number;
  reason?: string;
  authorization?: string;
  headers: Record<string, string>;
  body: string;
  at: number;
}

export interface ApnsServerOptions {
  /** The bundle ids the team may push to (apns-topic); Mattermost's sample config's two apps by default. */
  topics?: string[];
}

export class ApnsServer {
  readonly accepted: ApnsDelivery[] = [];
  readonly requests: ApnsRequestRecord[] = [];
  readonly topics: string[];
  private readonly scripts = new TokenScripts<ApnsReply>();
  private readonly sessions = new Set<ServerHttp2Session>();
  private server?: Http2SecureServer;
  private port = 0;
  private readonly tls: { caFile: string; certFile: string; keyFile: string };

  constructor(
    /** Its temp folder: certificates and the auth key. */
    readonly dir: string,
    /** The auth key a proxy signs with (AppleAuthKeyFile/ID, AppleTeamID). */
    readonly authKey: ApnsAuthKey,
    opts: ApnsServerOptions,
  ) {
    this.topics = opts.topics ?? ['com.mattermost.Mattermost', 'com.mattermost.react.native'];
    this.tls = makeTestCertificates(dir, '127.0.0.1', 'APNs');
  }

  /** https://127.0.0.1:port: AppleServerURL. */
  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** The CA that signed its certificate: NODE_EXTRA_CA_CERTS for whoever connects. */
  get caFile(): string {
    return this.tls.caFile;
  }

  /** The next requests for `token` get these answers, in order (then it accepts again). */
  reply(token: string, ...replies: ApnsReply[]): void {
    this.scripts.queue(token, replies);
  }

  /** The token is gone for good: 410 Unregistered from now on. */
  unregister(token: string): void {
    this.scripts.always(token, 'Unregistered');
  }

  /** Requests for `token` wait, checked but unanswered, until the returned function is called. */
  hold(token: string): () => void {
    return this.scripts.hold(token);
  }

  /** What was accepted for `token`. */
  acceptedFor(token: string): ApnsDelivery[] {
    return this.accepted.filter((d) => d.token === token);
  }

  /** Sends GOAWAY on every connection and closes them, as APNs does now and then: a proxy must connect again. */
  goAway(): void {
    for (const session of this.sessions) session.close();
  }

  async start(): Promise<void> {
    const server = createSecureServer({ key: readFileSync(this.tls.keyFile), cert: readFileSync(this.tls.certFile) });
    server.on('session', (session) => {
      this.sessions.add(session);
      session.on('close', () => this.sessions.delete(session));
      session.on('error', () => {});
    });
    server.on('stream', (stream, headers) => {
      stream.on('error', () => {});
      this.handle(stream, headers).catch(() => stream.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    this.scripts.releaseAll();
    for (const session of this.sessions) session.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async handle(stream: ServerHttp2Stream, h: IncomingHttpHeaders): Promise<void> {
    const body = await readStream(stream);
    const path = String(h[':path'] ?? '');
    const token = /^\/3\/device\/([^/?]*)$/.exec(path)?.[1] ?? '';
    const headers = plainHeaders(h);
    const record: ApnsRequestRecord = { token, status: 0, authorization: headers.authorization, headers, body, at: Date.now() };
    this.requests.push(record);
    const answer = (status: number, reason?: string, extra: Record<string, string> = {}) => {
      record.status = status;
      record.reason = reason;
      const apnsId = headers['apns-id'] || randomUUID();
      if (stream.destroyed) return;
      stream.respond({ ':status': status, 'apns-id': apnsId, ...(reason ? { 'content-type': 'application/json' } : {}), ...extra });
      stream.end(reason ? JSON.stringify(status === 410 ? { reason, timestamp: Date.now() } : { reason }) : undefined);
      return apnsId;
    };
    const refuse = (reason: ApnsReason | 'BadPayload') => answer(reason === 'BadPayload' ? 400 : APNS_REASONS[reason], reason);

    if (h[':method'] !== 'POST') return void refuse('MethodNotAllowed');
    if (!/^\/3\/device\//.test(path) || path.slice('/3/device/'.length).includes('/')) return void refuse('BadPath');
    if (!token) return void refuse('MissingDeviceToken');
    const jwt = this.checkProviderToken(headers.authorization);
    if ('reason' in jwt) return void refuse(jwt.reason);
    const bad = checkHeaders(headers, this.topics) ?? checkPayload(body);
    if (bad) return void refuse(bad);
    if (!/^[0-9a-f]{64,200}$/i.test(token)) return void refuse('BadDeviceToken');

    await this.scripts.waitIfHeld(token);
    const scripted = this.scripts.next(token);
    if (scripted && scripted !== 'accept') return void refuse(scripted);
    const apnsId = answer(200);
    if (!apnsId) return;
    this.accepted.push({
      token,
      topic: headers['apns-topic'],
      pushType: headers['apns-push-type'],
      priority: headers['apns-priority'],
      headers,
      payload: JSON.parse(body),
      jwt,
      apnsId,
      at: record.at,
    });
  }

  private checkProviderToken(authorization: string | undefined): DecodedJwt | { reason: ApnsReason } {
    if (!authorization) return { reason: 'MissingProviderToken' };
    const match = /^bearer (.+)$/i.exec(authorization);
    if (!match) return { reason: 'InvalidProviderToken' };
    const jwt = verifyJwt(match[1], this.authKey.publicKey, 'ES256');
    if ('error' in jwt) return { reason: 'InvalidProviderToken' };
    if (jwt.header.kid !== this.authKey.keyId || jwt.claims.iss !== this.authKey.teamId) return { reason: 'InvalidProviderToken' };
    const iat = jwt.claims.iat;
    const now = Date.now() / 1000;
    if (typeof iat !== 'number' || iat > now + 60) return { reason: 'InvalidProviderToken' };
    if (now - iat > TOKEN_MAX_AGE_SEC) return { reason: 'ExpiredProviderToken' };
    return jwt;
  }
}

function checkHeaders(h: Record<string, string>, topics: string[]): ApnsReason | undefined {
  const topic = h['apns-topic'];
  if (!topic) return 'MissingTopic';
  if (!topics.includes(topic)) return 'TopicDisallowed';
  const pushType = h['apns-push-type'];
  if (!pushType || !PUSH_TYPES.has(pushType)) return 'InvalidPushType';
  const priority = h['apns-priority'];
  if (priority !== undefined && !['10', '5', '1'].includes(priority)) return 'BadPriority';
  if (pushType === 'background' && priority === '10') return 'BadPriority';
  if (h['apns-expiration'] !== undefined && !/^\d+$/.test(h['apns-expiration'])) return 'BadExpirationDate';
  if (h['apns-collapse-id'] !== undefined && Buffer.byteLength(h['apns-collapse-id']) > 64) return 'BadCollapseId';
  if (h['apns-id'] !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(h['apns-id'])) return 'BadMessageId';
  return undefined;
}

function checkPayload(body: string): ApnsReason | 'BadPayload' | undefined {
  if (!body) return 'PayloadEmpty';
  if (Buffer.byteLength(body) > MAX_PAYLOAD_BYTES) return 'PayloadTooLarge';
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return 'BadPayload';
  }
  const aps = (payload as { aps?: unknown } | null)?.aps;
  if (typeof payload !== 'object' || Array.isArray(payload) || typeof aps !== 'object' || aps === null || Array.isArray(aps)) return 'BadPayload';
  return apsValid(aps as Record<string, unknown>) ? undefined : 'BadPayload';
}

/** The documented types of the aps keys a push proxy sets. */
function apsValid(aps: Record<string, unknown>): boolean {
  const { alert, badge, sound, category } = aps;
  const isString = (v: unknown) => v === undefined || typeof v === 'string';
  if (alert !== undefined && typeof alert !== 'string') {
    if (typeof alert !== 'object' || alert === null) return false;
    const { title, subtitle, body } = alert as Record<string, unknown>;
    if (![title, subtitle, body].every(isString)) return false;
  }
  if (badge !== undefined && !(Number.isInteger(badge) && (badge as number) >= 0)) return false;
  if (sound !== undefined && typeof sound !== 'string' && (typeof sound !== 'object' || sound === null)) return false;
  if (!isString(category) || !isString(aps['thread-id'])) return false;
  for (const flag of ['content-available', 'mutable-content']) if (aps[flag] !== undefined && aps[flag] !== 1) return false;
  return true;
}

function plainHeaders(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(h)) if (!name.startsWith(':') && value !== undefined) out[name] = [value].flat().join(', ');
  return out;
}

function readStream(stream: ServerHttp2Stream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (text += chunk));
    stream.on('end', () => resolve(text));
    stream.on('error', reject);
  });
}

/** Starts an APNs stand-in with a new auth key (its `authKey`) and certificate (its `caFile`); stop() it after the suite. */
export async function startApnsServer(opts: ApnsServerOptions = {}): Promise<ApnsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'mm-apns-'));
  let server: ApnsServer | undefined;
  try {
    server = new ApnsServer(dir, writeApnsAuthKey(dir), opts);
    await server.start();
    return server;
  } catch (err) {
    if (server) await server.stop();
    else rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
