/**
 * A symptom as a fact (symptoms.ts derives them), in a file of its own: the probe and proxy facts that produce
 * symptoms and the facts type that holds them import it without importing each other.
 */
import type { Stage } from '../model/stage.js';
import type { SymptomCode } from '../model/symptom.js';

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
