/**
 * The fleet's front door: `scan(request, deps)` for `mtls-doctor scan`, `rotation status|plan` and (later) the
 * server's `--scan-interval`. Like `diagnose()` it takes one JSON-serialisable request and injected
 * dependencies: where pods come from (`deps.source`, the Kubernetes collector in cluster mode) or a saved scan
 * to judge again (`evidence`). Collection is src/fleet/scan.ts; judging is src/fleet/analyse.ts (pure).
 */
import { readInputFile } from '../collect/files.js';
import { inputError, jsonSyntaxProblem, MtlsDoctorError, usageError } from '../errors.js';
import { parseAt } from '../evidence/from-inputs.js';
import { resolveThresholds, type DeepPartial, type Thresholds } from '../model/thresholds.js';
import { alertRules, renderAlertRules } from '../fleet/alerts.js';
import { judgeFleet } from './fleet-model.js';
import { judgeWhatIf } from './what-if.js';
import { FLEET_BUNDLE_KIND, parseFleetBundle, serializeFleetBundle, type FleetBundle } from '../fleet/bundle.js';
import { DEFAULT_CONCURRENCY, MAX_CONCURRENCY, scanFleet, type FleetSource } from '../fleet/scan.js';
import { fleetVerdict } from '../fleet/verdict.js';
import type { FleetTarget, ScanReport, WhatIfScope } from '../fleet/types.js';
import { isFileRef, type FailOn, type FileRef } from './request.js';

/** `scan()`'s request: which pods (FleetTarget, what the cluster collector reads) and how to judge them. */
export interface ScanRequest extends FleetTarget {
  /** Pods read at once (default 8; 1–256). */
  concurrency?: number;
  /** Per-pod timeout in ms (default 10 s). */
  podTimeoutMs?: number;
  /** A saved scan to judge instead of reading the cluster: the object, its JSON text, or `{ path }`. */
  evidence?: FleetBundle | string | FileRef;
  /** Judge at this time instead of now. */
  at?: string | number | Date;
  thresholds?: DeepPartial<Thresholds> | FileRef;
  failOn?: FailOn;
  /**
   * `--what-if strict` (issue 25): also judge which connections a PeerAuthentication STRICT would break if applied
   * now — to `target`'s workload, else the namespace(s) scanned, else (with `allNamespaces`) the mesh.
   */
  whatIf?: string;
  /** With `whatIf`: `pod/NAME` (or `NAME`) in the namespace scanned: apply the STRICT policy to its workload only. */
  target?: string;
}

export const WHAT_IFS = ['strict'] as const;
const POD_TARGET = /^(?:pod\/|pods\/)?([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?)$/;

export interface ScanDeps {
  /** Where pods come from; default: the Kubernetes collector (cluster mode). */
  source?: FleetSource | ((request: ScanRequest) => Promise<FleetSource>);
  readFile?: (path: string, flag: string, limit: number) => Uint8Array;
  now?: () => number;
  onProgress?: (done: number, total: number) => void;
  /** Stops a cluster scan (no further pod is read; the scan fails with E_COLLECT). */
  signal?: AbortSignal;
  /**
   * Cluster mode: act as this user/groups on every Kubernetes API request (the `serve` face passes its caller, or
   * its exporter identity), and the environment the kubeconfig is found from (default: the process's).
   */
  kube?: { impersonate?: { user?: string; groups?: string[] }; env?: Record<string, string | undefined> };
}

export interface ScanResult {
  report: ScanReport;
  /** What was read (certificates only): what `--save-evidence` writes. */
  bundle: FleetBundle;
}

/** The default pod source: the cluster collector, loaded (its own chunk, with the Kubernetes client) only to read a cluster. */
const clusterSource = async (request: ScanRequest, kube: ScanDeps['kube']): Promise<FleetSource> =>
  (await import('../collect/kube/fleet-source.js')).kubeFleetSource(request, { ...(kube?.env ? { env: kube.env } : {}), ...(kube?.impersonate ? { impersonate: kube.impersonate } : {}) });

const SCAN_EVIDENCE_LIMIT = 256 * 1024 * 1024;

function thresholdsOf(t: ScanRequest['thresholds'], read: NonNullable<ScanDeps['readFile']>): Thresholds {
  if (t === undefined) return resolveThresholds(undefined);
  if (!isFileRef(t)) return resolveThresholds(t, 'thresholds');
  const text = Buffer.from(read(t.path, '--thresholds', 64 * 1024)).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw inputError(`Cannot read --thresholds file "${t.path}": ${jsonSyntaxProblem(text, e)}`);
  }
  return resolveThresholds(json as DeepPartial<Thresholds>, `--thresholds "${t.path}"`);
}

/** Every combination that cannot work, refused before anything is read (exit 2). */
function validate(r: ScanRequest): void {
  if (r.namespace && r.allNamespaces) throw usageError('Cannot combine -n/--namespace with -A/--all-namespaces: pick one');
  if (r.namespaces !== undefined) {
    if (!Array.isArray(r.namespaces) || !r.namespaces.length || r.namespaces.some((n) => typeof n !== 'string')) throw usageError('Cannot use namespaces: give a non-empty list of namespace names');
    if (r.namespace || r.allNamespaces) throw usageError('Cannot combine namespaces with -n/--namespace or -A/--all-namespaces: pick one');
  }
  if (r.whatIf !== undefined && !(WHAT_IFS as readonly string[]).includes(String(r.whatIf))) throw usageError(`Cannot use --what-if ${JSON.stringify(r.whatIf)}: the what-if scan knows ${WHAT_IFS.join(', ')} (--what-if strict: what a PeerAuthentication STRICT applied now would break)`);
  if (r.target !== undefined) {
    if (r.whatIf === undefined) throw usageError(`Cannot scan ${r.target} without --what-if strict: a scan reads every pod of -n NS or -A (one pod is \`mtls-doctor diagnose pod/NAME\`)`);
    if (typeof r.target !== 'string' || !POD_TARGET.test(r.target)) throw usageError(`Cannot use ${JSON.stringify(r.target)} as the what-if target: give pod/NAME (a pod of the namespace scanned)`);
    if (r.allNamespaces || (r.namespaces && r.namespaces.length > 1)) throw usageError(`Cannot combine ${r.target} with ${r.allNamespaces ? '-A' : 'several namespaces'}: a pod is in one namespace (-n NS)`);
  }
  const c = r.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(c) || c < 1 || c > MAX_CONCURRENCY) throw usageError(`Cannot use --concurrency ${c}: give a whole number from 1 to ${MAX_CONCURRENCY}`);
  const pt = r.podTimeoutMs ?? 10_000;
  if (!(pt >= 100 && pt <= 600_000)) throw usageError(`Cannot use --pod-timeout ${pt / 1000}: give seconds from 0.1 to 600`);
  if (r.evidence !== undefined) {
    for (const [flag, v] of [['-n', r.namespace], ['-A', r.allNamespaces], ['namespaces', r.namespaces], ['-l', r.selector], ['--read-ca-secrets', r.readCaSecrets], ['--context', r.context], ['--kubeconfig', r.kubeconfig]] as const) {
      if (v) throw usageError(`Cannot combine --evidence with ${flag}: a saved scan already holds what was read`);
    }
  }
}

export async function scan(request: ScanRequest, deps: ScanDeps = {}): Promise<ScanResult> {
  validate(request);
  const read = deps.readFile ?? readInputFile;
  const now = deps.now ?? Date.now;
  const thresholds = thresholdsOf(request.thresholds, read);
  const iso = (x: string | number | Date) => (x instanceof Date ? x.toISOString() : typeof x === 'number' && Number.isFinite(x) && Math.abs(x) < 8.64e15 ? new Date(x).toISOString() : String(x));
  const at = request.at !== undefined ? parseAt(iso(request.at), now()) : undefined;
  let bundle: FleetBundle;
  if (request.evidence !== undefined) {
    const ev = request.evidence;
    bundle = isFileRef(ev)
      ? parseFleetBundle(Buffer.from(read(ev.path, '--evidence', SCAN_EVIDENCE_LIMIT)).toString('utf8'), `"${ev.path}"`)
      : typeof ev === 'string'
        ? parseFleetBundle(ev, 'the saved scan')
        : parseFleetBundle(JSON.stringify(ev), 'the saved scan');
  } else {
    const from = deps.source ?? ((r: ScanRequest) => clusterSource(r, deps.kube));
    const collect = request.whatIf !== undefined ? { ...request, readPolicy: true } : request;
    const source = typeof from === 'function' ? await from(collect) : from;
    const started = now();
    const input = await scanFleet(source, { concurrency: request.concurrency, podTimeoutMs: request.podTimeoutMs, onProgress: deps.onProgress, ...(deps.signal ? { signal: deps.signal } : {}), ...(request.whatIf !== undefined ? { policy: true } : {}) });
    if (!input.pods.length) {
      throw new MtlsDoctorError('E_NO_EVIDENCE', `No pods matched${request.selector ? ` -l ${request.selector}` : ''} in ${request.allNamespaces ? 'any namespace' : request.namespaces ? `namespaces ${request.namespaces.join(', ')}` : `namespace ${request.namespace ?? 'of the current context'}`}`);
    }
    bundle = {
      kind: FLEET_BUNDLE_KIND,
      schemaVersion: 1,
      collectedAt: new Date(started).toISOString(),
      scope: { namespaces: request.allNamespaces ? 'all' : [...new Set(input.pods.map((p) => p.namespace))].sort(), ...(request.selector ? { selector: request.selector } : {}) },
      durationSeconds: (now() - started) / 1000,
      input,
    };
  }
  const report = judgeFleet(bundle.input, { now: at ?? now(), thresholds, scope: bundle.scope, ...(bundle.durationSeconds !== undefined ? { durationSeconds: bundle.durationSeconds } : {}) });
  if (request.whatIf !== undefined) report.whatIf = whatIf(request, bundle, at ?? now());
  return { report, bundle };
}

/** The what-if on the scan's model: where the STRICT policy goes, then src/diagnose/what-if.ts. */
function whatIf(request: ScanRequest, bundle: FleetBundle, at: number): NonNullable<ScanReport['whatIf']> {
  const policy = bundle.input.policy;
  if (!policy) throw inputError('Cannot judge --what-if strict on this saved scan: it holds no policies (save one with `scan --what-if strict --save-evidence FILE`)');
  const all = bundle.scope.namespaces === 'all';
  let scope: WhatIfScope;
  if (request.target !== undefined) {
    const name = POD_TARGET.exec(request.target)![1]!;
    const ns = request.namespace ?? request.namespaces?.[0];
    const matches = policy.pods.filter((p) => p.name === name && (ns === undefined || p.namespace === ns));
    if (matches.length !== 1) throw inputError(`Cannot apply --what-if strict to pod/${name}: ${matches.length ? `it is in several namespaces (${matches.map((p) => p.namespace).join(', ')}): give -n NS` : `no running pod of that name in ${ns ? `namespace "${ns}"` : 'the namespace scanned'}`}`);
    const pod = matches[0]!;
    if (!pod.sidecar) throw inputError(`Cannot apply --what-if strict to pod/${name}: it has no istio-proxy sidecar, so no PeerAuthentication applies to it (its callers reach its app as they do now)`);
    scope = { kind: 'workload', namespace: pod.namespace, pod: pod.name };
  } else if (request.allNamespaces || all) scope = { kind: 'mesh' };
  else scope = { kind: 'namespace', namespaces: request.namespaces ?? (request.namespace ? [request.namespace] : (bundle.scope.namespaces as string[])) };
  return judgeWhatIf(policy, scope, { now: at, allNamespaces: all });
}

/** Exit code of a scan: 1 when it is failing (an expired/critical CA, a rotation violation or cut-off pods; --fail-on warning: also at-risk, warnings and drift) or its what-if breaks a connection or a probe; 3 when no pod could be read. */
export function scanExitCode(r: ScanReport, failOn: FailOn = 'error'): number {
  // A what-if that breaks connections is a finding that breaks traffic (critical): exit 1, like any failing scan.
  if (r.whatIf && (r.whatIf.breaking.length || r.whatIf.probes.length)) return 1;
  const verdict = fleetVerdict(r);
  if (verdict === 'unknown') return r.summary.pods > 0 ? 3 : 0;
  return verdict === 'failing' || (failOn === 'warning' && verdict === 'at-risk') ? 1 : 0;
}

/** The Prometheus rule pack for these thresholds (`mtls-doctor alerts`). */
export function alertPack(o: { thresholds?: ScanRequest['thresholds']; leafTtlHours?: number; readFile?: ScanDeps['readFile'] } = {}): string {
  const ttl = o.leafTtlHours ?? 24;
  if (!(ttl > 0 && ttl <= 24 * 365)) throw usageError(`Cannot use --leaf-ttl ${ttl}: give the workload certificate lifetime in hours (e.g. 24)`);
  return renderAlertRules(alertRules(thresholdsOf(o.thresholds, o.readFile ?? readInputFile), ttl));
}

export { serializeFleetBundle, type FleetBundle };
