/**
 * `kubectl mtls-doctor …`: kubectl runs the executable `kubectl-mtls_doctor` from PATH with the words after
 * the plugin name (npm installs it beside `mtls-doctor`; the single executable becomes one by its name). kubectl
 * users put --context, -n/--namespace and --kubeconfig anywhere, also before the subcommand, where kubectl
 * itself refuses them for plugins and yargs would read the namespace as the command: they are moved after
 * the subcommand, untouched otherwise (the cluster flags are the diagnose command's own, as kubectl's).
 */
import { basename } from 'node:path';

export const PLUGIN_NAME = 'kubectl mtls-doctor';

/**
 * kubectl's shell completion for plugins (kubectl 1.26+): `kubectl mtls-doctor diag<TAB>` runs the executable
 * `kubectl_complete-mtls_doctor` with the words after the plugin name (the last one being completed) and reads
 * Cobra's format: one candidate a line, then `:DIRECTIVE` (4: no file names; 0: let the shell offer files).
 */
export function invokedAsKubectlCompletion(argv1: string | undefined): boolean {
  return argv1 !== undefined && /^kubectl_complete-mtls_doctor(\.c?js)?$/.test(basename(argv1));
}

/** The Cobra answer from the CLI's own (yargs) candidates for `words`: those that extend the last word. */
export function cobraCompletions(candidates: string[], words: string[]): string {
  const current = words.at(-1) ?? '';
  const matching = candidates.filter((c) => c !== '' && c.startsWith(current));
  return [...matching, `:${matching.length ? 4 : 0}`].join('\n') + '\n';
}

/** kubectl's global flags that take a value, as the CLI's diagnose command takes them. */
const VALUE_FLAGS = new Set(['--context', '--kubeconfig', '--namespace', '-n']);

/** True when this process was started as the kubectl plugin (its executable or script name). */
export function invokedAsKubectlPlugin(argv1: string | undefined, execPath: string, env: NodeJS.ProcessEnv): boolean {
  if (env.MTLS_DOCTOR_KUBECTL_PLUGIN === '1') return true;
  return [argv1, execPath].some((p) => p !== undefined && /^kubectl-mtls_doctor(\.c?js)?$/.test(basename(p)));
}

/**
 * Moves kubectl's global flags (with their values) from before the subcommand to right after it:
 * `-n prod --context=east diagnose pod/x` → `diagnose -n prod --context=east pod/x`. Arguments after `--`
 * and everything once the subcommand is seen are left as they are.
 */
export function kubectlArgs(args: string[]): string[] {
  const moved: string[] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    const name = a.startsWith('--') ? a.split('=')[0]! : a;
    if (VALUE_FLAGS.has(name)) {
      moved.push(a);
      if (!a.includes('=') && i + 1 < args.length) moved.push(args[++i]!);
    } else if (/^-n./.test(a)) {
      moved.push(a); // -nprod
    } else break;
  }
  if (!moved.length || i >= args.length || args[i]!.startsWith('-')) return args;
  return [args[i]!, ...moved, ...args.slice(i + 1)];
}
