import { exitCodeFor, isMtlsDoctorError, MtlsDoctorError } from '../errors.js';
import { redact } from '../redact.js';
import type { Io } from './io.js';

/** An error as the CLI shows it: one line on stderr (and the stack with --debug); returns the exit code. */
export function reportError(e: unknown, io: Io, debug: boolean): number {
  const err = isMtlsDoctorError(e) ? e : new MtlsDoctorError('E_INTERNAL', `Internal error: ${(e as Error)?.message ?? String(e)} (run with --debug and report it)`, { cause: e });
  // One line, always: yargs' multi-line messages are folded, never cut.
  io.stderr.write(`mtls-doctor: ${redact(err.message).trim().replace(/\s*\n\s*/g, ' ')}\n`);
  if (debug) io.stderr.write(`${redact((err.cause as Error)?.stack ?? err.stack ?? '')}\n`);
  return exitCodeFor(err);
}
