/**
 * Symptoms: what failing handshakes were seen to produce — a probe's outcome (an alert, a reset), an Envoy
 * counter that moved, an error string the user pasted. Each symptom names the rules (or whole stages, as
 * `expiry/`) that would explain it; the engine marks matching findings `explainsSymptom` and ranks them first.
 *
 * Derived from evidence by pure functions. Each evidence kind contributes through its own deriver below.
 */
import type { EvidenceBundle } from '../evidence/types.js';

export interface SymptomFact {
  source: 'probe' | 'stats' | 'pasted';
  /** A stable code: `alert:45`, `tls:CERTIFICATE_VERIFY_FAILED`, `envoy:fail_verify_san`, `reset`, … */
  code: string;
  /** One line a person can read. */
  detail: string;
  /** Who rejected whom: `peer` rejected our certificate, `local` (we) rejected the peer's, or unknown. */
  rejectedBy: 'peer' | 'local' | 'unknown';
  /**
   * What would explain it: full rule ids (`chain/unknown-authority`) or stage prefixes (`expiry/`), most
   * specific first.
   */
  explainedBy: string[];
}

export type SymptomDeriver = (ev: EvidenceBundle) => SymptomFact[];

/** Derivers, one per evidence kind (pasted text, probe outcomes, Envoy stats). */
const derivers: SymptomDeriver[] = [];

/** Registers a deriver; modules that own an evidence kind call this once at load. */
export function registerSymptomDeriver(d: SymptomDeriver): void {
  if (!derivers.includes(d)) derivers.push(d);
}

export function deriveSymptoms(ev: EvidenceBundle): SymptomFact[] {
  return derivers.flatMap((d) => d(ev));
}

/** Does a finding's rule id match one of a symptom's explainers (exact id or stage prefix)? */
export function explains(ruleId: string, s: SymptomFact): boolean {
  return s.explainedBy.some((e) => (e.endsWith('/') ? ruleId.startsWith(e) : ruleId === e));
}
