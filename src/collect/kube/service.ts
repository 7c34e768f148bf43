/**
 * `diagnose svc/B`: which callers can no longer reach a service, and why. Reads the Service and its ready
 * sidecar pods (the servers), the ready sidecar pods of the caller namespaces (`--from-namespace NS`…, or every
 * namespace with `--from-all-namespaces`; default the service's own), each through its istio-proxy, and the root
 * ConfigMaps of those namespaces. The judgement is the connection judgement (src/connection), every caller class
 * against every server class.
 */
import type { CertSet, SourceRecord, Target } from '../../evidence/types.js';
import type { PodRecord } from '../../evidence/cluster.js';
import { emptyClusterEvidence, type ClusterEvidence } from '../../evidence/cluster.js';
import { inputError, MtlsDoctorError } from '../../errors.js';
import type { WorkloadObservation } from '../../model/workload.js';
import type { SourceLabel } from '../../model/source.js';
import { connectKube, parseYaml, type KubeApi, type KubeConnectOptions, type Impersonation } from './client.js';
import { destinationRuleRecord, meshConfigRecord, peerAuthenticationRecord, podRecord } from './records.js';
import { DEFAULT_MAX_PODS, readPeerPods } from './peer-pods.js';
import { LIMITS } from '../../limits.js';
import { deadlineIn, type Deadline } from '../../model/deadline.js';
import { checkLabel } from './target.js';

const ISTIO_NS = 'istio-system';

export interface ServiceRequest {
  service: string;
  namespace?: string;
  fromNamespaces?: string[];
  fromAllNamespaces?: boolean;
  maxPods?: number;
  context?: string;
  kubeconfig?: string;
  impersonate?: Impersonation;
  timeoutMs?: number;
  env?: Record<string, string | undefined>;
  now: () => number;
  /** How the collected sets are named (`source`): the report's labels (src/report/source-label.ts), handed down. */
  label: SourceLabel;
  api?: KubeApi;
  /** The whole diagnosis's deadline (issue 22); default LIMITS.clusterDiagnoseBudgetMs from now. */
  deadline?: Deadline;
}

export interface ServiceCollection {
  target: Target;
  cluster: ClusterEvidence;
  sources: SourceRecord[];
  servers: WorkloadObservation[];
  callers: WorkloadObservation[];
  /** Root ConfigMaps by namespace (servers' and callers'). */
  rootConfigMaps: Record<string, CertSet>;
  service: { name: string; namespace: string; port: number; targetPort: number | string | null };
}

export async function collectService(req: ServiceRequest): Promise<ServiceCollection> {
  const opts: KubeConnectOptions = { kubeconfig: req.kubeconfig, context: req.context, impersonate: req.impersonate, timeoutMs: req.timeoutMs, env: req.env };
  const api = req.api ?? connectKube(opts);
  const deadline = req.deadline ?? deadlineIn(LIMITS.clusterDiagnoseBudgetMs);
  try {
    return await collectWith(api.withDeadline(deadline), { ...req, deadline });
  } finally {
    if (!req.api) await api.close();
  }
}

async function collectWith(api: KubeApi, req: ServiceRequest): Promise<ServiceCollection> {
  const ns = req.namespace ? checkLabel(req.namespace, 'namespace') : api.namespace;
  const name = checkLabel(req.service, 'service name');
  const sources: SourceRecord[] = [];
  const cluster = emptyClusterEvidence();
  cluster.context = api.context;
  cluster.server = api.server;
  const s = await api.getService(ns, name);
  if (!s.ok) {
    if (s.kind === 'not-found') throw inputError(`Cannot diagnose svc/${name} in namespace "${ns}": no such Service`);
    throw new MtlsDoctorError('E_NO_EVIDENCE', `Cannot diagnose svc/${name} in namespace "${ns}": ${s.reason}`);
  }
  const selector = s.value.spec?.selector ?? {};
  const ports = s.value.spec?.ports ?? [];
  const port = ports[0];
  if (!port || Object.keys(selector).length === 0) throw inputError(`Cannot diagnose svc/${name} in namespace "${ns}": it has ${port ? 'no selector (its endpoints are not pods this tool can read)' : 'no ports'}`);
  const targetPort = port.targetPort === undefined ? port.port : /^\d+$/.test(String(port.targetPort)) ? Number(port.targetPort) : String(port.targetPort);
  const sel = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');
  const l = await api.listPods(ns, sel);
  if (!l.ok) throw new MtlsDoctorError('E_NO_EVIDENCE', `Cannot list the pods of svc/${name} in namespace "${ns}": ${l.reason}`);
  const serverPods = l.value.map(podRecord);
  cluster.peer = { name, namespace: ns, port: port.port, targetPort, selector, pods: serverPods };
  sources.push({ name: 'service', status: 'ok', detail: `service ${name}.${ns}:${port.port} → targetPort ${String(targetPort)}${ports.length > 1 ? ` (the first of its ${ports.length} ports)` : ''}; ${serverPods.length} pod${serverPods.length === 1 ? '' : 's'}: ${serverPods.map((p) => p.name).join(', ')}` });

  // Mesh config (trust domain).
  const mesh = await api.getConfigMap(ISTIO_NS, 'istio');
  if (mesh.ok) {
    const text = mesh.value.data?.mesh;
    cluster.meshConfig = meshConfigRecord(ISTIO_NS, 'istio', (text !== undefined ? parseYaml(text) : null) ?? {});
  }
  const trustDomain = cluster.meshConfig?.trustDomain ?? 'cluster.local';

  // The callers: ready sidecar pods of the caller namespaces, not the service's own pods.
  const fromAll = req.fromAllNamespaces === true;
  const fromNs = fromAll ? null : [...new Set((req.fromNamespaces?.length ? req.fromNamespaces : [ns]).map((n) => checkLabel(n, '--from-namespace')))];
  const listed: PodRecord[] = [];
  for (const r of fromNs === null ? [await api.listAllPods('')] : await Promise.all(fromNs.map((n) => api.listPods(n, '')))) {
    if (!r.ok) {
      if (r.kind === 'forbidden') cluster.denied.push({ verb: 'list', resource: 'pods', namespace: null });
      sources.push({ name: 'callers', status: 'unavailable', reason: r.reason });
      continue;
    }
    listed.push(...r.value.map(podRecord));
  }
  const isServer = new Set(serverPods.map((p) => `${p.namespace}/${p.name}`));
  const callerPods = listed.filter((p) => p.sidecar && p.ready && !isServer.has(`${p.namespace}/${p.name}`));
  const maxPods = req.maxPods ?? DEFAULT_MAX_PODS;
  // Servers and callers at once, under the one deadline: each pod's read waits at most what is left of it.
  const [servers, callers] = await Promise.all([
    readPeerPods(api, serverPods.filter((p) => p.sidecar && p.ready), { maxPods, trustDomain, now: req.now, label: req.label, ...(req.deadline ? { deadline: req.deadline } : {}) }),
    readPeerPods(api, callerPods, { maxPods, trustDomain, now: req.now, label: req.label, ...(req.deadline ? { deadline: req.deadline } : {}) }),
  ]);
  for (const d of [...servers.denied, ...callers.denied]) if (!cluster.denied.some((x) => x.resource === d.resource && x.namespace === d.namespace && x.name === d.name)) cluster.denied.push(d);
  const line = (what: string, obs: WorkloadObservation[]): SourceRecord => {
    const bad = obs.filter((o) => o.status !== 'read');
    const late = bad.filter((o) => o.timedOut);
    const rec: SourceRecord = { name: what, status: obs.length && bad.length === obs.length ? ('unavailable' as const) : ('ok' as const), ...(obs.length && bad.length === obs.length ? { reason: `none read: ${bad.map((o) => `pod/${o.pod.name} (${o.reason})`).join('; ')}` } : { detail: `${obs.length - bad.length} of ${obs.length} ready pod${obs.length === 1 ? '' : 's'} read through their istio-proxy${bad.length ? `; not read: ${bad.map((o) => `pod/${o.pod.name} (${o.reason})`).join('; ')}` : ''}` }) };
    return late.length ? { ...rec, timedOut: true, notJudged: `the connections of ${late.map((o) => `pod/${o.pod.name}`).join(', ')}, both ways (what ${late.length === 1 ? 'it serves and trusts' : 'they serve and trust'})` } : rec;
  };
  sources.push(line('server sidecars', servers.observations), line(`callers (${fromNs === null ? 'all namespaces' : fromNs.join(', ')})`, callers.observations));

  // Root ConfigMaps of every namespace involved (for pods that could not be read), policies of the service's.
  const rootConfigMaps: Record<string, CertSet> = {};
  for (const n of new Set([ns, ...callers.observations.map((o) => o.pod.namespace)])) {
    const cm = await api.getConfigMap(n, 'istio-ca-root-cert');
    const pem = cm.ok ? cm.value.data?.['root-cert.pem'] : undefined;
    if (pem) rootConfigMaps[n] = { source: `ConfigMap ${n}/istio-ca-root-cert`, origin: { kind: 'kube', resource: 'configmap', namespace: n, name: 'istio-ca-root-cert', key: 'root-cert.pem' }, pems: [pem] };
  }
  for (const n of new Set([ns, cluster.meshConfig?.rootNamespace ?? ISTIO_NS])) {
    const pa = await api.listIstio('security.istio.io', ['v1', 'v1beta1'], n, 'peerauthentications');
    if (pa.ok) cluster.peerAuthentications.push(...pa.value.items.map(peerAuthenticationRecord));
    const dr = await api.listIstio('networking.istio.io', ['v1', 'v1beta1'], n, 'destinationrules');
    if (dr.ok) cluster.destinationRules.push(...dr.value.items.map(destinationRuleRecord));
  }
  return {
    target: { kind: 'service', name: `svc/${name}`, namespace: ns, ...(api.context ? { context: api.context } : {}) },
    cluster,
    sources,
    servers: servers.observations,
    callers: callers.observations,
    rootConfigMaps,
    service: { name, namespace: ns, port: port.port, targetPort },
  };
}
