/** The report: the one object every output format renders, and the JSON contract (`schemaVersion: 1`). */
import type { SourceRecord, Target } from '../evidence/types.js';
import type { RuleId } from './rule-id.js';
import type { Severity, Stage, Verdict } from './stage.js';
import type { ConnectionRef } from './workload.js';

export interface EvidenceRef {
  source: string;
  detail: string;
}

export interface Finding {
  rank: number;
  rule: RuleId;
  stage: Stage;
  subject: string;
  severity: Severity;
  confidence: number;
  explainsSymptom: boolean;
  title: string;
  explanation: string;
  evidence: EvidenceRef[];
  remediation: string[];
  verify: string;
  docs: string;
  causedBy: RuleId | null;
  /**
   * `explain` only: a candidate cause of a pasted error, not something observed; `confidence` is then its
   * likelihood among the candidates (they sum to about 1).
   */
  hypothesis?: true;
  /**
   * A finding about a connection (client class → server class through a service port): which classes and pods,
   * and which way (src/model/workload.ts). Absent for a finding about one workload.
   */
  connection?: ConnectionRef;
}

export interface NotEvaluated {
  rule: RuleId;
  reason: 'insufficient-evidence' | 'not-applicable' | 'rule-error';
  missing: string[];
  detail?: string;
  /** The rule would explain the observed symptom, had it been evaluated: give what `missing` names. */
  explainsSymptom?: boolean;
}

export interface Symptom {
  source: 'probe' | 'stats' | 'pasted';
  code: string;
  detail: string;
}

/** One certificate as the report shows it (chain tree, timeline). */
export interface ReportCert {
  fingerprint: string;
  name: string;
  subject: string;
  issuer: string;
  serial: string;
  role: 'leaf' | 'intermediate' | 'root';
  source: string;
  notBefore: string;
  notAfter: string;
  /** Which trust bundles hold it (or its key) as an anchor. */
  trustedBy: string[];
  presented: boolean;
  identities: string[];
}

export interface ReportChain {
  subject: string;
  end: 'root' | 'anchor' | 'missing-issuer';
  certificates: ReportCert[];
}

/** `explain` only: what the pasted text itself establishes, before any guess at the cause. */
export interface Proven {
  /** Who refused whom (the side that printed the text is "we"). */
  rejection: 'peer-rejected-ours' | 'we-rejected-peers' | 'no-tls' | 'no-connection' | 'local-setup' | 'unknown';
  /** That, as one sentence with the roles named where the text says them. */
  who: string;
  /** The side that printed the text, where the text says it (an access log's inbound/outbound, nginx "to upstream", a Go server log). */
  writer: 'client' | 'server' | 'unknown';
  /** Where in the connection it broke. */
  step: 'tcp-connect' | 'tls-negotiation' | 'certificate-verification' | 'client-certificate' | 'after-handshake' | 'credential-loading' | 'unknown';
  /** Which software wrote it (envoy/boringssl, openssl, go, rustls, gnutls, java, grpc-core, nginx, curl, spire, node, python, linkerd …). */
  stacks: string[];
  /** The TLS alert, when the text names one. */
  alert: { number: number; name: string; direction: 'received' | 'sent' } | null;
  /** The verifier's own reason (X509_V_ERR_…, Go's x509 reason …), when the text states it. */
  verifyCode: string | null;
  /** The text states the failed check itself: only which certificate or whose clock is open. */
  certain: boolean;
  /** What the codes in the text decode to (packed error codes, depths, flags), each once. */
  decoded: string[];
  /** The symptom codes the text stands for (a fixed set: src/model/symptom.ts SIGNAL_IDS), most telling first; empty: nothing recognised. */
  signals: string[];
}

/** `explain` only: a command whose result tells candidate causes apart. */
export interface DecidingStep {
  command: string;
  /** The candidates (rule ids) its result separates. */
  tellsApart: RuleId[];
  /** What to look for in its output, in one clause. */
  lookFor?: string;
}

export interface Report {
  schemaVersion: 1;
  tool: { name: string; version: string };
  evaluatedAt: string;
  target: Target;
  verdict: Verdict;
  symptom: Symptom | null;
  findings: Finding[];
  notEvaluated: NotEvaluated[];
  /** The chains as built (leaf first), for rendering and for bots. */
  chains: ReportChain[];
  /** Which evidence sources were used and which were unavailable, and why. */
  sources: SourceRecord[];
  /** `explain` only: what the pasted text proves. */
  proves?: Proven;
  /** `explain` only: the commands that tell the leading candidates apart, most useful first (never empty). */
  decide?: DecidingStep[];
}
