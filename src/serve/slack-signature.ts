/**
 * Slack's request signing, v0 (https://api.slack.com/authentication/verifying-requests-from-slack):
 * `v0=` + hex HMAC-SHA256 of `v0:{X-Slack-Request-Timestamp}:{raw body}` keyed with the signing secret.
 * The timestamp must be within 5 minutes of our clock; a signature seen before inside that window is a replay.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ServeError } from './errors.js';

export const SLACK_MAX_SKEW_SECONDS = 5 * 60;

/** The signature Slack would send for this body at this timestamp (also used by tests and the benchmark). */
export function slackSignature(secret: Buffer | string, timestamp: string | number, body: Buffer | string): string {
  return 'v0=' + createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex');
}

/** Constant-time equality of two strings of any length (hashing first, so the length does not leak either). */
export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/**
 * Signatures seen within the skew window. Bounded: entries expire after the window, and when it is full the
 * request is refused as busy rather than forgetting a signature (which would re-open it to replay).
 */
export class ReplayCache {
  private readonly seen = new Map<string, number>();
  constructor(private readonly max = 100_000) {}

  /** Records a signature; false when it was already recorded (a replay). */
  remember(signature: string, nowMs: number): boolean {
    if (this.seen.has(signature)) return false;
    if (this.seen.size >= this.max) this.sweep(nowMs);
    if (this.seen.size >= this.max) throw new ServeError('E_BUSY', 'Too many Slack requests in the last 10 minutes; try again shortly', { retryAfter: 30 });
    // Kept for twice the window: a timestamp may be up to 5 minutes in the future as well as in the past.
    this.seen.set(signature, nowMs + 2 * SLACK_MAX_SKEW_SECONDS * 1000);
    return true;
  }

  sweep(nowMs: number): void {
    for (const [k, until] of this.seen) if (until <= nowMs) this.seen.delete(k);
  }

  get size(): number {
    return this.seen.size;
  }
}

/**
 * Verifies a Slack request; throws E_UNAUTHENTICATED (missing, malformed, stale or wrong) or E_REPLAYED.
 * The order matters: the signature is checked before the replay cache is touched, so unsigned traffic cannot
 * fill it.
 */
export function verifySlackRequest(
  o: { secret: Buffer; timestamp: string | undefined; signature: string | undefined; body: Buffer; nowMs: number },
  replay: ReplayCache,
): void {
  const { timestamp, signature } = o;
  if (!timestamp || !signature) throw new ServeError('E_UNAUTHENTICATED', 'Missing X-Slack-Request-Timestamp or X-Slack-Signature: this endpoint accepts only requests signed by Slack');
  if (!/^\d{1,12}$/.test(timestamp)) throw new ServeError('E_UNAUTHENTICATED', 'Malformed X-Slack-Request-Timestamp');
  if (Math.abs(o.nowMs / 1000 - Number(timestamp)) > SLACK_MAX_SKEW_SECONDS) {
    throw new ServeError('E_UNAUTHENTICATED', 'Stale X-Slack-Request-Timestamp: more than 5 minutes from the server clock (replay, or a clock out of sync)');
  }
  if (!constantTimeEqual(slackSignature(o.secret, timestamp, o.body), signature)) throw new ServeError('E_UNAUTHENTICATED', 'Wrong X-Slack-Signature: check slack.signingSecretFile');
  if (!replay.remember(signature, o.nowMs)) throw new ServeError('E_REPLAYED', 'Replayed Slack request: this signature was already used');
}
