/**
 * The decoder `explain` uses: the pasted text's signals (signals.ts), and the ranked likely causes — the rules
 * that explain those signals, from the one symptom catalogue built from the rules' `meta.explains`. Causes come
 * from the most telling level only: a "verify cert failed … certificate has expired" line makes the generic
 * causes of CERTIFICATE_VERIFY_FAILED and of the 503 around it irrelevant.
 */
import type { RuleId } from '../model/rule-id.js';
import type { SignalId } from '../model/symptom.js';
import type { Match } from './recognisers.js';
import { decodeSignals, type DecodedSignals } from './signals.js';
import { catalogue } from './catalogue.js';

export { MAX_EXPLAIN_BYTES, fragmentsOf, describeRejection, describeStep } from './signals.js';

export interface DecodedCause {
  rule: RuleId;
  /** 0..1: how specific the match was × how strongly the signal points at this rule. */
  confidence: number;
  why: string;
  /** The matches that point at it, most telling first. */
  matches: Match[];
}

export interface Decoded extends DecodedSignals {
  causes: DecodedCause[];
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** The paste comes from a service mesh (Envoy sidecars, Istio, SPIRE, Linkerd). */
const MESH_MARKS = /OPENSSL_internal|TLS_error|upstream connect error|upstream_reset|istio|envoy|\bspiffe:\/\/|linkerd|x509svid|outbound\|\d+\||inbound\|\d+\|/i;
/** The paste shows the client speaking TLS (a TLS library's words, a certificate). */
const TLS_MARKS = /\bTLS|\bSSL|x509|certificate|handshake|alert|ClientHello|https:\/\//i;

/** How much a catalogue link counts for this paste: halved where the paste shows the opposite context. */
function contextFactor(context: 'mesh' | 'off-mesh' | 'tls' | undefined, mesh: boolean, tls: boolean): number {
  if (context === 'mesh') return mesh ? 1 : 0.5;
  if (context === 'off-mesh') return mesh ? 0.5 : 1;
  if (context === 'tls') return tls ? 1 : 0.5;
  return 1;
}

/** Decodes pasted error text with its likely causes, most likely first. Pure; the caller bounds the size. */
export function decodeErrorText(text: string): Decoded {
  const d = decodeSignals(text);
  const mesh = MESH_MARKS.test(text);
  const tls = TLS_MARKS.test(text);
  const causes = new Map<RuleId, DecodedCause & { order: number }>();
  let order = 0;
  for (const m of d.primary) {
    for (const c of catalogue.of(m.signal)) {
      const confidence = round2(Math.min(0.99, m.specificity * c.weight * contextFactor(c.context, mesh, tls)));
      const have = causes.get(c.rule);
      if (!have) causes.set(c.rule, { rule: c.rule, confidence, why: c.why, matches: [m], order: order++ });
      else {
        if (!have.matches.includes(m)) have.matches.push(m);
        if (confidence > have.confidence) Object.assign(have, { confidence, why: c.why });
      }
    }
  }
  const ranked = [...causes.values()].sort((a, b) => b.confidence - a.confidence || a.order - b.order).map(({ order: _o, ...c }) => c);
  return { ...d, causes: ranked };
}

/** The rule ids a signal can point at (for tests). */
export function rulesOf(signal: SignalId): RuleId[] {
  return catalogue.of(signal).map((c) => c.rule);
}
