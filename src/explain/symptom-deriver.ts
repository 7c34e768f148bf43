/**
 * The symptom deriver for pasted text (`diagnose --symptom "<text>"`, `ev.symptomText`): the same decoder and
 * the same table as `explain`, so a finding is marked `explainsSymptom` exactly when `explain` would list its rule.
 *
 * `rejectedBy` is always `unknown` here: "we" in a pasted log is the side that printed it, and nothing says
 * whether that is the workload whose `--chain` is given (a client's CERTIFICATE_VERIFY_FAILED is usually
 * diagnosed with the server's chain). The rule ids alone decide.
 */
import { registerSymptomDeriver, type SymptomFact } from '../facts/symptoms.js';
import type { EvidenceBundle } from '../evidence/types.js';
import { decodeErrorText, MAX_EXPLAIN_BYTES } from './decode.js';

export function pastedSymptoms(ev: EvidenceBundle): SymptomFact[] {
  const text = ev.symptomText;
  if (typeof text !== 'string' || text.trim() === '') return [];
  const d = decodeErrorText(text.length > MAX_EXPLAIN_BYTES ? text.slice(0, MAX_EXPLAIN_BYTES) : text);
  return [{ source: 'pasted', code: d.code, detail: d.summary, rejectedBy: 'unknown', explainedBy: d.causes.map((c) => c.rule) }];
}

registerSymptomDeriver(pastedSymptoms);
