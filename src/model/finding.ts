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
}
