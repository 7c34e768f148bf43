/**
 * The text form of an `explain` report (a differential, not a list of alarms): what the text proves, the best
 * candidate causes with their likelihood (three unless --all), the commands that decide between them, and the
 * recognised lines of the paste, once. Fits an 80-column pane (wrapText).
 */
import type { Report } from './types.js';
import { makeStyle } from './style.js';
import { wrapText } from './wrap.js';
import { docsCommand } from '../model/docs.js';

const STEP_TEXT: Record<string, string> = {
  'tcp-connect': 'connecting (TCP, before TLS)',
  'tls-negotiation': 'negotiating TLS (first bytes, version, cipher, SNI, ALPN)',
  'certificate-verification': 'verifying a certificate',
  'client-certificate': 'asking for the client certificate',
  'after-handshake': 'after the handshake (TLS 1.3 post-handshake rejection)',
  'credential-loading': 'before any handshake (loading its own certificate)',
  unknown: 'not said',
};

/** How many candidates the text form shows without --all. */
export const EXPLAIN_SHOWN = 3;

export function renderExplainText(report: Report, opts: { color: boolean; width?: number | null; all?: boolean }): string {
  const st = makeStyle(opts.color);
  const width = opts.width ?? null;
  const p = report.proves;
  const out: string[] = [];
  const head = report.findings.length === 0 ? 'NOT RECOGNISED' : report.verdict === 'failing' ? 'FAILING' : 'LIKELY CAUSES';
  out.push(`${st.bold('mtls-doctor explain')} ${report.verdict === 'failing' ? st.red(st.bold(head)) : st.bold(head)}  ${st.dim(`at ${report.evaluatedAt}`)}`);
  out.push('');

  out.push(st.bold('What the text proves'));
  if (p) {
    out.push(wrapText(p.who, width, '  who:      ', '            '));
    out.push(wrapText(STEP_TEXT[p.step] ?? p.step, width, '  step:     ', '            '));
    if (p.stacks.length) out.push(wrapText(p.stacks.join(', '), width, '  written:  ', '            '));
    if (p.alert) out.push(wrapText(`TLS alert ${p.alert.number} ${p.alert.name}, ${p.alert.direction === 'received' ? 'received from the peer' : 'sent to the peer'}`, width, '  alert:    ', '            '));
    if (p.verifyCode) out.push(wrapText(p.verifyCode, width, '  verifier: ', '            '));
    for (const d of p.decoded.slice(0, 3)) out.push(wrapText(d, width, '  decoded:  ', '            '));
    const so = !p.certain
      ? 'the text names a symptom, not its cause: the candidates below are hypotheses'
      : p.step === 'certificate-verification'
        ? 'the text names the failed check itself; which certificate (or whose clock) is the open question'
        : 'the text states what failed; which configuration caused it is the open question';
    out.push(wrapText(so, width, '  so:       ', '            '));
  } else if (report.symptom) {
    out.push(wrapText(report.symptom.detail, width, '  '));
  }
  out.push('');

  const shown = opts.all ? report.findings : report.findings.slice(0, EXPLAIN_SHOWN);
  if (shown.length > 0) {
    const rest = report.findings.length - shown.length;
    out.push(st.bold(`Candidate causes, most likely first${rest > 0 ? ` (${shown.length} of ${report.findings.length}; --all shows the rest)` : ''}`));
    for (const f of shown) {
      const pct = `${Math.round(f.confidence * 100)}%`.padStart(4);
      out.push(wrapText(`${st.bold(f.title)} ${st.dim(`[${f.rule}]`)}`, width, ` ${f.rank}. ${pct}  `, '          '));
      out.push(wrapText(f.explanation, width, '          '));
      out.push(wrapText(f.remediation[1] ?? '', width, '          fix: ', '               '));
      out.push(wrapText(docsCommand(f.rule), width, '          docs: ', '                '));
    }
    out.push('');
  }

  const decide = report.decide ?? [];
  if (decide.length) {
    out.push(st.bold(report.findings.length ? 'Decide between them: run' : 'Next: run'));
    for (const s of decide) {
      out.push(wrapText(st.blue(s.command), width, '  $ ', '      '));
      const what = s.tellsApart.length ? `tells apart ${s.tellsApart.join(', ')}` : '';
      const look = s.lookFor ? `look for ${s.lookFor}` : '';
      const line = [what, look].filter(Boolean).join('; ');
      if (line) out.push(wrapText(st.dim(line), width, '    ', '    '));
    }
    out.push('');
  }

  // The paste, once: the lines that were recognised (the first candidate quotes them), else nothing to quote.
  const quoted = (report.findings[0]?.evidence ?? []).filter((e) => e.source.startsWith('pasted text (')).map((e) => e.detail);
  if (quoted.length) {
    out.push(st.bold('Recognised in the paste'));
    for (const q of quoted) out.push(wrapText(q, width, '  > ', '    '));
    out.push('');
  }
  return out.join('\n');
}
