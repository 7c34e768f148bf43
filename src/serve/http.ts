/**
 * The HTTP plumbing of `serve`: bodies read within a limit (and drained, so that a connection stays usable), JSON
 * answers passed through the outgoing redaction, errors mapped to a status in one place.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ServeError, errorCodeOf, httpStatusFor, publicMessage } from './errors.js';
import { outgoing } from './outgoing.js';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
export const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * Bodies over the limit up to this much further are read and thrown away, so that the connection stays usable:
 * closing it instead makes the client reconnect, which under load costs seconds (measured by bench:serve).
 * Anything larger is not read: the answer says Connection: close and the socket is closed after it.
 */
const DRAIN_BYTES = 1024 * 1024;
const closeAfterAnswer = new WeakSet<IncomingMessage>();

/** Discards what is left of a body that is over the limit; marks the request for closing when that is too much. */
function discard(req: IncomingMessage, alreadyRead: number, limit: number): void {
  let seen = alreadyRead;
  req.removeAllListeners('data');
  req.on('data', (c: Buffer) => {
    seen += c.length;
    if (seen > limit + DRAIN_BYTES && !closeAfterAnswer.has(req)) {
      closeAfterAnswer.add(req);
      req.pause();
    }
  });
  req.resume();
}

/** Reads a body up to `limit` bytes; E_TOO_LARGE as soon as Content-Length or the bytes read say it is larger. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(header(req, 'content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    if (declared > limit + DRAIN_BYTES) closeAfterAnswer.add(req);
    else discard(req, 0, limit);
    return Promise.reject(new ServeError('E_TOO_LARGE', `The body is ${declared} bytes, more than the ${limit}-byte limit (limits.bodyBytes)`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        chunks.length = 0;
        discard(req, size, limit);
        reject(new ServeError('E_TOO_LARGE', `The body is more than the ${limit}-byte limit (limits.bodyBytes)`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks));
      done = true;
    });
    req.on('error', (e) => {
      if (!done) reject(new ServeError('E_BAD_REQUEST', `Cannot read the body: ${e.message}`));
      done = true;
    });
  });
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  if (res.headersSent) return;
  const body = JSON.stringify(outgoing(value));
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

export function sendError(res: ServerResponse, e: unknown): void {
  const status = httpStatusFor(e);
  // A refusal sent before a large body was read: do not read megabytes only to throw them away.
  if (!res.req.complete && Number(header(res.req, 'content-length') ?? 0) > DRAIN_BYTES) closeAfterAnswer.add(res.req);
  if (closeAfterAnswer.has(res.req)) {
    res.shouldKeepAlive = false;
    res.setHeader('connection', 'close');
    res.on('finish', () => res.req.socket.destroySoon());
  }
  if (e instanceof ServeError && e.retryAfter !== undefined) res.setHeader('retry-after', String(e.retryAfter));
  if (e instanceof ServeError && e.code === 'E_UNAUTHENTICATED') res.setHeader('www-authenticate', 'Bearer');
  sendJson(res, status, { error: { code: errorCodeOf(e), message: publicMessage(e), ...(e instanceof ServeError && e.rule ? { rule: e.rule } : {}) } });
}
