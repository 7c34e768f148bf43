/**
 * The fleet view's vocabulary: what a scan collected from each pod (plain PEM text, as the proxy-evidence
 * collectors produce it) and the report it becomes. The JSON form of `ScanReport` is the public contract of
 * `mtls-doctor scan -o json` (schemaVersion 1; fields are only ever added).
 */

import type { DestinationRuleRecord, MeshConfigRecord, PeerAuthenticationRecord, PodRecord } from '../evidence/cluster.js';
import type { PlaintextInbound } from '../evidence/telemetry.js';
export type { PlaintextInbound };

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
  /**
   * The Services (`NS/NAME`) whose selector picks this pod: the pod is a server of connections through them.
   * Absent (a scan saved before it was recorded): every class counts as a possible server.
   */
  services?: readonly string[];
  /** Its service account (the class's identity when the leaf carries none). */
  serviceAccount?: string;
}

/** Cluster objects that hold CA material: the per-namespace root ConfigMaps and (opt-in) the CA Secrets. */
export interface FleetInput {
  pods: readonly PodHolding[];
  /** ConfigMap `istio-ca-root-cert` (key `root-cert.pem`) per namespace: what new pods will trust. */
  rootConfigMaps?: ReadonlyArray<{ namespace: string; pem: string }>;
  /** CA Secrets (`cacerts`, `istio-ca-secret`): certificate keys only, never the private key. */
  caSecrets?: ReadonlyArray<{ namespace: string; name: string; certs: ReadonlyArray<{ key: string; pem: string }> }>;
  /** The Services of the scanned namespaces (their first port): the servers of connections. */
  services?: ReadonlyArray<{ namespace: string; name: string; port: number | null }>;
  /** Mesh policy and telemetry, read for `scan --what-if` (absent otherwise). */
  policy?: FleetPolicy;
}

/** What `scan --what-if` reads besides the certificates: every pod (with or without sidecar), Services, policies, telemetry. */
export interface FleetPolicy {
  pods: Array<PodRecord & { workload?: string }>;
  services: Array<{ namespace: string; name: string; selector: Record<string, string>; clusterIP: string | null; ports: Array<{ port: number; targetPort: number | string | null; name: string | null; appProtocol: string | null }> }>;
  peerAuthentications: PeerAuthenticationRecord[];
  destinationRules: DestinationRuleRecord[];
  meshConfig: MeshConfigRecord | null;
  /** Per sidecar pod that backs a Service (`NS/NAME`): its Envoy `/stats/prometheus` read for plaintext inbound. */
  telemetry: Array<{ pod: string; status: 'ok' | 'unavailable'; reason?: string; plaintext: PlaintextInbound[] }>;
  /** What could not be listed (one line each: RBAC, CRDs missing). */
  problems: string[];
}

/** Where `--what-if strict` applies the PeerAuthentication: one workload (pod/X), namespaces (-n), the mesh (-A). */
export type WhatIfScope = { kind: 'workload'; namespace: string; pod: string } | { kind: 'namespace'; namespaces: string[] } | { kind: 'mesh' };

/** A connection the edit breaks that works today (issue 25): client and server pods as `namespace/name`. */
export interface WhatIfBreak {
  client: { pods: string[]; namespace: string | null; workload: string | null; sidecar: boolean | null };
  server: { pods: string[]; service: string | null; port: number | null };
  rule: string;
  severity: 'critical' | 'error' | 'warning' | 'info';
  title: string;
  /** Why it breaks, in the rule's words (policy) or from the server's telemetry. */
  reason: string;
  fix: string[];
  verify: string;
  /** `policy`: judged by the policy rules on the edited model; `telemetry`: seen only in a server sidecar's metrics. */
  from: 'policy' | 'telemetry';
  /** The server sidecars' telemetry showing this caller's plaintext (cumulative counters). */
  seen?: Array<{ pod: string; metric: string; count: number }>;
}

/** `scan --what-if strict`: what a STRICT PeerAuthentication applied now would break. */
export interface WhatIfReport {
  mode: 'STRICT';
  scope: WhatIfScope;
  /** The PeerAuthentication simulated, and the ones it stands in for (same level, same target). */
  policy: { namespace: string; name: string; selector: Record<string, string> | null; replaces: string[]; yaml: string };
  /** Sidecar pods (`NS/NAME`) whose mode becomes STRICT on at least one port. */
  servers: string[];
  /** Pods in scope that stay not STRICT: a more specific PeerAuthentication keeps them so. */
  exempt: Array<{ pod: string; mode: string; why: string }>;
  breaking: WhatIfBreak[];
  /** Ports that bypass the server's sidecar: STRICT will not be enforced there (nothing breaks, nothing is protected). */
  unenforced: Array<{ pods: string[]; port: number; why: string }>;
  /** The kubelet's probes that STRICT fails (HTTP/gRPC probes not rewritten to pilot-agent). */
  probes: Array<{ pod: string; container: string; probe: string; port: number; why: string }>;
  /** Who this cannot see, in sentences. */
  cannotSee: string[];
  telemetry: { read: number; of: number; unavailable: Array<{ pod: string; reason: string }> };
  /** Caller workload × service port pairs considered (the servers' Services, every listed caller). */
  pairs: number;
  /** Of those, the pairs judged by the policy rules before and after the edit: a caller that would not send Istio mTLS to a server turned STRICT (the others cannot change). */
  judged: number;
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
  /**
   * What must be fixed before any rotation step is safe: the trust sources new pods and istiod read (a namespace's
   * root ConfigMap, the CA Secret's root-cert.pem) lack a root that live leaves or the CA's issuer chain to, so a
   * re-created pod would not trust its peers. `rotation plan` leads with these and never says "restart" before.
   */
  blockers?: RotationBlocker[];
  /** Namespaces whose root ConfigMap was read (and holds every root in use unless a blocker names it). */
  configMapsRead?: string[];
  /** The command that checks the next step was taken, over the scope the status was read with (`-n shop`, not `-A`). */
  verify?: string;
}

export interface RotationBlocker {
  kind: 'configmap-missing-root' | 'ca-secret-missing-root';
  /** `NS/istio-ca-root-cert` or `istio-system/cacerts root-cert.pem`. */
  where: string;
  namespace: string;
  /** The roots it lacks (fingerprints) and their names. */
  missing: string[];
  missingNames: string[];
  detail: string;
}

/**
 * One finding of the same rules `diagnose` runs (rules/), about a class of pods or a connection between two
 * classes: the JSON report's finding shape (rank, rule, stage, subject, severity, …) plus `forecast`, so the
 * fleet verdict and the connection's verdict are the engine's.
 */
export interface FleetFinding {
  rule: string;
  stage: string;
  subject: string;
  severity: 'critical' | 'error' | 'warning' | 'info';
  confidence: number;
  title: string;
  explanation: string;
  evidence: Array<{ source: string; detail: string }>;
  remediation: string[];
  verify: string;
  docs: string;
  causedBy: string | null;
  /** A forecast (something will break), not a failure now: makes a verdict at-risk, never failing. */
  forecast?: boolean;
  /** What it is about (a certificate fingerprint), when the rule said. */
  about?: string | null;
}

/**
 * A class of identical pods (DESIGN.md "Workloads and connections"): the same SPIFFE identity, the same chain
 * above the leaf, the same trust-bundle roots and the same leaf properties the rules judge (EKU, key usage, SANs,
 * key type). The workload rules ran once for it; each pod's own leaf validity was judged per pod.
 */
export interface ClassRow {
  /** The class id (src/connection/classes.ts `classKey`: `NS/SA@hash`), as connection findings name it. */
  id: string;
  /** The SPIFFE id its leaves carry (null: none). */
  identity: string | null;
  namespace: string;
  serviceAccount: string;
  pods: string[];
  /** Fingerprints of the chain its pods serve above the leaf, leaf side first. */
  chain: string[];
  /** Fingerprints of the roots its pods trust, sorted. */
  roots: string[];
  /** The root its chain reaches among every root the fleet holds (fingerprint), null when none. */
  chainsTo: string | null;
  /** The Services (`NS/NAME`) its pods back: it is a server through them. */
  services: string[];
  /** The workload rules' findings for this class (the same rules as `diagnose`), ranked. */
  findings: FleetFinding[];
}

/**
 * A connection between two classes (client class → a class that backs a Service) that the connection judgement
 * (src/connection/judge.ts, the one `diagnose --peer` uses) did not find fine, both ways. Each finding carries
 * `connection: { client, server, direction }` as in `diagnose`'s JSON.
 */
export interface ConnectionRow {
  client: { class: string; pods: string[] };
  server: { class: string; pods: string[]; services: string[] };
  /** broken: a side rejects the other now; at-risk: warnings or forecasts; unknown: a direction not judged. */
  status: 'broken' | 'at-risk' | 'unknown' | 'ok';
  verdict: 'healthy' | 'at-risk' | 'failing' | 'unknown';
  findings: Array<FleetFinding & { connection: { client: { class: string; pods: string[] }; server: { class: string; pods: string[] }; direction: string } }>;
  unjudged?: Array<{ direction: string; reason: string }>;
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
  /** The classes of pods the rules judged (fields added in issue 19). */
  classes?: ClassRow[];
  /** Connections between classes with a finding in at least one direction (failing ones first). */
  connections?: ConnectionRow[];
  /** How many class pairs were judged (client classes × classes that back a Service, each way). */
  connectionsJudged?: number;
  /** `scan --what-if strict` (issue 25): the connections a STRICT PeerAuthentication would break. */
  whatIf?: WhatIfReport;
}

/** A certificate as the fleet model carries it: plain fields and the expiry rules' judgement of it. */
export interface ModelCert {
  fingerprint: string;
  name: string;
  subject: string;
  serial: string;
  issuer: string;
  notBefore: number;
  notAfter: number;
  status: ExpiryStatus;
}

export interface PodModel {
  namespace: string;
  name: string;
  workload?: string;
  status: 'ok' | 'failed';
  reason?: string;
  /** Its class id (null: not read, or serves no certificate). */
  class: string | null;
  /** Its own leaf, judged for it by the leaf expiry rules. */
  leaf: ModelCert | null;
  /** Root keys it trusts (sorted). */
  trust: string[];
  /** The root key its class's chain reaches, null when none. */
  chainsTo: string | null;
}

/**
 * The fleet as src/diagnose/fleet-model.ts judged it with the rules: plain data, what src/fleet aggregates.
 * Roots are identified by `key` (subject and key: a re-issued root is the same root for a verifier).
 */
export interface FleetModel {
  now: number;
  roots: Array<ModelCert & { key: string; trustedBy: string[]; alsoIn: string[] }>;
  intermediates: Array<ModelCert & { pods: number; alsoIn: string[] }>;
  pods: PodModel[];
  classes: ClassRow[];
  /** Each namespace's root ConfigMap: the root keys it holds. */
  configMaps: Array<{ namespace: string; roots: string[] }>;
  /** The CA Secrets' root-cert.pem: the root keys each holds. */
  caSecretRoots: Array<{ where: string; namespace: string; roots: string[] }>;
  /** Root keys the CA's issuing certificate (ca-cert.pem) chains to: what the CA issues under now. */
  caIssuesUnder: string[];
  setup: RotationStatus['setup'];
  connections: ConnectionRow[];
  connectionsJudged: number;
  /** The leaf expiry rules' findings about pods' own leaves (only those with one). */
  leafFindings: FleetFinding[];
  /** Certificates that could not be read. */
  problems: string[];
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
  /** Also read what `--what-if` judges: every pod's policy-relevant fields, Services, policies, sidecar telemetry. */
  readPolicy?: boolean;
}
