/**
 * Cluster mode's collector: resolves the target like kubectl, reads the pod and its mesh through the Kubernetes
 * API (root ConfigMap, mesh config, PeerAuthentication, DestinationRule, the peer service's pods, optionally the
 * CA Secrets), and reads the pod's istio-proxy through port-forward or exec with the unchanged proxy collectors.
 *
 * This module and everything it imports is a separately loaded chunk (scripts/build.mjs): `diagnose` on files
 * never parses @kubernetes/client-node.
 *
 * A refused request (403) is one source line naming the verb, resource and namespace, and the diagnosis goes on
 * with the rest; only a target that cannot be read at all ends the run (exit 2 for a bad name or unknown pod,
 * 3 when nothing could be collected).
 */
import type { CertSet, SourceRecord, Target } from '../../evidence/types.js';
import { emptyClusterEvidence, type ClusterEvidence } from '../../evidence/cluster.js';
import { MtlsDoctorError } from '../../errors.js';
import { collectProxy, type ProxyCollection } from '../proxy.js';
import { decodeCertificates } from '../../x509/pem.js';
import { parseCertificate } from '../../x509/certificate.js';
import { connectKube, parseYaml, type Failure, type Impersonation, type KubeApi, type KubeConnectOptions } from './client.js';
import { destinationRuleRecord, meshConfigRecord, peerAuthenticationRecord, podRecord } from './records.js';
import { resolvePod } from './pod.js';
import { openSidecarBridge } from './sidecar.js';
import { DEFAULT_MAX_PODS, readPeerPods } from './peer-pods.js';
import type { WorkloadObservation } from '../../model/workload.js';
import type { SourceLabel } from '../../model/source.js';
import { checkLabel, parseClusterTarget, parseServicePeer, type ServicePeer } from './target.js';
import { LIMITS } from '../../limits.js';
import { deadlineIn, timedOut, type Deadline } from '../../model/deadline.js';

/** A source record of a failed call: marked `timedOut`, with what was not judged (`notJudged`), when the call was cut short. */
const failedBy = (rec: SourceRecord, f: Failure, notJudged: string): SourceRecord => (f.kind === 'timeout' ? timedOut(rec, notJudged) : rec);

export { parseClusterTarget, parseServicePeer } from './target.js';
export type { Impersonation } from './client.js';

export interface ClusterRequest {
  /** TARGET as given (pod/NAME, deploy/NAME, NAME); or `selector`. */
  target?: string;
  selector?: string;
  namespace?: string;
  context?: string;
  kubeconfig?: string;
  /** `--peer` as given: a service (SVC.NS:PORT, SVC:PORT) is read from the cluster. */
  peer?: string;
  /** Read `cacerts` / `istio-ca-secret` (certificate keys only). */
  readCaSecrets?: boolean;
  windowSeconds?: number;
  /** Kubernetes impersonation applied to every API request (the `serve` face passes its caller). */
  impersonate?: Impersonation;
  timeoutMs?: number;
  env?: Record<string, string | undefined>;
  now: () => number;
  /** How the collected sets are named (`source`): the report's labels (src/report/source-label.ts), handed down. */
  label: SourceLabel;
  /** Peer pods read through their sidecars at most (default 50); beyond, a sample per owner revision. */
  maxPods?: number;
  /** Tests: a prepared API (else one is connected from the kubeconfig). */
  api?: KubeApi;
  /**
   * The whole diagnosis's budget, ms (issue 22): every API call, port-forward and exec stream and sidecar read waits
   * at most min(its own cap, what is left of it); the deadline starts here (the code is loaded), moved by the
   * --window sleep. Default: LIMITS.clusterDiagnoseBudgetMs.
   */
  budgetMs?: number;
}

export interface ClusterCollection {
  target: Target;
  cluster: ClusterEvidence;
  proxy: ProxyCollection | null;
  sources: SourceRecord[];
  /** CA certificates of the CA Secrets, for the expiry/chain rules (subject `ca`). */
  ca: CertSet[];
  servicePeer: ServicePeer | null;
  /** The pod's SPIFFE ID (trust domain from the mesh config, its namespace and service account). */
  expectId: string | null;
  /** The peer service's ready sidecar pods: what each serves and trusts, or why it was not read. */
  peerObservations: WorkloadObservation[];
  /** The `istio-ca-root-cert` ConfigMap of the peer's namespace (the roots its pods are given). */
  peerRootConfigMap: CertSet | null;
  /** The diagnosis's deadline the collection ran under: what follows it (the probe) runs under it too. */
  deadline: Deadline;
}

const ISTIO_NS = 'istio-system';
/** The certificate keys of the CA Secrets; `ca-key.pem`, `tls.key` and anything else are dropped on receipt. */
const CA_SECRET_KEYS: Record<string, readonly string[]> = { cacerts: ['ca-cert.pem', 'cert-chain.pem', 'root-cert.pem', 'tls.crt', 'ca.crt'], 'istio-ca-secret': ['ca-cert.pem'] };

export async function collectCluster(req: ClusterRequest): Promise<ClusterCollection> {
  const target = parseClusterTarget(req.target, req.selector);
  const opts: KubeConnectOptions = { kubeconfig: req.kubeconfig, context: req.context, impersonate: req.impersonate, timeoutMs: req.timeoutMs, env: req.env };
  const api = req.api ?? connectKube(opts);
  // The --window sleep is a deliberate wait, not time a source took: the deadline moves by it (a bad value is refused later).
  const w = req.windowSeconds;
  const deadline = deadlineIn((req.budgetMs ?? LIMITS.clusterDiagnoseBudgetMs) + (typeof w === 'number' && w > 0 && w <= 600 ? w * 1000 : 0));
  try {
    return { ...(await collectWith(api.withDeadline(deadline), target, req, deadline)), deadline };
  } finally {
    if (!req.api) await api.close();
  }
}

async function collectWith(api: KubeApi, target: ReturnType<typeof parseClusterTarget>, req: ClusterRequest, deadline: Deadline): Promise<Omit<ClusterCollection, 'deadline'>> {
  const ns = req.namespace ? checkLabel(req.namespace, 'namespace') : api.namespace;
  const servicePeer = req.peer ? parseServicePeer(req.peer, ns) : null;
  const cluster = emptyClusterEvidence();
  cluster.context = api.context;
  cluster.server = api.server;
  const sources: SourceRecord[] = [];
  /** Records a 403; true when it was one (its source line is then the single RBAC line at the end). */
  const deny = (f: Failure, verb: string, resource: string, namespace: string | null, name?: string): boolean => {
    if (f.kind !== 'forbidden') return false;
    cluster.denied.push({ verb, resource, namespace, ...(name ? { name } : {}), ...(f.user ? { user: f.user } : {}) });
    return true;
  };

  // 1. The pod.
  const pod = await resolvePod(api, target, ns, sources);
  cluster.pod = pod;
  sources.push({ name: 'kubernetes pod', status: 'ok', detail: `pod/${pod.name} in ${pod.namespace}: service account ${pod.serviceAccount}, ${pod.sidecar ? 'istio-proxy sidecar' : 'NO istio-proxy sidecar'}, ${pod.ready ? 'ready' : `not ready (${pod.phase ?? 'unknown phase'})`}` });
  if (!pod.sidecar && !servicePeer) {
    throw new MtlsDoctorError('E_NO_EVIDENCE', `Cannot diagnose pod/${pod.name}: it has no istio-proxy container (not in the mesh: is sidecar injection on for namespace "${pod.namespace}"?); give --peer SVC.NS:PORT to check what its plaintext calls meet`);
  }

  // 2. Mesh config, root ConfigMap, policies (independent reads, in parallel).
  const rev = pod.labels['istio.io/rev'];
  const meshNames = rev && rev !== 'default' ? [`istio-${rev}`, 'istio'] : ['istio'];
  const readMesh = async () => {
    for (const name of meshNames) {
      const r = await api.getConfigMap(ISTIO_NS, name);
      if (r.ok) {
        const text = r.value.data?.mesh;
        const parsed = text !== undefined ? parseYaml(text) : null;
        if (parsed === null && text !== undefined) {
          sources.push({ name: 'mesh config', status: 'unavailable', reason: `ConfigMap ${ISTIO_NS}/${name} key "mesh" is not YAML` });
          return;
        }
        cluster.meshConfig = meshConfigRecord(ISTIO_NS, name, parsed ?? {});
        const m = cluster.meshConfig;
        sources.push({ name: 'mesh config', status: 'ok', detail: `ConfigMap ${ISTIO_NS}/${name}: trustDomain ${m.trustDomain}${m.trustDomainAliases.length ? `, aliases ${m.trustDomainAliases.join(', ')}` : ', no trustDomainAliases'}, rootNamespace ${m.rootNamespace}, enableAutoMtls ${m.enableAutoMtls}` });
        return;
      }
      if (deny(r, 'get', 'configmaps', ISTIO_NS, name)) return;
      if (r.kind !== 'not-found') {
        sources.push(failedBy({ name: 'mesh config', status: 'unavailable', reason: r.reason }, r, "the mesh's trust domain and aliases (Istio's defaults were assumed)"));
        return;
      }
    }
    sources.push({ name: 'mesh config', status: 'unavailable', reason: `no ConfigMap ${meshNames.map((n) => `${ISTIO_NS}/${n}`).join(' or ')} (Istio's defaults assumed: trustDomain cluster.local, rootNamespace istio-system)` });
  };
  const readRoot = async () => {
    const r = await api.getConfigMap(pod.namespace, 'istio-ca-root-cert');
    if (!r.ok) {
      if (deny(r, 'get', 'configmaps', pod.namespace, 'istio-ca-root-cert')) return;
      sources.push(failedBy({ name: 'root ConfigMap', status: 'unavailable', reason: r.kind === 'not-found' ? `no ConfigMap istio-ca-root-cert in namespace "${pod.namespace}" (istiod writes it into every namespace; is istiod running?)` : r.reason }, r, 'the root certificate istiod gives the namespace (a stale istio-ca-root-cert)'));
      return;
    }
    const pem = r.value.data?.['root-cert.pem'];
    if (!pem) {
      sources.push({ name: 'root ConfigMap', status: 'unavailable', reason: `ConfigMap ${pod.namespace}/istio-ca-root-cert has no key root-cert.pem` });
      return;
    }
    cluster.rootConfigMap = { source: `ConfigMap ${pod.namespace}/istio-ca-root-cert`, origin: { kind: 'kube', resource: 'configmap', namespace: pod.namespace, name: 'istio-ca-root-cert', key: 'root-cert.pem' }, pems: [pem] };
    sources.push({ name: 'root ConfigMap', status: 'ok', detail: `ConfigMap ${pod.namespace}/istio-ca-root-cert root-cert.pem` });
  };
  await Promise.all([readMesh(), readRoot()]);
  const rootNs = cluster.meshConfig?.rootNamespace ?? ISTIO_NS;

  // 3. The peer service and its pods.
  if (servicePeer) {
    const s = await api.getService(servicePeer.namespace, servicePeer.service);
    if (!s.ok) {
      if (!deny(s, 'get', 'services', servicePeer.namespace, servicePeer.service)) sources.push(failedBy({ name: 'peer service', status: 'unavailable', reason: s.reason }, s, 'the peer service and its pods (the connection)'));
    } else {
      const selector = s.value.spec?.selector ?? {};
      const port = (s.value.spec?.ports ?? []).find((p) => p.port === servicePeer.port);
      const targetPort = port ? (port.targetPort === undefined ? port.port : (port.targetPort as unknown as number | string)) : null;
      const sel = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');
      const l = sel ? await api.listPods(servicePeer.namespace, sel) : ({ ok: true, value: [] } as const);
      const pods = l.ok ? l.value.map(podRecord) : [];
      if (!l.ok) {
        if (!deny(l, 'list', 'pods', servicePeer.namespace)) sources.push(failedBy({ name: 'peer pods', status: 'unavailable', reason: l.reason }, l, "the peer service's pods (the connection)"));
      }
      cluster.peer = { name: servicePeer.service, namespace: servicePeer.namespace, port: servicePeer.port, targetPort: targetPort === null ? null : typeof targetPort === 'number' ? targetPort : /^\d+$/.test(String(targetPort)) ? Number(targetPort) : String(targetPort), selector, pods, portName: port?.name ?? null, appProtocol: port?.appProtocol ?? null };
      sources.push({
        name: 'peer service',
        status: 'ok',
        detail: `service ${servicePeer.service}.${servicePeer.namespace}:${servicePeer.port}${port ? ` → targetPort ${String(targetPort)}` : ' (no such port on the Service)'}; ${pods.length} pod${pods.length === 1 ? '' : 's'}${pods.length ? `: ${pods.map((p) => `${p.name} (${p.sidecar ? 'sidecar' : 'no sidecar'})`).join(', ')}` : ''}`,
      });
    }
  }

  // 4. PeerAuthentication and DestinationRule in every namespace that matters (v1, then v1beta1).
  const namespaces = [...new Set([pod.namespace, rootNs, ...(cluster.peer ? [cluster.peer.namespace] : [])])];
  await Promise.all(
    namespaces.flatMap((n) => [
      (async () => {
        const r = await api.listIstio('security.istio.io', ['v1', 'v1beta1'], n, 'peerauthentications');
        if (!r.ok) {
          if (deny(r, 'list', 'peerauthentications.security.istio.io', n)) return;
          sources.push(failedBy({ name: `PeerAuthentication (${n})`, status: 'unavailable', reason: r.kind === 'not-found' ? 'the security.istio.io CRDs are not installed' : r.reason }, r, `the PeerAuthentication policies of ${n} (the policy stage)`));
          return;
        }
        cluster.peerAuthentications.push(...r.value.items.map(peerAuthenticationRecord));
        sources.push({ name: `PeerAuthentication (${n})`, status: 'ok', detail: `${r.value.items.length} in ${n} (security.istio.io/${r.value.version})` });
      })(),
      (async () => {
        const r = await api.listIstio('networking.istio.io', ['v1', 'v1beta1'], n, 'destinationrules');
        if (!r.ok) {
          if (deny(r, 'list', 'destinationrules.networking.istio.io', n)) return;
          sources.push(failedBy({ name: `DestinationRule (${n})`, status: 'unavailable', reason: r.kind === 'not-found' ? 'the networking.istio.io CRDs are not installed' : r.reason }, r, `the DestinationRules of ${n} (the policy stage)`));
          return;
        }
        cluster.destinationRules.push(...r.value.items.map(destinationRuleRecord));
        sources.push({ name: `DestinationRule (${n})`, status: 'ok', detail: `${r.value.items.length} in ${n} (networking.istio.io/${r.value.version})` });
      })(),
    ]),
  );
  const byRef = (a: { namespace: string; name: string }, b: { namespace: string; name: string }) => (a.namespace + '/' + a.name < b.namespace + '/' + b.name ? -1 : 1);
  cluster.peerAuthentications.sort(byRef);
  cluster.destinationRules.sort(byRef);

  // 5–7 need nothing from each other: they run at once, under the one deadline. Each writes its own source lines
  // and denials, joined below in this order, so that the report does not depend on which finished first.
  const trustDomain = cluster.meshConfig?.trustDomain ?? 'cluster.local';
  const expectId = pod.sidecar ? `spiffe://${trustDomain}/ns/${pod.namespace}/sa/${pod.serviceAccount}` : null;
  type Part = { sources: SourceRecord[]; denied: ClusterEvidence['denied'] };
  const part = (): Part => ({ sources: [], denied: [] });
  const denyInto = (p: Part) => (f: Failure, verb: string, resource: string, namespace: string | null, name?: string): boolean => {
    if (f.kind !== 'forbidden') return false;
    p.denied.push({ verb, resource, namespace, ...(name ? { name } : {}), ...(f.user ? { user: f.user } : {}) });
    return true;
  };

  // 5. CA Secrets, opt-in: certificate keys only.
  const readCa = async (): Promise<Part & { ca: CertSet[] }> => {
    const p = { ...part(), ca: [] as CertSet[] };
    if (!req.readCaSecrets) return p;
    const denyHere = denyInto(p);
    for (const [name, keys] of Object.entries(CA_SECRET_KEYS)) {
      const r = await api.getSecretKeys(ISTIO_NS, name, keys);
      if (!r.ok) {
        if (denyHere(r, 'get', 'secrets', ISTIO_NS, name)) continue;
        if (r.kind !== 'not-found') p.sources.push(failedBy({ name: `CA secret ${name}`, status: 'unavailable', reason: r.reason }, r, "the mesh CA's certificates in that Secret (expiry at every CA level)"));
        else p.sources.push({ name: `CA secret ${name}`, status: 'skipped', reason: `no Secret ${ISTIO_NS}/${name}` });
        continue;
      }
      const got = Object.entries(r.value).filter(([, v]) => v.includes('-----BEGIN CERTIFICATE-----'));
      for (const [k, v] of got) {
        const origin = { kind: 'kube', resource: 'secret', namespace: ISTIO_NS, name, key: k } as const;
        p.ca.push({ source: req.label(origin), origin, pems: [v] });
      }
      p.sources.push({ name: `CA secret ${name}`, status: got.length ? 'ok' : 'unavailable', ...(got.length ? { detail: `Secret ${ISTIO_NS}/${name}: ${got.map(([k]) => k).join(', ')} (certificates only; key material dropped on receipt)` } : { reason: `Secret ${ISTIO_NS}/${name} holds none of ${keys.join(', ')}` }) });
    }
    return p;
  };

  // 6. The pod's istio-proxy, through port-forward or exec, with the unchanged proxy collectors.
  const readOwnProxy = async (): Promise<Part & { proxy: ProxyCollection | null }> => {
    const p = { ...part(), proxy: null as ProxyCollection | null };
    if (!pod.sidecar) return p;
    const bridge = await openSidecarBridge(api, pod.namespace, pod.name);
    for (const d of bridge.denied) p.denied.push(d);
    p.sources.push(...bridge.sources);
    try {
      if (bridge.mode !== 'none') {
        const proxy = await collectProxy({ envoyAdmin: bridge.adminUrl, agent: bridge.agentUrl, auto: false, windowSeconds: req.windowSeconds, env: {}, dispatcher: bridge.dispatcher, timeoutMs: api.timeoutMs, now: req.now, deadline, label: req.label });
        proxy.proxy.identity = { spiffeId: expectId!, from: `pod/${pod.name}: trust domain ${trustDomain}${cluster.meshConfig ? '' : ' (default)'}, namespace ${pod.namespace}, service account ${pod.serviceAccount}` };
        proxy.expectId = expectId;
        p.proxy = proxy;
      }
    } finally {
      await bridge.close();
    }
    return p;
  };

  // 7. The peer's ready sidecar pods, every one up to --max-pods (then a sample per owner revision), read through
  //    their istio-proxy: what each serves and trusts, for the connection judgement; and the root ConfigMap of
  //    the peer's namespace, for the pods that cannot be read.
  const readPeer = async (): Promise<Part & { observations: WorkloadObservation[]; rootConfigMap: CertSet | null }> => {
    const p = { ...part(), observations: [] as WorkloadObservation[], rootConfigMap: null as CertSet | null };
    if (!cluster.peer) return p;
    const peer = cluster.peer;
    const ready = peer.pods.filter((x) => x.sidecar && x.ready);
    const [r, cm] = await Promise.all([
      readPeerPods(api, ready, { maxPods: req.maxPods ?? DEFAULT_MAX_PODS, trustDomain, now: req.now, deadline, label: req.label }),
      peer.namespace === pod.namespace ? null : api.getConfigMap(peer.namespace, 'istio-ca-root-cert'),
    ]);
    p.observations = r.observations;
    p.denied.push(...r.denied);
    if (peer.namespace === pod.namespace) p.rootConfigMap = cluster.rootConfigMap;
    else if (cm) {
      const pem = cm.ok ? cm.value.data?.['root-cert.pem'] : undefined;
      if (pem) p.rootConfigMap = { source: `ConfigMap ${peer.namespace}/istio-ca-root-cert`, origin: { kind: 'kube', resource: 'configmap', namespace: peer.namespace, name: 'istio-ca-root-cert', key: 'root-cert.pem' }, pems: [pem] };
      else if (!cm.ok) denyInto(p)(cm, 'get', 'configmaps', peer.namespace, 'istio-ca-root-cert');
    }
    return p;
  };

  const [caPart, ownPart, peerPart] = await Promise.all([readCa(), readOwnProxy(), readPeer()]);
  const ca = caPart.ca;
  if (req.readCaSecrets) cluster.caSecrets = ca;
  const proxy = ownPart.proxy;
  const peerObservations = peerPart.observations;
  const peerRootConfigMap = peerPart.rootConfigMap;
  for (const p of [caPart, ownPart]) {
    sources.push(...p.sources);
    cluster.denied.push(...p.denied);
  }
  for (const d of peerPart.denied) if (!cluster.denied.some((x) => x.verb === d.verb && x.resource === d.resource && x.namespace === d.namespace && x.name === d.name)) cluster.denied.push(d);
  if (cluster.peer) {
    for (const ob of peerObservations.filter((x) => x.status === 'read')) {
      const first = decodeCertificates(ob.chain.join(''), `pod/${ob.pod.name}`)[0];
      const ids = first ? parseCertificate(first.der, `pod/${ob.pod.name}`).fact.spiffe.filter((s) => s.ok).map((s) => s.uri) : [];
      cluster.peerIdentities.push({ pod: ob.pod.name, ids });
    }
    if (cluster.peerIdentities.length) sources.push({ name: 'peer identities', status: 'ok', detail: cluster.peerIdentities.map((p) => `${p.pod}: ${p.ids.join(', ') || 'no SPIFFE ID'}`).join('; ') });
    const notRead = peerObservations.filter((x) => x.status !== 'read');
    const late = notRead.filter((x) => x.timedOut);
    const peerSidecars: SourceRecord = {
      name: 'peer sidecars',
      status: notRead.length === peerObservations.length && notRead.length > 0 ? 'unavailable' : 'ok',
      ...(notRead.length === peerObservations.length && notRead.length > 0 ? { reason: `none of the ${notRead.length} ready pod${notRead.length === 1 ? '' : 's'} could be read: ${notRead.map((x) => `pod/${x.pod.name} (${x.reason})`).join('; ')}` } : { detail: `${peerObservations.length - notRead.length} of ${peerObservations.length} ready pod${peerObservations.length === 1 ? '' : 's'} read through their istio-proxy${notRead.length ? `; not read: ${notRead.map((x) => `pod/${x.pod.name} (${x.reason})`).join('; ')}` : ''}` }),
    };
    // Pods cut short by the deadline: their side of the connection was not judged (named in the record's reason).
    sources.push(late.length ? timedOut(peerSidecars, `what ${late.map((x) => `pod/${x.pod.name}`).join(', ')} serve${late.length === 1 ? 's' : ''} and trust${late.length === 1 ? 's' : ''}: ${late.length === 1 ? 'its' : 'their'} side of the connection, both ways`) : peerSidecars);
  }

  // One line per refused verb/resource/namespace, naming what was refused and as whom.
  const groups = new Map<string, typeof cluster.denied>();
  for (const d of cluster.denied) {
    const k = `${d.verb} ${d.resource} ${d.namespace ?? ''}`;
    groups.set(k, [...(groups.get(k) ?? []), d]);
  }
  for (const ds of groups.values()) {
    const d = ds[0]!;
    const names = [...new Set(ds.map((x) => x.name).filter((x): x is string => !!x))];
    const user = ds.find((x) => x.user)?.user;
    sources.push({ name: 'RBAC', status: 'unavailable', reason: `forbidden: ${d.verb} ${d.resource}${d.namespace ? ` in namespace "${d.namespace}"` : ''}${names.length ? ` (${names.join(', ')})` : ''} is not granted${user ? ` to User "${user}"` : ''} (see deploy/rbac.yaml); diagnosed without it` });
  }

  return {
    target: { kind: 'pod', name: `pod/${pod.name}`, namespace: pod.namespace, ...(api.context ? { context: api.context } : {}) },
    cluster,
    proxy,
    sources,
    ca,
    servicePeer,
    expectId,
    peerObservations,
    peerRootConfigMap,
  };
}

export { diagnoseInPod, type InPodRequest } from './ephemeral.js';
