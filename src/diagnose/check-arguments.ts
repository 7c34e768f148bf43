/**
 * Typed validation of the library's arguments (`diagnose(options)`, `explain(text, options)`): every wrongly
 * typed value — `at: 2**64`, `evidence: {}`, `chain: null`, `trust: [42]`, `role: 'x'` — becomes an
 * `MtlsDoctorError` with code `E_USAGE` and one sentence naming the field and what it accepts, never a
 * TypeError or RangeError from deep inside. The checks are shallow and cheap; sizes and counts are the limits
 * table's (limits.ts), checked here too so that a hostile call is refused before anything is decoded.
 */
import { MtlsDoctorError } from '../errors.js';
import { formatBytes, LIMITS } from '../limits.js';
import { bundleShapeProblem } from '../evidence/bundle.js';
import { checkTime, describe, isPlainObject } from '../model/check-value.js';
import { REQUEST_FIELDS } from './request.js';

/** The certificate inputs (`kind` material: one; materials: one or a list), from the request's table. */
const MATERIALS = REQUEST_FIELDS.filter((f) => f.kind === 'materials').map((f) => f.name);
const MATERIAL = REQUEST_FIELDS.filter((f) => f.kind === 'material').map((f) => f.name);

const fail = (field: string, what: string) => new MtlsDoctorError('E_USAGE', `Cannot diagnose: "${field}" ${what}`);
/** Over a limit: the value has the right type but is too big (bad input, as for a file). */
const tooBig = (field: string, what: string) => new MtlsDoctorError('E_INPUT', `Cannot diagnose: "${field}" ${what}`);

const isContent = (v: unknown): v is string | Uint8Array => typeof v === 'string' || v instanceof Uint8Array;
/** A file named by path (`{ path }`), or content with a name (`{ name, data }`): the request's other material forms. */
const isFileRef = (v: unknown): boolean => isPlainObject(v) && typeof v.path === 'string' && Object.keys(v).length === 1;
const isNamed = (v: unknown): v is { name: string; data: string | Uint8Array } => isPlainObject(v) && typeof v.name === 'string' && isContent(v.data);
const CERT_INPUT = 'expected PEM or DER as a string or a Uint8Array/Buffer (or { name, data }, or { path })';

function checkInput(field: string, v: unknown): void {
  if (isFileRef(v)) return;
  const content = isNamed(v) ? v.data : v;
  if (!isContent(content)) throw fail(field, `is ${describe(v)}; ${CERT_INPUT}`);
  const size = typeof content === 'string' ? content.length : content.byteLength;
  // A string's byte length is at most 3× its length; the precise check follows in the decoder.
  if (size > LIMITS.fileBytes) throw tooBig(field, `is ${formatBytes(size)}, over the ${formatBytes(LIMITS.fileBytes)} limit for one input`);
}

function checkInputs(field: string, v: unknown): void {
  if (v === undefined) return;
  if (!Array.isArray(v)) return checkInput(field, v);
  if (v.length > LIMITS.inputsPerList) throw tooBig(field, `has ${v.length} inputs, over the limit of ${LIMITS.inputsPerList} in one list`);
  v.forEach((x, i) => checkInput(`${field}[${i}]`, x));
}

function checkOptionalString(field: string, v: unknown, max: number): void {
  if (v === undefined || v === null) return;
  if (typeof v !== 'string') throw fail(field, `is ${describe(v)}; expected a string`);
  if (Buffer.byteLength(v) > max) throw tooBig(field, `is over the ${formatBytes(max)} limit`);
}

/**
 * Checks `diagnose(options)`'s argument; returns it unchanged (typed) when it is usable, throws `E_USAGE`
 * otherwise. Unknown keys are left alone (a newer caller may pass more).
 */
export function checkDiagnoseArguments<T extends object>(options: unknown): T {
  if (!isPlainObject(options)) throw new MtlsDoctorError('E_USAGE', `Cannot diagnose: expected an options object such as { chain, trust }, got ${describe(options)}`);
  const o = options;
  if (o.evidence !== undefined && !isFileRef(o.evidence)) {
    if (typeof o.evidence === 'string') {
      if (Buffer.byteLength(o.evidence) > LIMITS.bundleBytes) throw tooBig('evidence', `is over the ${formatBytes(LIMITS.bundleBytes)} limit for a bundle`);
    } else {
      if (!isPlainObject(o.evidence)) throw fail('evidence', `is ${describe(o.evidence)}; expected a saved evidence bundle (the parsed JSON of --save-evidence)`);
      const problem = bundleShapeProblem(o.evidence);
      if (problem) throw fail('evidence', `is not a usable evidence bundle: ${problem}`);
      // The pipeline serialises a bundle object; a cycle or absurd nesting must be refused here, not crash there.
      try {
        JSON.stringify(o.evidence);
      } catch {
        throw fail('evidence', 'cannot be serialised (it holds a cycle or nests too deep); give the parsed JSON of a saved bundle');
      }
    }
  }
  for (const f of MATERIALS) {
    if (o[f] === null) throw fail(f, `is null; ${CERT_INPUT} (or a list of them), or leave it out`);
    checkInputs(f, o[f]);
  }
  for (const f of MATERIAL) if (o[f] !== undefined) checkInput(f, o[f]);
  if (o.maxChainDepth !== undefined && o.maxChainDepth !== null && typeof o.maxChainDepth !== 'string') {
    const d = o.maxChainDepth;
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0 || d > 1000) throw fail('maxChainDepth', `is ${describe(d)}; expected a whole number of intermediate CAs from 0 to 1000`);
  }
  if (o.role !== undefined && !['client', 'server', 'both'].includes(o.role as string)) throw fail('role', `is ${describe(o.role)}; expected "client", "server" or "both"`);
  // Repeatable (any one identity is enough): one string or a list of them.
  if (Array.isArray(o.expectId)) o.expectId.forEach((x, i) => checkOptionalString(`expectId[${i}]`, x, 4096));
  else checkOptionalString('expectId', o.expectId, 4096);
  checkOptionalString('symptom', o.symptom, LIMITS.textBytes);
  checkTime('at', o.at);
  if (o.thresholds !== undefined && !isPlainObject(o.thresholds)) throw fail('thresholds', `is ${describe(o.thresholds)}; expected an object such as { leaf: { warnFraction: 0.2 } }`);
  return options as T;
}
