/**
 * Checks a report's verify commands the way a user pastes them: each parses under POSIX sh (dash: no
 * process substitution, no bash-only syntax) unless it declares bash, and every `*.pem` it names is either a
 * file the user gave, a file the command itself writes first (`… > peer-chain.pem && …`), or the placeholder of
 * a file the user did NOT give (TRUST.pem without --trust). Used by the scenario suite (test/support/faces.ts)
 * and by test/rules/verify-commands.test.ts.
 */
import { spawnSync } from 'node:child_process';

/** Placeholder → the flag whose file it stands for. A placeholder is wrong when that flag was given. */
const PLACEHOLDERS: Record<string, string> = {
  'CHAIN.pem': '--chain',
  'CERT-CHAIN.pem': '--chain',
  'TRUST.pem': '--trust',
  'ROOT.pem': '--trust',
  'ROOT-CERT.pem': '--trust',
  'KEY.pem': '--key',
  'PEER-TRUST.pem': '--peer-trust',
  'PEER-ROOT-CERT.pem': '--peer-trust',
};

const FILE_FLAGS = new Set(['--chain', '--key', '--trust', '--peer-trust', '--ca', '--crl']);

/** The file paths an argv names, by flag. */
export function filesOf(argv: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  argv.forEach((a, i) => {
    const v = argv[i + 1];
    if (FILE_FLAGS.has(a) && v !== undefined) out.set(a, [...(out.get(a) ?? []), v]);
  });
  return out;
}

const unquote = (w: string) => w.replace(/^'(.*)'$/, '$1');

/** Problems with one verify command given the argv that produced it; empty when it is fine. */
export function verifyCommandProblems(cmd: string, argv: readonly string[]): string[] {
  const problems: string[] = [];
  const declaresBash = /^\s*bash\b|#\s*needs bash/.test(cmd);
  if (!declaresBash) {
    const r = spawnSync('sh', ['-n', '-c', cmd], { encoding: 'utf8', timeout: 10_000 });
    if (r.status !== 0) problems.push(`does not parse under sh: ${r.stderr.trim()}`);
  }
  const files = filesOf(argv);
  const given = new Set([...files.values()].flat().flatMap((p) => [p, p.split('/').pop()!]));
  const written = new Set([...cmd.matchAll(/>\s*([^\s&|;]+\.pem)/g)].map((m) => unquote(m[1]!)));
  for (const m of cmd.matchAll(/'[^']*\.pem'|[\w./@%+=:-]+\.pem\b/g)) {
    const word = unquote(m[0]);
    if (given.has(word) || written.has(word)) continue;
    const flag = PLACEHOLDERS[word];
    if (flag && !files.has(flag)) continue;
    problems.push(flag ? `uses the placeholder ${word} although ${flag} ${files.get(flag)!.join(', ')} was given` : `names ${word}, which the user did not give and the command does not write`);
  }
  return problems;
}

/** Every problem of every finding's verify command in a JSON report. */
export function reportVerifyProblems(report: { findings: Array<{ rule: string; verify: string }> }, argv: readonly string[]): string[] {
  return report.findings.flatMap((f) => verifyCommandProblems(f.verify, argv).map((p) => `${f.rule}: ${p}\n    ${f.verify}`));
}
