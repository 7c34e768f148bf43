/**
 * From what the cluster showed to connection records: the target pod's class, the classes of the service's
 * ready pods (read through their sidecars; those that could not be read, judged from their namespace's root
 * ConfigMap where it was read), and one ConnectionRecord per (client class, server class) with the identities
 * the client expects and the TLS mode each side's policy yields. Pure.
 */
import type { ClusterEvidence } from '../evidence/cluster.js';
import type { ClassPod, ConnectionEvidence, ConnectionRecord, WorkloadClass, WorkloadObservation } from '../model/workload.js';
import { clientSends, destinationRuleFor, destinationRuleTls, describePolicy, effectivePeerAuthentication, modeForPort, resolveTargetPort } from '../facts/policy.js';
import { classify, configMapClass } from './classes.js';

export interface PodConnectionsInput {
  /** The calling pod (its own sidecar). */
  client: WorkloadObservation;
  /** The service's ready sidecar pods, read or not. */
  servers: WorkloadObservation[];
  /** The cluster objects: `peer` (service and all its pods), policies, mesh config. */
  cluster: ClusterEvidence;
  /** The peer namespace's `istio-ca-root-cert` ConfigMap, when read. */
  serverRootConfigMap: { source: string; pems: string[] } | null;
}

const spiffeOf = (td: string, ns: string, sa: string) => `spiffe://${td}/ns/${ns}/sa/${sa}`;

/** The ConnectionEvidence of `diagnose pod/A --peer SVC:PORT`. */
export function podConnections(i: PodConnectionsInput): ConnectionEvidence | null {
  const peer = i.cluster.peer;
  if (!peer) return null;
  const clientClasses = classify([i.client]);
  const read = i.servers.filter((s) => s.status === 'read');
  const serverClasses = classify(read);
  const unreadable = i.servers.filter((s) => s.status === 'unreadable');
  // Read, but with nothing to classify (no chain): as unreadable.
  const unclassified = read.filter((s) => !serverClasses.some((c) => c.pods.some((p) => p.name === s.pod.name && p.namespace === s.pod.namespace)));
  const notRead: ConnectionEvidence['notRead'] = [
    ...[...unreadable, ...unclassified].map((s) => ({ namespace: s.pod.namespace, name: s.pod.name, status: 'unreadable' as const, reason: s.reason ?? 'its istio-proxy served no certificate', side: 'server' as const })),
    ...i.servers.filter((s) => s.status === 'not-read').map((s) => ({ namespace: s.pod.namespace, name: s.pod.name, status: 'not-read' as const, reason: s.reason ?? 'not read', side: 'server' as const })),
  ];
  // Pods that could not be read are judged from the roots their namespace's ConfigMap hands out, per
  // (service account, verifier); what they present stays unknown.
  if (i.serverRootConfigMap) serverClasses.push(...unreadClasses([...unreadable, ...unclassified], { [peer.namespace]: i.serverRootConfigMap }));
  const client = clientClasses[0];
  const total = i.servers.length;
  const readCount = read.length - unclassified.length;
  if (!client) {
    return { kind: 'pod', classes: serverClasses, connections: [], notRead: [...notRead, { namespace: i.client.pod.namespace, name: i.client.pod.name, status: 'unreadable', reason: i.client.reason ?? 'its istio-proxy served no certificate', side: 'client' }], endpoints: { total, read: readCount } };
  }

  const connections = serverClasses.map((s) => connectionRecord(client, { namespace: i.client.pod.namespace, labels: i.client.pod.labels, sidecar: i.cluster.pod?.sidecar ?? true }, s, i.cluster, i.client.trustDomain));
  const counters: Record<string, Record<string, number>> = {};
  for (const s of read) if (s.counters) counters[s.pod.name] = s.counters;
  return {
    kind: 'pod',
    classes: [client, ...serverClasses.filter((s) => s.id !== client.id)],
    connections,
    notRead,
    endpoints: { total, read: readCount },
    ...(Object.keys(counters).length ? { counters } : {}),
  };
}

/** One connection record: what the client's sidecar sends, what the server's policy accepts, whom the client expects. */
export function connectionRecord(client: WorkloadClass, clientPod: { namespace: string; labels: Record<string, string>; sidecar: boolean }, s: WorkloadClass, c: ClusterEvidence, defaultTrustDomain: string): ConnectionRecord {
  const peer = c.peer!;
  const td = c.meshConfig?.trustDomain ?? defaultTrustDomain;
  const rootNamespace = c.meshConfig?.rootNamespace ?? 'istio-system';
  const host = `${peer.name}.${peer.namespace}.svc.cluster.local`;
  const dr = destinationRuleFor(c.destinationRules, { host, clientNamespace: clientPod.namespace, clientLabels: clientPod.labels, serviceNamespace: peer.namespace, rootNamespace });
  const { tls } = destinationRuleTls(dr, peer.port);
  // Secure naming: the identities of the service's pods (their service accounts); a DestinationRule's
  // subjectAltNames replace them.
  const drSans = tls?.subjectAltNames?.length ? tls.subjectAltNames : null;
  const secureNaming = [...new Set(peer.pods.filter((p) => p.sidecar).map((p) => spiffeOf(td, p.namespace, p.serviceAccount)))].sort();
  const expectedServerIds = drSans ?? secureNaming;
  const autoMtls = c.meshConfig?.enableAutoMtls ?? true;
  const pod = peer.pods.find((p) => p.name === s.pods[0]?.name && p.namespace === s.pods[0]?.namespace);
  const containerPort = pod ? resolveTargetPort(peer.targetPort, peer.port, pod) : null;
  const policy = pod ? effectivePeerAuthentication(rootNamespace, c.peerAuthentications, pod) : null;
  const mode = policy ? modeForPort(policy, containerPort) : 'PERMISSIVE';
  const sends = clientSends({ clientSidecar: clientPod.sidecar, tls, autoMtls, serverMode: mode, endpointLabels: pod?.labels ?? {} });
  return {
    client: client.id,
    server: s.id,
    service: { namespace: peer.namespace, name: peer.name, port: peer.port, targetPort: peer.targetPort },
    expectedServerIds,
    expectedFrom: drSans ? 'destination-rule' : expectedServerIds.length ? 'secure-naming' : 'none',
    destinationRule: dr ? `${dr.namespace}/${dr.name}` : null,
    acceptedTrustDomains: [td, ...(c.meshConfig?.trustDomainAliases ?? [])],
    clientTls: sends.tls,
    clientTlsWhy: sends.why === 'destination-rule' && dr ? `DestinationRule ${dr.namespace}/${dr.name}` : sends.why,
    serverMode: pod?.sidecar === false ? 'no-sidecar' : mode,
    serverModeWhy: policy ? describePolicy(policy, containerPort) : 'unknown',
  };
}

/** Pods that could not be read, as classes judged from their namespace's root ConfigMap (per SA and verifier). */
function unreadClasses(obs: readonly WorkloadObservation[], roots: Record<string, { source: string; pems: string[] }>): WorkloadClass[] {
  const groups = new Map<string, WorkloadObservation[]>();
  for (const s of obs) {
    if (!roots[s.pod.namespace]?.pems.length) continue;
    const k = `${s.pod.namespace}|${s.pod.serviceAccount}|${s.verifier}`;
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  return [...groups.values()].map((g) => {
    const root = roots[g[0]!.pod.namespace]!;
    const pods: ClassPod[] = g.map((s) => ({ namespace: s.pod.namespace, name: s.pod.name, ready: s.pod.ready, revision: s.pod.revision, leaf: null }));
    return configMapClass({ namespace: g[0]!.pod.namespace, serviceAccount: g[0]!.pod.serviceAccount, verifier: g[0]!.verifier, rootPems: root.pems, source: root.source, pods });
  });
}

export interface ServiceConnectionsInput {
  servers: WorkloadObservation[];
  callers: WorkloadObservation[];
  cluster: ClusterEvidence;
  rootConfigMaps: Record<string, { source: string; pems: string[] }>;
  trustDomain: string;
}

/** The ConnectionEvidence of `diagnose svc/B`: every caller class against every server class. */
export function serviceConnections(i: ServiceConnectionsInput): ConnectionEvidence {
  const split = (obs: WorkloadObservation[], side: 'client' | 'server') => {
    const read = obs.filter((o) => o.status === 'read');
    const classes = classify(read);
    const inClass = new Set(classes.flatMap((c) => c.pods.map((p) => `${p.namespace}/${p.name}`)));
    const unread = obs.filter((o) => o.status === 'unreadable' || (o.status === 'read' && !inClass.has(`${o.pod.namespace}/${o.pod.name}`)));
    const notRead = [
      ...unread.map((o) => ({ namespace: o.pod.namespace, name: o.pod.name, status: 'unreadable' as const, reason: o.reason ?? 'its istio-proxy served no certificate', side })),
      ...obs.filter((o) => o.status === 'not-read').map((o) => ({ namespace: o.pod.namespace, name: o.pod.name, status: 'not-read' as const, reason: o.reason ?? 'not read', side })),
    ];
    return { classes: [...classes, ...unreadClasses(unread, i.rootConfigMaps)], notRead, read: inClass.size };
  };
  const servers = split(i.servers, 'server');
  const callers = split(i.callers, 'client');
  const labelsOf = new Map(i.callers.map((o) => [`${o.pod.namespace}/${o.pod.name}`, o.pod.labels]));
  const connections = callers.classes.flatMap((cc) => {
    const first = cc.pods[0]!;
    return servers.classes.map((sc) => connectionRecord(cc, { namespace: first.namespace, labels: labelsOf.get(`${first.namespace}/${first.name}`) ?? {}, sidecar: true }, sc, i.cluster, i.trustDomain));
  });
  const counters: Record<string, Record<string, number>> = {};
  for (const s of i.servers) if (s.status === 'read' && s.counters) counters[s.pod.name] = s.counters;
  const classes = new Map([...callers.classes, ...servers.classes].map((c) => [c.id, c]));
  return {
    kind: 'service',
    classes: [...classes.values()],
    connections,
    notRead: [...servers.notRead, ...callers.notRead],
    endpoints: { total: i.servers.length, read: servers.read },
    callers: { total: i.callers.length, read: callers.read },
    ...(Object.keys(counters).length ? { counters } : {}),
  };
}

/** Classes by id. */
export const classMap = (classes: readonly WorkloadClass[]) => new Map(classes.map((c) => [c.id, c]));
