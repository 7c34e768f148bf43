/**
 * What the Kubernetes API showed about the target pod and its mesh, as plain JSON (no client-node objects):
 * the pod, the mesh config, the namespace's root ConfigMap, PeerAuthentication and DestinationRule objects, the
 * peer service's pods, and the CA certificates of `cacerts` / `istio-ca-secret` (certificate keys only: the CA's
 * private key is dropped when the Secret is received and never reaches this record).
 */
import type { CertSet } from './types.js';

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
  /** `istio` or `istio-<rev>` in the Istio namespace. */
  source: string;
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
  selector: Record<string, string>;
  pods: PodRecord[];
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
