import { MtlsDoctorError } from '../errors.js';
import { checkTime, describe, isPlainObject } from '../model/check-value.js';

/** Checks `explain(text, options)`'s options (the text itself is checked by explain). */
export function checkExplainOptions(options: unknown): void {
  if (options === undefined) return;
  if (!isPlainObject(options)) throw new MtlsDoctorError('E_USAGE', `Cannot explain: expected an options object such as { at }, got ${describe(options)}`);
  try {
    checkTime('at', options.at);
  } catch (e) {
    throw new MtlsDoctorError('E_USAGE', (e as Error).message.replace(/^Cannot diagnose/, 'Cannot explain'));
  }
}
