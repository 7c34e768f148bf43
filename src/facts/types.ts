import type { BundleFact, ChainFact } from '../x509/chain.js';
import type { CrlFact } from '../x509/crl.js';
import type { CertFact } from '../x509/types.js';
import type { VerifierId } from '../x509/verifiers.js';
import type { Role } from '../evidence/types.js';
import type { Source } from '../model/source.js';
import type { Thresholds } from '../model/thresholds.js';
import type { SymptomFact } from './symptom-fact.js';
import type { ProxyFacts } from './proxy.js';
import type { ProbeFact } from './handshake.js';
import type { ClusterFacts } from './policy.js';

/** What rules read. Derived from evidence by pure functions; never holds a library object. */
export interface Facts {
  /** Evaluation time, ms since the epoch. */
  now: number;
  role: Role;
  /** Every chain to judge: the workload's own (`local`) and, after a probe, the peer's. */
  chains: ChainFact[];
  local: ChainFact | null;
  /** Trust bundles and CA material by name: `trust`, `peerTrust`, `ca`. */
  bundles: Record<string, BundleFact>;
  /** True when no `--peer-trust` was given and the peer is assumed to trust what we trust. */
  peerTrustAssumed: boolean;
  key: { source: string; origin?: Source; type: string; spkiSha256: string; matchesLeaf: boolean | null } | null;
  expectId: string | null;
  /** Every identity our certificate may carry (any one is enough); `[expectId]` when one was given. */
  expectIds: string[];
  thresholds: Thresholds;
  /** Every distinct certificate known, by fingerprint. */
  certs: Map<string, CertFact>;
  symptomText: string | null;
  /** Observed symptoms (probe outcomes, moving counters, pasted errors), most telling first. */
  symptoms: SymptomFact[];
  /** What the istio-proxy showed (Envoy admin, pilot-agent, mounted files); null without such evidence. */
  proxy: ProxyFacts | null;
  /** The probe's handshakes with the peer (`--peer`); null without a probe. */
  probe: ProbeFact | null;
  /** Certificate revocation lists the verifier checks with (`--crl`), with their signatures checked. */
  crls: CrlFact[];
  /** The verifier's depth limit in intermediate CAs (`--max-depth`, OpenSSL -verify_depth); null: none given. */
  maxChainDepth: number | null;
  /** Whose verifier judges the chains (`--verifier`; default envoy): grades the checks where verifiers differ. */
  verifier: VerifierId;
  /** Mesh policy and cluster objects (cluster mode: `diagnose pod/NAME`); null without them. */
  cluster: ClusterFacts | null;
}

/**
 * The names a rule may list in `meta.requires`; the engine reports `insufficient-evidence` with the
 * missing ones instead of running the rule.
 */
export type FactName = 'chain' | 'local-chain' | 'trust' | 'peer-trust' | 'verifier-trust' | 'key' | 'expect-id' | 'ca' | 'proxy' | 'handshake' | 'crl' | 'max-depth' | 'cluster';

export function availableFacts(f: Facts): Set<FactName> {
  const s = new Set<FactName>();
  // The mesh CA's certificates alone (--ca, no chain) are something to judge too: every CA level's expiry.
  if (f.chains.length > 0 || (f.bundles.ca?.certs.length ?? 0) > 0) s.add('chain');
  if (f.local) s.add('local-chain');
  if (f.bundles.trust && f.bundles.trust.certs.length > 0) s.add('trust');
  if (f.bundles.peerTrust && f.bundles.peerTrust.certs.length > 0 && !f.peerTrustAssumed) s.add('peer-trust');
  // Rules that need a verifier skip the chains that have none (e.g. a peer chain when only --peer-trust was given).
  if (f.chains.some((c) => c.verifier !== null)) s.add('verifier-trust');
  if (f.key) s.add('key');
  // Ours (--expect-id, or the sidecar's identity) or the peer's (--peer-id): either gives the SAN check a target.
  if (f.expectId || f.chains.some((c) => c.expectedId)) s.add('expect-id');
  if (f.bundles.ca && f.bundles.ca.certs.length > 0) s.add('ca');
  if (f.proxy) s.add('proxy');
  if (f.probe) s.add('handshake');
  if (f.crls.length > 0) s.add('crl');
  if (f.maxChainDepth !== null) s.add('max-depth');
  if (f.cluster) s.add('cluster');
  return s;
}

/** What a missing fact needs from the user, for `notEvaluated[].missing` and the text report. */
export const FACT_HINTS: Record<FactName, string> = {
  chain: 'a certificate chain (--chain FILE, or a peer probe)',
  'local-chain': "the workload's own chain (--chain FILE)",
  trust: 'a trust bundle (--trust FILE)',
  'peer-trust': "the peer's trust bundle (--peer-trust FILE)",
  'verifier-trust': 'the trust bundle the verifying side uses (--trust FILE or --peer-trust FILE)',
  key: 'the private key (--key FILE)',
  'expect-id': 'the expected identity (--expect-id spiffe://TD/ns/NS/sa/SA)',
  ca: "the mesh CA's certificates (--ca FILE)",
  proxy: 'evidence from the istio-proxy (run inside the pod, or give --envoy-admin URL / --proxy-root DIR)',
  handshake: 'a test handshake with the peer (--peer HOST:PORT; for an in-cluster service of a pod target, --in-pod)',
  crl: "the CA's certificate revocation list (--crl FILE, e.g. Istio's ca-crl.pem)",
  cluster: 'the cluster objects (diagnose pod/NAME with a kubeconfig: PeerAuthentication, DestinationRule, mesh config)',
  'max-depth': "the verifier's depth limit (--max-depth N; Envoy max_verify_depth N is --max-depth N-1)",
};
