import { buildFacts } from '../facts/build.js';
import type { Facts } from '../facts/types.js';
import type { EvidenceBundle } from '../evidence/types.js';
import type { Report, ReportChain, ReportCert } from '../model/finding.js';
import type { PastedDecoder } from '../facts/symptoms.js';
import { buildCatalogue, type SymptomCatalogue } from './catalogue.js';
import { MAX_CHAIN_DEPTH, type ChainFact } from '../x509/chain.js';
import type { CertFact } from '../x509/types.js';
import { TOOL } from '../version.js';
import type { Rule } from './define-rule.js';
import { corroborate, runRules, verdictOf } from './run.js';
import { rankFindings } from './rank.js';
import { iso } from '../model/time.js';
import type { RawFinding } from './run.js';
import type { RuleId } from '../model/rule-id.js';
import type { SourceLabel } from '../model/source.js';

/** What judging the evidence's connections gave (src/connection/aggregate.ts), for the engine to merge. */
export interface ConnectionOutcome {
  /** Connection findings, one per rule and direction (they carry `connection`). */
  findings: RawFinding[];
  /** Rules that ran on at least one connection direction: their pod-level "insufficient evidence" no longer holds. */
  evaluatedRules: ReadonlySet<RuleId>;
  /** An endpoint (or caller) was not judged both ways: the verdict is then never healthy. */
  incomplete: boolean;
  /** How many connections were judged. */
  judged: number;
}

/**
 * The engine's own rule runner, lent to the connection judgement: the same facts, the same rules, one catalogue,
 * and the same source labels.
 */
export interface RuleRunner {
  buildFacts: typeof buildFacts;
  runRules: typeof runRules;
  catalogue: SymptomCatalogue;
  label: SourceLabel;
}

/** A rule runner for these rules (the fleet judges many connections with one); `label`: as in EvaluateOptions. */
export const ruleRunner = (rules: readonly Rule[], label: SourceLabel): RuleRunner => ({ buildFacts, runRules, catalogue: buildCatalogue(rules), label });

/** Judges `evidence.connections` with the same rules; passed in by the pipeline, so the engine imports no layer above it. */
export type ConnectionJudge = (evidence: EvidenceBundle, rules: readonly Rule[], runner: RuleRunner) => ConnectionOutcome;

export interface EvaluateOptions {
  /**
   * How sources read in findings (`chain.pem #2`): src/report/source-label.ts's `sourceLabel`, passed in by the
   * pipeline, so that nothing below the report renders a label of its own.
   */
  label: SourceLabel;
  /**
   * Turns the pasted error text (`--symptom`, `evidence.symptomText`) into a symptom: src/explain/symptom-deriver.ts's
   * `pastedSymptom`. Passed in, so that the engine loads no decoder (and a start without --symptom none at all).
   */
  pasted?: PastedDecoder;
  /** Judges `evidence.connections` (src/connection/aggregate.ts `connectionJudge`); required when the evidence has them. */
  connections?: ConnectionJudge;
}

/** Evidence in, report out: facts, staged rules, ranking, verdict. Pure (no clock: time is in the evidence). */
export function evaluate(evidence: EvidenceBundle, rules: readonly Rule[], options: EvaluateOptions): Report {
  if (typeof evidence.symptomText === 'string' && evidence.symptomText.trim() !== '' && !options.pasted) {
    throw new Error('evaluate: the evidence holds symptom text but no pasted-text decoder was given (options.pasted)');
  }
  const facts = buildFacts(evidence, { label: options.label, pasted: options.pasted });
  const catalogue = buildCatalogue(rules);
  const run = runRules(rules, facts, catalogue);
  // Connections (diagnose pod/A --peer SVC:PORT, diagnose svc/B): judged both ways by the same rules; a finding
  // about the workload's own chain on a connection replaces the pod-level finding of that rule.
  if (evidence.connections && !options.connections) throw new Error('evaluate: connections without options.connections');
  const conn = evidence.connections ? options.connections!(evidence, rules, { buildFacts, runRules, catalogue, label: options.label }) : null;
  const replaced = new Set(conn?.findings.filter((f) => f.subject === 'local').map((f) => f.rule) ?? []);
  const all = conn ? [...run.findings.filter((f) => !(f.subject === 'local' && replaced.has(f.rule))), ...conn.findings] : run.findings;
  const raw = corroborate(all, facts.symptoms, catalogue);
  const findings = rankFindings(raw);
  const symptom = facts.symptoms[0];
  const verdict = verdictOf(raw, facts.chains.length === 0 && !facts.bundles.ca?.certs.length && !conn?.judged ? 0 : run.evaluated);
  return {
    schemaVersion: 1,
    tool: { ...TOOL },
    evaluatedAt: evidence.evaluatedAt,
    target: evidence.target,
    // An endpoint not judged both ways, or a source that timed out (issue 22: what it would have shown was not
    // judged), is never counted healthy.
    verdict: (conn?.incomplete || evidence.sources.some((s) => s.timedOut)) && verdict === 'healthy' ? 'unknown' : verdict,
    symptom: symptom ? { source: symptom.source, code: symptom.code, detail: symptom.detail } : null,
    findings,
    notEvaluated: [...run.notEvaluated.filter((n) => !(n.reason === 'insufficient-evidence' && conn?.evaluatedRules.has(n.rule))), ...depthLimited(facts)].map((n) => (n.reason === 'insufficient-evidence' && facts.symptoms.some((s) => catalogue.explains(n.rule, s)) ? { ...n, explainsSymptom: true } : n)),
    chains: [...facts.chains.map((c) => reportChain(c, facts)), ...caLevels(facts)],
    sources: evidence.sources,
  };
}

/** A chain longer than the builder follows: say that trust was not evaluated, rather than invent a cause. */
function depthLimited(facts: Facts): Report['notEvaluated'] {
  return facts.chains
    .filter((c) => c.depthLimited)
    .map((c) => ({
      rule: 'chain/unknown-authority',
      reason: 'insufficient-evidence' as const,
      missing: [`a ${c.subject} chain of at most ${MAX_CHAIN_DEPTH} certificates (mtls-doctor builds no longer paths)`],
      detail: `the ${c.subject} chain has more than ${MAX_CHAIN_DEPTH - 2} intermediate CAs; the path was followed for ${MAX_CHAIN_DEPTH} certificates and not further, so whether it reaches a trusted root was not evaluated (check it with openssl verify)`,
    }));
}

/**
 * The mesh CA's certificates given on their own (`--ca`, no chain): every CA level as a chain of its own
 * (subject `ca`), lowest level first, so the report shows each level's subject, issuer and expiry — healthy or
 * not. With a workload chain, that chain already shows the levels it uses.
 */
function caLevels(facts: Facts): ReportChain[] {
  const certs = facts.bundles.ca?.certs ?? [];
  if (facts.chains.length > 0 || certs.length === 0) return [];
  const issuerOf = (c: CertFact) => (c.selfIssued ? undefined : certs.find((x) => x !== c && x.subjectKey === c.issuerKey && (!c.aki || !x.ski || c.aki === x.ski)));
  // Steps from a certificate up to the top of what was given (a cycle cannot loop: at most certs.length steps).
  const height = (c: CertFact) => {
    let n = 0;
    for (let x = issuerOf(c); x && n < certs.length; x = issuerOf(x)) n++;
    return n;
  };
  const ordered = [...certs].sort((a, b) => height(b) - height(a));
  const top = ordered[ordered.length - 1]!;
  return [
    {
      subject: 'ca',
      end: top.selfIssued ? 'root' : 'missing-issuer',
      certificates: ordered.map((c) => reportCert(c, c.selfIssued ? 'root' : 'intermediate', true, facts)),
    },
  ];
}

function reportChain(chain: ChainFact, facts: Facts): ReportChain {
  const presented = new Set(chain.presented.map((c) => c.fingerprint));
  const certificates: ReportCert[] = chain.path.map((c, i) => reportCert(c, i === 0 ? 'leaf' : c.selfIssued ? 'root' : 'intermediate', presented.has(c.fingerprint), facts));
  return { subject: chain.subject, end: chain.end, certificates };
}

function reportCert(c: CertFact, role: ReportCert['role'], presented: boolean, facts: Facts): ReportCert {
  const trustedBy = Object.values(facts.bundles)
    .filter((b) => b.name !== 'ca' && b.certs.some((x) => x.fingerprint === c.fingerprint || (x.subjectKey === c.subjectKey && x.spkiSha256 === c.spkiSha256)))
    .map((b) => b.name);
  return {
    fingerprint: c.fingerprint,
    name: c.name,
    subject: c.subject,
    issuer: c.issuer,
    serial: c.serial,
    role,
    source: c.source,
    notBefore: iso(c.notBefore),
    notAfter: iso(c.notAfter),
    trustedBy: facts.peerTrustAssumed ? trustedBy.filter((b) => b !== 'peerTrust') : trustedBy,
    presented,
    identities: c.sans.filter((s) => s.type === 'uri' || s.type === 'dns' || s.type === 'ip').map((s) => s.value),
  };
}
