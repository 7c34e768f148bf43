/**
 * yargs' validation messages, as one line a person can act on: which command or value is wrong and what the
 * right ones are. "Invalid values: Argument: output, Given: …" and "Not enough non-option arguments: got 0,
 * need at least 1" are yargs' words, not ours; a word that is not a command is an unknown command, not an
 * extra argument.
 */
import { unknownArgumentMessage } from './flags.js';

/** What the failing parse knew: the command line, the commands, the flags and choices of the command being parsed. */
export interface UsageContext {
  argv: readonly string[];
  prog: string;
  /** Every command, in the order `--help` lists them, with the usage yargs was given (`rotation <action>`). */
  commands: ReadonlyArray<{ name: string; usage: string }>;
  /** The command path being parsed (empty: none yet). */
  command: readonly string[];
  /** The flags of that command (long names). */
  known: readonly string[];
  /** The choices of its flags and positionals. */
  choices: Readonly<Record<string, readonly unknown[]>>;
}

/** Sentinel for demandCommand: replaced by the list of every command. */
export const NO_COMMAND = 'mtls-doctor:no-command';

const orList = (xs: readonly string[]) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}`);

/** "diagnose, explain, …, demo or completion": every command. */
export function commandList(ctx: Pick<UsageContext, 'commands'>): string {
  return orList(ctx.commands.map((c) => c.name));
}

/** The first word of the command line that is not a flag or a flag's value. */
function firstWord(argv: readonly string[]): string | undefined {
  return argv.find((a) => !a.startsWith('-'));
}

/** The positional names in a command's usage: `rotation <action>` → ['action']. */
const positionals = (usage: string) => [...usage.matchAll(/[<[]([\w-]+)(?:\.\.)?[>\]]/g)].map((m) => m[1]!);

/** One line for a yargs validation message; the message itself when it is not one of yargs' own. */
export function usageMessage(msg: string, ctx: UsageContext): string {
  const text = msg.trim();
  const prog = ctx.prog;
  const all = commandList(ctx);
  if (text === NO_COMMAND) return all ? `Give a command: ${all} (${prog} --help says what each does)` : `Give a command (${prog} --help lists them)`;

  const cmd = ctx.command[ctx.command.length - 1];
  const word = firstWord(ctx.argv);
  // Outside any command, a bare word is a command name that does not exist ("Did you mean …?" when it is near one).
  if (!cmd && word !== undefined && all && !ctx.commands.some((c) => c.name === word)) {
    const near = /^Did you mean (\S+)\?$/.exec(text)?.[1];
    if (near || /^Unknown arguments?: /.test(text)) return `Unknown command "${word}"${near ? ` (did you mean ${near}?)` : ''}: the commands are ${all} (${prog} --help)`;
  }

  const missing = /^Not enough non-option arguments: got (\d+), need at least (\d+)$/.exec(text);
  if (missing && cmd) {
    const usage = ctx.commands.find((c) => c.name === cmd)?.usage ?? cmd;
    const needed = positionals(usage).slice(Number(missing[1]));
    const what = needed.map((p) => (ctx.choices[p]?.length ? `${/^[aeiou]/.test(p) ? 'an' : 'a'} ${p}: ${orList(ctx.choices[p]!.map(String))}` : `<${p}>`)).join(' and ');
    return `${cmd} needs ${what || `its ${usage.replace(/^\S+\s*/, '')}`} (${prog} ${cmd} --help)`;
  }

  if (/^Invalid values?:/.test(text)) {
    const parts = [...text.matchAll(/Argument: ([\w-]+), Given: ("[^"]*"|\S+), Choices: (.+)$/gm)].map((m) => {
      const [, name, given, choices] = m;
      const options = orList([...choices!.matchAll(/"([^"]*)"|([^,\s]+)/g)].map((c) => c[1] ?? c[2]!));
      const usage = ctx.commands.find((c) => c.name === cmd)?.usage ?? '';
      if (positionals(usage).includes(name!)) return `${cmd} has no ${name} ${given}: use ${options}`;
      return `Cannot use --${name} ${given}: use ${options}`;
    });
    if (parts.length) return parts.join('; ');
  }

  return unknownArgumentMessage(text, ctx.known, ctx.argv) ?? text;
}
