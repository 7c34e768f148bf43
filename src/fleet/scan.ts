/**
 * `mtls-doctor scan`: read every sidecar with bounded concurrency and a timeout per pod, then judge the fleet.
 * Where pods come from is injected (`FleetSource`): the Kubernetes collector lists pods and reads each one's
 * Envoy admin secrets dump over one port-forward (the dump holds both the served chain and the trusted roots,
 * so one connection per pod is enough). A pod that fails is a row with its reason, never the end of the scan.
 */
import { parseSecrets } from '../evidence/envoy-parse.js';
import { inputError, MtlsDoctorError } from '../errors.js';
import { plaintextInbound } from '../evidence/telemetry.js';
import type { PodRecord } from '../evidence/cluster.js';
import type { FleetInput, FleetPolicy, PodHolding } from './types.js';

export interface PodRef {
  namespace: string;
  name: string;
  workload?: string;
  /** The pod has an istio-proxy container (injected sidecar or native sidecar init container). */
  sidecar: boolean;
  /** Its labels: which Services select it. */
  labels?: Record<string, string>;
  serviceAccount?: string;
  /** The pod's policy-relevant fields (capture annotations, probes, ports, IP), read for `--what-if`. */
  record?: PodRecord;
}

/** A Service: who serves connections through it (its selector picks the pods). */
export interface ServiceRef {
  namespace: string;
  name: string;
  port: number | null;
  selector: Record<string, string>;
}

export interface FleetSource {
  listPods(): Promise<PodRef[]>;
  /** The pod's Envoy admin `/config_dump?resource=dynamic_active_secrets` body (JSON text). */
  secretsDump(pod: PodRef, signal: AbortSignal): Promise<string>;
  /** ConfigMap `istio-ca-root-cert` of each namespace that has one. */
  rootConfigMaps?(namespaces: string[]): Promise<NonNullable<FleetInput['rootConfigMaps']>>;
  /** CA Secrets, certificate keys only (opt-in: `--read-ca-secrets`). */
  caSecrets?(): Promise<NonNullable<FleetInput['caSecrets']>>;
  /** The Services of the scanned namespaces; undefined when they cannot be listed (every class is then a server). */
  services?(namespaces: string[]): Promise<ServiceRef[] | undefined>;
  /** `--what-if`: the Services with every port, the PeerAuthentications, DestinationRules and mesh config. */
  policy?(namespaces: string[]): Promise<Pick<FleetPolicy, 'services' | 'peerAuthentications' | 'destinationRules' | 'meshConfig' | 'problems'>>;
  /** `--what-if`: the pod's Envoy admin `/stats/prometheus` (Prometheus text). */
  telemetry?(pod: PodRef, signal: AbortSignal): Promise<string>;
}

export interface ScanOptions {
  /** Pods read at once; the default is gentle on an API server (kubectl's own burst is 10). */
  concurrency?: number;
  podTimeoutMs?: number;
  onProgress?(done: number, total: number): void;
  /** Stops the scan: no further pod is read and those being read are abandoned (serve's deadline). */
  signal?: AbortSignal;
  /** Also read policies and the telemetry of sidecar pods that back a Service (`scan --what-if`). */
  policy?: boolean;
}

export const DEFAULT_CONCURRENCY = 8;
export const MAX_CONCURRENCY = 256;
export const DEFAULT_POD_TIMEOUT_MS = 10_000;

/** What one secrets dump says the pod serves (`default`) and trusts (`ROOTCA`, SPIFFE bundles). */
export function holdingFromSecretsDump(pod: PodRef, body: string): PodHolding {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ...base(pod), status: 'failed', reason: 'the Envoy admin answered with something that is not JSON' };
  }
  const { secrets, sawSecretsDump } = parseSecrets(json);
  if (!sawSecretsDump) return { ...base(pod), status: 'failed', reason: 'the Envoy admin config_dump holds no secrets section' };
  const active = secrets.filter((s) => s.state !== 'warming');
  const served = active.find((s) => s.kind === 'tls-certificate' && s.name === 'default') ?? active.find((s) => s.kind === 'tls-certificate');
  const roots = active.filter((s) => s.kind === 'validation-context');
  const rootca = roots.find((s) => s.name === 'ROOTCA') ? roots.filter((s) => s.name === 'ROOTCA') : roots;
  const trusted = rootca.flatMap((s) => [...s.pems, ...s.trustDomains.flatMap((d) => d.pems)]);
  return { ...base(pod), status: 'ok', served: served?.pems ?? [], trusted };
}

const base = (pod: PodRef) => ({ namespace: pod.namespace, name: pod.name, ...(pod.workload ? { workload: pod.workload } : {}), ...(pod.serviceAccount ? { serviceAccount: pod.serviceAccount } : {}) });

/** One line for a failure: the error's first line, never a stack. */
const reasonOf = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0]!.slice(0, 300);

export async function scanFleet(source: FleetSource, o: ScanOptions = {}): Promise<FleetInput> {
  const concurrency = o.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
    throw inputError(`Cannot scan with --concurrency ${concurrency}: give a whole number from 1 to ${MAX_CONCURRENCY}`);
  }
  const timeout = o.podTimeoutMs ?? DEFAULT_POD_TIMEOUT_MS;
  const refs = await source.listPods();
  const pods: PodHolding[] = new Array(refs.length);
  let next = 0;
  let done = 0;
  // The same certificate text read from many pods (intermediates, roots) is kept once: at 10,000 pods the copies
  // were tens of megabytes.
  const texts = new Map<string, string>();
  const intern = (pems: readonly string[] | undefined) => pems?.map((p) => texts.get(p) ?? (texts.set(p, p), p));
  const one = async (ref: PodRef): Promise<PodHolding> => {
    if (!ref.sidecar) return { ...base(ref), status: 'failed', reason: 'no istio-proxy container (not in the mesh)' };
    const ac = new AbortController();
    const stop = () => ac.abort();
    o.signal?.addEventListener('abort', stop, { once: true });
    let timer: NodeJS.Timeout | undefined;
    try {
      const body = await Promise.race([
        source.secretsDump(ref, ac.signal),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            ac.abort();
            reject(new Error(`timed out after ${timeout / 1000} s reading the Envoy admin`));
          }, timeout);
        }),
      ]);
      const h = holdingFromSecretsDump(ref, body);
      return h.status === 'ok' ? { ...h, served: intern(h.served), trusted: intern(h.trusted) } : h;
    } catch (e) {
      return { ...base(ref), status: 'failed', reason: reasonOf(e) };
    } finally {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', stop);
    }
  };
  const worker = async () => {
    while (next < refs.length && !o.signal?.aborted) {
      const i = next++;
      pods[i] = await one(refs[i]!);
      done++;
      o.onProgress?.(done, refs.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, refs.length) }, worker));
  if (o.signal?.aborted) throw new MtlsDoctorError('E_COLLECT', `The scan was stopped after ${done} of ${refs.length} pods`);
  const namespaces = [...new Set(refs.map((r) => r.namespace))].sort();
  const [rootConfigMaps, caSecrets, services] = await Promise.all([
    source.rootConfigMaps ? source.rootConfigMaps(namespaces) : Promise.resolve(undefined),
    source.caSecrets ? source.caSecrets() : Promise.resolve(undefined),
    source.services ? source.services(namespaces).catch(() => undefined) : Promise.resolve(undefined),
  ]);
  if (services) {
    // A pod backs the Services of its namespace whose selector its labels match.
    const byNamespace = new Map<string, ServiceRef[]>();
    for (const s of services) byNamespace.set(s.namespace, [...(byNamespace.get(s.namespace) ?? []), s]);
    refs.forEach((ref, i) => {
      const mine = (byNamespace.get(ref.namespace) ?? []).filter((s) => Object.entries(s.selector).every(([k, v]) => ref.labels?.[k] === v)).map((s) => `${s.namespace}/${s.name}`);
      if (pods[i]) pods[i] = { ...pods[i]!, services: mine };
    });
  }
  const policy = o.policy && source.policy ? await readPolicy(source, refs, pods, namespaces, { concurrency, timeout, ...(o.signal ? { signal: o.signal } : {}) }) : undefined;
  return { pods, ...(rootConfigMaps ? { rootConfigMaps } : {}), ...(caSecrets ? { caSecrets } : {}), ...(services ? { services: services.map(({ namespace, name, port }) => ({ namespace, name, port })) } : {}), ...(policy ? { policy } : {}) };
}

/** `--what-if`: the policies, and the telemetry of every read sidecar pod that backs a Service, with the same bounds as the pods. */
async function readPolicy(source: FleetSource, refs: PodRef[], pods: PodHolding[], namespaces: string[], o: { concurrency: number; timeout: number; signal?: AbortSignal }): Promise<FleetPolicy> {
  const objects = await source.policy!(namespaces);
  const servers = refs.filter((r, i) => r.sidecar && pods[i]?.status === 'ok' && (pods[i]?.services === undefined || pods[i]!.services!.length > 0));
  const telemetry: Array<FleetPolicy['telemetry'][number]> = new Array(servers.length);
  if (source.telemetry) {
    let next = 0;
    const worker = async () => {
      while (next < servers.length && !o.signal?.aborted) {
        const i = next++;
        const ref = servers[i]!;
        const pod = `${ref.namespace}/${ref.name}`;
        const ac = new AbortController();
        let timer: NodeJS.Timeout | undefined;
        try {
          const text = await Promise.race([
            source.telemetry!(ref, ac.signal),
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => (ac.abort(), reject(new Error(`timed out after ${o.timeout / 1000} s reading /stats/prometheus`))), o.timeout);
            }),
          ]);
          telemetry[i] = { pod, status: 'ok', plaintext: plaintextInbound(text) };
        } catch (e) {
          telemetry[i] = { pod, status: 'unavailable', reason: reasonOf(e), plaintext: [] };
        } finally {
          clearTimeout(timer);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.concurrency, servers.length) }, worker));
    if (o.signal?.aborted) throw new MtlsDoctorError('E_COLLECT', `The scan was stopped while reading the telemetry of ${servers.length} sidecars`);
  }
  const records = refs.filter((r) => r.record).map((r) => ({ ...r.record!, ...(r.workload ? { workload: r.workload } : {}) }));
  return { pods: records, ...objects, telemetry: telemetry.filter(Boolean) };
}
