/**
 * Checks shared by the library's argument validation (src/diagnose/check-arguments.ts for `diagnose(options)`,
 * src/explain/check-options.ts for `explain(text, options)`): how a wrong value is described, and the time `at`.
 */
import { MtlsDoctorError } from '../errors.js';

/** Dates a JavaScript Date can hold: ±8.64e15 ms around the epoch (ECMA-262 §21.4.1.1). */
const MAX_TIME_MS = 8.64e15;

const fail = (field: string, what: string) => new MtlsDoctorError('E_USAGE', `Cannot diagnose: "${field}" ${what}`);

/** A wrong value as a message names it: `null`, `a list`, `"x"`, `number 42`, `a Map`, `an object`. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return v.length > 40 ? 'a string' : `"${v}"`;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  return typeof v === 'object' ? (v.constructor?.name && v.constructor.name !== 'Object' ? `a ${v.constructor.name}` : 'an object') : typeof v;
}

/** A plain object (not null, a list or bytes). */
export const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);

/** A time the library accepts (`at`): a valid Date, an ISO 8601 string, or epoch milliseconds a Date can hold. */
export function checkTime(field: string, v: unknown): void {
  if (v === undefined) return;
  const t = v instanceof Date ? v.getTime() : typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
  if (!(v instanceof Date) && typeof v !== 'number' && typeof v !== 'string') throw fail(field, `is ${describe(v)}; expected a Date, an ISO 8601 string such as 2026-11-29T02:47:00Z, or epoch milliseconds`);
  // Worded as the CLI words it (the field is --at there), so that one message serves every face.
  if (!Number.isFinite(t) || Math.abs(t) > MAX_TIME_MS) {
    throw new MtlsDoctorError('E_USAGE', `Cannot use --at "${v instanceof Date ? 'Invalid Date' : String(v)}": expected an ISO 8601 time such as 2026-11-29T02:47:00Z (or a Date, or epoch milliseconds a Date can hold)`);
  }
}
