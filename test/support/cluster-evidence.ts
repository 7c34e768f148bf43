/**
 * Cluster evidence builders for policy rule tests (no server): pods, PeerAuthentication and DestinationRule
 * records as the cluster collector records them.
 */
import { emptyClusterEvidence, type ClusterEvidence, type DestinationRuleRecord, type MtlsMode, type PeerAuthenticationRecord, type PodRecord, type ClientTlsRecord } from '../../src/evidence/cluster.js';
import { evidenceFromInputs } from '../../src/evidence/from-inputs.js';
import type { EvidenceBundle } from '../../src/evidence/types.js';
import { NOW } from './pki.js';
import { sourceLabel } from '../../src/report/source-label.js';

export function pod(name: string, o: Partial<PodRecord> & { port?: number } = {}): PodRecord {
  const sidecar = o.sidecar ?? true;
  return {
    name,
    namespace: o.namespace ?? 'demo',
    serviceAccount: o.serviceAccount ?? name.replace(/-\d+$/, ''),
    labels: o.labels ?? { app: name.replace(/-\d+$/, ''), ...(sidecar ? { 'security.istio.io/tlsMode': 'istio' } : {}) },
    sidecar,
    containers: o.containers ?? [{ name: 'app', ports: [{ port: o.port ?? 9080, name: 'http' }] }, ...(sidecar ? [{ name: 'istio-proxy', ports: [] }] : [])],
    phase: 'Running',
    ready: true,
    ip: '10.0.0.2',
  };
}

export function pa(namespace: string, name: string, mode: MtlsMode | null, o: { selector?: Record<string, string>; ports?: Record<string, MtlsMode>; created?: string } = {}): PeerAuthenticationRecord {
  return { name, namespace, creationTimestamp: o.created ?? '2026-01-01T00:00:00Z', selector: o.selector ?? null, mode, portLevelMtls: o.ports ?? {} };
}

const tls = (mode: ClientTlsRecord['mode']): ClientTlsRecord => ({ mode, subjectAltNames: [], sni: null });

export function dr(namespace: string, name: string, host: string, o: { tls?: ClientTlsRecord['mode']; trafficPolicy?: boolean; ports?: Array<{ port: number; tls?: ClientTlsRecord['mode'] }>; created?: string; workloadSelector?: Record<string, string>; exportTo?: string[] } = {}): DestinationRuleRecord {
  return {
    name,
    namespace,
    creationTimestamp: o.created ?? '2026-01-01T00:00:00Z',
    host,
    exportTo: o.exportTo ?? null,
    workloadSelector: o.workloadSelector ?? null,
    trafficPolicy: o.trafficPolicy ?? (o.tls !== undefined || !!o.ports),
    tls: o.tls ? tls(o.tls) : null,
    portLevelSettings: (o.ports ?? []).map((p) => ({ port: p.port, tls: p.tls ? tls(p.tls) : null })),
  };
}

export interface ClusterSpec {
  client?: PodRecord;
  peers?: PodRecord[];
  peerPort?: number;
  targetPort?: number | string | null;
  portName?: string | null;
  appProtocol?: string | null;
  pas?: PeerAuthenticationRecord[];
  drs?: DestinationRuleRecord[];
  mesh?: Partial<ClusterEvidence['meshConfig']> | null;
  rootConfigMap?: string[];
  peerIdentities?: ClusterEvidence['peerIdentities'];
}

export function clusterEvidence(s: ClusterSpec): ClusterEvidence {
  const c = emptyClusterEvidence();
  c.pod = s.client ?? pod('web-1');
  c.meshConfig = s.mesh === null ? null : { source: 'ConfigMap istio-system/istio', namespace: 'istio-system', name: 'istio', trustDomain: 'cluster.local', trustDomainAliases: [], rootNamespace: 'istio-system', enableAutoMtls: true, caCertificates: [], ...(s.mesh ?? {}) };
  c.peerAuthentications = s.pas ?? [];
  c.destinationRules = s.drs ?? [];
  if (s.peers) c.peer = { name: 'reviews', namespace: 'demo', port: s.peerPort ?? 9080, targetPort: s.targetPort === undefined ? 9080 : s.targetPort, selector: { app: 'reviews' }, pods: s.peers, ...(s.portName !== undefined ? { portName: s.portName } : {}), ...(s.appProtocol !== undefined ? { appProtocol: s.appProtocol } : {}) };
  if (s.rootConfigMap) c.rootConfigMap = { source: 'ConfigMap demo/istio-ca-root-cert', pems: s.rootConfigMap };
  c.peerIdentities = s.peerIdentities ?? [];
  return c;
}

/** A pod-target bundle with cluster evidence (and optionally a base bundle with chains or proxy evidence). */
export async function evidenceWithCluster(s: ClusterSpec, base?: EvidenceBundle): Promise<EvidenceBundle> {
  const ev = base ?? evidenceFromInputs({ label: sourceLabel, target: { kind: 'pod', name: 'pod/web-1' }, at: NOW, now: () => NOW });
  return { ...ev, cluster: clusterEvidence(s) };
}
