import type { Finding, Report, ReportCert, Severity } from './types.js';
import { makeStyle, type Style } from './style.js';
import { duration } from '../model/time.js';

const SEVERITY_LABEL: Record<Severity, string> = { critical: 'CRITICAL', error: 'ERROR', warning: 'WARNING', info: 'INFO' };

function sevColor(st: Style, s: Severity): (x: string) => string {
  return s === 'critical' || s === 'error' ? st.red : s === 'warning' ? st.yellow : st.blue;
}

/** Wraps a paragraph to `width` columns with an indent on every line. */
function wrap(text: string, indent: string, width = 100): string {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && indent.length + line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines.map((l) => indent + l).join('\n');
}

/** The text report for a terminal: verdict, ranked findings with fix and verify, the chain tree, a timeline. */
export function renderText(report: Report, opts: { color: boolean; width?: number }): string {
  const st = makeStyle(opts.color);
  const now = Date.parse(report.evaluatedAt);
  const out: string[] = [];
  const verdict = report.verdict.toUpperCase();
  const vColor = report.verdict === 'failing' ? st.red : report.verdict === 'at-risk' ? st.yellow : report.verdict === 'healthy' ? st.green : st.dim;
  out.push(`${st.bold('mtls-doctor')} ${vColor(st.bold(verdict))}  ${st.dim(`evaluated at ${report.evaluatedAt}`)}`);
  if (report.symptom) out.push(`symptom (${report.symptom.source}): ${report.symptom.code} — ${report.symptom.detail}`);
  out.push('');

  if (report.findings.length === 0) {
    if (report.symptom) {
      // Failures were observed: never call that "no problems". Nothing we hold explains them.
      out.push(st.yellow('Nothing in this evidence explains the symptom above: the cause is likely on the other side (its'));
      out.push(st.yellow('certificates, trust bundle or policy), or in evidence not collected here (see "not evaluated" and sources).'));
    } else out.push(report.verdict === 'unknown' ? st.dim('Nothing could be evaluated: see "not evaluated" below.') : st.green('No problems found.'));
  } else {
    out.push(st.bold(`Findings (${report.findings.length}), most likely cause first`));
    for (const f of report.findings) out.push(renderFinding(f, st));
  }

  for (const chain of report.chains) {
    out.push('');
    out.push(st.bold(`Chain (${chain.subject})`) + st.dim(chain.end === 'missing-issuer' ? '  — ends without a known issuer' : ''));
    chain.certificates.forEach((c, i) => {
      const pad = i === 0 ? '  ' : '  ' + '   '.repeat(i - 1) + '└─ ';
      const trusted = c.trustedBy.length ? st.green(` [trusted by ${c.trustedBy.join(', ')}]`) : '';
      const from = c.presented ? '' : st.dim(' (not presented)');
      out.push(`${pad}${c.role} "${c.name}"${trusted}${from} ${st.dim(c.source)}`);
      if (c.identities.length) out.push(`${' '.repeat(pad.length + 2)}${st.dim(c.identities.join(', '))}`);
    });
    out.push('');
    out.push(renderTimeline(chain.certificates, now, st));
  }

  if (report.notEvaluated.length) {
    out.push('');
    const byNeed = new Map<string, string[]>();
    for (const n of report.notEvaluated) {
      const key = n.reason === 'insufficient-evidence' ? `needs ${n.missing.join(' and ')}` : n.reason === 'rule-error' ? `rule error: ${n.detail ?? ''}` : 'not applicable';
      byNeed.set(key, [...(byNeed.get(key) ?? []), n.rule]);
    }
    out.push(st.bold(`Not evaluated (${report.notEvaluated.length} rule${report.notEvaluated.length === 1 ? '' : 's'})`));
    for (const [need, ids] of byNeed) out.push(`  ${need}: ${st.dim(ids.join(', '))}`);
  }
  const unavailable = report.sources.filter((s) => s.status !== 'ok');
  if (unavailable.length) {
    out.push('');
    out.push(st.bold('Sources not used'));
    for (const s of unavailable) out.push(`  ${s.name}: ${s.status}${s.reason ? ` — ${s.reason}` : ''}`);
  }
  return out.join('\n') + '\n';
}

function renderFinding(f: Finding, st: Style): string {
  const c = sevColor(st, f.severity);
  const lines: string[] = [''];
  const tag = f.explainsSymptom ? st.bold(' ◀ explains the symptom') : '';
  const caused = f.causedBy ? st.dim(` (consequence of ${f.causedBy})`) : '';
  lines.push(`${st.bold(String(f.rank).padStart(2))}. ${c(SEVERITY_LABEL[f.severity])} ${st.bold(f.title)} ${st.dim(`[${f.rule}, ${f.subject}]`)}${caused}${tag}`);
  lines.push(wrap(f.explanation, '    '));
  for (const e of f.evidence) lines.push(st.dim(wrap(`evidence: ${e.source}: ${e.detail}`, '    ').replace(/\n {4}/g, '\n              ')));
  f.remediation.forEach((r, i) => lines.push(wrap(r, '         ').replace(/^ {9}/, i === 0 ? '    fix: ' + (f.remediation.length > 1 ? '1. ' : '') : `         ${i + 1}. `)));
  lines.push(`    verify: ${st.blue(f.verify)}`);
  lines.push(st.dim(`    docs: ${f.docs}`));
  return lines.join('\n');
}

/** Log-scale axis of remaining validity: 1 hour … 20 years, so a 24 h leaf and a 10-year root both show. */
const AXIS = [
  { label: '1h', ms: 3600_000 },
  { label: '1d', ms: 86_400_000 },
  { label: '1w', ms: 7 * 86_400_000 },
  { label: '30d', ms: 30 * 86_400_000 },
  { label: '1y', ms: 365 * 86_400_000 },
  { label: '10y', ms: 3650 * 86_400_000 },
];
const LO = Math.log(600_000);
const HI = Math.log(20 * 365 * 86_400_000);

function pos(ms: number, width: number): number {
  if (ms <= 600_000) return ms > 0 ? 1 : 0;
  return Math.max(1, Math.min(width, Math.round(((Math.log(ms) - LO) / (HI - LO)) * width)));
}

export function renderTimeline(certs: ReportCert[], now: number, st: Style, width = 48): string {
  const lines: string[] = [st.dim('  remaining validity (log scale)')];
  const labelW = Math.max(...certs.map((c) => c.role.length)) + 1;
  for (const c of certs) {
    const left = Date.parse(c.notAfter) - now;
    const notYet = Date.parse(c.notBefore) > now;
    const n = left > 0 ? pos(left, width) : 0;
    const color = left <= 0 || notYet ? st.red : left < 7 * 86_400_000 && c.role !== 'leaf' ? st.yellow : st.green;
    const bar = color('█'.repeat(n)) + st.dim('·'.repeat(width - n));
    const text = notYet ? `not valid for ${duration(Date.parse(c.notBefore) - now)}` : left <= 0 ? `EXPIRED ${duration(-left)} ago` : `${duration(left)} left`;
    lines.push(`  ${c.role.padEnd(labelW)}│${bar}│ ${color(text)}`);
  }
  let ticks = ' '.repeat(width + 2);
  for (const a of AXIS) {
    const p = pos(a.ms, width);
    ticks = ticks.slice(0, p) + a.label + ticks.slice(p + a.label.length);
  }
  lines.push(`  ${' '.repeat(labelW)}${st.dim(ticks.trimEnd())}`);
  return lines.join('\n');
}
