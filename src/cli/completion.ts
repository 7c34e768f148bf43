/**
 * `mtls-doctor completion [bash|zsh]`: the shell completion script for the shell asked for (default: the one
 * $SHELL names). The script asks `mtls-doctor --get-yargs-completions WORDS…` for the candidates (yargs answers:
 * commands, flags, choices). `completion --help` explains instead of printing a script.
 */
import { usageError } from '../errors.js';

const SHELLS = ['bash', 'zsh'] as const;

const fnName = (bin: string) => `_${bin.replace(/[^A-Za-z0-9_]/g, '_')}_completions`;

function bashScript(bin: string): string {
  const fn = fnName(bin);
  return `###-begin-${bin}-completions-###
# ${bin} completion for bash. Install: ${bin} completion bash >> ~/.bashrc
${fn}() {
  local IFS=$'\\n'
  local candidates
  candidates=$(${bin} --get-yargs-completions "\${COMP_WORDS[@]:0:COMP_CWORD+1}" 2>/dev/null)
  COMPREPLY=($(compgen -W "$candidates" -- "\${COMP_WORDS[COMP_CWORD]}"))
}
complete -o bashdefault -o default -F ${fn} ${bin}
###-end-${bin}-completions-###
`;
}

function zshScript(bin: string): string {
  const fn = fnName(bin);
  return `#compdef ${bin}
###-begin-${bin}-completions-###
# ${bin} completion for zsh. Install: ${bin} completion zsh >> ~/.zshrc (after compinit)
${fn}() {
  local -a candidates
  candidates=("\${(@f)$(SHELL=zsh ${bin} --get-yargs-completions "\${(@)words[1,CURRENT]}" 2>/dev/null)}")
  if (( \${#candidates[@]} )) && [[ -n "\${candidates[1]}" ]]; then
    _describe 'values' candidates
  else
    _default
  fi
}
compdef ${fn} ${bin}
###-end-${bin}-completions-###
`;
}

function help(prog: string): string {
  return `${prog} completion [bash|zsh]

Print the shell completion script for bash or zsh (default: the shell $SHELL names). Commands, flags and their
values complete with TAB.

  ${prog} completion bash >> ~/.bashrc     bash: then open a new shell
  ${prog} completion zsh >> ~/.zshrc       zsh: after compinit; then open a new shell

As a kubectl plugin, kubectl (1.26+) completes \`kubectl mtls-doctor\` itself through kubectl_complete-mtls_doctor.
Docs: docs/install.md#shell-completion
`;
}

/**
 * The text `completion …` prints, or null when the command line is not `completion`. A shell other than bash or
 * zsh, or extra words, is a usage error.
 */
export function completionScript(argv: readonly string[], prog: string, env: NodeJS.ProcessEnv): string | null {
  const words = argv.filter((a) => a !== '--debug');
  if (words[0] !== 'completion') return null;
  const rest = words.slice(1);
  if (rest.some((a) => a === '--help' || a === '-h' || a === 'help')) return help(prog);
  const flags = rest.filter((a) => a.startsWith('-'));
  if (flags.length) throw usageError(`Unknown option ${flags[0]} for completion: it takes only the shell, bash or zsh (${prog} completion --help)`);
  if (rest.length > 1) throw usageError(`completion takes one shell, bash or zsh; given ${rest.map((a) => `"${a}"`).join(', ')}`);
  const shell = rest[0] ?? (/zsh/.test(env.SHELL ?? '') ? 'zsh' : 'bash');
  if (!(SHELLS as readonly string[]).includes(shell)) throw usageError(`Cannot print a completion script for "${shell}": ${prog} completion supports bash and zsh`);
  if (prog.includes(' ')) throw usageError(`kubectl completes its plugins itself (kubectl 1.26+): put kubectl_complete-mtls_doctor on PATH beside kubectl-mtls_doctor`);
  return shell === 'zsh' ? zshScript(prog) : bashScript(prog);
}
