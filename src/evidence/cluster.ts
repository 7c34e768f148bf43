/**
 * What the Kubernetes API showed about the target pod and its mesh, as plain JSON (no client-node objects):
 * the pod, the mesh config, the namespace's root ConfigMap, PeerAuthentication and DestinationRule objects, the
 * peer service's pods, and the CA certificates of `cacerts` / `istio-ca-secret` (certificate keys only: the CA's
 * private key is dropped when the Secret is received and never reaches this record).
 */
import type { CertSet } from './cert-set.js';

export type MtlsMode = 'UNSET' | 'DISABLE' | 'PERMISSIVE' | 'STRICT';
export type ClientTlsMode = 'DISABLE' | 'SIMPLE' | 'MUTUAL' | 'ISTIO_MUTUAL';

export interface PodRecord {
  name: string;
  namespace: string;
  serviceAccount: string;
  labels: Record<string, string>;
  /** Has an `istio-proxy` container (regular or native sidecar init container). */
  sidecar: boolean;
  containers: Array<{ name: string; ports: Array<{ port: number; name: string | null }> }>;
  phase: string | null;
  ready: boolean;
  /** The pod's IP, for "which pod answered" in the text. */
  ip: string | null;
  /**
   * Its sidecar's traffic capture, from the pod's `traffic.sidecar.istio.io/*` annotations (absent: none set, all
   * captured): inbound ports that bypass the sidecar, outbound ports and IP ranges the app reaches directly.
   */
  capture?: CaptureRecord;
  /** Its app containers' HTTP / gRPC / TCP probes as the kubelet runs them (absent: not recorded). */
  probes?: ProbeRecord[];
}

/** `traffic.sidecar.istio.io/{include,exclude}InboundPorts`, `excludeOutboundPorts`, `excludeOutboundIPRanges`. */
export interface CaptureRecord {
  /** `includeInboundPorts`: `*` (default), or the only ports captured. */
  includeInboundPorts: '*' | number[];
  excludeInboundPorts: number[];
  excludeOutboundPorts: number[];
  /** CIDRs, as written (`10.96.0.0/12`). */
  excludeOutboundIPRanges: string[];
}

/** A kubelet probe: `exec` runs in the container; the others connect to the pod IP at `port`. */
export interface ProbeRecord {
  container: string;
  type: 'liveness' | 'readiness' | 'startup';
  kind: 'http' | 'grpc' | 'tcp' | 'exec';
  /** The port it connects to (null: exec, or a named port that does not resolve). */
  port: number | null;
  /** HTTP path. */
  path?: string;
}

export interface PeerAuthenticationRecord {
  name: string;
  namespace: string;
  creationTimestamp: string | null;
  /** `spec.selector.matchLabels`; null or empty: namespace (or mesh, in the root namespace) level. */
  selector: Record<string, string> | null;
  /** `spec.mtls.mode`; null when `mtls` is absent (the same as UNSET). */
  mode: MtlsMode | null;
  /** `spec.portLevelMtls`, keyed by the workload's container port. */
  portLevelMtls: Record<string, MtlsMode>;
}

export interface ClientTlsRecord {
  mode: ClientTlsMode;
  subjectAltNames: string[];
  sni: string | null;
}

export interface DestinationRuleRecord {
  name: string;
  namespace: string;
  creationTimestamp: string | null;
  host: string;
  exportTo: string[] | null;
  /** `spec.workloadSelector.matchLabels`: the rule applies only to those client workloads. */
  workloadSelector: Record<string, string> | null;
  /** `spec.trafficPolicy` is present (with or without `tls`). */
  trafficPolicy: boolean;
  tls: ClientTlsRecord | null;
  portLevelSettings: Array<{ port: number; tls: ClientTlsRecord | null }>;
}

export interface MeshConfigRecord {
  /** How it reads in evidence lines: `ConfigMap istio-system/istio`. */
  source: string;
  /** The ConfigMap it was read from: `istio` or `istio-<rev>` in the Istio namespace. */
  namespace: string;
  name: string;
  trustDomain: string;
  trustDomainAliases: string[];
  rootNamespace: string;
  enableAutoMtls: boolean;
  /** `caCertificates[].pem` (extra roots the mesh distributes). */
  caCertificates: string[];
}

export interface PeerServiceRecord {
  name: string;
  namespace: string;
  /** The port asked for (`--peer SVC.NS:PORT`): the Service port. */
  port: number;
  /** The Service port's targetPort, resolved to a number per pod where it is named; null: unknown. */
  targetPort: number | string | null;
  /** The Service port's name and appProtocol: what Istio selects the protocol by (absent in older bundles). */
  portName?: string | null;
  appProtocol?: string | null;
  selector: Record<string, string>;
  pods: PodRecord[];
  /** The Service's cluster IP (what a caller's excludeOutboundIPRanges is matched against); absent: not known. */
  clusterIP?: string | null;
  /**
   * Why the client pod's app reaches this service around its own sidecar (the capture annotation that excludes the
   * port or the Service's IP: src/facts/capture.ts `outboundExcluded`); absent or null: its sidecar carries it.
   */
  excludedOutbound?: string | null;
}

export interface ClusterEvidence {
  /** The kubeconfig context used (null: in-cluster config). */
  context: string | null;
  server: string | null;
  pod: PodRecord | null;
  meshConfig: MeshConfigRecord | null;
  /** ConfigMap `istio-ca-root-cert` key `root-cert.pem` of the pod's namespace. */
  rootConfigMap: CertSet | null;
  peerAuthentications: PeerAuthenticationRecord[];
  destinationRules: DestinationRuleRecord[];
  peer: PeerServiceRecord | null;
  /** Leaf SPIFFE IDs the peer pods' sidecars serve (read through their Envoy admin), by pod name. */
  peerIdentities: Array<{ pod: string; ids: string[] }>;
  /** Certificates of the CA Secrets (with --read-ca-secrets): cacerts, istio-ca-secret. Keys never kept. */
  caSecrets: CertSet[];
  /** Requests the API server refused (403): one line each in the report, the diagnosis goes on. */
  denied: Array<{ verb: string; resource: string; namespace: string | null; name?: string; user?: string }>;
}

export function emptyClusterEvidence(): ClusterEvidence {
  return { context: null, server: null, pod: null, meshConfig: null, rootConfigMap: null, peerAuthentications: [], destinationRules: [], peer: null, peerIdentities: [], caSecrets: [], denied: [] };
}

const isObj = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);
const isStrMap = (x: unknown) => isObj(x) && Object.values(x).every((v) => typeof v === 'string');

function podProblem(p: unknown, where: string): string | null {
  if (!isObj(p)) return `${where} is not an object`;
  if (typeof p.name !== 'string' || typeof p.namespace !== 'string' || typeof p.serviceAccount !== 'string' || typeof p.sidecar !== 'boolean') return `${where} lacks name, namespace, serviceAccount or sidecar`;
  if (!isStrMap(p.labels)) return `${where}.labels is not a map of strings`;
  if (!Array.isArray(p.containers) || !p.containers.every((c) => isObj(c) && typeof c.name === 'string' && Array.isArray(c.ports) && c.ports.every((x) => isObj(x) && typeof x.port === 'number'))) return `${where}.containers is malformed`;
  return null;
}

/** What is wrong with a replayed bundle's `cluster` field (null: usable), for one clear input error. */
export function clusterEvidenceProblem(c: unknown): string | null {
  if (!isObj(c)) return '"cluster" is not an object';
  if (c.pod !== null && c.pod !== undefined) {
    const p = podProblem(c.pod, 'cluster.pod');
    if (p) return p;
  }
  for (const k of ['peerAuthentications', 'destinationRules', 'peerIdentities', 'caSecrets', 'denied'] as const) if (!Array.isArray(c[k])) return `cluster.${k} is not a list`;
  for (const [i, pa] of (c.peerAuthentications as unknown[]).entries()) {
    if (!isObj(pa) || typeof pa.name !== 'string' || typeof pa.namespace !== 'string' || !isObj(pa.portLevelMtls) || (pa.selector !== null && !isStrMap(pa.selector))) return `cluster.peerAuthentications[${i}] is malformed`;
  }
  for (const [i, dr] of (c.destinationRules as unknown[]).entries()) {
    if (!isObj(dr) || typeof dr.name !== 'string' || typeof dr.namespace !== 'string' || typeof dr.host !== 'string' || !Array.isArray(dr.portLevelSettings)) return `cluster.destinationRules[${i}] is malformed`;
  }
  for (const [i, x] of (c.peerIdentities as unknown[]).entries()) if (!isObj(x) || typeof x.pod !== 'string' || !Array.isArray(x.ids) || !x.ids.every((s) => typeof s === 'string')) return `cluster.peerIdentities[${i}] is malformed`;
  if (c.meshConfig !== null && c.meshConfig !== undefined) {
    const m = c.meshConfig;
    if (!isObj(m) || typeof m.trustDomain !== 'string' || !Array.isArray(m.trustDomainAliases) || typeof m.rootNamespace !== 'string' || typeof m.enableAutoMtls !== 'boolean') return 'cluster.meshConfig is malformed';
  }
  if (c.rootConfigMap !== null && c.rootConfigMap !== undefined && !(isObj(c.rootConfigMap) && typeof c.rootConfigMap.source === 'string' && Array.isArray(c.rootConfigMap.pems))) return 'cluster.rootConfigMap is malformed';
  if (c.peer !== null && c.peer !== undefined) {
    const p = c.peer;
    if (!isObj(p) || typeof p.name !== 'string' || typeof p.namespace !== 'string' || typeof p.port !== 'number' || !Array.isArray(p.pods)) return 'cluster.peer is malformed';
    for (const [i, x] of p.pods.entries()) {
      const e = podProblem(x, `cluster.peer.pods[${i}]`);
      if (e) return e;
    }
  }
  return null;
}
