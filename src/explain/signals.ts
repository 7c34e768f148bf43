/**
 * The pure signal decoder: pasted error text → who rejected whom, at which step, the TLS alert, and the signals
 * (symptom codes) of the most telling level. Several recognisers may match one paste (an Envoy 503 body holds a
 * response flag, a BoringSSL code and sometimes the verifier's own reason); the most telling level decides, the
 * rest stays as evidence. Which rules explain those signals is decode.ts's business (the rule catalogue): this
 * module reads no rule, so the engine's `--symptom` deriver can use it without loading the rules.
 */
import { recognise, type AlertSeen, type Match } from './recognisers.js';
import { SIGNALS, type Rejection, type SignalId, type SignalSpec, type Step } from './table.js';

/** Pasted text larger than this is refused (logs beyond it are not one error). */
export const MAX_EXPLAIN_BYTES = 1024 * 1024;

export interface DecodedSignals {
  recognised: boolean;
  /** Every recognised fragment, most telling first (duplicates of one signal merged). */
  matches: Match[];
  rejection: Rejection;
  step: Step;
  alert: AlertSeen | null;
  /** The text states the failed check itself (see SignalSpec.certain). */
  certain: boolean;
  /** `symptom.code` of the report. */
  code: string;
  /** `symptom.detail`: one paragraph a person can read. */
  summary: string;
  /** The matches of the most telling level, in order (their signals are the symptom codes the paste stands for). */
  primary: Match[];
  /** Their signals, each once. */
  signals: SignalId[];
}

const round2 = (x: number) => Math.round(x * 100) / 100;

function rejectionOf(m: Match): Rejection {
  return m.rejection ?? (SIGNALS[m.signal] as SignalSpec).rejection;
}

/** Orders matches: most telling level, then specificity, then position in the text. */
function byTelling(a: Match, b: Match): number {
  return b.level - a.level || b.specificity - a.specificity || a.index - b.index;
}

type Merged = Match & { fragments: string[]; at: number[] };

/** Merges matches of the same signal and direction: keeps the most telling, gathers fragments and notes. */
function merge(matches: Match[]): Match[] {
  const out: Match[] = [];
  const byKey = new Map<string, Match>();
  for (const m of [...matches].sort(byTelling)) {
    const key = `${m.signal}|${rejectionOf(m)}|${m.alert?.number ?? ''}`;
    const first = byKey.get(key);
    if (!first) {
      const copy = { ...m, notes: [...m.notes], fragments: [m.fragment], at: [m.index] } as Merged;
      byKey.set(key, copy);
      out.push(copy);
      continue;
    }
    const f = first as Merged;
    // One fragment per place: two recognisers reading the same line would quote it twice.
    if (!f.at.some((i) => Math.abs(i - m.index) < 240) && f.fragments.length < 3) {
      f.fragments.push(m.fragment);
      f.at.push(m.index);
    }
    for (const n of m.notes) if (!f.notes.includes(n)) f.notes.push(n);
  }
  return out;
}

/** All fragments a merged match stands for. */
export function fragmentsOf(m: Match): string[] {
  return (m as Match & { fragments?: string[] }).fragments ?? [m.fragment];
}

const REJECTION_TEXT: Record<Rejection, string> = {
  'peer-rejected-ours': 'The peer rejected our certificate or handshake',
  'we-rejected-peers': "The side that logged this rejected the peer's certificate",
  'no-tls': 'No TLS on one side: TLS met plaintext',
  'no-connection': 'No connection was established',
  'local-setup': 'Our own certificate or key was never usable',
  unknown: 'The connection failed; the text does not say who refused whom',
};

const STEP_TEXT: Record<Step, string> = {
  'tcp-connect': 'while connecting (TCP)',
  'tls-negotiation': 'while negotiating TLS (first bytes, version, cipher, ALPN)',
  'certificate-verification': 'while verifying a certificate',
  'client-certificate': 'when the server asked for a client certificate',
  'after-handshake': 'after the handshake (TLS 1.3 post-handshake rejection)',
  'credential-loading': 'before any handshake (loading our certificate)',
  unknown: 'at an unknown step',
};

export const describeRejection = (r: Rejection) => REJECTION_TEXT[r];
export const describeStep = (s: Step) => STEP_TEXT[s];

const UNRECOGNISED_SUMMARY =
  'Not recognised as a TLS/mTLS error (Envoy/BoringSSL, OpenSSL/Node, Go, rustls/Linkerd, curl or Java forms). ' +
  'Next: paste the full line, including any "TLS_error", "verify cert failed" or "x509:" part; raise the proxy log level ' +
  '(istioctl proxy-config log POD --level connection:debug) and read the line before TLS_error; or run ' +
  'mtls-doctor diagnose --chain cert-chain.pem --trust root-cert.pem (add --peer HOST:PORT to handshake with the peer).';

/** Decodes pasted error text into signals. Pure and synchronous; the caller bounds the size. */
export function decodeSignals(text: string): DecodedSignals {
  const matches = merge(recognise(text));
  if (matches.length === 0) {
    return { recognised: false, matches: [], rejection: 'unknown', step: 'unknown', alert: null, certain: false, code: 'unrecognised', summary: UNRECOGNISED_SUMMARY, primary: [], signals: [] };
  }
  const top = matches[0]!.level;
  const primary = matches.filter((m) => m.level === top);

  const lead = primary[0]!;
  const known = matches.find((m) => rejectionOf(m) !== 'unknown');
  const rejection = rejectionOf(lead) !== 'unknown' ? rejectionOf(lead) : known ? rejectionOf(known) : 'unknown';
  const stepOf = (m: Match): Step => (SIGNALS[m.signal] as SignalSpec).step;
  const step = stepOf(lead) !== 'unknown' ? stepOf(lead) : (matches.map(stepOf).find((s) => s !== 'unknown') ?? 'unknown');
  const alertMatch = matches.find((m) => m.alert);
  const alert = alertMatch?.alert ?? null;
  const certain = primary.some((m) => (SIGNALS[m.signal] as SignalSpec).certain === true);

  const alertText = alert ? ` TLS alert ${alert.number} ${alert.name} ${alert.direction === 'received' ? 'received from the peer' : 'sent to the peer'}.` : '';
  const others = matches.filter((m) => m !== lead).map((m) => m.code);
  const summary =
    `${REJECTION_TEXT[rejection]}, ${STEP_TEXT[step]}.${alertText} ${SIGNALS[lead.signal].summary}` +
    (others.length ? ` Also recognised: ${[...new Set(others)].slice(0, 6).join(', ')}.` : '');
  return { recognised: true, matches, rejection, step, alert, certain, code: lead.code, summary, primary, signals: [...new Set(primary.map((m) => m.signal))] };
}
