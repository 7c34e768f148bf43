/**
 * Workloads and connections (DESIGN.md "Workloads and connections"): the two subjects every judgement is about,
 * as plain, JSON-serialisable records. They travel in the evidence bundle (`EvidenceBundle.connections`), so a
 * connection replays offline, and they are what `diagnose pod/A --peer SVC:PORT`, `diagnose svc/B` and the
 * fleet scan hand to the one connection judgement (src/connection/judge.ts: `judgeConnection`,
 * `judgeConnections`).
 *
 * Nothing here imports a library or a layer above the model: a fleet module can hold these records without
 * importing src/x509 or src/collect. Certificates are carried as PEM text (what the sidecar served) and named by
 * their SHA-256 fingerprint (lowercase hex of the DER, as CertFact.fingerprint).
 */
import type { Source } from './source.js';

/**
 * Whose certificate verifier judges a peer's chain (src/x509/verifiers.ts VerifierId): `envoy` (a sidecar or
 * gateway: BoringSSL), `ztunnel` (ambient mode: rustls-webpki), `go` (proxyless gRPC, SPIRE agents), `strict`
 * (an RFC 5280 audit; never inferred).
 */
export type VerifierName = 'envoy' | 'ztunnel' | 'go' | 'strict';

/** A pod by name. */
export interface PodRef {
  namespace: string;
  name: string;
}

/** One pod of a class: its own leaf is its own (key, serial, validity), judged per pod. */
export interface ClassPod extends PodRef {
  ready: boolean;
  /** The owner revision it belongs to (`pod-template-hash`, `controller-revision-hash`); null: none known. */
  revision: string | null;
  /** This pod's served leaf; null when the class's material did not come from the pod itself (root ConfigMap). */
  leaf: { fingerprint: string; serial: string; notBefore: string; notAfter: string } | null;
}

/** The leaf properties the rules judge, shared by every pod of a class. */
export interface LeafProfile {
  /** Extended key usage names (`serverAuth`, `clientAuth`, `any`, or an OID); null: the extension is absent. */
  eku: string[] | null;
  /** Key usage bit names; null: the extension is absent. */
  keyUsage: string[] | null;
  /** Subject alternative names as `type:value` (`uri:spiffe://…`, `dns:…`). */
  sans: string[];
  /** Key algorithm and size: `ec:prime256v1`, `rsa:2048`. */
  keyType: string;
}

/**
 * A class of identical workloads: pods that share a SPIFFE identity, the certificates above their leaf, the set
 * of roots they trust, the verifier that judges their peers and the judged leaf properties. Connections are
 * judged once per pair of classes (O(classes²), not O(pods²)).
 */
export interface WorkloadClass {
  /** Stable id derived from everything below except the pods (src/connection/classes.ts `classKey`). */
  id: string;
  /** The SPIFFE ID of its leaf (null: none, or the leaf was not read). */
  spiffeId: string | null;
  namespace: string;
  serviceAccount: string;
  /** Fingerprints of the served chain above the leaf, in served order. */
  caFingerprints: string[];
  /** Fingerprints of the roots in its trust bundle, sorted. */
  trustRoots: string[];
  verifier: VerifierName;
  /** Null when the leaf was not read (a class judged from the namespace's root ConfigMap only). */
  leaf: LeafProfile | null;
  /** The served chain, leaf first (the leaf of the first pod read), PEM; empty when it was not read. */
  chain: string[];
  /** The trust bundle it verifies peers with, PEM. */
  trust: string[];
  /**
   * Where the material came from: the pods' own proxies (`sidecar`: Envoy admin through port-forward or exec),
   * or, for pods that could not be read, the namespace's `istio-ca-root-cert` ConfigMap (`root-configmap`: the
   * roots such a pod is given; its chain is unknown), or files (`files`: `--chain` / `--trust` / `--peer-trust`).
   */
  from: 'sidecar' | 'root-configmap' | 'files';
  /** How evidence lines name the material: `pod/ledger-1 istio-proxy`, `ConfigMap bank/istio-ca-root-cert`. */
  source: string;
  /**
   * Where the chain and the trust bundle were read, as data (verify commands are rendered from it): the first
   * pod's Envoy secrets `default` / `ROOTCA`, the root ConfigMap, the files. Absent: derived from `from`.
   */
  chainOrigin?: Source;
  trustOrigin?: Source;
  pods: ClassPod[];
}

/** A Kubernetes Service port, the way a connection is addressed. */
export interface ServicePortRef {
  namespace: string;
  name: string;
  port: number;
  /** The Service's targetPort (a number or a container port name); null: unknown. */
  targetPort: number | string | null;
}

/** What the client's sidecar originates toward the server (its DestinationRule, or auto mTLS). */
export type ClientTlsName = 'ISTIO_MUTUAL' | 'MUTUAL' | 'SIMPLE' | 'plaintext';
/** What the server's inbound accepts on the target port (its effective PeerAuthentication). */
export type ServerModeName = 'STRICT' | 'PERMISSIVE' | 'DISABLE' | 'no-sidecar';

/**
 * One connection: client class → server class through a service port, with what each side presents (the
 * classes' chains), verifies with (their trust bundles and verifiers), expects, and the TLS mode each side's
 * policy yields.
 */
export interface ConnectionRecord {
  /** WorkloadClass ids. */
  client: string;
  server: string;
  service: ServicePortRef;
  /**
   * The identities the client accepts from the server (any one is enough): a DestinationRule's
   * `subjectAltNames` when it sets them, else secure naming (the SPIFFE IDs of the service's pods' service
   * accounts). Empty: no identity is checked.
   */
  expectedServerIds: string[];
  expectedFrom: 'destination-rule' | 'secure-naming' | 'none';
  /** The DestinationRule that applies (namespace/name); null: none. */
  destinationRule: string | null;
  /** The trust domains the server accepts a client from (mesh trust domain and its aliases); empty: not known. */
  acceptedTrustDomains: string[];
  clientTls: ClientTlsName;
  /** Why the client sends that, in a clause (`DestinationRule bank/ledger tls.mode ISTIO_MUTUAL`, `auto mTLS`). */
  clientTlsWhy: string;
  serverMode: ServerModeName;
  /** The policy that made serverMode, in a clause. */
  serverModeWhy: string;
}

/**
 * Which way a connection finding points: `client-to-server` judges the client's chain as the SERVER's verifier
 * does (with the server's trust bundle), `server-to-client` the server's chain as the CLIENT's verifier does;
 * `policy` is about the TLS modes the two sides' policies yield.
 */
export type ConnectionDirection = 'client-to-server' | 'server-to-client' | 'policy';

/** What a connection finding adds to the JSON report (fields only added): which classes and pods, which way. */
export interface ConnectionRef {
  client: { class: string; pods: string[] };
  server: { class: string; pods: string[] };
  direction: ConnectionDirection;
}

/**
 * What a collector saw of one pod, before classes are formed (src/connection/classes.ts `classify`). A pod that
 * could not be read (`unreadable`: RBAC, a timeout) or was left out (`not-read`: beyond --max-pods) is listed,
 * never counted healthy.
 */
export interface WorkloadObservation {
  pod: PodRef & { serviceAccount: string; ready: boolean; revision: string | null; labels: Record<string, string> };
  status: 'read' | 'unreadable' | 'not-read';
  /** Why it was not read. */
  reason?: string;
  /** Served chain, leaf first, PEM (empty unless read). */
  chain: string[];
  /** Trust bundle (ROOTCA), PEM (empty unless read). */
  trust: string[];
  verifier: VerifierName;
  /** SPIFFE trust domain of the mesh (for the identity it should carry). */
  trustDomain: string;
  /** Its sidecar's SSL counters when read (`ssl.fail_verify_error`, …; cumulative): live corroboration. */
  counters?: Record<string, number>;
  /** Not read because a wait was cut short: its own cap, or the diagnosis's deadline (issue 22). */
  timedOut?: true;
}

/**
 * Everything a connection judgement needs, as the evidence bundle carries it (`EvidenceBundle.connections`):
 * the classes, the connections between them, the pods of the server side that were not read (never healthy),
 * and the namespace root ConfigMaps used for them.
 */
export interface ConnectionEvidence {
  /** `pod` (diagnose pod/A --peer SVC:PORT), `service` (diagnose svc/B), `files` (--trust / --peer-trust). */
  kind: 'pod' | 'service' | 'files';
  classes: WorkloadClass[];
  connections: ConnectionRecord[];
  /** Server-side (or caller-side, for `service`) pods not read, with why. */
  notRead: Array<PodRef & { status: 'unreadable' | 'not-read'; reason: string; side: 'client' | 'server' }>;
  /** Ready server pods in total (n of "k of n endpoints"), and how many were read. */
  endpoints: { total: number; read: number };
  /** `service`: the ready caller pods found in the caller namespaces, and how many were read. */
  callers?: { total: number; read: number };
  /** Counters of the server sidecars (by pod name), cumulative at collection: live corroboration. */
  counters?: Record<string, Record<string, number>>;
}
