/**
 * Facts and symptoms from the probe's handshake records (pure). What the peer presented becomes a second
 * chain (`subject: 'peer'`) judged by the same rules as ours; how each attempt ended becomes a symptom with
 * the catalogue codes it stands for (`alert:45`, the `verify:…` signal of our own verification failure,
 * `plaintext-reply`, `probe:peer-rejected`, …). Which rules explain a code is written in those rules' meta.
 */
import { seconds } from '../model/time.js';
import { alertName, type HandshakeEvidence, type HandshakeOutcome } from '../evidence/handshake.js';
import type { EvidenceBundle, Role } from '../evidence/types.js';
import type { ParsedCert } from '../x509/certificate.js';
import { parseCertSets } from './parse.js';
import { buildChain, type BundleFact, type ChainFact } from '../x509/chain.js';
import type { SymptomFact } from './symptom-fact.js';
import { CERT_STAGES, type Stage } from '../model/stage.js';
import type { SymptomCode } from '../model/symptom.js';
import { verifySignal } from '../model/verify-codes.js';
import type { Source, SourceLabel } from '../model/source.js';
import { detectPeerStack, type PeerStack, type PeerStackName } from '../evidence/peer-stack.js';
import { parseName } from '../x509/names.js';
import { readNode } from '../x509/der.js';

export interface ProbeFact {
  /** `HOST:PORT` as given. */
  peer: string;
  handshakes: HandshakeEvidence[];
  /** The attempt with our certificate, the one without, and the wide one (each null when not made). */
  workload: HandshakeEvidence | null;
  anonymous: HandshakeEvidence | null;
  wide: HandshakeEvidence | null;
  /** The attempt that stands for the workload: with our certificate when we could present it. */
  primary: HandshakeEvidence;
  /** The peer demands a client certificate (an attempt without one was refused for it); null: not known. */
  demandsClientCertificate: boolean | null;
  /** How the peer rejected our certificate in the workload attempt, when it did. */
  rejection: PeerRejection | null;
  /** The peer's TLS stack, told from its handshakes (null: nothing telling). */
  stack: PeerStack | null;
  /**
   * The CAs the peer accepts client certificates under, from its CertificateRequest (certificate_authorities);
   * `names` empty: it asked for a certificate but named none (BoringSSL/Envoy by default). Null: no
   * CertificateRequest was seen (or, in TLS 1.3, none could be read).
   */
  acceptedCas: AcceptedCas | null;
}

export interface AcceptedCas {
  /** Each name as text (`CN=Root B, O=other`), its CN when it has one, and its comparison key (a cert's subjectKey). */
  names: Array<{ name: string; short: string; key: string }>;
  read: 'clear' | 'decrypted';
}

export interface PeerRejection {
  /** `alert:48`, `http:certificate-error`, `closed:after-handshake`, … */
  code: string;
  alert: number | null;
  /** One line: how the rejection looked. */
  how: string;
}

/**
 * Alerts a peer sends when it refuses our certificate (Envoy/OpenSSL's SSL_alert_from_verify_result), and the
 * certificate stages each leaves open when the alert's own catalogue entry does not settle it: 45 is about
 * time, 43 about purpose, 49 about identity; 42, 46 and 40 say nothing of which check failed.
 */
const REJECTION_ALERTS: Record<number, { means: SymptomCode[]; orStages: readonly Stage[] }> = {
  45: { means: ['alert:45'], orStages: ['expiry'] },
  48: { means: ['alert:48'], orStages: [] },
  43: { means: ['alert:43'], orStages: ['key-usage'] },
  42: { means: ['alert:42'], orStages: CERT_STAGES },
  46: { means: ['alert:46'], orStages: CERT_STAGES },
  51: { means: ['alert:51'], orStages: [] },
  44: { means: ['alert:44'], orStages: [] },
  49: { means: ['alert:49'], orStages: ['san'] },
  40: { means: [], orStages: CERT_STAGES },
};

/** The certificate stages our own verification failure (an OpenSSL verify code) leaves open beyond its signal. */
const VERIFY_STAGES: Record<string, readonly Stage[]> = {
  CERT_HAS_EXPIRED: ['expiry'],
  CERT_NOT_YET_VALID: ['expiry'],
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: ['chain'],
  UNABLE_TO_GET_ISSUER_CERT: ['chain'],
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: ['chain'],
  SELF_SIGNED_CERT_IN_CHAIN: ['chain'],
  DEPTH_ZERO_SELF_SIGNED_CERT: ['chain'],
  INVALID_PURPOSE: ['key-usage'],
};

const isRecord = (h: unknown): h is HandshakeEvidence => !!h && typeof h === 'object' && typeof (h as HandshakeEvidence).outcome?.kind === 'string';

/** The peer refused the certificate we presented: how, or null. */
export function peerRejection(h: HandshakeEvidence): PeerRejection | null {
  if (!h.clientCertificate) return null;
  const o = h.outcome;
  if (o.kind === 'alert-received') {
    if (o.alert in REJECTION_ALERTS && !(o.alert === 40 && o.phase === 'before-server-hello')) {
      return { code: `alert:${o.alert}`, alert: o.alert, how: `alert ${o.alert} ${o.name} (${o.phase.replace(/-/g, ' ')})` };
    }
    return null;
  }
  if (o.kind === 'rejected-after-handshake' && o.reason === 'certificate-error') return { code: 'http:certificate-error', alert: null, how: `HTTP ${o.status} "${o.detail}" after the handshake` };
  if ((o.kind === 'eof' || o.kind === 'reset') && o.phase !== 'before-server-hello') {
    return { code: `closed:${o.phase}`, alert: null, how: `the connection was ${o.kind === 'reset' ? 'reset' : 'closed'} ${o.phase.replace(/-/g, ' ')} without an alert or an answer` };
  }
  return null;
}

/** Alerts that are about the negotiation itself (ALPN, version, strength), never about a missing certificate. */
const NEGOTIATION_ALERTS = new Set([70, 71, 86, 120]);

/**
 * An attempt without a client certificate was refused because the peer demands one: 116 (RFC 8446), 40 after
 * the ServerHello (TLS 1.2, OpenSSL), or — when the peer is seen asking for a certificate — whatever alert its
 * stack answers a missing one with (Go 1.19: 42, crypto/tls handshake_server.go processCertsFromClient;
 * GnuTLS 1.2: 50 decode_error; rustls: 116).
 */
export function refusedForMissingCertificate(h: HandshakeEvidence): boolean {
  if (h.clientCertificate) return false;
  const o = h.outcome;
  if (o.kind === 'alert-received' && o.phase !== 'before-server-hello' && h.peerRequestedCertificate === true && !NEGOTIATION_ALERTS.has(o.alert)) return true;
  if (o.kind === 'alert-received') return o.alert === 116 || (o.alert === 40 && o.phase !== 'before-server-hello');
  if (o.kind === 'rejected-after-handshake') return o.reason === 'no-client-certificate';
  if ((o.kind === 'eof' || o.kind === 'reset') && o.phase !== 'before-server-hello') return h.peerRequestedCertificate === true;
  return false;
}

/** Did the handshake get far enough to say anything about certificates? */
export function reachedTls(o: HandshakeOutcome): boolean {
  return !['refused', 'dns-failure', 'unreachable', 'plaintext', 'not-attempted'].includes(o.kind) && !(o.kind === 'timeout') && !((o.kind === 'eof' || o.kind === 'reset') && o.phase === 'before-server-hello');
}

export function probeFacts(ev: EvidenceBundle): ProbeFact | null {
  const hs = Array.isArray(ev.handshakes) ? ev.handshakes.filter(isRecord) : [];
  if (hs.length === 0) return null;
  const workload = hs.find((h) => h.attempt === 'workload') ?? null;
  const anonymous = hs.find((h) => h.attempt === 'anonymous') ?? null;
  const wide = hs.find((h) => h.attempt === 'wide') ?? null;
  let demands: boolean | null = null;
  if (anonymous) {
    if (refusedForMissingCertificate(anonymous)) demands = true;
    else if (anonymous.outcome.kind === 'success') demands = false;
  }
  const primary = workload && workload.outcome.kind !== 'not-attempted' ? workload : (anonymous ?? hs[0]!);
  return {
    peer: hs[0]!.peer,
    handshakes: hs,
    workload,
    anonymous,
    wide,
    primary,
    demandsClientCertificate: demands,
    rejection: workload ? peerRejection(workload) : null,
    stack: detectPeerStack(hs),
    acceptedCas: acceptedCas(hs),
  };
}

/** The CA names of the first CertificateRequest any attempt read. */
function acceptedCas(hs: readonly HandshakeEvidence[]): AcceptedCas | null {
  const req = hs.map((h) => (h.serverFlight && typeof h.serverFlight === 'object' ? h.serverFlight.certificateRequest : null)).find((r) => r && typeof r === 'object' && Array.isArray(r.authorities));
  if (!req) return null;
  const names = req.authorities.slice(0, 64).flatMap((a) => {
    try {
      if (typeof a?.der !== 'string') return [];
      const n = parseName(readNode(Buffer.from(a.der, 'base64')));
      const cn = n.attrs.find((x) => x.oid === '2.5.4.3')?.value;
      return [{ name: n.text, short: cn ?? n.text, key: n.rdns.join(',') }];
    } catch {
      return [];
    }
  });
  return { names, read: req.read === 'clear' ? 'clear' : 'decrypted' };
}

/** What an alert from a known stack means when it refused our certificate (see src/model/symptom.ts). */
const STACK_REJECTION: Partial<Record<PeerStackName, Record<number, SymptomCode>>> = {
  gnutls: { 49: 'probe:gnutls-access-denied' },
  go: { 42: 'probe:go-bad-certificate' },
  rustls: { 40: 'probe:rustls-handshake-failure' },
};

/** The peer's usage in the handshake: the opposite of ours (a mesh workload is both). */
function opposite(role: Role): Role {
  return role === 'client' ? 'server' : role === 'server' ? 'client' : 'both';
}

/** The certificates the peer presented in a probe (parsed), from the attempt that stands for the workload first. */
export function peerPresented(ev: EvidenceBundle, label: SourceLabel): ParsedCert[] {
  const probe = probeFacts(ev);
  if (!probe) return [];
  const order = [probe.workload, probe.anonymous, probe.wide, ...probe.handshakes];
  const withChain = order.find((h) => h && Array.isArray(h.peerChain) && h.peerChain.length > 0);
  if (!withChain) return [];
  const origin: Source = { kind: 'peer', address: probe.peer };
  return parseCertSets([{ source: label(origin), origin, pems: withChain.peerChain }], label);
}

/**
 * The chain the peer presented, built like ours: verified against OUR trust bundle (`trust`), with
 * `--peer-id` as the identity it must carry.
 */
export function peerChainFact(
  ev: EvidenceBundle,
  ctx: { pool: ParsedCert[]; bundles: BundleFact[]; at: number; label: SourceLabel },
): { chain: ChainFact; presented: ParsedCert[] } | null {
  const presented = peerPresented(ev, ctx.label);
  if (presented.length === 0) return null;
  const chain = buildChain({
    subject: 'peer',
    usage: opposite(ev.options.role),
    expectedId: ev.options.peerId,
    presented,
    pool: ctx.pool,
    bundles: ctx.bundles,
    verifierBundle: ctx.bundles.some((b) => b.name === 'trust') ? 'trust' : null,
    at: ctx.at,
  });
  return { chain, presented };
}

// ------------------------------------------------------------------------------------------- symptoms

function outcomeSymptom(h: HandshakeEvidence, wide: HandshakeEvidence | null, stack: PeerStack | null): SymptomFact | null {
  const o = h.outcome;
  const peer = h.peer;
  const sym = (code: string, detail: string, rejectedBy: SymptomFact['rejectedBy'], means: SymptomCode[], orStages?: readonly Stage[]): SymptomFact => ({
    source: 'probe',
    code,
    detail,
    rejectedBy,
    means,
    ...(orStages?.length ? { orStages } : {}),
  });
  const rejected = peerRejection(h);
  if (rejected) {
    const known = rejected.alert !== null ? REJECTION_ALERTS[rejected.alert] : undefined;
    // From a stack that sends this alert for any verification failure, every certificate stage may be the cause.
    const byStack = stack && rejected.alert !== null ? STACK_REJECTION[stack.name]?.[rejected.alert] : undefined;
    const from = stack ? ` from ${stack.label}` : '';
    if (byStack) return sym(rejected.code, `${peer} rejected our certificate: ${rejected.how}${from}, which sends it for any verification failure`, 'peer', [byStack, ...(known?.means ?? []), 'probe:peer-rejected'], CERT_STAGES);
    return sym(rejected.code, `${peer} rejected our certificate: ${rejected.how}${from}`, 'peer', [...(known?.means ?? []), 'probe:peer-rejected'], known?.orStages ?? CERT_STAGES);
  }
  if (refusedForMissingCertificate(h)) {
    const how = o.kind === 'alert-received' ? `alert ${o.alert} ${o.name}` : o.kind === 'rejected-after-handshake' ? `HTTP ${o.status} "${o.detail}"` : 'closing the connection';
    return sym(o.kind === 'alert-received' ? `alert:${o.alert}` : o.kind === 'rejected-after-handshake' ? 'http:no-client-certificate' : `closed:${(o as { phase: string }).phase}`, `${peer} demands a client certificate and we presented none: ${how}`, 'unknown', ['no-client-cert']);
  }
  switch (o.kind) {
    case 'success':
    case 'not-attempted':
      return null;
    case 'alert-received': {
      if (o.alert === 120) return sym('alert:120', `${peer} refused our ALPN (${h.alpnOffered.join(', ') || 'none'}): alert 120 no_application_protocol`, 'unknown', ['alert:120']);
      if (o.alert === 70) return sym('alert:70', `${peer} refused our TLS versions (${h.versionsOffered.min}–${h.versionsOffered.max}): alert 70 protocol_version`, 'unknown', ['alert:70']);
      if (o.alert === 71) return sym('alert:71', `${peer} found our offer too weak: alert 71 insufficient_security`, 'unknown', ['alert:71']);
      if ((o.alert === 40 || o.alert === 47) && o.phase === 'before-server-hello') {
        const wideVersion = wide?.negotiated?.version;
        const order: SymptomCode[] = wideVersion && /^TLSv1(\.1)?$|SSL/.test(wideVersion) ? ['version-mismatch', 'cipher-mismatch'] : ['cipher-mismatch', 'version-mismatch'];
        return sym(`alert:${o.alert}`, `${peer} answered our ClientHello with alert ${o.alert} ${o.name}: no common parameters`, 'unknown', [...order, 'alpn-mismatch']);
      }
      return sym(`alert:${o.alert}`, `${peer} sent alert ${o.alert} ${o.name} (${o.phase.replace(/-/g, ' ')})`, 'unknown', []);
    }
    case 'alert-sent':
      return sym(`sent:${o.alert}`, `our TLS stack refused what ${peer} chose (${o.code}): alert ${o.alert} ${o.name}`, 'local', o.alert === 70 ? ['version-mismatch'] : ['cipher-mismatch', 'version-mismatch']);
    case 'plaintext':
      return sym('plaintext', `${peer} answered our ClientHello in plaintext: ${o.sample}`, 'unknown', ['plaintext-reply']);
    case 'eof':
    case 'reset':
      if (o.phase === 'before-server-hello') return sym(`${o.kind}:${o.phase}`, `${peer} ${o.kind === 'reset' ? 'reset' : 'closed'} the connection before any TLS answer`, 'unknown', ['probe:closed-before-hello']);
      return sym(`${o.kind}:${o.phase}`, `${peer} ${o.kind === 'reset' ? 'reset' : 'closed'} the connection ${o.phase.replace(/-/g, ' ')}`, 'unknown', []);
    case 'refused':
      return sym('refused', `${peer} refused the connection (nothing listens there)`, 'unknown', ['connection-refused']);
    case 'dns-failure':
      return sym(`dns:${o.code}`, `${peer}: the name does not resolve (${o.code})`, 'unknown', ['dns-failure']);
    case 'unreachable':
      return sym(`unreachable:${o.code}`, `${peer} is unreachable (${o.code})`, 'unknown', ['probe:unreachable']);
    case 'timeout':
      return sym(`timeout:${o.phase}`, `${peer} did not answer the ${o.phase === 'connect' ? 'TCP connection' : 'TLS handshake'} within ${seconds(o.afterMs)}`, 'unknown', ['probe:unreachable']);
    case 'rejected-after-handshake':
      return null;
    case 'tls-error':
      return sym(`tls:${o.code}`, `${peer}: TLS error ${o.code} (${o.phase.replace(/-/g, ' ')})`, 'unknown', []);
  }
}

/** Symptoms from the probe, most telling first: our own verification of the peer (the workload checks the
 * server's certificate before it sends its own), then how the attempt that stands for the workload ended. */
export function handshakeSymptoms(probe: ProbeFact | null): SymptomFact[] {
  if (!probe) return [];
  const out: SymptomFact[] = [];
  const h = probe.primary;
  const v = h.localVerification;
  if (v?.checked && !v.ok && v.code) {
    const signal = verifySignal(v.code);
    out.push({
      source: 'probe',
      code: `verify:${v.code}`,
      detail: `We reject the certificate ${h.peer} presents: ${v.reason ?? v.code} (${v.code})`,
      rejectedBy: 'local',
      means: signal ? [signal] : [],
      orStages: signal ? (VERIFY_STAGES[v.code] ?? []) : CERT_STAGES,
    });
  }
  // A peer that refused a probe offering no certificate of ours (none given, or no key for it) shows that it
  // is STRICT, not that anything failed: no symptom, so that the peer chain's real faults rank first.
  const offeredNone = !probe.workload && refusedForMissingCertificate(h);
  const s = offeredNone ? null : outcomeSymptom(h, probe.wide, probe.stack);
  if (s) out.push(s);
  return out;
}

export { alertName };
