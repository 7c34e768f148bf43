/**
 * The errors a request to `serve` can meet, and the one place their HTTP status is decided. Library errors
 * (`MtlsDoctorError`) keep their codes: bad usage or input is the caller's fault (400), no evidence is 422.
 */
import { isMtlsDoctorError } from '../errors.js';

export type ServeErrorCode =
  | 'E_UNAUTHENTICATED' // no or a wrong signature / bearer token
  | 'E_REPLAYED' // a Slack request seen before
  | 'E_FORBIDDEN' // authenticated, but the rule does not allow this namespace / peer / flag
  | 'E_TOO_LARGE' // body over limits.bodyBytes
  | 'E_RATE_LIMITED' // this caller sent more than limits.perCallerPerMinute
  | 'E_BUSY' // the queue is full
  | 'E_DEADLINE' // the diagnosis ran past limits.deadlineSeconds
  | 'E_NOT_AVAILABLE' // a feature this build does not have (cluster mode, fleet scan)
  | 'E_NOT_FOUND'
  | 'E_METHOD'
  | 'E_BAD_REQUEST'; // not JSON, wrong content type, a field that is not allowed

export class ServeError extends Error {
  readonly code: ServeErrorCode;
  /** The configuration rule that refused the request (for authorization refusals), named in the answer. */
  readonly rule?: string;
  /** Seconds after which a retry may succeed (429). */
  readonly retryAfter?: number;
  constructor(code: ServeErrorCode, message: string, extra: { rule?: string; retryAfter?: number; cause?: unknown } = {}) {
    super(message, { cause: extra.cause });
    this.name = 'ServeError';
    this.code = code;
    this.rule = extra.rule;
    this.retryAfter = extra.retryAfter;
  }
}

export const forbidden = (message: string, rule: string) => new ServeError('E_FORBIDDEN', message, { rule });
export const badRequest = (message: string) => new ServeError('E_BAD_REQUEST', message);

const STATUS: Record<ServeErrorCode, number> = {
  E_UNAUTHENTICATED: 401,
  E_REPLAYED: 401,
  E_FORBIDDEN: 403,
  E_TOO_LARGE: 413,
  E_RATE_LIMITED: 429,
  E_BUSY: 429,
  E_DEADLINE: 504,
  E_NOT_AVAILABLE: 501,
  E_NOT_FOUND: 404,
  E_METHOD: 405,
  E_BAD_REQUEST: 400,
};

/** The HTTP status for any error a request met: the only mapping from error to status in `serve`. */
export function httpStatusFor(error: unknown): number {
  if (error instanceof ServeError) return STATUS[error.code];
  if (isMtlsDoctorError(error)) {
    switch (error.code) {
      case 'E_USAGE':
      case 'E_INPUT':
        return 400;
      case 'E_NO_EVIDENCE':
        return 422;
      default:
        return 500;
    }
  }
  return 500;
}

/** The stable code of any error (`E_INTERNAL` for what is not ours), for answers, logs and metrics. */
export function errorCodeOf(error: unknown): string {
  if (error instanceof ServeError || isMtlsDoctorError(error)) return error.code;
  return 'E_INTERNAL';
}

/** The message a caller may see: ours as written, anything else as a generic line (details go to the log only). */
export function publicMessage(error: unknown): string {
  if (error instanceof ServeError || isMtlsDoctorError(error)) return error.message.trim().replace(/\s*\n\s*/g, ' ');
  return 'Internal error (the server log has the details)';
}
