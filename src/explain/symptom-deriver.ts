/**
 * Pasted text (`diagnose --symptom "<text>"`) as a symptom: the same decoder as `explain`, standing for the
 * signals it recognised, so a finding is marked `explainsSymptom` exactly when `explain` would list its rule.
 *
 * `rejectedBy` is always `unknown` here: "we" in a pasted log is the side that printed it, and nothing says
 * whether that is the workload whose `--chain` is given (a client's CERTIFICATE_VERIFY_FAILED is usually
 * diagnosed with the server's chain). The rule ids alone decide.
 */
import type { SymptomFact } from '../facts/symptoms.js';
import { decodeSignals, MAX_EXPLAIN_BYTES } from './signals.js';

export function pastedSymptom(text: string): SymptomFact | null {
  if (text.trim() === '') return null;
  const d = decodeSignals(text.length > MAX_EXPLAIN_BYTES ? text.slice(0, MAX_EXPLAIN_BYTES) : text);
  return { source: 'pasted', code: d.code, detail: d.summary, rejectedBy: 'unknown', means: d.signals };
}
