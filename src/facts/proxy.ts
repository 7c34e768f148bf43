/**
 * Facts from istio-proxy evidence: the SDS secrets Envoy holds, what `/certs` says its TLS contexts serve,
 * the mounted credential files, the pilot-agent's certificate expiry, and Envoy SSL counters with their
 * direction (inbound listener vs outbound cluster) and the deltas between samples.
 *
 * Pure: evidence in, facts out. A counter that moves is a symptom (statsSymptoms).
 */
import { parseCertSets } from './parse.js';
import { classifyStat, hasSslStats, type StatClass } from '../evidence/stats.js';
import type { CertFact } from '../x509/types.js';
import type { EvidenceBundle } from '../evidence/types.js';
import type { ProxyEvidence, ProxySecret, ServedCert, StatsSample } from '../evidence/proxy.js';
import type { SymptomFact } from './symptom-fact.js';
import type { Source, SourceLabel } from '../model/source.js';
import { CERT_STAGES, type Stage } from '../model/stage.js';
import type { SymptomCode } from '../model/symptom.js';

export interface SecretFact {
  name: string;
  /** How it reads in evidence lines: `envoy secret "default"`. */
  source: string;
  state: ProxySecret['state'];
  kind: ProxySecret['kind'];
  certs: CertFact[];
  trustDomains: string[];
  error: string | null;
  clientStatus: string | null;
  lastUpdated: string | null;
}

export interface CounterFact extends StatClass {
  value: number;
  /** Change from the first sample to the last; null with a single sample. */
  delta: number | null;
}

export interface ProxyFacts {
  /** Envoy's config_dump secrets were read. */
  admin: boolean;
  secrets: SecretFact[];
  /** Leaf of the active `default` secret: what SDS last delivered to Envoy. */
  sdsLeaf: CertFact | null;
  /** Leaves `/certs` lists for Envoy's TLS contexts (what the listeners and clusters actually serve). */
  servedLeaves: ServedCert[];
  /** How `/certs` reads in evidence lines: `envoy /certs`. */
  servedSource: string;
  /** Leaves of the credential files found on the proxy's filesystem. */
  mounted: Array<{ path: string; leaf: CertFact }>;
  /** The pilot-agent's certificate: its notAfter from `istio_agent_cert_expiry_seconds`. */
  agent: { resource: string; seconds: number; notAfter: number; at: number } | null;
  agentReady: boolean | null;
  /** SSL-related counters (last sample) with deltas. */
  counters: CounterFact[];
  /** Seconds between the first and the last stats sample; null with fewer than two. */
  windowSeconds: number | null;
  /** Stats were sampled and held SSL counters (true), held none (false: filtered by Istio's stats matcher), or were not sampled (null). */
  sslStatsVisible: boolean | null;
}


/** Derives proxy facts; null when the evidence has no proxy part. `label` names sources (the report's, handed down). */
export function buildProxyFacts(ev: EvidenceBundle, label: SourceLabel): ProxyFacts | null {
  const p: ProxyEvidence | undefined = ev.proxy;
  if (!p) return null;
  const parsePems = (pems: string[], origin: Source): CertFact[] => parseCertSets([{ source: label(origin), origin, pems }], label).map((c) => c.fact);
  const secrets: SecretFact[] = p.secrets.map((s) => ({
    name: s.name,
    source: label({ kind: 'envoy-secret', name: s.name }),
    state: s.state,
    kind: s.kind,
    certs: parsePems(s.pems, { kind: 'envoy-secret', name: s.name }),
    trustDomains: s.trustDomains.map((t) => t.name),
    error: s.error,
    clientStatus: s.clientStatus,
    lastUpdated: s.lastUpdated,
  }));
  const def = secrets.find((s) => s.name === 'default' && s.state === 'active' && s.certs.length > 0);
  const mounted = p.files
    .filter((f) => f.kind === 'cert-chain' && f.pems.length > 0)
    .map((f) => ({ path: f.path, leaf: parsePems(f.pems.slice(0, 1), { kind: 'file', path: f.path })[0]! }));
  const agentSecs = p.agent?.certExpirySeconds.default;
  const agentAt = p.agent ? Date.parse(p.agent.at) : NaN;
  const samples = p.stats;
  const last = samples[samples.length - 1];
  const first = samples[0];
  const counters: CounterFact[] = [];
  if (last) {
    for (const [name, value] of Object.entries(last.values)) {
      const c = classifyStat(name);
      if (!c) continue;
      const before = samples.length > 1 ? first!.values[name] : undefined;
      counters.push({ ...c, value, delta: samples.length > 1 ? value - (before ?? 0) : null });
    }
  }
  counters.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    admin: p.secretsRead,
    secrets,
    sdsLeaf: def ? def.certs[0]! : null,
    servedLeaves: p.served.filter((s) => s.kind === 'leaf'),
    servedSource: label({ kind: 'envoy-certs' }),
    mounted,
    agent: agentSecs !== undefined && Number.isFinite(agentAt) ? { resource: 'default', seconds: agentSecs, notAfter: agentAt + agentSecs * 1000, at: agentAt } : null,
    agentReady: p.agent?.ready ?? null,
    counters,
    windowSeconds: samples.length > 1 ? Math.round((Date.parse(last!.at) - Date.parse(first!.at)) / 100) / 10 : null,
    sslStatsVisible: last ? samples.some(hasSslStats) : null,
  };
}

/**
 * What a moving counter shows, and the catalogue codes it stands for (the rules say which of them explain
 * it). `orStages`: a verify failure that does not say which check failed can be any rule of those stages.
 */
interface CounterMeaning {
  /** Lower first. */
  order: number;
  means: SymptomCode[];
  orStages?: readonly Stage[];
  rejectedBy: SymptomFact['rejectedBy'];
  says: string;
}

function meaningOf(c: CounterFact): CounterMeaning | null {
  const verifier = c.direction === 'inbound' ? 'this sidecar (as the server) rejected a client' : 'this sidecar (as the client) rejected the server';
  switch (c.counter) {
    case 'fail_verify_error':
      return { order: 0, means: ['envoy:fail_verify_error'], orStages: ['expiry', 'chain'], rejectedBy: 'unknown', says: `${verifier}'s certificate chain (expired, not yet valid, or not issued by a trusted CA)` };
    case 'fail_verify_san':
      return { order: 1, means: ['envoy:fail_verify_san'], orStages: ['san'], rejectedBy: 'unknown', says: `${verifier}'s identity (SAN / SPIFFE ID not among those expected)` };
    case 'fail_verify_cert_hash':
      return { order: 2, means: [], orStages: ['chain'], rejectedBy: 'unknown', says: `${verifier}'s certificate (pinned hash mismatch)` };
    case 'was_key_usage_invalid':
      return { order: 3, means: ['envoy:was_key_usage_invalid'], orStages: ['key-usage'], rejectedBy: 'unknown', says: 'a peer certificate had a key usage unfit for its use' };
    case 'fail_verify_no_cert':
      return { order: 4, means: ['no-client-cert'], rejectedBy: 'unknown', says: 'a client connected without a certificate where one is required (plain TLS, not Istio mTLS)' };
    case 'downstream_context_secrets_not_ready':
    case 'upstream_context_secrets_not_ready':
      return { order: 5, means: ['sds-not-delivered'], rejectedBy: 'unknown', says: 'connections were reset because SDS had not delivered a certificate yet' };
    case 'no_filter_chain_match':
      return { order: 6, means: ['no-filter-chain'], rejectedBy: 'unknown', says: 'connections matched no filter chain: plaintext (or a wrong ALPN) reaching a STRICT mTLS port' };
    case 'connection_error':
      return c.direction === 'outbound'
        ? { order: 7, means: ['envoy:outbound.connection_error'], orStages: CERT_STAGES, rejectedBy: 'peer', says: 'TLS with the server failed on its side: it sent an alert (rejected our certificate) or did not speak TLS' }
        : { order: 8, means: [], orStages: ['transport'], rejectedBy: 'unknown', says: 'inbound TLS handshakes failed (the client aborted, sent non-TLS bytes, or no common protocol)' };
    case 'no_certificate':
      return { order: 9, means: ['no-client-cert'], rejectedBy: 'unknown', says: 'clients completed handshakes without presenting a certificate' };
    default:
      return null;
  }
}

function where(c: CounterFact): string {
  return c.direction === 'inbound' ? `inbound, listener ${c.scope}` : `outbound, cluster ${c.scope}`;
}

/** A counter that moved between samples is a symptom: what happened, which way, with which peer cluster. */
export function statsSymptoms(f: ProxyFacts | null): SymptomFact[] {
  if (!f || f.windowSeconds === null) return [];
  const moving = f.counters
    .filter((c) => c.delta !== null && c.delta > 0)
    .map((c) => ({ c, m: meaningOf(c) }))
    .filter((x): x is { c: CounterFact; m: CounterMeaning } => x.m !== null)
    .sort((a, b) => a.m.order - b.m.order || b.c.delta! - a.c.delta! || (a.c.name < b.c.name ? -1 : 1));
  return moving.map(({ c, m }) => ({
    source: 'stats' as const,
    code: `envoy:${c.counter}`,
    detail: `${c.name} rose by ${c.delta} in ${f.windowSeconds}s (${where(c)}): ${m.says}`,
    rejectedBy: m.rejectedBy,
    means: m.means,
    ...(m.orStages ? { orStages: m.orStages } : {}),
  }));
}
