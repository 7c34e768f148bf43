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

/** How the library checks a field's value (src/diagnose/plan.ts). */
export type FieldKind = 'material' | 'materials' | 'string' | 'strings' | 'number' | 'numberOrString' | 'at' | 'object' | 'evidence' | 'boolean';

/** The sections of `diagnose --help`, in the order they are shown. */
export const HELP_GROUPS = {
  certificates: 'Certificates (files: PEM, DER, or istioctl / config_dump JSON):',
  peer: 'Handshake with a peer:',
  cluster: 'Cluster (TARGET pod/NAME, deploy/NAME, svc/NAME, NAME or -l):',
  proxy: 'Inside the pod (found automatically without --chain):',
  evaluation: 'Evaluation:',
  output: 'Output and evidence bundles:',
} as const;

/** One field of the request: everything every face needs to know about it. */
export interface RequestField {
  /** The request's field (camelCase). */
  name: string;
  /**
   * The CLI's flag without dashes (`peer-trust`), or `TARGET` for the positional; absent: library only. The
   * argument yargs hands back is its camelCase (`crl`, `maxDepth`).
   */
  flag?: string;
  /** A one-letter alias (`-l`, `-n`). */
  alias?: string;
  /** How messages name it, when not `--FLAG` (`-l/--selector`). */
  says?: string;
  /** How the library checks its value. */
  kind: FieldKind;
  /**
   * The CLI option: yargs' type (`array`: repeatable), its choices and default, and `file`: the value is a path
   * the request carries as `{ path }` (`stdin`: `-` reads standard input instead).
   */
  cli?: { type: 'string' | 'number' | 'boolean'; array?: true; choices?: readonly string[]; default?: string; file?: true; stdin?: true };
  /** Where `diagnose --help` lists it (the positional has none). */
  group?: keyof typeof HELP_GROUPS;
  /** Its `--help` line. */
  describe?: string;
  /**
   * What it decides: what is `collected` (refused with `evidence`), how evidence is judged (`evaluation`: applies
   * to a replayed bundle too), the `cluster` target, the `replay` itself, or only a `name` for the report.
   */
  use: 'collection' | 'evaluation' | 'cluster' | 'replay' | 'name';
  /** A chat command may set it (`/mtls diagnose … --peer-id ID`); the CLI's grammar parses it. */
  chat?: true;
  /** The webhook's JSON form of it, or `refused` (named in the refusal); absent: an unknown field there. */
  webhook?: 'pem' | 'string' | 'number' | 'object' | 'strings' | 'refused';
  /** Carried into the copy that runs inside the pod (`--in-pod`), as its flag. */
  inPod?: true;
  /** It names something to read on this machine (a face serving remote callers refuses it). */
  local?: true;
  /**
   * Refused beside a cluster target: it names another source of evidence (`source`), or material that the
   * pod's istio-proxy brings (`material`).
   */
  besideTarget?: 'source' | 'material';
}

/**
 * The request's fields, in the order `diagnose --help` shows them: the one table from which the CLI's options,
 * the request built from argv, the library's checks, the webhook's validation, the chat allowlist, the replay
 * guard and the argv of `--in-pod` are all derived. Adding an option is one row here plus its use.
 */
export const REQUEST_FIELDS = [
  { name: 'target', flag: 'TARGET', says: 'TARGET', kind: 'string', use: 'cluster', webhook: 'string', describe: 'A pod in the cluster: pod/NAME, deploy/NAME (one ready pod) or NAME (with --chain etc.: only a label for the report); svc/NAME: its callers' },
  {
    name: 'chain', flag: 'chain', kind: 'materials', cli: { type: 'string', file: true, stdin: true }, group: 'certificates', besideTarget: 'source', use: 'collection', webhook: 'pem',
    describe: "The workload's certificate chain as it presents it (leaf first; - reads standard input): PEM, DER, or the JSON of `istioctl proxy-config secret POD -o json` / an Envoy config_dump (its \"default\" secret; ROOTCA is then the trust bundle unless --trust is given)",
  },
  { name: 'key', flag: 'key', kind: 'material', cli: { type: 'string', file: true, stdin: true }, group: 'certificates', besideTarget: 'material', use: 'collection', webhook: 'string', describe: 'Its private key: checked against the leaf, never printed or saved' },
  { name: 'trust', flag: 'trust', kind: 'materials', cli: { type: 'string', array: true, file: true, stdin: true }, group: 'certificates', besideTarget: 'material', use: 'collection', webhook: 'pem', describe: "The workload's trust bundle (roots it accepts), PEM, DER or istioctl/config_dump JSON (its ROOTCA); repeatable" },
  { name: 'peerTrust', flag: 'peer-trust', kind: 'materials', cli: { type: 'string', array: true, file: true, stdin: true }, group: 'certificates', besideTarget: 'material', use: 'collection', webhook: 'pem', describe: 'The trust bundle the peer verifies us with (default: same as --trust); repeatable' },
  {
    name: 'ca', flag: 'ca', kind: 'materials', cli: { type: 'string', array: true, file: true, stdin: true }, group: 'certificates', use: 'collection', webhook: 'pem',
    describe: "The mesh CA's certificates (cacerts cert-chain.pem): every CA level's expiry, missing intermediates; on its own (no --chain) it checks the CA levels alone",
  },
  { name: 'crls', flag: 'crl', kind: 'materials', cli: { type: 'string', array: true, file: true, stdin: true }, group: 'certificates', use: 'collection', webhook: 'pem', describe: "A CRL the verifier checks with (Istio's ca-crl.pem), PEM or DER; repeatable" },
  { name: 'role', flag: 'role', kind: 'string', cli: { type: 'string', choices: ['client', 'server', 'both'] }, group: 'certificates', use: 'evaluation', chat: true, webhook: 'string', inPod: true, describe: 'Which way our certificate is used (default: both; with --evidence: as collected)' },
  {
    name: 'expectId', flag: 'expect-id', kind: 'strings', cli: { type: 'string', array: true }, group: 'certificates', use: 'evaluation', chat: true, webhook: 'string', inPod: true,
    describe: "The identity our certificate must carry (spiffe://TD/ns/NS/sa/SA, a DNS name, an IP); repeatable: any one of them is enough, as a DestinationRule's subjectAltNames",
  },
  {
    name: 'peer', flag: 'peer', kind: 'string', cli: { type: 'string' }, group: 'peer', use: 'collection', chat: true, webhook: 'string', inPod: true,
    describe: 'Probe this peer (HOST:PORT) with real handshakes: as the workload (--chain/--key) and without a client certificate; with a pod TARGET, SVC.NS:PORT or SVC:PORT names a peer service read from the cluster',
  },
  { name: 'peerId', flag: 'peer-id', kind: 'string', cli: { type: 'string' }, group: 'peer', use: 'evaluation', chat: true, webhook: 'string', inPod: true, describe: 'The identity the peer must present (spiffe://TD/ns/NS/sa/SA or a DNS name)' },
  { name: 'sni', flag: 'sni', kind: 'string', cli: { type: 'string' }, group: 'peer', use: 'collection', chat: true, webhook: 'string', inPod: true, describe: 'SNI for the probe (default: the peer host name)' },
  { name: 'alpn', flag: 'alpn', kind: 'strings', cli: { type: 'string', array: true }, group: 'peer', use: 'collection', chat: true, webhook: 'strings', inPod: true, describe: 'ALPN for the probe, comma-separated (default: istio-peer-exchange,istio)' },
  { name: 'selector', flag: 'selector', alias: 'l', says: '-l/--selector', kind: 'string', cli: { type: 'string' }, group: 'cluster', use: 'cluster', webhook: 'refused', describe: 'Diagnose one ready pod this label selector matches (kubectl -l)' },
  { name: 'namespace', flag: 'namespace', alias: 'n', kind: 'string', cli: { type: 'string' }, group: 'cluster', use: 'cluster', webhook: 'string', describe: "The target's namespace (default: the kubeconfig context's, or the pod's own in-cluster)" },
  { name: 'context', flag: 'context', kind: 'string', cli: { type: 'string' }, group: 'cluster', use: 'cluster', webhook: 'refused', describe: 'The kubeconfig context to use' },
  { name: 'kubeconfig', flag: 'kubeconfig', kind: 'string', cli: { type: 'string' }, group: 'cluster', use: 'cluster', webhook: 'refused', local: true, describe: 'The kubeconfig file (default: KUBECONFIG, ~/.kube/config, or in-cluster)' },
  { name: 'readCaSecrets', flag: 'read-ca-secrets', kind: 'boolean', cli: { type: 'boolean' }, group: 'cluster', use: 'cluster', webhook: 'refused', describe: 'Also read the CA certificates of Secrets cacerts / istio-ca-secret (needs get secrets; keys are dropped on receipt)' },
  { name: 'inPod', flag: 'in-pod', kind: 'boolean', cli: { type: 'boolean' }, group: 'cluster', use: 'cluster', webhook: 'refused', describe: 'Run the diagnosis inside the target pod (an ephemeral container beside istio-proxy) and show its report' },
  { name: 'image', flag: 'image', kind: 'string', cli: { type: 'string' }, group: 'cluster', use: 'cluster', webhook: 'refused', describe: 'Image for --in-pod (default: MTLS_DOCTOR_IMAGE, else mtls-doctor:VERSION as the Dockerfile builds it)' },
  { name: 'maxPods', flag: 'max-pods', kind: 'number', cli: { type: 'number' }, group: 'cluster', use: 'cluster', describe: 'With --peer SVC:PORT or svc/NAME: read at most N ready pods (default 50), then a sample per revision' },
  { name: 'fromNamespace', flag: 'from-namespace', kind: 'strings', cli: { type: 'string', array: true }, group: 'cluster', use: 'cluster', describe: "With svc/NAME: the callers' namespace (default: its own); repeatable" },
  { name: 'fromAllNamespaces', flag: 'from-all-namespaces', kind: 'boolean', cli: { type: 'boolean' }, group: 'cluster', use: 'cluster', describe: 'With svc/NAME: callers in every namespace' },
  { name: 'envoyAdmin', flag: 'envoy-admin', kind: 'string', cli: { type: 'string' }, group: 'proxy', besideTarget: 'source', use: 'collection', webhook: 'refused', describe: 'Envoy admin URL: served chain, SDS secrets, /certs, SSL stats (default inside a pod: http://127.0.0.1:15000)' },
  { name: 'agent', flag: 'agent', kind: 'string', cli: { type: 'string' }, group: 'proxy', besideTarget: 'source', use: 'collection', webhook: 'refused', describe: 'pilot-agent status URL: certificate expiry, readiness (default inside a pod: http://127.0.0.1:15020)' },
  { name: 'proxyRoot', flag: 'proxy-root', kind: 'string', cli: { type: 'string' }, group: 'proxy', besideTarget: 'source', use: 'collection', webhook: 'refused', local: true, describe: "Read the istio-proxy's credential files under this directory (default: / then /proc/<envoy pid>/root)" },
  { name: 'window', flag: 'window', kind: 'number', cli: { type: 'number' }, group: 'proxy', use: 'collection', webhook: 'refused', inPod: true, describe: 'Sample Envoy SSL stats twice this many seconds apart and report the counters that move' },
  { name: 'at', flag: 'at', kind: 'at', cli: { type: 'string' }, group: 'evaluation', use: 'evaluation', chat: true, webhook: 'string', inPod: true, describe: 'Evaluate at this time (ISO 8601) instead of now' },
  {
    name: 'verifier', flag: 'verifier', kind: 'string', cli: { type: 'string' }, group: 'evaluation', use: 'evaluation', chat: true, webhook: 'string', inPod: true,
    describe: 'Whose verifier judges the chain: envoy (BoringSSL, sidecars; default), ztunnel (rustls-webpki, ambient), go (crypto/x509, proxyless gRPC/SPIRE) or strict (RFC 5280 + CA/B Forum)',
  },
  { name: 'maxChainDepth', flag: 'max-depth', kind: 'numberOrString', cli: { type: 'string' }, group: 'evaluation', use: 'evaluation', chat: true, webhook: 'number', inPod: true, describe: "The verifier's depth limit in intermediate CAs (openssl -verify_depth; Envoy max_verify_depth N is N-1)" },
  { name: 'thresholds', flag: 'thresholds', kind: 'object', cli: { type: 'string', file: true }, group: 'evaluation', use: 'evaluation', webhook: 'object', describe: 'JSON file overriding expiry thresholds (docs/diagnose.md#expiry-thresholds)' },
  { name: 'symptom', flag: 'symptom', kind: 'string', cli: { type: 'string' }, group: 'evaluation', use: 'evaluation', chat: true, webhook: 'string', inPod: true, describe: 'The error text you saw: the findings that explain it rank first' },
  { name: 'failOn', flag: 'fail-on', kind: 'string', cli: { type: 'string', choices: ['error', 'warning'], default: 'error' }, group: 'output', use: 'evaluation', describe: 'Exit 1 when a finding at or above this severity exists' },
  { name: 'evidence', flag: 'evidence', kind: 'evidence', cli: { type: 'string', file: true }, group: 'output', besideTarget: 'source', use: 'replay', webhook: 'object', describe: 'Replay a saved evidence bundle instead of collecting' },
  { name: 'label', says: 'label', kind: 'string', use: 'name' },
] as const satisfies readonly RequestField[];

// The table and the request type hold the same names, both ways (a field missing from either fails to compile).
type TableName = (typeof REQUEST_FIELDS)[number]['name'];
const sameNames: [Exclude<keyof DiagnoseRequest, TableName>, Exclude<TableName, keyof DiagnoseRequest>] extends [never, never] ? true : false = true;
void sameNames;

type Row = (typeof REQUEST_FIELDS)[number];
/** The table, each row read as a RequestField (every column, present or not). */
const ROWS: readonly RequestField[] = REQUEST_FIELDS;
type NamesWhere<K extends keyof RequestField, V> = Extract<Row, Record<K, V>>['name'];
/** The names of the rows whose `key` is `value`, e.g. `namesWhere('use', 'collection')`, typed as their union. */
const namesWhere = <K extends keyof RequestField, V extends RequestField[K]>(key: K, value: V) =>
  ROWS.filter((f) => f[key] === value).map((f) => f.name) as unknown as ReadonlyArray<NamesWhere<K, V>>;

/** The row of a field. */
export function requestField(name: string, fields: readonly RequestField[] = REQUEST_FIELDS): RequestField | undefined {
  return fields.find((f) => f.name === name);
}

/** How messages name a field: the flag the user typed (`--peer-trust`, `-l/--selector`, `TARGET`). */
export const flagOf = (f: RequestField): string => f.says ?? `--${f.flag}`;

/** The name yargs gives a field's parsed value: its flag in camelCase (`crl`, `maxDepth`), the positional's own. */
export const argOf = (f: RequestField): string => (f.flag === 'TARGET' || !f.flag ? f.name : f.flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase()));

/** What the CLI calls each request field (for messages: they name the flag the user typed). */
export const FLAG = Object.fromEntries(REQUEST_FIELDS.map((f) => [f.name, flagOf(f)])) as Record<keyof DiagnoseRequest, string>;

/** Options that decide what is collected: with `evidence` they are refused by name (a bundle holds its evidence). */
export const COLLECTION_FIELDS = namesWhere('use', 'collection');
/** Options that decide how evidence is judged: they apply to live inputs and to a replayed bundle alike. */
export const EVALUATION_FIELDS = namesWhere('use', 'evaluation');
/** Cluster mode's fields (a target or a selector makes the request a cluster one). */
export const CLUSTER_FIELDS = namesWhere('use', 'cluster');
/** The fields a remote caller may send as JSON (the webhook); the table's `webhook` says in which form. */
export type WebhookField = Extract<Row, { webhook: 'pem' | 'string' | 'number' | 'object' | 'strings' }>['name'];
/** The fields chat may set (besides the target and its namespace, which chat reads itself). */
export type ChatField = Extract<Row, { chat: true }>['name'];
/** The certificate material fields (PEM or DER content, named content, or a file). */
export type MaterialField = Extract<Row, { kind: 'material' | 'materials' }>['name'];

export const isFileRef = (x: unknown): x is FileRef => typeof x === 'object' && x !== null && !(x instanceof Uint8Array) && typeof (x as FileRef).path === 'string' && !('data' in x);

/**
 * True when the request asks to read local files (`{ path }` anywhere, a proxy root, a kubeconfig): a face
 * serving remote callers refuses it.
 */
export function requestReadsFiles(r: DiagnoseRequest): boolean {
  const many = (x: unknown) => (Array.isArray(x) ? x : [x]);
  return ROWS.some((f) => {
    const v = r[f.name as keyof DiagnoseRequest];
    return v !== undefined && (f.local === true || many(v).some(isFileRef));
  });
}
