/**
 * Kubernetes and Istio objects → the plain records of src/evidence/cluster.ts, at the boundary: nothing past
 * this file sees a client-node object. Unknown or malformed fields become null/empty, never an exception.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { CaptureRecord, ClientTlsMode, ClientTlsRecord, DestinationRuleRecord, MeshConfigRecord, MtlsMode, PeerAuthenticationRecord, PodRecord, ProbeRecord } from '../../evidence/cluster.js';

const str = (x: unknown): string | null => (typeof x === 'string' ? x : null);
const obj = (x: unknown): Record<string, unknown> => (x && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, unknown>) : {});
const labels = (x: unknown): Record<string, string> | null => {
  const o = obj(x);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (typeof v === 'string') out[k] = v;
  return Object.keys(out).length ? out : null;
};
const ts = (x: unknown): string | null => (x instanceof Date ? x.toISOString() : str(x));

export function podRecord(p: V1Pod): PodRecord {
  const containers = (p.spec?.containers ?? []).map((c) => ({ name: c.name, ports: (c.ports ?? []).map((x) => ({ port: x.containerPort, name: x.name ?? null })) }));
  // Native sidecars (Kubernetes 1.28+, Istio ENABLE_NATIVE_SIDECARS) run istio-proxy as an init container.
  const sidecar = containers.some((c) => c.name === 'istio-proxy') || (p.spec?.initContainers ?? []).some((c) => c.name === 'istio-proxy' && c.restartPolicy === 'Always');
  return {
    name: p.metadata?.name ?? '',
    namespace: p.metadata?.namespace ?? '',
    serviceAccount: p.spec?.serviceAccountName ?? 'default',
    labels: { ...(p.metadata?.labels ?? {}) },
    sidecar,
    containers,
    phase: p.status?.phase ?? null,
    ready: (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    ip: p.status?.podIP ?? null,
    ...(captureOf(p.metadata?.annotations ?? {}) ?? {}),
  };
}

const ports = (v: string | undefined): number[] => (v ?? '').split(',').map((x) => x.trim()).filter((x) => /^\d+$/.test(x)).map(Number);

/** The sidecar's capture from the pod's annotations; null when none of them is set (everything is captured). */
export function captureOf(a: Record<string, string>): { capture: CaptureRecord } | null {
  const k = (n: string) => a[`traffic.sidecar.istio.io/${n}`];
  if (['includeInboundPorts', 'excludeInboundPorts', 'excludeOutboundPorts', 'excludeOutboundIPRanges'].every((n) => k(n) === undefined)) return null;
  const inc = k('includeInboundPorts');
  return {
    capture: {
      includeInboundPorts: inc === undefined || inc.trim() === '*' ? '*' : ports(inc),
      excludeInboundPorts: ports(k('excludeInboundPorts')),
      excludeOutboundPorts: ports(k('excludeOutboundPorts')),
      excludeOutboundIPRanges: (k('excludeOutboundIPRanges') ?? '').split(',').map((x) => x.trim()).filter((x) => x === '*' || /^[0-9a-fA-F:.]+\/\d+$/.test(x)),
    },
  };
}

/** The kubelet's probes of the app containers (the sidecar's own are left out), ports resolved by name. */
export function probesOf(p: V1Pod): ProbeRecord[] {
  const out: ProbeRecord[] = [];
  for (const c of p.spec?.containers ?? []) {
    if (c.name === 'istio-proxy') continue;
    const named = (port: unknown): number | null => (typeof port === 'number' ? port : /^\d+$/.test(String(port)) ? Number(port) : (c.ports ?? []).find((x) => x.name === port)?.containerPort ?? null);
    for (const [type, pr] of [['liveness', c.livenessProbe], ['readiness', c.readinessProbe], ['startup', c.startupProbe]] as const) {
      if (!pr) continue;
      if (pr.httpGet) out.push({ container: c.name, type, kind: 'http', port: named(pr.httpGet.port), ...(pr.httpGet.path ? { path: pr.httpGet.path } : {}) });
      else if (pr.grpc) out.push({ container: c.name, type, kind: 'grpc', port: pr.grpc.port ?? null });
      else if (pr.tcpSocket) out.push({ container: c.name, type, kind: 'tcp', port: named(pr.tcpSocket.port) });
      else if (pr.exec) out.push({ container: c.name, type, kind: 'exec', port: null });
    }
  }
  return out;
}

const MTLS: readonly MtlsMode[] = ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'];
const mtlsMode = (x: unknown): MtlsMode | null => {
  const m = str(obj(x).mode);
  return m && (MTLS as readonly string[]).includes(m) ? (m as MtlsMode) : x && typeof x === 'object' ? 'UNSET' : null;
};

export function peerAuthenticationRecord(o: Record<string, unknown>): PeerAuthenticationRecord {
  const meta = obj(o.metadata);
  const spec = obj(o.spec);
  const portLevelMtls: Record<string, MtlsMode> = {};
  for (const [port, v] of Object.entries(obj(spec.portLevelMtls))) portLevelMtls[port] = mtlsMode(v) ?? 'UNSET';
  return { name: str(meta.name) ?? '', namespace: str(meta.namespace) ?? '', creationTimestamp: ts(meta.creationTimestamp), selector: labels(obj(spec.selector).matchLabels), mode: mtlsMode(spec.mtls), portLevelMtls };
}

const TLS: readonly ClientTlsMode[] = ['DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL'];
function tlsRecord(x: unknown): ClientTlsRecord | null {
  if (!x || typeof x !== 'object') return null;
  const t = obj(x);
  const mode = str(t.mode) ?? 'DISABLE';
  return {
    mode: (TLS as readonly string[]).includes(mode) ? (mode as ClientTlsMode) : 'DISABLE',
    subjectAltNames: Array.isArray(t.subjectAltNames) ? t.subjectAltNames.filter((s): s is string => typeof s === 'string') : [],
    sni: str(t.sni),
  };
}

export function destinationRuleRecord(o: Record<string, unknown>): DestinationRuleRecord {
  const meta = obj(o.metadata);
  const spec = obj(o.spec);
  const tp = spec.trafficPolicy && typeof spec.trafficPolicy === 'object' ? obj(spec.trafficPolicy) : null;
  const pls = Array.isArray(tp?.portLevelSettings) ? (tp!.portLevelSettings as unknown[]) : [];
  return {
    name: str(meta.name) ?? '',
    namespace: str(meta.namespace) ?? '',
    creationTimestamp: ts(meta.creationTimestamp),
    host: str(spec.host) ?? '',
    exportTo: Array.isArray(spec.exportTo) ? spec.exportTo.filter((s): s is string => typeof s === 'string') : null,
    workloadSelector: labels(obj(spec.workloadSelector).matchLabels),
    trafficPolicy: tp !== null,
    tls: tp ? tlsRecord(tp.tls) : null,
    portLevelSettings: pls.map((p) => ({ port: Number(obj(obj(p).port).number), tls: tlsRecord(obj(p).tls) })).filter((p) => Number.isInteger(p.port)),
  };
}

/** The mesh config (ConfigMap `istio`, key `mesh`, parsed YAML); defaults as istiod applies them. */
export function meshConfigRecord(namespace: string, name: string, mesh: unknown): MeshConfigRecord {
  const m = obj(mesh);
  const aliases = Array.isArray(m.trustDomainAliases) ? m.trustDomainAliases.filter((s): s is string => typeof s === 'string') : [];
  const cas = Array.isArray(m.caCertificates) ? m.caCertificates.map((c) => str(obj(c).pem)).filter((s): s is string => !!s) : [];
  return {
    source: `ConfigMap ${namespace}/${name}`,
    namespace,
    name,
    trustDomain: str(m.trustDomain) ?? 'cluster.local',
    trustDomainAliases: aliases,
    rootNamespace: str(m.rootNamespace) ?? 'istio-system',
    enableAutoMtls: typeof m.enableAutoMtls === 'boolean' ? m.enableAutoMtls : true,
    caCertificates: cas,
  };
}
