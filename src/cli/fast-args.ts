/**
 * The common `diagnose` command lines read without yargs (issue 22: yargs and its help/width tables are ~200 KB
 * and ~20 ms of every start). Only the plainest form is read here: `diagnose` followed by known flags, each
 * `--flag VALUE` or `--flag=VALUE` (`-o VALUE`), each value one word that yargs would take as it is. Anything
 * else — a positional, a repeat, `--help`, `--debug`, a boolean or number flag, a value starting with `-`, a
 * quote or `=`, a choice not among the choices, `--` — returns null and yargs parses the line as always, so its
 * messages and behaviour stay the CLI's. What is returned is the object yargs would hand the command
 * (test/cli/fast-args.test.ts compares the two over many lines).
 */
import { argOf, REQUEST_FIELDS, type RequestField } from '../diagnose/request.js';

interface FastFlag {
  key: string;
  camel: string;
  alias?: string;
  array: boolean;
  choices?: readonly string[];
  /** What yargs sets when the flag is not given. */
  default?: string;
}

let table: Map<string, FastFlag> | undefined;

/** The flags read here: the diagnose command's string flags (diagnoseOptions), `-o/--output` and `--save-evidence`. */
function flags(): Map<string, FastFlag> {
  if (table) return table;
  table = new Map();
  const add = (f: FastFlag) => {
    table!.set(`--${f.key}`, f);
    if (f.alias) table!.set(`-${f.alias}`, f);
  };
  for (const f of REQUEST_FIELDS as readonly RequestField[]) {
    if (!f.flag || f.flag === 'TARGET' || !f.cli) continue;
    // Booleans and numbers have yargs' own readings (--no-x, "1e3", "true"): left to it.
    if (f.cli.type !== 'string' || (f.cli.default !== undefined && typeof f.cli.default !== 'string')) continue;
    add({ key: f.flag, camel: argOf(f), ...(f.alias ? { alias: f.alias } : {}), array: !!f.cli.array, ...(f.cli.choices ? { choices: f.cli.choices } : {}), ...(f.cli.default !== undefined ? { default: f.cli.default } : {}) });
  }
  add({ key: 'output', camel: 'output', alias: 'o', array: false, choices: ['text', 'json', 'markdown', 'slack'], default: 'text' });
  add({ key: 'save-evidence', camel: 'saveEvidence', array: false });
  return table;
}

/** A value yargs takes verbatim for a string flag: not empty, no leading dash or quote, no `=`. */
const plainValue = (v: string | undefined): v is string => v !== undefined && v !== '' && !/^[-'"]/.test(v) && !v.includes('=');

/**
 * `diagnose --chain c.pem --trust r.pem -o json` → the arguments yargs would give the diagnose command, or null
 * when the line is anything but that plain form.
 */
export function fastDiagnoseArgs(argv: readonly string[], prog = 'mtls-doctor'): Record<string, unknown> | null {
  if (argv[0] !== 'diagnose') return null;
  const known = flags();
  const given = new Map<FastFlag, string[]>();
  for (let i = 1; i < argv.length; i++) {
    const token = argv[i]!;
    const eq = token.startsWith('--') ? token.indexOf('=') : -1;
    const name = eq > 0 ? token.slice(0, eq) : token;
    const f = known.get(name);
    if (!f) return null;
    const value = eq > 0 ? token.slice(eq + 1) : argv[++i];
    if (!plainValue(value)) return null;
    if (f.choices && !f.choices.includes(value)) return null;
    // What follows a value is the next flag: a second word would be an array's next item or a positional.
    if (i + 1 < argv.length && !argv[i + 1]!.startsWith('-')) return null;
    const values = given.get(f) ?? [];
    if (values.length && !f.array) return null; // refused by name, by yargs' middleware
    given.set(f, [...values, value]);
  }
  const out: Record<string, unknown> = { _: ['diagnose'] };
  const set = (f: FastFlag, v: unknown) => {
    out[f.key] = v;
    if (f.camel !== f.key) out[f.camel] = v;
    if (f.alias) out[f.alias] = v;
  };
  for (const f of new Set(known.values())) if (f.default !== undefined && !given.has(f)) set(f, f.default);
  for (const [f, values] of given) set(f, f.array ? values : values[0]);
  out.$0 = prog;
  return out;
}
