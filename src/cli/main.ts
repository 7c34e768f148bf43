/**
 * The `mtls-doctor` command: a thin shell over the library. Every error becomes one line on stderr and an
 * exit code from errors.ts (2 bad usage/input, 3 no evidence); a stack trace only with --debug.
 */
import { runDiagnose, type DiagnoseArgs } from './diagnose.js';
import { fastDiagnoseArgs } from './fast-args.js';
import { cobraCompletions, invokedAsKubectlCompletion, invokedAsKubectlPlugin, kubectlArgs, PLUGIN_NAME } from './kubectl-plugin.js';
import { reportError } from './report-error.js';
import { bindStdinDashes } from './stdin-dashes.js';
import type { CliHooks, Io } from './io.js';

/**
 * Parses `argv` with this CLI's definitions without running anything: the parsed arguments of the command, or a
 * usage error with the CLI's own message. `serve` parses chat text with it, so chat and the CLI share one grammar.
 */
export async function parseOnly(argv: string[]): Promise<Record<string, unknown>> {
  return (await import('./yargs-main.js')).parseOnly(argv);
}

export async function main(argvIn: string[], io: Io, hooks: CliHooks = {}): Promise<number> {
  const argv = bindStdinDashes(argvIn);
  // The plain `diagnose --chain … --trust …` line without loading yargs (issue 22: start-up); serve's chat
  // parsing (hooks.parsed) and every other line go through yargs.
  const fast = hooks.parsed ? null : fastDiagnoseArgs(argv, io.prog ?? 'mtls-doctor');
  if (fast) {
    try {
      return await runDiagnose(fast as DiagnoseArgs, io);
    } catch (e) {
      return reportError(e, io, false);
    }
  }
  const { parseAndRun } = await import('./yargs-main.js');
  return parseAndRun(argv, io, hooks);
}

/** Runs the CLI on this process's arguments and sets the exit code. The bin (dist/cli.cjs) calls this. */
export function run(): Promise<void> {
  const plugin = invokedAsKubectlPlugin(process.argv[1], process.execPath, process.env);
  const io: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env, ...(plugin ? { prog: PLUGIN_NAME } : {}) };
  // `mtls-doctor … | head`: a reader that stops early is not an error (no EPIPE stack trace).
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const argv = process.argv.slice(2);
  if (invokedAsKubectlCompletion(process.argv[1])) return completeForKubectl(argv, io);
  return main(plugin ? kubectlArgs(argv) : argv, io).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.exitCode = reportError(e, io, process.argv.includes('--debug'));
    },
  );
}

/** `kubectl_complete-mtls_doctor WORDS…`: yargs' candidates (it prints them with console.log) in Cobra's format. */
async function completeForKubectl(words: string[], io: Io): Promise<void> {
  const candidates: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => void candidates.push(a.join(' '));
  try {
    await main(['--get-yargs-completions', ...kubectlArgs(words)], { ...io, stdout: { write: () => true } });
  } finally {
    console.log = log;
  }
  io.stdout.write(cobraCompletions(candidates, words));
}
