/**
 * The STRICT what-if on plain records (src/diagnose/what-if.ts): the DestinationRule modes that replace Istio
 * mTLS, the caller's excluded IP ranges, the precedence of a more specific PeerAuthentication, the edit itself,
 * and the telemetry reader (src/evidence/telemetry.ts) on Prometheus text as Envoy's admin writes it.
 */
import { describe, expect, it } from 'vitest';
import { judgeWhatIf, strictEdit } from '../../src/diagnose/what-if.js';
import { plaintextInbound } from '../../src/evidence/telemetry.js';
import { inCidr } from '../../src/facts/capture.js';
import type { DestinationRuleRecord, PeerAuthenticationRecord, PodRecord } from '../../src/evidence/cluster.js';
import type { FleetPolicy } from '../../src/fleet/types.js';
import { NOW } from '../support/pki.js';

const pod = (namespace: string, name: string, app: string, o: Partial<PodRecord> = {}): PodRecord & { workload: string } => ({
  name,
  namespace,
  serviceAccount: app,
  labels: { app, ...(o.sidecar === false ? {} : { 'security.istio.io/tlsMode': 'istio' }) },
  sidecar: true,
  containers: [{ name: 'app', ports: [{ port: 8443, name: 'https' }] }],
  phase: 'Running',
  ready: true,
  ip: '10.1.0.7',
  workload: app,
  ...o,
});
const dr = (namespace: string, name: string, host: string, mode: 'SIMPLE' | 'MUTUAL' | 'DISABLE' | 'ISTIO_MUTUAL', client?: string): DestinationRuleRecord => ({ name, namespace, creationTimestamp: '2026-01-01T00:00:00Z', host, exportTo: null, workloadSelector: client ? { app: client } : null, trafficPolicy: true, tls: { mode, subjectAltNames: [], sni: null }, portLevelSettings: [] });
const pa = (namespace: string, name: string, mode: 'STRICT' | 'PERMISSIVE' | 'DISABLE', selector: Record<string, string> | null = null): PeerAuthenticationRecord => ({ name, namespace, creationTimestamp: '2026-01-01T00:00:00Z', selector, mode, portLevelMtls: {} });
const policy = (pods: FleetPolicy['pods'], o: Partial<FleetPolicy> = {}): FleetPolicy => ({
  pods,
  services: [{ namespace: 'shop', name: 'api', selector: { app: 'api' }, clusterIP: '10.96.3.4', ports: [{ port: 443, targetPort: 8443, name: 'https', appProtocol: null }] }],
  peerAuthentications: [],
  destinationRules: [],
  meshConfig: null,
  telemetry: [],
  problems: [],
  ...o,
});
const ns = { kind: 'namespace' as const, namespaces: ['shop'] };
const pairs = (p: FleetPolicy, scope: Parameters<typeof judgeWhatIf>[1] = ns) => judgeWhatIf(p, scope, { now: NOW, allNamespaces: false }).breaking.map((b) => `${b.client.pods.join(',')} ${b.rule} ${b.severity}`);

describe('judgeWhatIf on records', () => {
  it('a DestinationRule SIMPLE or MUTUAL towards the sidecars breaks (a warning under PERMISSIVE, an error under STRICT); ISTIO_MUTUAL does not', () => {
    const pods = [pod('shop', 'api-1', 'api'), pod('shop', 'simple-1', 'simple'), pod('shop', 'mutual-1', 'mutual'), pod('shop', 'istio-1', 'istio')];
    const p = policy(pods, { destinationRules: [dr('shop', 'a', 'api', 'SIMPLE', 'simple'), dr('shop', 'b', 'api', 'MUTUAL', 'mutual'), dr('shop', 'c', 'api', 'ISTIO_MUTUAL', 'istio')] });
    expect(pairs(p).sort()).toEqual(['shop/mutual-1 policy/destination-rule-overrides-mtls error', 'shop/simple-1 policy/destination-rule-overrides-mtls error']);
  });

  it('a caller excluding the Service\'s cluster IP range from capture breaks; a range beside it does not', () => {
    const p = policy([pod('shop', 'api-1', 'api'), pod('shop', 'direct-1', 'direct', { capture: { includeInboundPorts: '*', excludeInboundPorts: [], excludeOutboundPorts: [], excludeOutboundIPRanges: ['10.96.0.0/16'] } }), pod('shop', 'beside-1', 'beside', { capture: { includeInboundPorts: '*', excludeInboundPorts: [], excludeOutboundPorts: [], excludeOutboundIPRanges: ['10.97.0.0/16'] } })]);
    expect(pairs(p)).toEqual(['shop/direct-1 policy/strict-plaintext-client critical']);
    const w = judgeWhatIf(p, ns, { now: NOW, allNamespaces: false });
    expect(w.breaking[0]!.reason).toMatch(/excludeOutboundIPRanges: 10\.96\.0\.0\/16/);
  });

  it('a workload PeerAuthentication PERMISSIVE wins over the namespace STRICT: its pods are exempt and their callers are not broken', () => {
    const p = policy([pod('shop', 'api-1', 'api'), pod('shop', 'legacy-0', 'legacy', { sidecar: false })], { peerAuthentications: [pa('shop', 'api-permissive', 'PERMISSIVE', { app: 'api' })] });
    const w = judgeWhatIf(p, ns, { now: NOW, allNamespaces: false });
    expect(w.breaking).toEqual([]);
    expect(w.exempt).toEqual([{ pod: 'shop/api-1', mode: 'PERMISSIVE', why: expect.stringMatching(/PeerAuthentication shop\/api-permissive \(workload\)/) }]);
  });

  it('an ambient-mode pod (no sidecar, ztunnel) is not judged as a plaintext caller, and is named as not judged', () => {
    const p = policy([pod('shop', 'api-1', 'api'), pod('shop', 'amb-1', 'amb', { sidecar: false, labels: { app: 'amb', 'istio.io/dataplane-mode': 'ambient' } }), pod('shop', 'legacy-0', 'legacy', { sidecar: false })]);
    expect(pairs(p)).toEqual(['shop/legacy-0 policy/strict-plaintext-client critical']);
    expect(judgeWhatIf(p, ns, { now: NOW, allNamespaces: false }).cannotSee.join('\n')).toMatch(/1 pod labelled istio.io\/dataplane-mode=ambient \(shop\/amb-1\) is not judged/);
  });

  it('a server already STRICT changes nothing: its plaintext callers are broken today, not by the edit', () => {
    const p = policy([pod('shop', 'api-1', 'api'), pod('shop', 'legacy-0', 'legacy', { sidecar: false })], { peerAuthentications: [pa('shop', 'api-strict', 'STRICT', { app: 'api' })] });
    const w = judgeWhatIf(p, ns, { now: NOW, allNamespaces: false });
    expect(w.breaking).toEqual([]);
    expect(w.servers).toEqual([]);
  });

  it('the edit stands in for the policy of the same level: the namespace\'s own PERMISSIVE default, the root namespace\'s for -A', () => {
    const p = policy([pod('shop', 'api-1', 'api')], { peerAuthentications: [pa('shop', 'default', 'PERMISSIVE'), pa('istio-system', 'mesh', 'PERMISSIVE'), pa('shop', 'wl', 'DISABLE', { app: 'api' })] });
    expect(strictEdit(p, ns).removed.map((x) => x.name)).toEqual(['default']);
    expect(strictEdit(p, { kind: 'mesh' }).removed.map((x) => x.name)).toEqual(['mesh']);
    const wl = strictEdit(p, { kind: 'workload', namespace: 'shop', pod: 'api-1' });
    expect(wl.removed.map((x) => x.name)).toEqual(['wl']);
    expect(wl.added).toEqual([expect.objectContaining({ namespace: 'shop', name: 'api-strict', selector: { app: 'api' }, mode: 'STRICT' })]);
  });
});

describe('plaintextInbound', () => {
  it('reads reporter="destination" series without mTLS, sums them per source, and skips the rest', () => {
    const text = [
      '# HELP istio_requests_total Total requests.',
      '# TYPE istio_requests_total counter',
      'istio_requests_total{response_code="200",reporter="destination",source_workload="batch",source_workload_namespace="etl",source_principal="unknown",destination_service="api.shop.svc.cluster.local",connection_security_policy="none"} 7',
      'istio_requests_total{response_code="503",reporter="destination",source_workload="batch",source_workload_namespace="etl",source_principal="unknown",destination_service="api.shop.svc.cluster.local",connection_security_policy="none"} 3',
      'istio_requests_total{reporter="destination",source_workload="web",source_workload_namespace="shop",destination_service="api.shop.svc.cluster.local",connection_security_policy="mutual_tls"} 99',
      'istio_requests_total{reporter="source",source_workload="api",source_workload_namespace="shop",destination_service="db.shop.svc.cluster.local",connection_security_policy="none"} 4',
      'istio_tcp_connections_opened_total{reporter="destination",source_workload="unknown",source_workload_namespace="unknown",source_principal="unknown",destination_service="api.shop.svc.cluster.local",connection_security_policy="none"} 2',
      'istio_request_bytes_bucket{reporter="destination",connection_security_policy="none",le="1"} 5',
      'istio_requests_total{reporter="destination",source_workload="we\\"ird",source_workload_namespace="x",connection_security_policy="none"} 1e0',
    ].join('\n');
    expect(plaintextInbound(text)).toEqual([
      { metric: 'istio_requests_total', sourceWorkload: 'batch', sourceNamespace: 'etl', sourcePrincipal: 'unknown', destinationService: 'api.shop.svc.cluster.local', count: 10 },
      { metric: 'istio_tcp_connections_opened_total', sourceWorkload: 'unknown', sourceNamespace: 'unknown', sourcePrincipal: 'unknown', destinationService: 'api.shop.svc.cluster.local', count: 2 },
      { metric: 'istio_requests_total', sourceWorkload: 'we"ird', sourceNamespace: 'x', sourcePrincipal: 'unknown', destinationService: 'unknown', count: 1 },
    ]);
  });

  it('inCidr: IPv4 ranges; IPv6 and garbage never match', () => {
    expect(inCidr('10.96.3.4', '10.96.0.0/12')).toBe(true);
    expect(inCidr('10.112.0.1', '10.96.0.0/12')).toBe(false);
    expect(inCidr('1.2.3.4', '0.0.0.0/0')).toBe(true);
    expect(inCidr('1.2.3.4', '*')).toBe(true);
    expect(inCidr('fd00::1', 'fd00::/8')).toBe(false);
    expect(inCidr('10.0.0.1', '10.0.0.0/33')).toBe(false);
  });
});
