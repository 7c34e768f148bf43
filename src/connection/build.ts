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
  if (i.serverRootConfigMap && i.serverRootConfigMap.pems.length) {
    const groups = new Map<string, WorkloadObservation[]>();
    for (const s of [...unreadable, ...unclassified]) groups.set(`${s.pod.serviceAccount}|${s.verifier}`, [...(groups.get(`${s.pod.serviceAccount}|${s.verifier}`) ?? []), s]);
    for (const g of groups.values()) {
      const pods: ClassPod[] = g.map((s) => ({ namespace: s.pod.namespace, name: s.pod.name, ready: s.pod.ready, revision: s.pod.revision, leaf: null }));
      serverClasses.push(configMapClass({ namespace: g[0]!.pod.namespace, serviceAccount: g[0]!.pod.serviceAccount, verifier: g[0]!.verifier, rootPems: i.serverRootConfigMap.pems, source: i.serverRootConfigMap.source, pods }));
    }
  }
  const client = clientClasses[0];
  const total = i.servers.length;
  const readCount = read.length - unclassified.length;
  if (!client) {
    return { kind: 'pod', classes: serverClasses, connections: [], notRead: [...notRead, { namespace: i.client.pod.namespace, name: i.client.pod.name, status: 'unreadable', reason: i.client.reason ?? 'its istio-proxy served no certificate', side: 'client' }], endpoints: { total, read: readCount } };
  }

  const c = i.cluster;
  const td = c.meshConfig?.trustDomain ?? i.client.trustDomain;
  const rootNamespace = c.meshConfig?.rootNamespace ?? 'istio-system';
  const host = `${peer.name}.${peer.namespace}.svc.cluster.local`;
  const clientPod = c.pod;
  const dr = clientPod ? destinationRuleFor(c.destinationRules, { host, clientNamespace: clientPod.namespace, clientLabels: clientPod.labels, serviceNamespace: peer.namespace, rootNamespace }) : null;
  const { tls } = destinationRuleTls(dr, peer.port);
  // Secure naming: the identities of the service's pods (their service accounts); a DestinationRule's
  // subjectAltNames replace them.
  const drSans = tls?.subjectAltNames?.length ? tls.subjectAltNames : null;
  const secureNaming = [...new Set(peer.pods.filter((p) => p.sidecar).map((p) => spiffeOf(td, p.namespace, p.serviceAccount)))].sort();
  const expectedServerIds = drSans ?? secureNaming;
  const autoMtls = c.meshConfig?.enableAutoMtls ?? true;
  const connections: ConnectionRecord[] = serverClasses.map((s) => {
    const pod = peer.pods.find((p) => p.name === s.pods[0]?.name && p.namespace === s.pods[0]?.namespace);
    const containerPort = pod ? resolveTargetPort(peer.targetPort, peer.port, pod) : null;
    const policy = pod ? effectivePeerAuthentication(rootNamespace, c.peerAuthentications, pod) : null;
    const mode = policy ? modeForPort(policy, containerPort) : 'PERMISSIVE';
    const sends = clientSends({ clientSidecar: clientPod?.sidecar ?? true, tls, autoMtls, serverMode: mode, endpointLabels: pod?.labels ?? {} });
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
  });
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

/** Classes by id. */
export const classMap = (classes: readonly WorkloadClass[]) => new Map(classes.map((c) => [c.id, c]));
