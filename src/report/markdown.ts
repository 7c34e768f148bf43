import { docsCommand } from '../model/docs.js';
import type { Report } from './types.js';

const ICON: Record<string, string> = { critical: '🔴', error: '🔴', warning: '🟡', info: '🔵' };
const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Markdown for tickets, PRs and chat: verdict, a findings table, then each finding's fix and verify. */
export function renderMarkdown(report: Report): string {
  const out: string[] = [];
  out.push(`## mtls-doctor: ${report.verdict.toUpperCase()}`);
  out.push('');
  out.push(`Evaluated at \`${report.evaluatedAt}\` by ${report.tool.name} ${report.tool.version}.`);
  if (report.symptom) out.push(`\nSymptom (${report.symptom.source}): \`${report.symptom.code}\` — ${report.symptom.detail}`);
  // Sources cut short by their cap or the diagnosis's deadline (issue 22): what each kept from being judged.
  const late = report.sources.filter((s) => s.timedOut);
  if (late.length) {
    out.push('');
    out.push('Timed out (not judged):');
    for (const s of late) out.push(`- ${esc(s.name)}${s.notJudged ? ` — ${esc(s.notJudged)}` : ''}`);
  }
  out.push('');
  if (report.findings.length === 0) {
    out.push(report.symptom ? '_Nothing in this evidence explains the symptom: the cause is likely on the other side, or in evidence not collected here._' : report.verdict === 'unknown' ? (late.length ? '_No problems found in what was read, but the sources above timed out._' : '_Nothing could be evaluated._') : 'No problems found.');
  } else {
    out.push('| # | severity | rule | subject | finding |');
    out.push('|---|---|---|---|---|');
    for (const f of report.findings) out.push(`| ${f.rank} | ${ICON[f.severity]} ${f.severity} | \`${f.rule}\` | ${f.subject} | ${esc(f.title)}${f.causedBy ? ` (consequence of \`${f.causedBy}\`)` : ''} |`);
    for (const f of report.findings) {
      out.push('');
      out.push(`### ${f.rank}. ${f.title} (\`${f.rule}\`)`);
      out.push('');
      out.push(f.explanation);
      if (f.evidence.length) {
        out.push('');
        out.push('Evidence:');
        for (const e of f.evidence) out.push(`- ${e.source}: ${e.detail}`);
      }
      out.push('');
      out.push('Fix:');
      f.remediation.forEach((r, i) => out.push(`${i + 1}. ${r}`));
      out.push('');
      out.push('Verify:');
      out.push('```sh');
      out.push(f.verify);
      out.push('```');
      out.push(`Docs: \`${docsCommand(f.rule)}\` (${f.docs} in the package)`);
    }
  }
  for (const chain of report.chains) {
    out.push('');
    if (chain.subject === 'ca') {
      // The mesh CA's certificates on their own (--ca): each level's subject, issuer and expiry.
      out.push('### CA levels (--ca), issuing CA first', '', '| role | subject | issuer | not after | source |', '|---|---|---|---|---|');
      for (const c of chain.certificates) out.push(`| ${c.role} | ${esc(c.subject)} | ${esc(c.issuer)} | ${c.notAfter} | ${esc(c.source)} |`);
      continue;
    }
    out.push(`### Chain (${chain.subject})`);
    out.push('');
    out.push('| role | name | not after | trusted by | source |');
    out.push('|---|---|---|---|---|');
    for (const c of chain.certificates) out.push(`| ${c.role} | ${esc(c.name)} | ${c.notAfter} | ${c.trustedBy.join(', ') || '—'} | ${esc(c.source)} |`);
  }
  if (report.notEvaluated.length) {
    out.push('');
    out.push(`<details><summary>Not evaluated (${report.notEvaluated.length})</summary>\n`);
    for (const n of report.notEvaluated) out.push(`- \`${n.rule}\`: ${n.reason}${n.missing.length ? ` — needs ${n.missing.join(', ')}` : ''}${n.detail ? ` (${n.detail})` : ''}`);
    out.push('\n</details>');
  }
  return out.join('\n') + '\n';
}
