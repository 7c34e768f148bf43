/**
 * The one request every face builds (CLI argv, the library, the demo, later the HTTP server and the fleet scan)
 * and hands to `diagnose()`. Its fields are the CLI's flags in camelCase (`--peer-trust` → `peerTrust`,
 * `--crl` → `crls`, `--max-depth` → `maxChainDepth`), and every value has a JSON form, so a webhook can send a
 * request as it is.
 *
 * Certificate material is given one of three ways, per field:
 *   - a string or bytes: the CONTENT (PEM or DER), reported under the field's name (`chain`, `trust[1]`);
 *   - `{ name, data }`: content with the name to report it under (e.g. `cert-chain.pem`);
 *   - `{ path }`: a FILE to read (what the CLI sends); reported under its path.
 * A string is always content, never guessed to be a path: a face that must not read local files (the HTTP
 * server) refuses `{ path }` in one place (`requestReadsFiles`) instead of second-guessing strings.
 */
import type { EvidenceBundle, Role } from '../evidence/types.js';
import type { DeepPartial, Thresholds } from '../model/thresholds.js';

/** A file to read: the CLI's form (`--chain FILE`). */
export interface FileRef {
  path: string;
}

/** Content with the name it is reported under. */
export interface NamedContent {
  name: string;
  data: string | Uint8Array;
}

/** One certificate (or key, or CRL) input: content (PEM or DER), named content, or a file. */
export type Material = string | Uint8Array | NamedContent | FileRef;

export type FailOn = 'error' | 'warning';

export interface DiagnoseRequest {
  // Certificates (PEM or DER). Bundles take one input or an array; an array `chain` is joined in order.
  /** The workload's chain as it presents it (leaf first). */
  chain?: Material | Material[];
  /** Its private key (PEM or PKCS#8 DER): checked against the leaf and used for the probe; never kept. */
  key?: Material;
  /** The workload's trust bundle(s): the roots it accepts. */
  trust?: Material | Material[];
  /** The trust bundle(s) the peer verifies us with (default: same as `trust`). */
  peerTrust?: Material | Material[];
  /** The mesh CA's certificates (issuing intermediate and up). */
  ca?: Material | Material[];
  /** CRLs the verifier checks with (PEM "X509 CRL" or DER), e.g. Istio's ca-crl.pem. */
  crls?: Material | Material[];

  // Evaluation: these apply to live inputs and to a replayed `evidence` bundle alike.
  /** The verifier's depth limit in intermediate CAs (OpenSSL -verify_depth; Envoy max_verify_depth N = N-1). */
  maxChainDepth?: number | string;
  /**
   * Whose verifier judges the chain (`--verifier`): `envoy` (BoringSSL; sidecars; the default), `ztunnel`
   * (rustls-webpki; ambient), `go` (crypto/x509; proxyless gRPC, SPIRE) or `strict` (RFC 5280 + CA/B Forum).
   * Checks where they differ (src/x509/verifiers.ts) are errors for the verifier that rejects, warnings naming it
   * otherwise. Absent: what the evidence says (an ambient-mode pod: ztunnel), else envoy.
   */
  verifier?: string;
  /** Which way our certificate is used (default `both`). */
  role?: Role;
  /** The identity our certificate must carry (SPIFFE ID, DNS name, IP, email); several: any one is enough. */
  expectId?: string | string[];
  /** The identity the peer must present. */
  peerId?: string;
  /** Evaluate at this time instead of now: ISO 8601, epoch milliseconds (or a Date, library only). */
  at?: string | number | Date;
  /** Expiry thresholds over the defaults: the object, or `{ path }` of a JSON file (`--thresholds FILE`). */
  thresholds?: DeepPartial<Thresholds> | FileRef;
  /** The error text the user saw: the findings that explain it rank first. */
  symptom?: string;
  /** Which severity makes the run "failing" for `exitCode()` (default `error`). Does not change the report. */
  failOn?: FailOn;

  // Replay.
  /** A saved evidence bundle to evaluate instead of collecting: the object, its JSON text, or `{ path }`. */
  evidence?: EvidenceBundle | string | FileRef;

  // Handshake with a peer.
  /** Probe this peer (HOST:PORT) with real handshakes. */
  peer?: string;
  /** SNI for the probe (default: the peer host name). */
  sni?: string;
  /** ALPN for the probe: a list, or comma-separated (default: istio-peer-exchange,istio). */
  alpn?: string | string[];

  // The istio-proxy (found automatically when nothing else names the evidence).
  envoyAdmin?: string;
  agent?: string;
  proxyRoot?: string;
  /** Sample Envoy SSL stats twice this many seconds apart. */
  window?: number;

  // Cluster mode: the pod, its mesh objects and its istio-proxy read through the Kubernetes API.
  /** `pod/NAME`, `deploy/NAME` (one ready pod of it) or a bare pod `NAME`. */
  target?: string;
  /** A label selector (kubectl -l): one ready pod it selects. */
  selector?: string;
  /** The target's namespace (default: the kubeconfig context's, or the pod's own in-cluster). */
  namespace?: string;
  /** The kubeconfig context (default: its current context). */
  context?: string;
  /** A kubeconfig file (default: KUBECONFIG, ~/.kube/config, else the in-cluster service account). */
  kubeconfig?: string;
  /** Also read the CA certificates of the Secrets cacerts / istio-ca-secret (their keys are dropped on receipt). */
  readCaSecrets?: boolean;
  /** Run the diagnosis inside the target pod (an ephemeral container targeting istio-proxy) and return its report. */
  inPod?: boolean;
  /** The image of that ephemeral container (default: MTLS_DOCTOR_IMAGE, else the released image). */
  image?: string;
  /** `--peer SVC:PORT` (and `svc/B`): read at most this many ready pods' sidecars (default 50), then a sample per owner revision. */
  maxPods?: number;
  /** `svc/B`: the namespaces whose pods are judged as callers (default: the service's own); repeatable. */
  fromNamespace?: string | string[];
  /** `svc/B`: judge the callers of every namespace. */
  fromAllNamespaces?: boolean;

  /** A name for what is diagnosed, shown as the report's `target.name` (the demo, a bot). */
  label?: string;
}

/** What the CLI calls each request field (for messages: they name the flag the user typed). */
export const FLAG: Record<keyof DiagnoseRequest, string> = {
  chain: '--chain',
  key: '--key',
  trust: '--trust',
  peerTrust: '--peer-trust',
  ca: '--ca',
  crls: '--crl',
  maxChainDepth: '--max-depth',
  verifier: '--verifier',
  role: '--role',
  expectId: '--expect-id',
  peerId: '--peer-id',
  at: '--at',
  thresholds: '--thresholds',
  symptom: '--symptom',
  failOn: '--fail-on',
  evidence: '--evidence',
  peer: '--peer',
  sni: '--sni',
  alpn: '--alpn',
  envoyAdmin: '--envoy-admin',
  agent: '--agent',
  proxyRoot: '--proxy-root',
  window: '--window',
  target: 'TARGET',
  namespace: '--namespace',
  context: '--context',
  kubeconfig: '--kubeconfig',
  selector: '-l/--selector',
  readCaSecrets: '--read-ca-secrets',
  inPod: '--in-pod',
  image: '--image',
  maxPods: '--max-pods',
  fromNamespace: '--from-namespace',
  fromAllNamespaces: '--from-all-namespaces',
  label: 'label',
};

/** Options that decide what is collected: with `evidence` they are refused by name (a bundle holds its evidence). */
export const COLLECTION_FIELDS = ['chain', 'key', 'trust', 'peerTrust', 'ca', 'crls', 'peer', 'sni', 'alpn', 'envoyAdmin', 'agent', 'proxyRoot', 'window'] as const;
/** Options that decide how evidence is judged: they apply to live inputs and to a replayed bundle alike. */
export const EVALUATION_FIELDS = ['maxChainDepth', 'verifier', 'role', 'expectId', 'peerId', 'at', 'thresholds', 'symptom', 'failOn'] as const;
/** Cluster mode's fields (a target or a selector makes the request a cluster one). */
export const CLUSTER_FIELDS = ['target', 'selector', 'namespace', 'context', 'kubeconfig', 'readCaSecrets', 'inPod', 'image', 'maxPods', 'fromNamespace', 'fromAllNamespaces'] as const;

export const isFileRef = (x: unknown): x is FileRef => typeof x === 'object' && x !== null && !(x instanceof Uint8Array) && typeof (x as FileRef).path === 'string' && !('data' in x);

/**
 * True when the request asks to read local files (`{ path }` anywhere, a proxy root, a kubeconfig): a face
 * serving remote callers refuses it.
 */
export function requestReadsFiles(r: DiagnoseRequest): boolean {
  const many = (x: unknown) => (Array.isArray(x) ? x : [x]);
  return (['chain', 'key', 'trust', 'peerTrust', 'ca', 'crls', 'thresholds', 'evidence'] as const).some((f) => many(r[f]).some(isFileRef)) || r.proxyRoot !== undefined || r.kubeconfig !== undefined;
}
