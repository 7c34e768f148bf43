/**
 * One error type for everything a user can cause or meet. The `code` is stable and is the only thing
 * callers match on; exit codes are mapped from it here and nowhere else.
 */
export type ErrorCode =
  | 'E_USAGE' // bad flags or arguments
  | 'E_INPUT' // a file or value that cannot be used
  | 'E_NO_EVIDENCE' // nothing could be collected at all
  | 'E_COLLECT' // a source failed (normally recorded as evidence, not thrown)
  | 'E_INTERNAL'; // a bug

export class MtlsDoctorError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MtlsDoctorError';
    this.code = code;
  }
}

export const usageError = (message: string) => new MtlsDoctorError('E_USAGE', message);
export const inputError = (message: string, cause?: unknown) => new MtlsDoctorError('E_INPUT', message, { cause });

/**
 * Exit codes of the CLI contract (DESIGN.md): 2 bad usage or input, 3 no evidence at all — and nothing but
 * 0–3. A bug (E_INTERNAL, or anything thrown that is not ours) also ends without a diagnosis: 3, with a
 * message that says it is an internal error to report.
 */
export function exitCodeFor(error: unknown): number {
  if (isMtlsDoctorError(error)) {
    switch (error.code) {
      case 'E_USAGE':
      case 'E_INPUT':
        return 2;
      default:
        return 3;
    }
  }
  return 3;
}

/**
 * Also true for an error made by another copy of this class: the cluster collector is a separately bundled
 * chunk (scripts/build.mjs) with its own copy of this module, so `instanceof` alone would miss its errors.
 */
export function isMtlsDoctorError(error: unknown): error is MtlsDoctorError {
  if (error instanceof MtlsDoctorError) return true;
  const e = error as { name?: unknown; code?: unknown } | null;
  return !!e && typeof e === 'object' && e.name === 'MtlsDoctorError' && typeof e.code === 'string' && /^E_[A-Z_]+$/.test(e.code);
}

/**
 * Why JSON.parse refused a file's text, in words that never quote the file (V8's messages quote it, cut
 * mid-line, and the file may hold anything: another file given by mistake, a token, a key). With the line
 * and column when the parser says where.
 */
export function jsonSyntaxProblem(text: string, e: unknown): string {
  const body = text.replace(/^\uFEFF/, '').trimStart();
  if (!body) return 'it is empty';
  if (!/^[{["]|^-?\d|^(true|false|null)\b/.test(body)) return 'it is not JSON';
  const msg = String((e as Error | undefined)?.message ?? '');
  const at = /at position (\d+)/.exec(msg);
  if (at) {
    const before = text.slice(0, Number(at[1]));
    return `not valid JSON at line ${before.split('\n').length}, column ${before.length - before.lastIndexOf('\n')}`;
  }
  if (/end of JSON input/.test(msg)) return 'not valid JSON: it ends before the JSON does (cut short?)';
  return 'not valid JSON: an unexpected character';
}
