/**
 * Bounded HTTP GET over undici for the admin collectors: an overall deadline, a cap on the body (read in
 * chunks, stopped as soon as it is exceeded), and one plain reason for every way it can fail. Never throws.
 */
import { Agent, request, type Dispatcher } from 'undici';
import { formatBytes } from '../x509/pem.js';
import { redact } from '../redact.js';
import { LIMITS } from '../limits.js';

export const DEFAULT_TIMEOUT_MS = LIMITS.requestTimeoutMs;
/** A config_dump of a big mesh is a few MiB; anything past this is not an admin answer we can use (limits.ts). */
export const MAX_BODY_BYTES = LIMITS.adminBodyBytes;

export interface HttpOptions {
  /** The undici dispatcher to send through (tests inject one); default: a private Agent per collection. */
  dispatcher: Dispatcher;
  timeoutMs: number;
  maxBytes: number;
  /**
   * One deadline (epoch ms) for every request of a collection: each request gets at most what is left of it, and
   * none starts after it. Endpoints that never answer cannot add their timeouts up.
   */
  deadline?: number;
  /** The total budget the deadline was set from, for the message (ms). */
  budgetMs?: number;
}

/** `timedOut`: no complete answer within the request's cap or the deadline (or not asked: the deadline had passed). */
export type HttpResult = { ok: true; status: number; body: string } | { ok: false; reason: string; status?: number; timedOut?: true };

/** A dispatcher for one collection run, closed by the caller when done so no socket keeps the process alive. */
export function newDispatcher(timeoutMs: number): Agent {
  return new Agent({ connect: { timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, keepAliveTimeout: 1000 });
}

const isTimeout = (e: unknown, aborted: boolean): boolean => {
  const err = e as { code?: string; cause?: { code?: string } };
  const code = err?.code ?? err?.cause?.code;
  return aborted || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_ABORTED';
};

function reasonOf(e: unknown, url: URL, timeoutMs: number, aborted: boolean, byDeadline: boolean): string {
  const err = e as { code?: string; message?: string; cause?: { code?: string } };
  const code = err?.code ?? err?.cause?.code;
  if (isTimeout(e, aborted)) {
    return `no complete answer within ${Math.round(timeoutMs / 100) / 10}s${byDeadline ? ' (what was left of the diagnosis\'s deadline)' : ''}`;
  }
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused: nothing listens on ${url.host}`;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return `the connection to ${url.host} was closed before a complete answer`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the name "${url.hostname}" does not resolve`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${url.host} is unreachable`;
    default:
      return (err?.message ?? String(e)).split('\n')[0]!.slice(0, 200);
  }
}

/** GETs `path` under `base`; the body is read up to `maxBytes` and the whole exchange bounded by `timeoutMs`. */
export async function getText(base: string, path: string, o: HttpOptions): Promise<HttpResult> {
  const url = new URL(path, base.endsWith('/') ? base : base + '/');
  const left = o.deadline === undefined ? Infinity : o.deadline - Date.now();
  if (left <= 0) return { ok: false, timedOut: true, reason: `not asked: the ${Math.round((o.budgetMs ?? 0) / 1000)}s budget for the whole collection was used up (no complete answer in time)` };
  const timeoutMs = Math.max(1, Math.min(o.timeoutMs, left));
  const byDeadline = left < o.timeoutMs;
  const ac = new AbortController();
  let aborted = false;
  const timer = setTimeout(() => {
    aborted = true;
    ac.abort();
  }, timeoutMs);
  try {
    const res = await request(url, { method: 'GET', dispatcher: o.dispatcher, signal: ac.signal, headers: { accept: 'application/json, text/plain;q=0.9' } });
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > o.maxBytes) {
        res.body.destroy();
        return { ok: false, reason: `the answer is over the ${formatBytes(o.maxBytes)} limit; stopped reading`, status: res.statusCode };
      }
      chunks.push(chunk);
    }
    // A remote body is outside text: redacted whole, on arrival, so that neither a key nor a piece of one can
    // reach a report, a label or a saved bundle through whatever part of it is kept (a stat name, a quote).
    const body = redact(Buffer.concat(chunks).toString('utf8'));
    if (res.statusCode < 200 || res.statusCode > 299) {
      const first = body.split('\n').find((l) => l.trim() !== '')?.trim().slice(0, 120) ?? '';
      return { ok: false, status: res.statusCode, reason: `HTTP ${res.statusCode}${first ? ` (${first.startsWith('<') ? 'an HTML page' : first})` : ''}` };
    }
    return { ok: true, status: res.statusCode, body };
  } catch (e) {
    return { ok: false, reason: reasonOf(e, url, timeoutMs, aborted, byDeadline), ...(isTimeout(e, aborted) ? { timedOut: true as const } : {}) };
  } finally {
    clearTimeout(timer);
  }
}
