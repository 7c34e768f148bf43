import type { Finding, Report, ReportCert, Severity } from './types.js';
import { makeStyle, type Style } from './style.js';
import { duration } from '../model/time.js';
import { visible, wrapText } from './wrap.js';
import { docsCommand } from '../model/docs.js';

const SEVERITY_LABEL: Record<Severity, string> = { critical: 'CRITICAL', error: 'ERROR', warning: 'WARNING', info: 'INFO' };

function sevColor(st: Style, s: Severity): (x: string) => string {
  return s === 'critical' || s === 'error' ? st.red : s === 'warning' ? st.yellow : st.blue;
}

/** The text report for a terminal: verdict, ranked findings with fix and verify, the chain tree, a timeline. */
export function renderText(report: Report, opts: { color: boolean; width?: number | null }): string {
  const st = makeStyle(opts.color);
  const width = opts.width ?? null;
  const now = Date.parse(report.evaluatedAt);
  const out: string[] = [];
  const verdict = report.verdict.toUpperCase();
  const vColor = report.verdict === 'failing' ? st.red : report.verdict === 'at-risk' ? st.yellow : report.verdict === 'healthy' ? st.green : st.dim;
  out.push(`${st.bold('mtls-doctor')} ${vColor(st.bold(verdict))}  ${st.dim(`evaluated at ${report.evaluatedAt}`)}`);
  if (report.symptom) out.push(wrapText(`${report.symptom.code} — ${report.symptom.detail}`, width, `symptom (${report.symptom.source}): `, '  '));
  for (const s of report.sources) if (s.peerStack) out.push(st.dim(wrapText(s.peerStack, width, 'peer stack: ', '  ')));
  // Sources cut short by their cap or the diagnosis's deadline: said at the top, since they keep it from "healthy".
  const late = report.sources.filter((s) => s.timedOut);
  if (late.length) out.push(st.yellow(wrapText(late.map((s) => s.name).join(', '), width, 'timed out: ', '  ')));
  out.push('');

  if (report.findings.length === 0) {
    if (report.symptom) {
      // Failures were observed: never call that "no problems". Nothing we hold explains them.
      const nothing = 'Nothing in this evidence explains the symptom above: the cause is likely on the other side (its certificates, trust bundle or policy), or in evidence not collected here (see "not evaluated" and sources).';
      out.push(st.yellow(wrapText(nothing, width, '')));
      // Rules that would explain it but could not run: say what they need.
      for (const n of report.notEvaluated.filter((x) => x.explainsSymptom)) {
        out.push(wrapText(`${st.bold(n.rule)} would explain it but was not evaluated: it needs ${n.missing.join(' and ')}`, width, '  ', '    '));
      }
    } else out.push(report.verdict === 'unknown' ? st.dim(late.length ? 'No problems in what was read.' : 'Nothing could be evaluated: see "not evaluated" below.') : st.green('No problems found.'));
  } else {
    out.push(st.bold(`Findings (${report.findings.length}), most likely cause first`));
    for (const f of report.findings) out.push(renderFinding(f, st, width));
  }

  for (const chain of report.chains) {
    out.push('');
    // The mesh CA's certificates on their own (--ca): each level with its subject, issuer and expiry.
    const caView = chain.subject === 'ca';
    out.push(st.bold(caView ? 'CA levels (--ca), issuing CA first' : `Chain (${chain.subject})`) + st.dim(chain.end === 'missing-issuer' ? '  — ends without a known issuer' : ''));
    chain.certificates.forEach((c, i) => {
      const pad = i === 0 ? '  ' : '  ' + '   '.repeat(i - 1) + '└─ ';
      const trusted = c.trustedBy.length ? st.green(` [trusted by ${trustedByText(c.trustedBy)}]`) : '';
      const from = c.presented ? '' : st.dim(' (not presented)');
      const head = `${pad}${c.role} "${c.name}"${trusted}${from}`;
      // A long file path goes on a line of its own rather than past the edge.
      if (width !== null && visible(head) + 1 + visible(c.source) > width) out.push(head, `${' '.repeat(pad.length + 2)}${st.dim(c.source)}`);
      else out.push(`${head} ${st.dim(c.source)}`);
      if (c.identities.length) out.push(`${' '.repeat(pad.length + 2)}${st.dim(c.identities.join(', '))}`);
      if (caView) {
        const ind = ' '.repeat(pad.length + 2);
        out.push(wrapText(c.subject, width, `${ind}subject   `, `${ind}          `));
        out.push(wrapText(c.issuer, width, `${ind}issuer    `, `${ind}          `));
        out.push(`${ind}not after ${c.notAfter} (${validityText(c, now)})`);
      }
    });
    out.push('');
    out.push(renderTimeline(chain.certificates, now, st, timelineWidth(chain.certificates, width)));
  }

  if (report.notEvaluated.length) {
    out.push('');
    const byNeed = new Map<string, string[]>();
    for (const n of report.notEvaluated) {
      const key = n.reason === 'insufficient-evidence' ? `needs ${n.missing.join(' and ')}` : n.reason === 'rule-error' ? `rule error: ${n.detail ?? ''}` : 'not applicable';
      byNeed.set(key, [...(byNeed.get(key) ?? []), n.rule]);
    }
    out.push(st.bold(`Not evaluated (${report.notEvaluated.length} rule${report.notEvaluated.length === 1 ? '' : 's'})`));
    for (const [need, ids] of byNeed) out.push(wrapText(`${need}: ${st.dim(ids.join(', '))}`, width, '  ', '    '));
  }
  const unavailable = report.sources.filter((s) => s.status !== 'ok' || s.timedOut);
  if (unavailable.length) {
    out.push('');
    out.push(st.bold('Sources not used'));
    for (const s of unavailable) {
      const why = s.reason ?? s.detail;
      out.push(wrapText(`${s.name}: ${s.timedOut ? 'timed out' : s.status}${why ? ` — ${why}` : ''}`, width, '  ', '    '));
      if (s.notJudged) out.push(wrapText(s.notJudged, width, '    not judged: ', '      '));
    }
  }
  return out.join('\n') + '\n';
}

/** Bundle names as a person reads them: `trust` is ours (--trust), `peerTrust` the peer's (--peer-trust). */
export function trustedByText(names: string[]): string {
  const words = names.map((n) => (n === 'trust' ? 'us' : n === 'peerTrust' ? 'the peer' : n));
  return words.length > 1 ? `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}` : words[0] ?? '';
}

/** The timeline's bar: 48 columns, less in a narrow terminal so that a line fits, more in a wide one. */
function timelineWidth(certs: ReportCert[], width: number | null): number {
  if (width === null) return 48;
  const labelW = Math.max(...certs.map((c) => c.role.length)) + 1;
  return Math.max(16, Math.min(72, width - labelW - 26));
}

function renderFinding(f: Finding, st: Style, width: number | null): string {
  const c = sevColor(st, f.severity);
  const lines: string[] = [''];
  const tag = f.explainsSymptom ? st.bold(' ◀ explains the symptom') : '';
  const caused = f.causedBy ? st.dim(` (consequence of ${f.causedBy})`) : '';
  lines.push(wrapText(`${c(SEVERITY_LABEL[f.severity])} ${st.bold(f.title)} ${st.dim(`[${f.rule}, ${f.subject}]`)}${caused}${tag}`, width, `${st.bold(String(f.rank).padStart(2))}. `, '    '));
  lines.push(wrapText(f.explanation, width, '    '));
  for (const e of f.evidence) lines.push(st.dim(wrapText(`${e.source}: ${e.detail}`, width, '    evidence: ')));
  const many = f.remediation.length > 1;
  f.remediation.forEach((r, i) => lines.push(wrapText(r, width, `${i === 0 ? '    fix: ' : '         '}${many ? `${i + 1}. ` : ''}`, many ? '            ' : '         ')));
  // The verify command is never wrapped: it must paste as one line.
  lines.push(`    verify: ${st.blue(f.verify)}`);
  lines.push(st.dim(`    docs: ${docsCommand(f.rule)}`));
  return lines.join('\n');
}

/** "3d 4h left", "EXPIRED 2h ago", "not valid for 5m": as the timeline says it. */
function validityText(c: ReportCert, now: number): string {
  const left = Date.parse(c.notAfter) - now;
  if (Date.parse(c.notBefore) > now) return `not valid for ${duration(Date.parse(c.notBefore) - now)}`;
  return left <= 0 ? `EXPIRED ${duration(-left)} ago` : `${duration(left)} left`;
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
    const text = validityText(c, now);
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
