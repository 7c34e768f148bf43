/**
 * Pods into classes: what a collector saw of each pod (WorkloadObservation) becomes WorkloadClass records, one
 * per distinct (SPIFFE identity, chain above the leaf, trust roots, verifier, judged leaf properties). Pure:
 * certificates are parsed here (src/x509) so that the fleet and the judgement hold plain records only.
 */
import { createHash } from 'node:crypto';
import { parseCertificate } from '../x509/certificate.js';
import { decodeCertificates } from '../x509/pem.js';
import type { CertFact } from '../x509/types.js';
import type { ClassPod, LeafProfile, VerifierName, WorkloadClass, WorkloadObservation } from '../model/workload.js';

/** Parsed certificates by PEM text: a class's material is parsed once, however many pods share it. */
const cache = new Map<string, CertFact[]>();
const CACHE_MAX = 4096;

/** The certificates of some PEM texts (each may hold several), parsed; a block that is not a certificate is skipped. */
export function certFacts(pems: readonly string[], source: string): CertFact[] {
  return pems.flatMap((pem) => {
    const hit = cache.get(pem);
    if (hit) return hit;
    let facts: CertFact[] = [];
    try {
      facts = decodeCertificates(pem, source).map((b) => parseCertificate(b.der, source).fact);
    } catch {
      facts = [];
    }
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(pem, facts);
    return facts;
  });
}

/** The leaf properties the rules judge. */
export function leafProfile(leaf: CertFact): LeafProfile {
  const k = leaf.publicKey;
  return {
    eku: leaf.eku ? [...leaf.eku] : null,
    keyUsage: leaf.keyUsage ? [...leaf.keyUsage] : null,
    sans: leaf.sans.map((s) => `${s.type}:${s.value}`),
    keyType: `${k.type}${k.curve ? `:${k.curve}` : k.bits ? `:${k.bits}` : ''}`,
  };
}

/** The stable id of a class: a short hash of everything it shares (not its pods). */
export function classKey(c: Omit<WorkloadClass, 'id' | 'pods' | 'chain' | 'trust' | 'source'>): string {
  const h = createHash('sha256').update(JSON.stringify([c.spiffeId, c.namespace, c.serviceAccount, c.caFingerprints, c.trustRoots, c.verifier, c.leaf, c.from])).digest('hex');
  return `${c.namespace}/${c.serviceAccount}@${h.slice(0, 10)}`;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Groups read pods into classes. Pods that were not read are not classified here (the caller lists them, and may
 * judge them from their namespace's root ConfigMap: `configMapClass`).
 */
export function classify(observations: readonly WorkloadObservation[]): WorkloadClass[] {
  const byId = new Map<string, WorkloadClass>();
  for (const o of observations) {
    if (o.status !== 'read' || o.chain.length === 0) continue;
    const source = `pod/${o.pod.name} istio-proxy`;
    const chain = certFacts(o.chain, source);
    const trust = certFacts(o.trust, source);
    const leaf = chain[0];
    if (!leaf) continue;
    const base = {
      spiffeId: leaf.spiffe.find((s) => s.ok)?.uri ?? null,
      namespace: o.pod.namespace,
      serviceAccount: o.pod.serviceAccount,
      caFingerprints: chain.slice(1).map((c) => c.fingerprint),
      trustRoots: [...new Set(trust.map((c) => c.fingerprint))].sort(),
      verifier: o.verifier,
      leaf: leafProfile(leaf),
      from: 'sidecar' as const,
    };
    const id = classKey(base);
    const pod: ClassPod = { namespace: o.pod.namespace, name: o.pod.name, ready: o.pod.ready, revision: o.pod.revision, leaf: { fingerprint: leaf.fingerprint, serial: leaf.serial, notBefore: iso(leaf.notBefore), notAfter: iso(leaf.notAfter) } };
    const have = byId.get(id);
    if (have) have.pods.push(pod);
    else byId.set(id, { id, ...base, chain: [...o.chain], trust: [...o.trust], source, pods: [pod] });
  }
  return [...byId.values()];
}

/**
 * A class for pods whose sidecars could not be read: what they verify with is taken from their namespace's
 * `istio-ca-root-cert` ConfigMap (the roots istiod hands to the namespace's pods), what they present is unknown.
 */
export function configMapClass(o: { namespace: string; serviceAccount: string; verifier: VerifierName; rootPems: string[]; source: string; pods: ClassPod[] }): WorkloadClass {
  const trust = certFacts(o.rootPems, o.source);
  const base = { spiffeId: null, namespace: o.namespace, serviceAccount: o.serviceAccount, caFingerprints: [], trustRoots: [...new Set(trust.map((c) => c.fingerprint))].sort(), verifier: o.verifier, leaf: null, from: 'root-configmap' as const };
  return { id: classKey(base), ...base, chain: [], trust: [...o.rootPems], source: o.source, pods: o.pods };
}

/** The verifier that judges a pod's peers, from what its labels say (ambient mode: ztunnel). */
export function verifierOfPod(labels: Record<string, string>): VerifierName {
  return labels['istio.io/dataplane-mode'] === 'ambient' ? 'ztunnel' : 'envoy';
}

/** The owner revision of a pod (Deployment: pod-template-hash; StatefulSet/DaemonSet: controller-revision-hash). */
export function revisionOfPod(labels: Record<string, string>): string | null {
  return labels['pod-template-hash'] ?? labels['controller-revision-hash'] ?? null;
}
