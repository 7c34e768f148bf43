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
 * A refusal sent before the client finished sending its body (413, 401, 429 …) is answered only once the body is
 * read and thrown away (nginx's lingering close, done before the answer rather than after it): a server that
 * answers and closes while the client is still writing resets the connection, and the client sees EPIPE or
 * ECONNRESET instead of its status. Bounded: at most LINGER_BYTES more bytes or LINGER_MS; past either, the answer
 * goes out at once with Connection: close (that client may then see a reset: it sent more than we will read).
 * Nothing is kept while discarding: memory stays flat.
 */
export const LINGER_BYTES = 16 * 1024 * 1024;
export const LINGER_MS = 5000;
const closeAfterAnswer = new WeakSet<IncomingMessage>();
const draining = new WeakMap<IncomingMessage, Promise<void>>();

/** Reads and drops the rest of a body (once per request), up to the linger bounds; resolves when done. */
function discard(req: IncomingMessage): Promise<void> {
  const known = draining.get(req);
  if (known) return known;
  const done = new Promise<void>((resolve) => {
    if (req.complete || req.readableEnded || req.destroyed) return resolve();
    let seen = 0;
    const stop = (close: boolean) => {
      clearTimeout(timer);
      if (close) {
        closeAfterAnswer.add(req);
        req.pause();
      }
      resolve();
    };
    const timer = setTimeout(() => stop(true), LINGER_MS).unref();
    req.removeAllListeners('data');
    req.on('data', (c: Buffer) => {
      seen += c.length;
      if (seen > LINGER_BYTES) stop(true);
    });
    req.once('end', () => stop(false));
    req.once('error', () => stop(true));
    req.once('close', () => stop(false));
    req.resume();
  });
  draining.set(req, done);
  return done;
}

/**
 * Request bodies being received, all connections together, are held up to BODY_BYTES_IN_FLIGHT (or one body of
 * `limits.bodyBytes`, when that is larger): a flood of connections each sending a body just under the limit
 * cannot make the server hold connections × limit bytes. A request whose bytes do not fit is refused as busy
 * (429, Retry-After) and the rest of its body is discarded like any refusal's.
 */
export const BODY_BYTES_IN_FLIGHT = 32 * 1024 * 1024;

/** The bytes of request bodies being read, shared by one server's routes. */
export class BodyBudget {
  private used = 0;
  constructor(readonly capacity: number = BODY_BYTES_IN_FLIGHT) {}
  get inUse(): number {
    return this.used;
  }
  /** Takes `n` bytes; false (nothing taken) when they do not fit. */
  take(n: number): boolean {
    if (this.used + n > this.capacity) return false;
    this.used += n;
    return true;
  }
  give(n: number): void {
    this.used = Math.max(0, this.used - n);
  }
}

/**
 * Reads a body up to `limit` bytes; E_TOO_LARGE as soon as Content-Length or the bytes read say it is larger,
 * E_BUSY when the bytes do not fit in `budget` (bodies being read by every connection). The bytes are given back
 * to the budget when the body is returned or refused.
 */
export function readBody(req: IncomingMessage, limit: number, budget?: BodyBudget): Promise<Buffer> {
  const declared = Number(header(req, 'content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    void discard(req);
    return Promise.reject(new ServeError('E_TOO_LARGE', `The body is ${declared} bytes, more than the ${limit}-byte limit (limits.bodyBytes)`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let held = 0;
    let done = false;
    const settle = () => {
      done = true;
      budget?.give(held);
      held = 0;
    };
    const refuse = (e: ServeError) => {
      settle();
      chunks.length = 0;
      void discard(req);
      reject(e);
    };
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) return refuse(new ServeError('E_TOO_LARGE', `The body is more than the ${limit}-byte limit (limits.bodyBytes)`));
      if (budget && !budget.take(c.length)) return refuse(new ServeError('E_BUSY', `Busy: ${Math.round(budget.capacity / 1048576)} MiB of request bodies are being received; try again shortly`, { retryAfter: 5 }));
      held += c.length;
      chunks.push(c);
    });
    req.on('end', () => {
      if (done) return;
      settle();
      resolve(Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (done) return;
      settle();
      reject(new ServeError('E_BAD_REQUEST', `Cannot read the body: ${e.message}`));
    });
    // A connection closed mid-body: neither 'end' nor 'error' may follow; the bytes go back all the same.
    req.on('close', () => {
      if (done) return;
      settle();
      reject(new ServeError('E_BAD_REQUEST', 'Cannot read the body: the connection closed'));
    });
  });
}

/** An answer's body as sendJson sends it: JSON, redacted on the way out. */
export const jsonBody = (value: unknown): string => JSON.stringify(outgoing(value));

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  if (res.headersSent) return;
  sendJsonBody(res, status, jsonBody(value));
}

/** Sends a body made by jsonBody (kept ready-made, as the webhook's job store keeps answers). */
export function sendJsonBody(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent) return;
  const send = () => {
    if (res.headersSent || res.destroyed) return;
    if (closeAfterAnswer.has(res.req)) {
      res.shouldKeepAlive = false;
      res.setHeader('connection', 'close');
    }
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    res.end(body);
  };
  // An answer before the body was read whole (a refusal): read and drop the rest first, within the linger bounds.
  if (res.req.complete || res.req.readableEnded || res.req.method === 'GET' || res.req.method === 'HEAD') send();
  else void discard(res.req).then(send);
}

export function sendError(res: ServerResponse, e: unknown): void {
  const status = httpStatusFor(e);
  if (e instanceof ServeError && e.retryAfter !== undefined) res.setHeader('retry-after', String(e.retryAfter));
  if (e instanceof ServeError && e.code === 'E_UNAUTHENTICATED') res.setHeader('www-authenticate', 'Bearer');
  sendJson(res, status, { error: { code: errorCodeOf(e), message: publicMessage(e), ...(e instanceof ServeError && e.rule ? { rule: e.rule } : {}) } });
}
