/**
 * The fleet view's vocabulary: what a scan collected from each pod (plain PEM text, as the proxy-evidence
 * collectors produce it) and the report it becomes. The JSON form of `ScanReport` is the public contract of
 * `mtls-doctor scan -o json` (schemaVersion 1; fields are only ever added).
 */

/** What one pod's sidecar holds, as a scan collected it. */
export interface PodHolding {
  namespace: string;
  name: string;
  /** The workload the pod belongs to (its controller, e.g. the Deployment): leaves are aggregated per workload. */
  workload?: string;
  status: 'ok' | 'failed';
  /** Why the pod could not be read (no sidecar, 403, timeout, …); set when status is failed. */
  reason?: string;
  /** The chain the sidecar serves (the `default` secret), leaf first, PEM. */
  served?: readonly string[];
  /** The roots its trust bundle holds (the `ROOTCA` validation context), PEM. */
  trusted?: readonly string[];
}

/** Cluster objects that hold CA material: the per-namespace root ConfigMaps and (opt-in) the CA Secrets. */
export interface FleetInput {
  pods: readonly PodHolding[];
  /** ConfigMap `istio-ca-root-cert` (key `root-cert.pem`) per namespace: what new pods will trust. */
  rootConfigMaps?: ReadonlyArray<{ namespace: string; pem: string }>;
  /** CA Secrets (`cacerts`, `istio-ca-secret`): certificate keys only, never the private key. */
  caSecrets?: ReadonlyArray<{ namespace: string; name: string; certs: ReadonlyArray<{ key: string; pem: string }> }>;
}

export type Level = 'leaf' | 'intermediate' | 'root';
export type ExpiryStatus = 'ok' | 'warning' | 'critical' | 'expired' | 'not-yet-valid';

export interface PodRow {
  namespace: string;
  name: string;
  status: 'ok' | 'failed';
  reason?: string;
  leaf: { serial: string; notAfter: string; issuer: string } | null;
  /** SHA-256 fingerprints of the roots the pod trusts, sorted. */
  roots: string[];
  /** The root its served leaf chains to (fingerprint), null when it chains to no known root. */
  chainsTo?: string | null;
}

export interface CertificateRow {
  level: Level;
  subject: string;
  serial: string;
  fingerprint: string;
  notAfter: string;
  /** Seconds left at evaluation time (negative: expired). */
  secondsLeft: number;
  /** How many pods serve (leaf, intermediate) or trust (root) it. */
  pods: number;
  status: ExpiryStatus;
  /** Leaves: the workload they are aggregated for. */
  namespace?: string;
  workload?: string;
  /** Where it was seen besides pods: `configmap NS/istio-ca-root-cert`, `secret NS/cacerts ca-cert.pem`. */
  alsoIn?: string[];
}

export interface DriftGroup {
  /** The set of roots these pods trust (fingerprints, sorted). */
  roots: string[];
  /** Their names (CN), in the same order as the fingerprints' keys. */
  rootNames: string[];
  pods: string[];
  /** The largest group: the fleet's consensus. */
  majority: boolean;
}

export interface TrustGap {
  /** A root that served leaves chain to. */
  root: string;
  /** Its name (CN). */
  rootSubject: string;
  /** Pods serving leaves under it. */
  servingPods: number;
  /** Pods that do not trust it: they cannot verify those leaves (who can no longer talk to whom). */
  untrustingPods: string[];
}

export interface ConfigMapDrift {
  namespace: string;
  /** Roots in the ConfigMap, fingerprints. */
  configMapRoots: string[];
  rootNames: string[];
  /** Pods of the namespace whose trust bundle differs from it. */
  pods: string[];
}

export type RotationViolationKind = 'issuing-before-trusted' | 'root-removed-while-used';

export interface RotationStatus {
  /** 0: no rotation in progress (one root); 1–5: the step of the safe rotation in progress. */
  phase: 0 | 1 | 2 | 3 | 4 | 5;
  phaseName: string;
  /** The step is finished: the next one may begin (when there are no violations). */
  complete: boolean;
  /** Progress within the phase: how many of how many (pods trusting the new root, workloads rotated, …). */
  progress: { done: number; of: number; what: string } | null;
  oldRoots: string[];
  newRoots: string[];
  violations: Array<{ kind: RotationViolationKind; root: string; pods: string[]; detail: string }>;
  /** The next safe step, in one sentence. */
  next: string;
  /** How the mesh CA is set up, from the CA Secrets found: decides the commands of `rotation plan`. */
  setup: 'plug-in-cacerts' | 'self-signed' | 'unknown';
}

export interface ScanReport {
  schemaVersion: 1;
  tool: { name: string; version: string };
  evaluatedAt: string;
  scope: { namespaces: string[] | 'all'; selector?: string };
  summary: { pods: number; ok: number; failed: number; driftPods: number; earliest: CertificateRow | null };
  pods: PodRow[];
  certificates: CertificateRow[];
  drift: DriftGroup[];
  configMapDrift: ConfigMapDrift[];
  trustGaps: TrustGap[];
  rotation: RotationStatus;
  durationSeconds?: number;
}

/** Which pods a fleet scan reads (the cluster collector's part of `ScanRequest`, src/diagnose/scan.ts). */
export interface FleetTarget {
  /** One namespace (default: the kubeconfig context's); or every namespace with `allNamespaces`. */
  namespace?: string;
  allNamespaces?: boolean;
  /** Several named namespaces, each listed on its own (`serve`: the namespaces a chat channel may read). */
  namespaces?: string[];
  /** Only pods matching this label selector (kubectl syntax). */
  selector?: string;
  /** Also read the CA Secrets (certificates only). */
  readCaSecrets?: boolean;
  context?: string;
  kubeconfig?: string;
}
