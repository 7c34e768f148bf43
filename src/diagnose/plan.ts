/**
 * One validation for every face, and the plan of which collectors run. Everything a request cannot do is
 * refused here, before anything is read or collected (E_USAGE: exit 2 on the CLI), so collection only collects.
 */
import { MtlsDoctorError, usageError } from '../errors.js';
import { CLUSTER_FIELDS, COLLECTION_FIELDS, EVALUATION_FIELDS, FLAG, isFileRef, REQUEST_FIELDS, type DiagnoseRequest, type FieldKind, type RequestField } from './request.js';

export interface Plan {
  /** Evaluate a saved bundle; nothing is collected. */
  replay: boolean;
  /** Certificate material named by the request (files or contents). */
  inputs: boolean;
  /** Read the istio-proxy: `auto` when no source was named (admin, agent, files, /proc with their defaults). */
  proxy: { auto: boolean } | null;
  /** Real test handshakes with `peer`. */
  probe: boolean;
  /** Cluster mode: the target pod through the Kubernetes API; `inPod`: run inside it and return its report. */
  cluster?: { inPod: boolean } | null;
}

/** How each field's value is checked: the table's `kind`. */
const KINDS = Object.fromEntries(REQUEST_FIELDS.map((f) => [f.name, f.kind])) as Record<keyof DiagnoseRequest, FieldKind>;

const isMaterial = (x: unknown): boolean =>
  typeof x === 'string' ||
  x instanceof Uint8Array ||
  isFileRef(x) ||
  (typeof x === 'object' && x !== null && typeof (x as { name?: unknown }).name === 'string' && (typeof (x as { data?: unknown }).data === 'string' || (x as { data?: unknown }).data instanceof Uint8Array));

function typeOk(kind: FieldKind, v: unknown): boolean {
  switch (kind) {
    case 'material':
      return isMaterial(v);
    case 'materials':
      return Array.isArray(v) ? v.every(isMaterial) : isMaterial(v);
    case 'string':
      return typeof v === 'string';
    case 'strings':
      return typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    case 'numberOrString':
      return typeof v === 'number' || typeof v === 'string';
    case 'at':
      return typeof v === 'string' || typeof v === 'number' || v instanceof Date;
    case 'object':
    case 'evidence':
      return (typeof v === 'object' && v !== null && !Array.isArray(v)) || (kind === 'evidence' && typeof v === 'string');
  }
}

const EXPECTED: Record<FieldKind, string> = {
  material: 'PEM or DER content, { name, data } or { path }',
  materials: 'PEM or DER content, { name, data } or { path }, or an array of them',
  string: 'a string',
  strings: 'a string or an array of strings',
  number: 'a number',
  boolean: 'true or false',
  numberOrString: 'a number',
  at: 'an ISO 8601 time or epoch milliseconds',
  object: 'an object or { path }',
  evidence: 'an evidence bundle, its JSON text or { path }',
};

/** What a cluster target refuses beside it, by the table's `besideTarget`. */
const BESIDE_TARGET = {
  source: REQUEST_FIELDS.filter((f) => (f as RequestField).besideTarget === 'source').map((f) => f.name),
  material: REQUEST_FIELDS.filter((f) => (f as RequestField).besideTarget === 'material').map((f) => f.name),
};
/** Certificate material besides the chain (a key, trust bundles, CA certificates, CRLs): without a chain, file mode. */
const MATERIAL_BESIDE_CHAIN = REQUEST_FIELDS.filter((f) => (f.kind === 'material' || f.kind === 'materials') && f.name !== 'chain').map((f) => f.name);

/** The evaluation options, as the refusal of a collection option beside `evidence` lists them. */
const EVALUATES = EVALUATION_FIELDS.map((k) => FLAG[k]).join(', ').replace(/, ([^,]+)$/, ' and $1');

/** The fields given (present and not undefined), in the table's order (src/diagnose/request.ts). */
function given(r: DiagnoseRequest): Array<keyof DiagnoseRequest> {
  return (Object.keys(FLAG) as Array<keyof DiagnoseRequest>).filter((k) => r[k] !== undefined && !(Array.isArray(r[k]) && (r[k] as unknown[]).length === 0 && k !== 'alpn'));
}

const has = (r: DiagnoseRequest, k: keyof DiagnoseRequest) => given(r).includes(k);

/**
 * Cluster mode: a target or a selector, with nothing else naming the evidence (the pod's istio-proxy brings the
 * chain and trust bundle). null when the request is not for the cluster; kubectl's flags without a target are
 * refused by name.
 */
function planCluster(r: DiagnoseRequest): { inPod: boolean } | null {
  const target = has(r, 'target') || has(r, 'selector');
  if (!target) {
    const stray = CLUSTER_FIELDS.filter((k) => has(r, k) && !(k === 'readCaSecrets' && r.readCaSecrets === false) && !(k === 'inPod' && r.inPod === false) && !(k === 'fromAllNamespaces' && r.fromAllNamespaces === false));
    if (stray.length) throw usageError(`Cannot use ${stray.map((k) => FLAG[k]).join(', ')} without a cluster target: give pod/NAME, deploy/NAME, NAME or -l SELECTOR`);
    return null;
  }
  if (has(r, 'target') && has(r, 'selector')) throw usageError(`Cannot combine a target ("${r.target}") with -l/--selector: give one of them`);
  const what = has(r, 'target') ? `a cluster target ("${r.target}")` : `-l ${r.selector}`;
  const evidence = BESIDE_TARGET.source.filter((k) => has(r, k));
  if (evidence.length) throw usageError(`Cannot combine ${what} with ${evidence.map((k) => FLAG[k]).join(', ')}: the cluster target brings its own evidence (drop the target to diagnose files or a local proxy)`);
  const material = BESIDE_TARGET.material.filter((k) => has(r, k));
  if (material.length) throw usageError(`Cannot combine ${what} with ${material.map((k) => FLAG[k]).join(', ')}: the chain and trust bundle come from its istio-proxy (give --chain to diagnose files instead)`);
  if (has(r, 'image') && !r.inPod) throw usageError('Cannot use --image without --in-pod: it is the image of the ephemeral container');
  const service = /^(svc|service|services)\//i.test(r.target ?? '');
  if (has(r, 'maxPods') && (!Number.isInteger(r.maxPods) || r.maxPods! < 1 || r.maxPods! > 1e4)) throw usageError(`Cannot use --max-pods ${r.maxPods}: expected 1 to 10000`);
  if (service) {
    // A service is judged from its callers' side: the handshake options (the table's `peer` group) and --in-pod
    // belong to one caller's diagnosis.
    const bad = REQUEST_FIELDS.filter((f) => (f as RequestField).group === 'peer' || f.name === 'inPod').map((f) => f.name).filter((k) => has(r, k) && !(k === 'inPod' && r.inPod === false));
    if (bad.length) throw usageError(`Cannot combine ${r.target} with ${bad.map((k) => FLAG[k]).join(', ')}: for one caller, diagnose pod/NAME --peer SVC:PORT`);
    if (has(r, 'fromNamespace') && r.fromAllNamespaces) throw usageError('Cannot combine --from-namespace with --from-all-namespaces');
  } else {
    const bad = (['fromNamespace', 'fromAllNamespaces'] as const).filter((k) => has(r, k) && !(k === 'fromAllNamespaces' && r.fromAllNamespaces === false));
    if (bad.length) throw usageError(`Cannot use ${bad.map((k) => FLAG[k]).join(', ')} without a svc/NAME target`);
    if (has(r, 'maxPods') && !has(r, 'peer')) throw usageError('Cannot use --max-pods without --peer SVC:PORT or a svc/NAME target');
  }
  if (!has(r, 'peer') && (has(r, 'sni') || has(r, 'alpn'))) throw usageError('Cannot use --sni or --alpn without --peer HOST:PORT: they shape the test handshake with the peer');
  return { inPod: r.inPod === true };
}

/**
 * Checks a request and decides what to collect. `env` is read for MTLS_DOCTOR_NO_AUTODETECT only. Throws
 * E_USAGE naming the flag; E_NO_EVIDENCE when nothing could be collected because auto-detection is off.
 */
export function planDiagnosis(request: DiagnoseRequest, env: Record<string, string | undefined>): Plan {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) throw usageError('Cannot diagnose: the request must be an object');
  for (const k of Object.keys(request)) {
    if (!(k in FLAG)) throw usageError(`Cannot use request field "${k}": unknown (valid: ${Object.keys(FLAG).join(', ')})`);
    const v = request[k as keyof DiagnoseRequest];
    if (v !== undefined && !typeOk(KINDS[k as keyof DiagnoseRequest], v)) throw usageError(`Cannot use ${FLAG[k as keyof DiagnoseRequest]}: expected ${EXPECTED[KINDS[k as keyof DiagnoseRequest]]}`);
  }
  const clusterPlan = planCluster(request);
  if (request.role !== undefined && !['client', 'server', 'both'].includes(request.role)) throw usageError(`Cannot use --role "${String(request.role)}": expected client, server or both`);
  if (request.failOn !== undefined && !['error', 'warning'].includes(request.failOn)) throw usageError(`Cannot use --fail-on "${String(request.failOn)}": expected error or warning`);

  if (clusterPlan) return { replay: false, inputs: false, proxy: null, probe: false, cluster: clusterPlan };

  if (has(request, 'evidence')) {
    const collecting = COLLECTION_FIELDS.filter((k) => has(request, k));
    if (collecting.length) {
      throw usageError(
        `Cannot combine --evidence with ${collecting.map((k) => FLAG[k]).join(', ')}: a bundle already holds its evidence (with it, only ${EVALUATES} apply)`,
      );
    }
    return { replay: true, inputs: false, proxy: null, probe: false };
  }

  // The istio-proxy named as the source of evidence (its admin, its agent, its files).
  const proxyAsked = REQUEST_FIELDS.some((f) => (f as RequestField).group === 'proxy' && (f as RequestField).besideTarget === 'source' && has(request, f.name));
  const chain = has(request, 'chain');
  const peer = has(request, 'peer');
  if (!peer && (has(request, 'sni') || has(request, 'alpn'))) {
    throw usageError('Cannot use --sni or --alpn without --peer HOST:PORT: they shape the test handshake with the peer');
  }
  if (!peer && has(request, 'peerId')) {
    throw usageError('Cannot use --peer-id without --peer HOST:PORT: it is the identity the peer must present in the test handshake (with --evidence, it applies to the saved handshakes)');
  }
  if (chain && !proxyAsked && has(request, 'window')) {
    throw usageError('Cannot use --window with --chain alone: it samples Envoy stats; add --envoy-admin URL (or drop --chain to find everything inside the pod)');
  }
  const searching = !chain && !proxyAsked && !peer;
  // The mesh CA's certificates on their own (cacerts cert-chain.pem): every CA level is judged, no chain needed.
  if (searching && has(request, 'ca') && !has(request, 'key')) return { replay: false, inputs: true, proxy: null, probe: false };
  // Certificate material without a chain means file mode: that is a missing chain, not a request to search.
  if (searching && MATERIAL_BESIDE_CHAIN.some((k) => has(request, k))) {
    throw usageError("Cannot diagnose without a certificate chain: give --chain FILE (the workload's cert-chain.pem), --envoy-admin URL to read it from Envoy, or --ca FILE alone to check the mesh CA's certificates");
  }
  if (searching && env.MTLS_DOCTOR_NO_AUTODETECT === '1') {
    throw new MtlsDoctorError('E_NO_EVIDENCE', 'No evidence to diagnose: give --chain FILE (with --trust FILE), --envoy-admin URL or --evidence FILE (auto-detection is off: MTLS_DOCTOR_NO_AUTODETECT=1)');
  }
  // Auto-detection off (MTLS_DOCTOR_NO_AUTODETECT=1: a CI job, the chat server) means no search even beside a
  // peer: the probe then runs anonymously and nothing local is read.
  const auto = !chain && !proxyAsked && env.MTLS_DOCTOR_NO_AUTODETECT !== '1';
  return { replay: false, inputs: chain, proxy: proxyAsked || auto ? { auto: !proxyAsked } : null, probe: peer };
}
