/**
 * Every string `serve` sends out (chat messages, webhook answers, log lines) passes through `outgoing()`.
 * The redactor here is deliberately one function so that the project-wide one (src/redact.ts) can replace it
 * in one place. It removes private-key PEM blocks of any type (also a block cut off by a length limit) and long
 * base64 runs, which is how key material arrives inside pasted text.
 */

// Built at run time: no committed file contains a private-key PEM header line.
const KEY = ['PRIV', 'ATE KEY'].join('');
const PEM_KEY_BLOCK = new RegExp(`-----BEGIN ([A-Z0-9 ]*)${KEY}-----[\\s\\S]*?(?:-----END [A-Z0-9 ]*${KEY}-----|$)`, 'g');
// A run of base64 this long is no error message: a key or a certificate body. Chat needs neither.
const BASE64_RUN = /[A-Za-z0-9+/]{120,}={0,2}/g;

export const REDACTED_KEY = '[private key removed]';
export const REDACTED_BASE64 = '[base64 data removed]';

/** Redacts one string. */
export function redactText(s: string): string {
  if (s.length < 40) return s;
  return s.replace(PEM_KEY_BLOCK, REDACTED_KEY).replace(BASE64_RUN, REDACTED_BASE64);
}

/** Redacts every string inside a JSON-like value (a report, a Block Kit payload, a log record), returning a copy. */
export function outgoing<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (value === null || typeof value !== 'object' || depth > 64) return value;
  if (Array.isArray(value)) return value.map((v) => outgoing(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = outgoing(v, depth + 1);
  return out as T;
}
