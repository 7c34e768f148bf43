/**
 * Flag hygiene for every command, before any work: a flag that takes one value refuses a repeat (yargs would
 * otherwise hand an array to code that expects a string), and a mistyped flag gets the nearest real one.
 */
import { usageError } from '../errors.js';
import { editDistance } from '../diagnose/edit-distance.js';
import { REQUEST_FIELDS, type RequestField } from '../diagnose/request.js';

/** Flags documented as repeatable (DESIGN.md's contract), in their long form: the request table's list options. */
export const REPEATABLE: readonly string[] = (REQUEST_FIELDS as readonly RequestField[]).flatMap((f) => (f.cli?.array ? [f.flag!] : []));

const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const quote = (v: unknown) => (typeof v === 'string' ? `"${v}"` : String(v));

/**
 * Refuses a flag given without its value, and a single-value flag given more than once (exit 2, one line). Positionals (`_`, `text`, `id`) and
 * booleans given twice (`--debug --debug`, harmless) are left alone.
 */
export function refuseRepeats(args: Record<string, unknown>, positionals: readonly string[] = ['text']): void {
  const repeatable = new Set<string>([...REPEATABLE, ...positionals]);
  for (const [key, value] of Object.entries(args)) {
    // `_`, `$0` and `--` (what follows a bare --) are yargs' own; one-letter keys are aliases of long flags.
    if (key === '_' || key === '$0' || key === '--' || key.length === 1) continue;
    const name = kebab(key);
    // `--chain` at the end of the line, or followed by another flag: yargs gives "" (or [] for a list).
    if (!positionals.includes(name) && (value === '' || (Array.isArray(value) && (value.length === 0 || value.includes(''))))) {
      throw usageError(`Cannot use --${name}: it needs a value (mtls-doctor COMMAND --help says which)`);
    }
    if (!Array.isArray(value)) continue;
    if (repeatable.has(name) || value.every((v) => typeof v === 'boolean')) continue;
    throw usageError(`Cannot use --${name} more than once (given ${value.map(quote).join(', ')}): it takes one value. Repeatable flags: ${REPEATABLE.map((r) => `--${r}`).join(', ')}`);
  }
}

/** The nearest known flag to a mistyped one, when it is near enough to be a typo. */
export function nearestFlag(typed: string, known: readonly string[]): string | null {
  const t = typed.replace(/^-+/, '');
  let best: { name: string; d: number } | null = null;
  for (const k of known) {
    if (k.length < 2) continue;
    const d = editDistance(t, k);
    if (!best || d < best.d) best = { name: k, d };
  }
  return best && best.d <= Math.max(2, Math.floor(t.length / 3)) ? best.name : null;
}

/**
 * yargs' "Unknown argument(s): a, b" as one line with "did you mean" for each flag that is a near miss.
 * Returns null for any other message.
 */
export function unknownArgumentMessage(msg: string, known: readonly string[], argv: readonly string[] = []): string | null {
  const m = /^Unknown arguments?: (.+)$/.exec(msg.trim());
  if (!m) return null;
  const all = m[1]!.split(', ');
  // yargs names unknown flags and extra positionals alike; a bare word the user typed is an extra positional.
  const extra = all.filter((a) => argv.includes(a));
  if (extra.length) return `Unexpected argument${extra.length === 1 ? '' : 's'} ${extra.map((a) => `"${a}"`).join(', ')}: a command takes at most one TARGET (quote text that has spaces); see mtls-doctor COMMAND --help`;
  const parts = all.map((a) => {
    const flag = a.length === 1 ? `-${a}` : `--${a}`;
    const near = nearestFlag(a, known);
    return near ? `${flag} (did you mean --${near}?)` : flag;
  });
  return `Unknown option${parts.length === 1 ? '' : 's'} ${parts.join(', ')}; see mtls-doctor COMMAND --help`;
}
