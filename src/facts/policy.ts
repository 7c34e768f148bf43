/**
 * Mesh policy as istiod computes it, as pure functions over the cluster evidence.
 *
 * PeerAuthentication — istio/istio pilot/pkg/security/authn/policy_applier.go, `ComposePeerAuthentication`:
 * "Initial outputPolicy is set to a PERMISSIVE"; a policy without a selector is mesh level in the root
 * namespace and namespace level elsewhere; one with a selector is workload level only outside the root namespace
 * ("Workload-level configs should not be in root namespace … they will be safely ignored"); "When there are more
 * than one policy in the same scope … the oldest one win"; "UNSET will be replaced with the setting from the
 * parent"; `PerPort` comes from the workload policy's `portLevelMtls` only, keyed by the endpoint (container) port,
 * an UNSET port inheriting the workload's mode.
 *
 * DestinationRule TLS — pilot/pkg/networking/core/cluster_tls.go, `buildAutoMtlsSettings`: a `tls` that is set
 * is used as written ("if tls.Mode != ISTIO_MUTUAL { return tls, userSupplied }"); with none, "if meshExternal ||
 * !autoMTLSEnabled || serviceMTLSMode == MTLSUnknown || serviceMTLSMode == MTLSDisable { return nil }", else
 * ISTIO_MUTUAL "autoDetected", which istiod applies only to endpoints labelled `security.istio.io/tlsMode=istio`
 * (a transport socket match); the rest get plaintext. A `portLevelSettings` entry for the port replaces the
 * top-level policy (its `tls`, or none), it is not merged with it.
 */
import type { CertFact } from '../x509/types.js';
import { parseCertSets } from './parse.js';
import type { CertSet } from '../evidence/cert-set.js';
import type { SourceLabel } from '../model/source.js';
import type { ClientTlsRecord, ClusterEvidence, DestinationRuleRecord, MtlsMode, PeerAuthenticationRecord, PodRecord } from '../evidence/cluster.js';

/** An effective mode: what the server's inbound listener accepts on a port. */
export type EffectiveMode = Exclude<MtlsMode, 'UNSET'>;

export interface EffectivePeerAuthentication {
  mode: EffectiveMode;
  perPort: Record<number, EffectiveMode>;
  /** The policies that were chosen at each level (namespace/name), for evidence lines. */
  mesh: string | null;
  namespace: string | null;
  workload: string | null;
}

const ref = (p: PeerAuthenticationRecord) => `${p.namespace}/${p.name}`;
const hasSelector = (s: Record<string, string> | null) => !!s && Object.keys(s).length > 0;
export const selects = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Older first; a tie goes to the name, then the namespace (istiod's sortConfigByCreationTime). */
function older<T extends { creationTimestamp: string | null; name: string; namespace: string }>(a: T, b: T | null): boolean {
  if (!b) return true;
  const ta = a.creationTimestamp ? Date.parse(a.creationTimestamp) : Number.POSITIVE_INFINITY;
  const tb = b.creationTimestamp ? Date.parse(b.creationTimestamp) : Number.POSITIVE_INFINITY;
  if (ta !== tb) return ta < tb;
  return a.name !== b.name ? a.name < b.name : a.namespace < b.namespace;
}

const unset = (m: MtlsMode | null | undefined) => m === null || m === undefined || m === 'UNSET';

/**
 * The effective PeerAuthentication of one workload: `all` may hold any policies (other namespaces, other
 * workloads); only those istiod would hand to this workload are used.
 */
export function effectivePeerAuthentication(rootNamespace: string, all: readonly PeerAuthenticationRecord[], pod: { namespace: string; labels: Record<string, string> }): EffectivePeerAuthentication {
  let mesh: PeerAuthenticationRecord | null = null;
  let ns: PeerAuthenticationRecord | null = null;
  let wl: PeerAuthenticationRecord | null = null;
  for (const p of all) {
    if (!hasSelector(p.selector)) {
      if (p.namespace === rootNamespace) {
        if (older(p, mesh)) mesh = p;
      } else if (p.namespace === pod.namespace) {
        if (older(p, ns)) ns = p;
      }
    } else if (p.namespace !== rootNamespace && p.namespace === pod.namespace && selects(p.selector!, pod.labels)) {
      if (older(p, wl)) wl = p;
    }
  }
  let mode: EffectiveMode = 'PERMISSIVE';
  if (mesh && !unset(mesh.mode)) mode = mesh.mode as EffectiveMode;
  if (ns && !unset(ns.mode)) mode = ns.mode as EffectiveMode;
  if (wl && !unset(wl.mode)) mode = wl.mode as EffectiveMode;
  const perPort: Record<number, EffectiveMode> = {};
  if (wl) for (const [port, m] of Object.entries(wl.portLevelMtls)) perPort[Number(port)] = unset(m) ? mode : (m as EffectiveMode);
  return { mode, perPort, mesh: mesh && ref(mesh), namespace: ns && ref(ns), workload: wl && ref(wl) };
}

/** The mode on one container port. */
export function modeForPort(p: EffectivePeerAuthentication, containerPort: number | null): EffectiveMode {
  return containerPort !== null && p.perPort[containerPort] !== undefined ? p.perPort[containerPort]! : p.mode;
}

/** `reviews` in namespace `prod` → `reviews.prod.svc.cluster.local` (a DestinationRule's short host). */
export function fqdn(host: string, namespace: string, clusterDomain = 'cluster.local'): string {
  if (host.includes('*') || host.split('.').length > 2) return host;
  return host.includes('.') ? `${host}.svc.${clusterDomain}` : `${host}.${namespace}.svc.${clusterDomain}`;
}

function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1));
  return pattern === host;
}

const visibleFrom = (dr: DestinationRuleRecord, clientNs: string) => !dr.exportTo || dr.exportTo.length === 0 || dr.exportTo.includes('*') || dr.exportTo.includes(clientNs) || (dr.exportTo.includes('.') && dr.namespace === clientNs);

/**
 * The DestinationRule a client sidecar uses for a host: the client's own namespace first, then the service's,
 * then the root namespace (istiod's lookup order); within one, the most specific host, then the oldest. A rule
 * with a `workloadSelector` applies only to the workloads it selects.
 */
export function destinationRuleFor(all: readonly DestinationRuleRecord[], o: { host: string; clientNamespace: string; clientLabels: Record<string, string>; serviceNamespace: string; rootNamespace: string }): DestinationRuleRecord | null {
  for (const ns of [o.clientNamespace, o.serviceNamespace, o.rootNamespace]) {
    let best: DestinationRuleRecord | null = null;
    let bestLen = -1;
    for (const dr of all) {
      if (dr.namespace !== ns || !visibleFrom(dr, o.clientNamespace)) continue;
      if (dr.workloadSelector && hasSelector(dr.workloadSelector) && (dr.namespace !== o.clientNamespace || !selects(dr.workloadSelector, o.clientLabels))) continue;
      const pattern = fqdn(dr.host, dr.namespace);
      if (!hostMatches(pattern, o.host)) continue;
      const len = pattern.replace('*', '').length;
      if (len > bestLen || (len === bestLen && older(dr, best))) {
        best = dr;
        bestLen = len;
      }
    }
    if (best) return best;
  }
  return null;
}

export type TlsOrigin = 'port-level' | 'top-level' | 'none';

/** The `tls` a DestinationRule sets for a service port: a port-level entry replaces the top level. */
export function destinationRuleTls(dr: DestinationRuleRecord | null, servicePort: number): { tls: ClientTlsRecord | null; origin: TlsOrigin } {
  if (!dr) return { tls: null, origin: 'none' };
  const pl = dr.portLevelSettings.find((p) => p.port === servicePort);
  if (pl) return { tls: pl.tls, origin: pl.tls ? 'port-level' : 'none' };
  return { tls: dr.tls, origin: dr.tls ? 'top-level' : 'none' };
}

/** What the client sidecar sends to one endpoint, and why. */
export type ClientSends =
  | { tls: 'ISTIO_MUTUAL' | 'MUTUAL' | 'SIMPLE'; why: 'destination-rule' | 'auto-mtls' }
  | { tls: 'plaintext'; why: 'no-sidecar' | 'destination-rule' | 'auto-mtls-off' | 'auto-mtls-disabled-server' | 'auto-mtls-no-label' | 'excluded-outbound'; excluded?: string };

export const TLS_MODE_LABEL = 'security.istio.io/tlsMode';

export function clientSends(o: { clientSidecar: boolean; tls: ClientTlsRecord | null; autoMtls: boolean; serverMode: EffectiveMode; endpointLabels: Record<string, string>; excludedOutbound?: string | null }): ClientSends {
  if (!o.clientSidecar) return { tls: 'plaintext', why: 'no-sidecar' };
  if (o.excludedOutbound) return { tls: 'plaintext', why: 'excluded-outbound', excluded: o.excludedOutbound };
  if (o.tls) return o.tls.mode === 'DISABLE' ? { tls: 'plaintext', why: 'destination-rule' } : { tls: o.tls.mode, why: 'destination-rule' };
  if (!o.autoMtls) return { tls: 'plaintext', why: 'auto-mtls-off' };
  if (o.serverMode === 'DISABLE') return { tls: 'plaintext', why: 'auto-mtls-disabled-server' };
  return o.endpointLabels[TLS_MODE_LABEL] === 'istio' ? { tls: 'ISTIO_MUTUAL', why: 'auto-mtls' } : { tls: 'plaintext', why: 'auto-mtls-no-label' };
}

export interface PeerEndpointFact {
  pod: PodRecord;
  /** The container port the Service port targets on this pod; null when it cannot be resolved. */
  containerPort: number | null;
  policy: EffectivePeerAuthentication;
  /** The server side: what its inbound accepts on that port; `no-sidecar`: whatever the app speaks. */
  serverMode: EffectiveMode | 'no-sidecar';
  sends: ClientSends;
}

export interface ClusterFacts {
  pod: PodRecord | null;
  mesh: { source: string; namespace: string; name: string; trustDomain: string; aliases: string[]; rootNamespace: string; autoMtls: boolean } | null;
  rootNamespace: string;
  /** The pod as a server: its effective PeerAuthentication. */
  inbound: EffectivePeerAuthentication | null;
  peer: null | {
    service: string;
    namespace: string;
    host: string;
    port: number;
    /** The Service port's name and appProtocol (null: not set, or not collected). */
    portName: string | null;
    appProtocol: string | null;
    destinationRule: DestinationRuleRecord | null;
    tls: ClientTlsRecord | null;
    tlsOrigin: TlsOrigin;
    endpoints: PeerEndpointFact[];
  };
  /** The namespace's `istio-ca-root-cert` ConfigMap: the roots new pods of this namespace will trust. */
  rootConfigMap: { source: string; namespace: string; name: string; certs: CertFact[] } | null;
  /** SPIFFE identities seen, with who holds them: the pod's own leaf, the peer pods' leaves. */
  identities: Array<{ who: string; id: string; trustDomain: string }>;
  denied: ClusterEvidence['denied'];
}

/** Resolves a Service targetPort (number, or a container port name) on one pod. */
export function resolveTargetPort(targetPort: number | string | null, servicePort: number, pod: PodRecord): number | null {
  if (targetPort === null) return servicePort;
  if (typeof targetPort === 'number') return targetPort;
  if (/^\d+$/.test(targetPort)) return Number(targetPort);
  for (const c of pod.containers) for (const p of c.ports) if (p.name === targetPort) return p.port;
  return null;
}

/** Builds the policy facts from the cluster evidence; `ownIds` are the SPIFFE IDs of the pod's own leaf. */
export function buildClusterFacts(c: ClusterEvidence, ownIds: Array<{ uri: string; trustDomain?: string }>, label: SourceLabel): ClusterFacts {
  const rootNamespace = c.meshConfig?.rootNamespace ?? 'istio-system';
  const autoMtls = c.meshConfig?.enableAutoMtls ?? true;
  const inbound = c.pod ? effectivePeerAuthentication(rootNamespace, c.peerAuthentications, c.pod) : null;
  let peer: ClusterFacts['peer'] = null;
  if (c.peer) {
    const host = `${c.peer.name}.${c.peer.namespace}.svc.cluster.local`;
    const dr = c.pod ? destinationRuleFor(c.destinationRules, { host, clientNamespace: c.pod.namespace, clientLabels: c.pod.labels, serviceNamespace: c.peer.namespace, rootNamespace }) : null;
    const { tls, origin } = destinationRuleTls(dr, c.peer.port);
    const excludedOutbound = c.peer.excludedOutbound;
    const endpoints = c.peer.pods.map((pod): PeerEndpointFact => {
      const containerPort = resolveTargetPort(c.peer!.targetPort, c.peer!.port, pod);
      const policy = effectivePeerAuthentication(rootNamespace, c.peerAuthentications, pod);
      const mode = modeForPort(policy, containerPort);
      const serverMode = pod.sidecar ? mode : 'no-sidecar';
      return { pod, containerPort, policy, serverMode, sends: clientSends({ clientSidecar: c.pod?.sidecar ?? true, tls, autoMtls, serverMode: mode, endpointLabels: pod.labels, excludedOutbound }) };
    });
    peer = { service: c.peer.name, namespace: c.peer.namespace, host, port: c.peer.port, portName: c.peer.portName ?? null, appProtocol: c.peer.appProtocol ?? null, destinationRule: dr, tls, tlsOrigin: origin, endpoints };
  }
  const identities: ClusterFacts['identities'] = [];
  const who = c.pod ? `pod/${c.pod.name}` : 'the workload';
  for (const s of ownIds) if (s.trustDomain) identities.push({ who, id: s.uri, trustDomain: s.trustDomain });
  for (const p of c.peerIdentities) {
    for (const id of p.ids) {
      const m = /^spiffe:\/\/([^/]+)\//.exec(id);
      if (m) identities.push({ who: `pod/${p.pod}`, id, trustDomain: m[1]! });
    }
  }
  return {
    pod: c.pod,
    mesh: c.meshConfig ? { source: c.meshConfig.source, namespace: c.meshConfig.namespace ?? 'istio-system', name: c.meshConfig.name ?? 'istio', trustDomain: c.meshConfig.trustDomain, aliases: c.meshConfig.trustDomainAliases, rootNamespace, autoMtls } : null,
    rootNamespace,
    inbound,
    peer,
    rootConfigMap: c.rootConfigMap ? { source: c.rootConfigMap.source, namespace: c.pod?.namespace ?? '', name: 'istio-ca-root-cert', certs: safeParse(c.rootConfigMap, label) } : null,
    identities,
    denied: c.denied,
  };
}

function safeParse(set: CertSet, label: SourceLabel): CertFact[] {
  try {
    return parseCertSets([set], label).map((p) => p.fact);
  } catch {
    return [];
  }
}

/** A plain sentence of the policies that made a mode, for evidence lines. */
export function describePolicy(p: EffectivePeerAuthentication, port: number | null): string {
  const from = p.workload && port !== null && p.perPort[port] !== undefined ? `portLevelMtls ${port} of PeerAuthentication ${p.workload}` : p.workload ? `PeerAuthentication ${p.workload} (workload)` : p.namespace ? `PeerAuthentication ${p.namespace} (namespace)` : p.mesh ? `PeerAuthentication ${p.mesh} (mesh)` : 'no PeerAuthentication (Istio defaults to PERMISSIVE)';
  const levels = [p.mesh && `mesh ${p.mesh}`, p.namespace && `namespace ${p.namespace}`, p.workload && `workload ${p.workload}`].filter(Boolean).join(', ');
  const several = [p.mesh, p.namespace, p.workload].filter(Boolean).length > 1;
  return `${modeForPort(p, port)} from ${from}${several ? `; policies in effect: ${levels}` : ''}`;
}
