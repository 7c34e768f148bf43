/** `--chain -` and the other flags that may read standard input: the dash bound to its flag before any parsing. */
import { REQUEST_FIELDS, type RequestField } from '../diagnose/request.js';

/** Flags whose value may be `-` (standard input): yargs would take a bare `-` for a positional. */
const STDIN_FLAGS = new Set((REQUEST_FIELDS as readonly RequestField[]).flatMap((f) => (f.cli?.stdin ? [`--${f.flag}`] : [])));

/** `--chain -` → `--chain=-`, so that the dash reaches the flag (up to a bare `--`). */
export function bindStdinDashes(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--') return [...out, ...argv.slice(i)];
    if (STDIN_FLAGS.has(argv[i]!) && argv[i + 1] === '-') {
      out.push(`${argv[i]}=-`);
      i++;
    } else out.push(argv[i]!);
  }
  return out;
}
