/**
 * Posts to a Slack `response_url`: only under `slack.responseUrlPrefix` (no server-side request anywhere else),
 * at most 5 posts per response_url within 30 minutes (Slack's own limit), each redacted on the way out.
 */
import { outgoing } from './outgoing.js';
import { ServeError } from './errors.js';

export const RESPONSE_URL_MAX_POSTS = 5;
export const RESPONSE_URL_WINDOW_MS = 30 * 60 * 1000;
/**
 * response_urls whose posts are counted. Each accepted command brings one, kept 30 minutes: bounded, the oldest
 * counts are forgotten first (a command older than that is long answered; Slack enforces its own limit anyway).
 */
export const RESPONSE_URLS_TRACKED = 10_000;

/** True when `url` is an http(s) URL under `prefix` (same origin, path below it, no credentials). */
export function underPrefix(url: string, prefix: string): boolean {
  let u: URL;
  let p: URL;
  try {
    u = new URL(url);
    p = new URL(prefix);
  } catch {
    return false;
  }
  return u.origin === p.origin && !u.username && !u.password && u.pathname.startsWith(p.pathname) && !/%2e|%2f|\.\./i.test(u.pathname);
}

export interface PostOutcome {
  ok: boolean;
  status?: number;
  error?: string;
}

export class Responder {
  private readonly posts = new Map<string, { first: number; count: number }>();
  constructor(
    private readonly o: { prefix: string; fetch?: typeof fetch; now: () => number; timeoutMs?: number; maxTracked?: number },
  ) {}

  /** The response_urls whose posts are counted now. */
  get tracked(): number {
    return this.posts.size;
  }

  /** Refuses a response_url outside the prefix before anything runs. */
  check(url: string): void {
    if (!underPrefix(url, this.o.prefix)) throw new ServeError('E_FORBIDDEN', `Refused: response_url is not under slack.responseUrlPrefix (${this.o.prefix})`, { rule: 'slack.responseUrlPrefix' });
  }

  /** Posts one message; never throws (a failed post is logged by the caller from the outcome). */
  async post(url: string, message: object): Promise<PostOutcome> {
    if (!underPrefix(url, this.o.prefix)) return { ok: false, error: 'response_url outside slack.responseUrlPrefix' };
    const now = this.o.now();
    this.sweep(now);
    const prior = this.posts.get(url);
    const seen = prior && now - prior.first <= RESPONSE_URL_WINDOW_MS ? prior : { first: now, count: 0 };
    if (seen.count >= RESPONSE_URL_MAX_POSTS) return { ok: false, error: `response_url already used ${RESPONSE_URL_MAX_POSTS} times in 30 minutes` };
    seen.count++;
    this.posts.set(url, seen);
    // Node's own fetch (no undici package on this path: serve loads nothing it does not need); redirect: 'manual'
    // so a 3xx cannot send the post anywhere else.
    try {
      const res = await (this.o.fetch ?? fetch)(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(outgoing(message)),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
      });
      await res.body?.cancel().catch(() => undefined);
      return res.status >= 200 && res.status < 300 ? { ok: true, status: res.status } : { ok: false, status: res.status, error: `HTTP ${res.status}` };
    } catch (e) {
      const cause = (e as { cause?: NodeJS.ErrnoException }).cause;
      return { ok: false, error: cause?.code ?? (e as Error).name ?? String(e) };
    }
  }

  private sweep(now: number): void {
    const max = this.o.maxTracked ?? RESPONSE_URLS_TRACKED;
    // Map order is insertion order, the oldest first: expired ones go, and past the bound the oldest go too
    // (so that this post's own entry fits); the first one to keep ends the walk.
    for (const [k, v] of this.posts) {
      if (now - v.first > RESPONSE_URL_WINDOW_MS || this.posts.size >= max) this.posts.delete(k);
      else break;
    }
  }
}
