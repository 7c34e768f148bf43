/**
 * `explain`: pasted error text → the report object `diagnose` returns, its findings being the likely causes in
 * rank order (each a public rule id), `symptom` the decoded paste.
 *
 * Verdict: `unknown` unless the paste states the failed check itself (a verifier's own reason such as Envoy's
 * `verify cert failed: … certificate has expired`, Go's `x509: …`, Node's `CERT_HAS_EXPIRED`, rustls'
 * `UnknownIssuer`, `Secret is not supplied by SDS`, `WRONG_VERSION_NUMBER`): then the failure and its kind are
 * certain and the verdict is `failing`. An alert or a bare CERTIFICATE_VERIFY_FAILED names a symptom with
 * several possible causes, and explain has seen no certificate, so it does not call the workload failing.
 */
import { inputError, usageError } from '../errors.js';
import { docsUrl } from '../model/docs.js';
import type { EvidenceRef, Finding, Report } from '../model/finding.js';
import { provenOf } from './proves.js';
import { decidingSteps } from './decide.js';
import type { RuleId } from '../model/rule-id.js';
import type { RuleMeta } from '../engine/define-rule.js';
import { TOOL } from '../version.js';
import { rules } from '../../rules/index.js';
import { decodeErrorText, fragmentsOf, MAX_EXPLAIN_BYTES, type Decoded } from './decode.js';
import { redact } from '../redact.js';
import { checkExplainOptions } from './check-options.js';

export interface ExplainOptions {
  /** The time the report is stamped with (default: now). Explain reads no certificate, so it changes nothing else. */
  at?: Date | string | number;
}

const metaOf = (id: RuleId): RuleMeta => {
  const meta = rules.find((r) => r.meta.id === id)?.meta;
  if (!meta) throw new Error(`explain: rule ${id} is not registered in rules/index.ts`);
  return meta;
};

function stampOf(at: ExplainOptions['at']): string {
  const t = at === undefined ? Date.now() : at instanceof Date ? at.getTime() : typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(t) || Math.abs(t) > 8.64e15) throw usageError(`Cannot use --at "${String(at)}": expected an ISO 8601 time such as 2026-11-29T02:47:00Z`);
  return new Date(t).toISOString();
}

/** Checks the text the way the CLI and the library both need: a string, not empty, at most 1 MiB. */
export function checkExplainText(text: unknown): string {
  if (typeof text !== 'string') throw usageError('Cannot explain the error text: expected a string');
  if (text.trim() === '') throw usageError('Cannot explain an empty error text: give the error string in quotes, or - to read it from standard input');
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_EXPLAIN_BYTES) throw inputError(`Cannot explain the error text: it is ${bytes} bytes, more than the 1 MiB limit; paste only the failing lines`);
  return text;
}

/**
 * Decoded paste → candidate causes, most likely first, as findings marked `hypothesis` whose `confidence` is
 * their likelihood among the candidates. The paste is quoted once, on the first candidate; the others name the
 * signal they explain.
 */
function findingsOf(d: Decoded): Finding[] {
  const total = d.causes.reduce((sum, c) => sum + c.confidence, 0) || 1;
  return d.causes.map((c, i): Finding => {
    const meta = metaOf(c.rule);
    const hint = meta.hint;
    if (!hint) throw new Error(`explain: rule ${c.rule} explains a symptom but has no meta.hint`);
    const subject = d.rejection === 'we-rejected-peers' ? 'peer' : d.rejection === 'peer-rejected-ours' ? 'local' : (hint.subject ?? 'local');
    const fill = (s: string) => s.replace(/\{pod\}/g, subject === 'peer' ? 'PEER_POD' : 'POD');
    const evidence: EvidenceRef[] = [];
    if (i === 0) {
      for (const m of c.matches.slice(0, 3)) for (const f of fragmentsOf(m).slice(0, 2)) evidence.push({ source: `pasted text (${m.family})`, detail: f });
      for (const n of [...new Set(c.matches.flatMap((m) => m.notes))].slice(0, 4)) evidence.push({ source: 'decoded', detail: n });
    } else {
      evidence.push({ source: 'pasted text', detail: `the ${c.matches[0]!.code} quoted on candidate 1` });
    }
    const next = fill(hint.next);
    return {
      rank: i + 1,
      rule: c.rule,
      stage: meta.stage,
      subject,
      severity: meta.severity,
      confidence: Math.round((c.confidence / total) * 100) / 100,
      explainsSymptom: true,
      title: meta.title,
      explanation: `${c.why} Confirm: ${fill(hint.confirm)}.`,
      evidence,
      remediation: [`Confirm it: ${next}`, fill(hint.fix)],
      verify: next,
      docs: docsUrl(c.rule),
      causedBy: null,
      hypothesis: true,
    };
  });
}

/** Synchronous core of `explain` (the CLI and the library share it). */
export function explainText(text: string, options: ExplainOptions = {}): Report {
  checkExplainText(text);
  const evaluatedAt = stampOf(options.at);
  // Quotes come from the paste: decode the redacted text, so that no quote can carry a private key.
  const redacted = redact(text);
  const d = decodeErrorText(redacted);
  const findings = findingsOf(d);
  const proves = provenOf(redacted, d);
  const decide = decidingSteps(
    proves,
    findings.map((f) => ({ rule: f.rule, meta: metaOf(f.rule), next: f.verify, confirm: f.explanation.replace(/^.*Confirm: /s, '').replace(/\.$/, '') })),
    d.primary[0]?.fragment,
  );
  const failing = d.certain && findings.some((f) => f.severity === 'critical' || f.severity === 'error');
  return {
    schemaVersion: 1,
    tool: { ...TOOL },
    evaluatedAt,
    target: { kind: 'pasted', characters: text.length, lines: text.split('\n').length },
    verdict: failing ? 'failing' : 'unknown',
    symptom: { source: 'pasted', code: d.code, detail: d.summary },
    findings,
    notEvaluated: [],
    chains: [],
    sources: [{ name: 'pasted text', status: 'ok', detail: `${text.length} characters, ${d.matches.length} recognised fragment${d.matches.length === 1 ? '' : 's'}` }],
    proves,
    decide,
  };
}

/**
 * Decodes a pasted TLS/mTLS error (Envoy, BoringSSL/OpenSSL, Node, Go, rustls/Linkerd, curl) into the report
 * `diagnose` returns: `symptom` = what the text says happened, `findings` = the likely causes, most likely first.
 *
 * ```ts
 * const report = await explain('TLS error: 268436504:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA');
 * report.findings[0].rule; // 'chain/unknown-authority'
 * ```
 */
export async function explain(text: string, options: ExplainOptions = {}): Promise<Report> {
  checkExplainOptions(options);
  return explainText(text, options);
}
