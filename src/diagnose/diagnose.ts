/**
 * The one pipeline: request → validation and plan → collection (files, istio-proxy, peer probe) or replay →
 * evaluation options → evidence → report. Every face calls this; none orchestrates collection itself.
 * The probe and the proxy collectors are loaded only when the plan needs them (cold start).
 */
import type { Dispatcher } from 'undici';
import { readInputFile } from '../collect/files.js';
import { evaluate } from '../engine/evaluate.js';
import { inputError, jsonSyntaxProblem, MtlsDoctorError, usageError } from '../errors.js';
import { guardReplay, parseEvidence } from '../evidence/bundle.js';
import { LIMITS } from '../limits.js';
import { redact, redactDeep } from '../redact.js';
import { checkDiagnoseArguments } from './check-arguments.js';
import { forPod } from './pod-context.js';
import { evidenceFromInputs, expectIdOptions, parseAt, validateIdentity, validateMaxDepth, validateVerifier, type NamedInput } from '../evidence/from-inputs.js';
import type { EvidenceBundle, Target } from '../evidence/types.js';
import { resolveThresholds, type DeepPartial, type Thresholds } from '../model/thresholds.js';
import type { ProbeTransport } from '../probe/transport.js';
import type { Report } from '../report/types.js';
import { sourceLabel } from '../report/source-label.js';
import type { SourceLabel } from '../model/source.js';
import { decodeCertificates, toPem } from '../x509/pem.js';
import { rules } from '../../rules/index.js';
import { planDiagnosis } from './plan.js';
import { argOf, FLAG, isFileRef, requestField, REQUEST_FIELDS, type DiagnoseRequest, type FailOn, type Material, type MaterialField, type RequestField } from './request.js';

/** What the pipeline touches outside itself; every one has a real default. Tests and faces inject their own. */
export interface DiagnoseDeps {
  /** Reads a user-named file (bounded; one clear E_INPUT line naming the flag). Default: the real file system. */
  readFile?: (path: string, flag: string, limit: number) => Uint8Array;
  /** The undici dispatcher for the Envoy admin and pilot-agent (default: a private Agent per run, closed after). */
  dispatcher?: Dispatcher;
  /** The probe's network edge: DNS lookup and TCP connect, under node:tls (default: the system's). */
  transport?: ProbeTransport;
  /** The clock (epoch ms): collection time, and the evaluation time when `at` is not given. */
  now?: () => number;
  /** The environment: the pod's identity (TRUST_DOMAIN, POD_NAMESPACE, SERVICE_ACCOUNT), MTLS_DOCTOR_NO_AUTODETECT. */
  env?: Record<string, string | undefined>;
  /** Where the proxy's processes are found (default /proc). */
  procDir?: string;
  /**
   * Cluster mode: act as this user/groups on every Kubernetes API request (impersonation: the `serve` face passes
   * its caller; the tool's own identity needs the `impersonate` verb), the bound of each API call and stream (ms,
   * default 10 s), and progress lines for --in-pod.
   */
  kube?: { impersonate?: { user?: string; groups?: string[] }; timeoutMs?: number; progress?: (line: string) => void };
  /**
   * The whole diagnosis's deadline, ms (issue 22): every source waits at most min(its own cap, the time left).
   * Default LIMITS.diagnoseBudgetMs, or LIMITS.clusterDiagnoseBudgetMs for a cluster target.
   */
  budgetMs?: number;
}

export interface DiagnoseResult {
  report: Report;
  /** What was evaluated (no private keys): what `--save-evidence` writes, and replays to the same report. */
  evidence: EvidenceBundle;
}

/**
 * How sources read (`chain.pem #2`): the report's labels, which the pipeline hands to the collectors, the evidence
 * builder and the engine, so that nothing below the report renders one. (One binding: each use of an import from
 * another chunk costs the files path its qualified name.)
 */
const label: SourceLabel = sourceLabel;

// The limits table (src/limits.ts): one place for every input's bounds.
const INPUT_LIMIT = LIMITS.fileBytes;
const EVIDENCE_LIMIT = LIMITS.bundleBytes;
const THRESHOLDS_LIMIT = LIMITS.thresholdsBytes;

/** Diagnoses what the request names and returns the report (the JSON contract, `schemaVersion: 1`). */
export async function diagnose(request: DiagnoseRequest, deps: DiagnoseDeps = {}): Promise<Report> {
  const plan = planDiagnosis(request, deps.env ?? process.env);
  if (plan.cluster?.inPod) return forPod(await inPod(request, deps));
  return (await diagnoseWithEvidence(request, deps)).report;
}

/** As `diagnose()`, also returning the evidence evaluated (for `--save-evidence`). */
export async function diagnoseWithEvidence(request: DiagnoseRequest, deps: DiagnoseDeps = {}): Promise<DiagnoseResult> {
  const env = deps.env ?? process.env;
  const now = deps.now ?? Date.now;
  const read = deps.readFile ?? readInputFile;
  const plan = planDiagnosis(request, env);
  // Values the types admit but nothing can use (`at: 2**64`, a cyclic bundle, sizes over the limits): E_USAGE/E_INPUT.
  checkDiagnoseArguments(request);
  if (plan.cluster?.inPod) throw usageError('Cannot return the evidence of an --in-pod diagnosis: it runs inside the pod and only its report comes back (use diagnose())');
  const ready = { ...deps, env, now, readFile: read };
  const evidence = plan.replay ? replay(request, read, now) : plan.cluster ? await collectCluster(request, ready) : await collect(request, plan, ready);
  // The pasted-text decoder (explain's recognisers) is loaded only when there is text to decode.
  const pasted = typeof evidence.symptomText === 'string' && evidence.symptomText.trim() !== '' ? (await import('../explain/symptom-deriver.js')).pastedSymptom : undefined;
  // A replayed bundle is outside input: a value the facts cannot use is one clear E_INPUT, never "Internal error".
  // Connections (pod --peer SVC:PORT, svc/B, or a replayed bundle of them): their judge is loaded only when there are some.
  // Connections (pod --peer SVC:PORT, svc/B, or a replayed bundle of them): their judge is loaded only then.
  const connections = evidence.connections ? (await import('./connections.js')).connectionJudgeFor(evidence, plan.replay) : undefined;
  // Sources are named as the report names them: the pipeline hands the report's labels to the layers below.
  const options = { label, pasted, ...(connections ? { connections } : {}) };
  const report = plan.replay ? guardReplay('(the replayed evidence)', () => evaluate(evidence, rules, options)) : evaluate(evidence, rules, options);
  // Everything that leaves passes the one redactor (a pasted key, a remote body): the report object as well.
  return { report: redactDeep(forPod(report), evidence), evidence };
}

/** Exit code of the CLI contract for a report: 1 when a finding at or above `failOn` exists, else 0. */
export function exitCode(report: Report, failOn: FailOn = 'error'): number {
  const levels = failOn === 'warning' ? ['critical', 'error', 'warning'] : ['critical', 'error'];
  return report.findings.some((f) => levels.includes(f.severity)) ? 1 : 0;
}

type Read = NonNullable<DiagnoseDeps['readFile']>;
type Field = MaterialField;

const many = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

/** One material as a named input: a file is read (named by its path); content keeps its name or the field's. */
function named(m: Material, field: Field, i: number, n: number, read: Read): NamedInput {
  const what = field === 'key' ? 'a PEM or DER private key' : field === 'crls' ? 'a PEM or DER CRL' : 'PEM or DER certificates (or istioctl / config_dump JSON)';
  if (isFileRef(m)) {
    const data = read(m.path, FLAG[field], INPUT_LIMIT);
    if (data.byteLength === 0) throw inputError(`Cannot read ${FLAG[field]} "${m.path}": the file is empty; expected ${what}`);
    return { name: m.path, origin: { kind: 'file', path: m.path }, data };
  }
  if (typeof m === 'object' && !(m instanceof Uint8Array)) {
    if ((typeof m.data === 'string' ? m.data.length : m.data.byteLength) === 0) throw inputError(`Cannot read ${FLAG[field]} (${m.name}): it is empty; expected ${what}`);
    return { name: m.name, origin: { kind: 'inline', name: m.name }, data: m.data };
  }
  // Content without a name is reported under the field's argument name (`crl[1]`, `peerTrust`).
  const base = argOf(requestField(field)!);
  const name = n > 1 ? `${base}[${i}]` : base;
  return { name, origin: { kind: 'inline', name }, data: m };
}

function inputs(r: DiagnoseRequest, field: Exclude<Field, 'chain' | 'key'>, read: Read): NamedInput[] {
  const xs = many(r[field]);
  return xs.map((m, i) => named(m, field, i, xs.length, read));
}

/** The chain: one input, or several joined in order (PEM or DER, mixed): named `chain`, or by its files' names. */
function chainInput(r: DiagnoseRequest, read: Read): NamedInput | undefined {
  const xs = many(r.chain);
  if (!xs.length) return undefined;
  const parts = xs.map((m, i) => named(m, 'chain', i, xs.length, read));
  if (parts.length === 1) return parts[0];
  const name = parts.some((p) => /\[\d+\]$/.test(p.name)) ? 'chain' : parts.map((p) => p.name).join(' + ');
  // Joined from several inputs, the chain is in no one file: commands name it by the field.
  return { name, origin: { kind: 'inline', name: 'chain' }, data: parts.flatMap((p) => decodeCertificates(p.data, p.name).map((b) => toPem(b.der))).join('') };
}

function thresholdsOf(r: DiagnoseRequest, read: Read): DeepPartial<Thresholds> | undefined {
  const t = r.thresholds;
  if (!isFileRef(t)) return t;
  const text = Buffer.from(read(t.path, '--thresholds', THRESHOLDS_LIMIT)).toString('utf8');
  try {
    return JSON.parse(text) as DeepPartial<Thresholds>;
  } catch (e) {
    throw inputError(`Cannot read --thresholds file "${t.path}": ${jsonSyntaxProblem(text, e)}`);
  }
}

function targetOf(r: DiagnoseRequest): Target {
  const name = r.label !== undefined ? { name: r.label } : {};
  const first = many(r.chain)[0];
  const ca = many(r.ca)[0];
  if (first === undefined && ca !== undefined) return isFileRef(ca) ? { kind: 'files', ...name, ca: ca.path } : { kind: 'library', ...name };
  if (first === undefined) return { kind: 'pod', ...name };
  return isFileRef(first) ? { kind: 'files', ...name, chain: first.path } : { kind: 'library', ...name };
}

/**
 * A saved bundle, judged with the request's evaluation options: each given option replaces what the bundle
 * was collected with, exactly as the same option would have set it on live inputs.
 */
function replay(r: DiagnoseRequest, read: Read, now: () => number): EvidenceBundle {
  const ev = r.evidence!;
  const bundle = isFileRef(ev)
    ? parseEvidence(Buffer.from(read(ev.path, '--evidence', EVIDENCE_LIMIT)).toString('utf8'), `"${ev.path}"`)
    : typeof ev === 'string'
      ? parseEvidence(ev, '(given as text)')
      : parseEvidence(JSON.stringify(ev), '(given as an object)');
  const o = { ...bundle.options };
  if (r.role !== undefined) o.role = r.role;
  if (r.expectId !== undefined) {
    const { expectId, expectIds } = expectIdOptions(r.expectId);
    o.expectId = expectId;
    if (expectIds) o.expectIds = expectIds;
    else delete o.expectIds;
  }
  if (r.peerId !== undefined) o.peerId = validateIdentity(r.peerId, '--peer-id');
  if (r.thresholds !== undefined) o.thresholds = resolveThresholds(thresholdsOf(r, read));
  if (r.maxChainDepth !== undefined) o.maxChainDepth = validateMaxDepth(r.maxChainDepth);
  if (r.verifier !== undefined) o.verifier = validateVerifier(r.verifier);
  return {
    ...bundle,
    ...(r.at !== undefined ? { evaluatedAt: new Date(parseAt(r.at, now())).toISOString() } : {}),
    ...(r.symptom !== undefined ? { symptomText: redact(r.symptom) } : {}),
    ...(r.label !== undefined ? { target: { ...bundle.target, name: r.label } } : {}),
    options: o,
  };
}

type Ready = Required<Pick<DiagnoseDeps, 'env' | 'now' | 'readFile'>> & DiagnoseDeps;

/**
 * Collects what the plan names: certificate inputs, the istio-proxy and the test handshakes with the peer. The
 * inputs are read first (local files: a bad one is refused before anything waits on the network); the live sources
 * then run at once under one deadline (./collect-live.ts, loaded only for them).
 */
async function collect(r: DiagnoseRequest, plan: ReturnType<typeof planDiagnosis>, deps: Ready): Promise<EvidenceBundle> {
  const read = deps.readFile;
  const live = plan.proxy || plan.probe ? await (await import('./collect-live.js')).prepareLive(r, plan) : null;
  const key = r.key !== undefined ? named(r.key, 'key', 0, 1, read) : undefined;
  // Read in flag order, so the first unreadable file is the one named.
  const userChain = plan.inputs ? chainInput(r, read) : undefined;
  const trust = inputs(r, 'trust', read);
  const crls = inputs(r, 'crls', read);
  const peerTrust = inputs(r, 'peerTrust', read);
  const ca = inputs(r, 'ca', read);
  const thresholds = thresholdsOf(r, read);
  const got = await live?.run({ chain: userChain, trust, key }, deps);
  const proxy = got?.proxy;
  const px = live?.px;
  if (!plan.inputs && !proxy?.collected && !live?.peer) throw new MtlsDoctorError('E_NO_EVIDENCE', px!.noEvidenceMessage(proxy!));
  const fromProxy = px && proxy ? px.proxyCertInputs(proxy) : { trust: [] };
  const chain = plan.inputs ? userChain : fromProxy.chain;
  const evidence = evidenceFromInputs({
    chain,
    key,
    trust: trust.length ? trust : fromProxy.trust,
    peerTrust,
    ca,
    crls: crls.length ? crls : proxyCrls(proxy?.proxy),
    maxChainDepth: r.maxChainDepth,
    verifier: r.verifier,
    role: r.role,
    expectId: (Array.isArray(r.expectId) ? r.expectId.length > 0 : r.expectId !== undefined) ? r.expectId : (proxy?.expectId ?? null),
    peerId: r.peerId ?? null,
    at: r.at,
    thresholds,
    symptom: r.symptom ?? null,
    target: targetOf(r),
    now: deps.now,
    label,
  });
  const collected = px && proxy ? px.withProxyEvidence(evidence, proxy) : evidence;
  return got ? got.addProbe(collected) : collected;
}

/**
 * The flags the copy inside the pod runs with: every field the table carries into the pod (`inPod`), as the CLI
 * spells it (a list repeats its flag; a time is ISO 8601).
 */
export function inPodArgv(r: DiagnoseRequest, fields: readonly RequestField[] = REQUEST_FIELDS): string[] {
  return fields.flatMap((f) => {
    const v = (r as Record<string, unknown>)[f.name];
    if (!f.inPod || v === undefined) return [];
    return (Array.isArray(v) ? v : [v]).flatMap((x) => [`--${f.flag}`, x instanceof Date ? x.toISOString() : String(x)]);
  });
}

/** `--in-pod`: the copy inside the pod diagnoses (with a real handshake from there) and its report comes back. */
async function inPod(r: DiagnoseRequest, deps: DiagnoseDeps): Promise<Report> {
  const kube = await import('../collect/kube/index.js');
  return kube.diagnoseInPod({
    target: r.target,
    selector: r.selector,
    namespace: r.namespace,
    context: r.context,
    kubeconfig: r.kubeconfig,
    image: r.image,
    argv: inPodArgv(r),
    env: deps.env ?? process.env,
    now: deps.now ?? Date.now,
    ...(deps.kube?.impersonate ? { impersonate: deps.kube.impersonate } : {}),
    ...(deps.kube?.progress ? { progress: deps.kube.progress } : {}),
  });
}

/**
 * Cluster mode: the pod, its mesh objects and its istio-proxy through the Kubernetes API (a separately loaded
 * chunk), then the same evidence builder as files and pod mode. A `peer` that names a Service is read from the
 * cluster; a probe from here cannot stand where the pod stands, so none is made for it (`inPod` makes one).
 */
async function collectCluster(r: DiagnoseRequest, deps: Ready): Promise<EvidenceBundle> {
  // Loaded only for these targets: `diagnose` on files never parses the connection code.
  // One deadline for everything below (issue 22: API calls, port-forward and exec, sidecars, the probe), started
  // by the collector once its code is loaded: it bounds the waits on sources, not this machine's start-up.
  if (/^(svc|service|services)\//i.test(r.target ?? '')) return (await import('./connections.js')).collectServiceTarget(r, deps, thresholdsOf(r, deps.readFile));
  const read = deps.readFile;
  // The peer is parsed first (as HOST:PORT, which a service peer also is), so a bad value is refused before any call.
  const probe = r.peer !== undefined ? await import('../probe/probe.js') : null;
  const netPeer = probe ? probe.parsePeer(r.peer!) : null;
  const alpn = probe ? probe.parseAlpn(r.alpn) : null;
  const kube = await import('../collect/kube/index.js');
  const c = await kube.collectCluster({
    target: r.target,
    selector: r.selector,
    namespace: r.namespace,
    context: r.context,
    kubeconfig: r.kubeconfig,
    peer: r.peer,
    readCaSecrets: r.readCaSecrets,
    ...(r.maxPods !== undefined ? { maxPods: r.maxPods } : {}),
    windowSeconds: r.window,
    env: deps.env,
    now: deps.now,
    ...(deps.budgetMs !== undefined ? { budgetMs: deps.budgetMs } : {}),
    label,
    ...(deps.kube?.impersonate ? { impersonate: deps.kube.impersonate } : {}),
    ...(deps.kube?.timeoutMs ? { timeoutMs: deps.kube.timeoutMs } : {}),
  });
  const px = await import('../collect/proxy.js');
  const fromProxy = c.proxy ? px.proxyCertInputs(c.proxy) : { trust: [] };
  const crls = inputs(r, 'crls', read);
  const evidence = evidenceFromInputs({
    chain: fromProxy.chain,
    trust: fromProxy.trust,
    ca: [...c.ca.map((s) => ({ name: s.source, ...(s.origin ? { origin: s.origin } : {}), data: s.pems.join('') })), ...inputs(r, 'ca', read)],
    crls: crls.length ? crls : proxyCrls(c.proxy?.proxy),
    maxChainDepth: r.maxChainDepth,
    verifier: r.verifier,
    role: r.role,
    expectId: r.expectId ?? c.expectId,
    peerId: r.peerId ?? null,
    at: r.at,
    thresholds: thresholdsOf(r, read),
    symptom: r.symptom ?? null,
    target: r.label !== undefined ? { ...c.target, name: r.label } : c.target,
    now: deps.now,
    label,
  });
  const withProxy = c.proxy ? px.withProxyEvidence(evidence, c.proxy) : evidence;
  const sources = [...c.sources, ...withProxy.sources];
  // A peer that looked like a service but is none (no such Service): an ordinary network peer, probed from here.
  const servicePeer = c.servicePeer && (c.cluster.peer || c.cluster.denied.some((d) => d.resource === 'services')) ? c.servicePeer : null;
  if (servicePeer) {
    sources.push({
      name: 'peer handshake',
      status: 'skipped',
      reason: `${servicePeer.service}.${servicePeer.namespace}:${servicePeer.port} is an in-cluster service: a handshake from this machine would not stand where ${String(c.target.name)} stands (and its name may not resolve here), so the peer was judged from its pods and policies; add --in-pod for a real handshake from inside the pod`,
    });
  }
  const connections = servicePeer && c.cluster.pod ? await (await import('./connections.js')).podConnectionEvidence(c) : null;
  const collected: EvidenceBundle = { ...withProxy, sources, cluster: c.cluster, ...(connections ? { connections } : {}) };
  if (!c.proxy?.collected && !c.cluster.peer && c.ca.length === 0) {
    const why = c.sources.filter((s) => s.status === 'unavailable').map((s) => `${s.name}: ${s.reason}`).join('; ');
    throw new MtlsDoctorError('E_NO_EVIDENCE', `No evidence to diagnose ${String(c.target.name)}: ${why || 'its istio-proxy gave nothing'}`);
  }
  if (!netPeer || servicePeer) return collected;
  const { probeIntoEvidence } = await import('../probe/collect.js');
  return probeIntoEvidence(collected, { peer: netPeer, sni: r.sni ?? null, alpn, key: undefined, deadline: c.deadline, ...(deps.transport ? { transport: deps.transport } : {}) });
}

/** The CRL the istio-proxy mounts (Istio's ca-crl.pem at /var/run/secrets/istio/crl/), when it was read. */
function proxyCrls(proxy: { files?: Array<{ path: string; kind: string; pems: string[] }> } | undefined): NamedInput[] {
  return (proxy?.files ?? []).filter((f) => f.kind === 'crl' && f.pems.length > 0).map((f) => ({ name: f.path, data: f.pems.join('') }));
}
