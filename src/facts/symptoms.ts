/**
 * Symptoms: what failing handshakes were seen to produce — a probe's outcome (an alert, a reset), an Envoy
 * counter that moved, an error string the user pasted. A symptom says what was seen and which catalogue codes
 * (src/model/symptom.ts) it stands for; which rules explain those codes is the rules' own knowledge
 * (`meta.explains`), resolved by the engine's catalogue. Facts name no rule.
 *
 * `deriveSymptoms(facts, pasted)` is called from one place (the engine's evaluate), after the facts are built.
 */
import type { Facts } from './types.js';
import { handshakeSymptoms } from './handshake.js';
import { statsSymptoms } from './proxy.js';
import type { PastedDecoder, SymptomFact } from './symptom-fact.js';

export type { PastedDecoder, SymptomFact } from './symptom-fact.js';

/** Every symptom the evidence shows, most telling first: pasted text, then the probe, then moving counters. */
export function deriveSymptoms(facts: Omit<Facts, 'symptoms'>, pasted?: PastedDecoder): SymptomFact[] {
  const text = facts.symptomText;
  const fromText = pasted && typeof text === 'string' && text.trim() !== '' ? pasted(text) : null;
  return [...(fromText ? [fromText] : []), ...handshakeSymptoms(facts.probe), ...statsSymptoms(facts.proxy)];
}
