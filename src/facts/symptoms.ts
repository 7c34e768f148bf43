/**
 * Symptoms: what failing handshakes were seen to produce — a probe's outcome (an alert, a reset), an Envoy
 * counter that moved, an error string the user pasted. A symptom says what was seen and which catalogue codes
 * (src/model/symptom.ts) it stands for; which rules explain those codes is the rules' own knowledge
 * (`meta.explains`), resolved by the engine's catalogue. Facts name no rule.
 *
 * `deriveSymptoms(facts, pasted)` is called from one place (the engine's evaluate), after the facts are built.
 */
import type { Stage } from '../model/stage.js';
import type { SymptomCode } from '../model/symptom.js';
import type { Facts } from './types.js';
import { handshakeSymptoms } from './handshake.js';
import { statsSymptoms } from './proxy.js';

export interface SymptomFact {
  source: 'probe' | 'stats' | 'pasted';
  /** The code the report shows: `alert:45`, `verify:CERT_HAS_EXPIRED`, `envoy:fail_verify_san`, `refused`, … */
  code: string;
  /** One line a person can read. */
  detail: string;
  /** Who rejected whom: `peer` rejected our certificate, `local` (we) rejected the peer's, or unknown. */
  rejectedBy: 'peer' | 'local' | 'unknown';
  /** The catalogue codes it stands for, most telling first: every rule that lists one in `meta.explains` explains it. */
  means: SymptomCode[];
  /**
   * A rejection that does not say which check failed (alert 42, a silent close, `ssl.fail_verify_error`): any
   * rule of these stages explains it too.
   */
  orStages?: readonly Stage[];
}

/** Turns pasted text (`--symptom`) into a symptom; given by the caller, as facts do not decode text. */
export type PastedDecoder = (text: string) => SymptomFact | null;

/** Every symptom the evidence shows, most telling first: pasted text, then the probe, then moving counters. */
export function deriveSymptoms(facts: Omit<Facts, 'symptoms'>, pasted?: PastedDecoder): SymptomFact[] {
  const text = facts.symptomText;
  const fromText = pasted && typeof text === 'string' && text.trim() !== '' ? pasted(text) : null;
  return [...(fromText ? [fromText] : []), ...handshakeSymptoms(facts.probe), ...statsSymptoms(facts.proxy)];
}
