import type { IncomingMessage } from 'node:http';

/** Why a body was refused, in body-parser's terms (jsonBody's error handler turns them into AppErrors). */
export class BodyReadError extends Error {
  constructor(
    readonly status: 400 | 413,
    readonly type: 'entity.too.large' | 'entity.parse.failed' | 'request.size.invalid' | 'request.aborted',
  ) {
    super(type);
  }
}

/** The charset a Content-Type names, lower-cased ('' when it names none). */
function charsetOf(contentType: string | undefined): string {
  if (!contentType) return '';
  const at = contentType.toLowerCase().indexOf('charset=');
  if (at < 0) return '';
  return contentType
    .slice(at + 8)
    .split(';')[0]
    .trim()
    .replace(/^"|"$/g, '')
    .toLowerCase();
}

/**
 * Whether readJsonBody can read this request's body: UTF-8 (named or implied) and not compressed.
 * The rest (another charset, a Content-Encoding) is left to body-parser, which decodes them or
 * answers 415 as before.
 */
export function plainUtf8Body(req: IncomingMessage): boolean {
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false;
  const charset = charsetOf(req.headers['content-type']);
  return charset === '' || charset === 'utf-8' || charset === 'utf8';
}

/**
 * Reads a plain UTF-8 JSON body and parses it, with body-parser's rules for `strict: false`
 * (any JSON value; an empty body is `{}`; a leading BOM is dropped) and its refusals: over `limit`
 * bytes (declared or received) 413, a length other than the one declared or a body cut off 400,
 * bad JSON 400. `done(undefined, undefined)` for a request without a body (no Content-Length, no
 * Transfer-Encoding), as body-parser leaves req.body unset. The point is its cost: body-parser
 * runs content-type, type-is, raw-body, iconv-lite and on-finished per request, a measurable share
 * of the small POSTs the web app sends most (POST /users/status/ids and /users/ids).
 */
export function readJsonBody(req: IncomingMessage, limit: number, done: (err: BodyReadError | undefined, body?: unknown) => void): void {
  if (req.readableEnded) return done(undefined, undefined); // read already, as body-parser's isFinished check
  const declaredHeader = req.headers['content-length'];
  const declared = declaredHeader === undefined ? undefined : Number(declaredHeader);
  if ((declared === undefined || Number.isNaN(declared)) && req.headers['transfer-encoding'] === undefined) return done(undefined, undefined);
  if (declared !== undefined && declared > limit) {
    req.resume(); // Node discards the rest; the answer can go out at once
    return done(new BodyReadError(413, 'entity.too.large'));
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (err: BodyReadError | undefined, body?: unknown) => {
    if (finished) return;
    finished = true;
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('error', onAbort);
    req.off('close', onAbort);
    if (err) req.resume();
    done(err, body);
  };
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) return finish(new BodyReadError(413, 'entity.too.large'));
    chunks.push(chunk);
  };
  const onEnd = () => {
    if (declared !== undefined && size !== declared) return finish(new BodyReadError(400, 'request.size.invalid'));
    let text = (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)).toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.length === 0) return finish(undefined, {});
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return finish(new BodyReadError(400, 'entity.parse.failed'));
    }
    finish(undefined, body);
  };
  const onAbort = () => finish(new BodyReadError(400, 'request.aborted'));
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onAbort);
  req.on('close', onAbort);
}
