/**
 * Policy semantics as istiod computes them: pilot/pkg/security/authn/policy_applier.go ComposePeerAuthentication
 * and pilot/pkg/networking/core/cluster_tls.go buildAutoMtlsSettings. One row per sentence of that code.
 */
import { describe, expect, it } from 'vitest';
import { clientSends, destinationRuleFor, destinationRuleTls, effectivePeerAuthentication, fqdn, modeForPort, resolveTargetPort } from '../../src/facts/policy.js';
import { dr, pa, pod } from '../support/cluster-evidence.js';

const web = { namespace: 'demo', labels: { app: 'web' } };

describe('effective PeerAuthentication (ComposePeerAuthentication)', () => {
  const rows: Array<{ name: string; pas: ReturnType<typeof pa>[]; mode: string; port?: number; portMode?: string }> = [
    { name: 'no policy at all: PERMISSIVE', pas: [], mode: 'PERMISSIVE' },
    { name: 'mesh level: no selector in the root namespace', pas: [pa('istio-system', 'default', 'STRICT')], mode: 'STRICT' },
    { name: 'namespace level overrides mesh level', pas: [pa('istio-system', 'default', 'STRICT'), pa('demo', 'default', 'PERMISSIVE')], mode: 'PERMISSIVE' },
    { name: 'workload level overrides namespace level', pas: [pa('demo', 'default', 'STRICT'), pa('demo', 'web', 'DISABLE', { selector: { app: 'web' } })], mode: 'DISABLE' },
    { name: 'a workload PERMISSIVE under a mesh-wide STRICT', pas: [pa('istio-system', 'default', 'STRICT'), pa('demo', 'web', 'PERMISSIVE', { selector: { app: 'web' } })], mode: 'PERMISSIVE' },
    { name: 'a selector policy in the root namespace is ignored', pas: [pa('istio-system', 'web', 'STRICT', { selector: { app: 'web' } })], mode: 'PERMISSIVE' },
    { name: 'a selector that does not match the workload does not apply', pas: [pa('demo', 'other', 'STRICT', { selector: { app: 'other' } })], mode: 'PERMISSIVE' },
    { name: 'another namespace does not apply', pas: [pa('prod', 'default', 'STRICT')], mode: 'PERMISSIVE' },
    { name: 'UNSET inherits from the parent', pas: [pa('istio-system', 'default', 'STRICT'), pa('demo', 'default', 'UNSET')], mode: 'STRICT' },
    { name: 'no mtls block is UNSET', pas: [pa('istio-system', 'default', 'STRICT'), pa('demo', 'web', null, { selector: { app: 'web' } })], mode: 'STRICT' },
    {
      name: 'two at one level: the oldest creationTimestamp wins',
      pas: [pa('demo', 'newer', 'DISABLE', { created: '2026-06-01T00:00:00Z' }), pa('demo', 'older', 'STRICT', { created: '2026-01-01T00:00:00Z' })],
      mode: 'STRICT',
    },
    { name: 'port level from the workload policy, by container port', pas: [pa('demo', 'web', 'PERMISSIVE', { selector: { app: 'web' }, ports: { '9080': 'STRICT' } })], mode: 'PERMISSIVE', port: 9080, portMode: 'STRICT' },
    { name: 'a port without a port-level entry keeps the workload mode', pas: [pa('demo', 'web', 'PERMISSIVE', { selector: { app: 'web' }, ports: { '9080': 'STRICT' } })], mode: 'PERMISSIVE', port: 8080, portMode: 'PERMISSIVE' },
    { name: 'an UNSET port inherits the workload mode', pas: [pa('istio-system', 'default', 'STRICT'), pa('demo', 'web', 'UNSET', { selector: { app: 'web' }, ports: { '9080': 'UNSET' } })], mode: 'STRICT', port: 9080, portMode: 'STRICT' },
    { name: 'portLevelMtls on a namespace policy is not used', pas: [pa('demo', 'default', 'PERMISSIVE', { ports: { '9080': 'STRICT' } })], mode: 'PERMISSIVE', port: 9080, portMode: 'PERMISSIVE' },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const e = effectivePeerAuthentication('istio-system', r.pas, web);
      expect(e.mode).toBe(r.mode);
      if (r.port !== undefined) expect(modeForPort(e, r.port)).toBe(r.portMode);
    });
  }
  it('a custom root namespace is the mesh level', () => {
    expect(effectivePeerAuthentication('mesh-root', [pa('mesh-root', 'default', 'STRICT'), pa('istio-system', 'default', 'DISABLE')], web).mode).toBe('STRICT');
  });
});

describe('DestinationRule selection and TLS (cluster_tls.go)', () => {
  const host = 'reviews.demo.svc.cluster.local';
  const o = { host, clientNamespace: 'web-ns', clientLabels: { app: 'web' }, serviceNamespace: 'demo', rootNamespace: 'istio-system' };
  it('short hosts resolve in the rule\'s namespace', () => {
    expect(fqdn('reviews', 'demo')).toBe(host);
    expect(fqdn('reviews.demo', 'x')).toBe(host);
    expect(fqdn(host, 'x')).toBe(host);
  });
  it("the client's namespace first, then the service's, then the root namespace", () => {
    const rules = [dr('istio-system', 'mesh', '*.demo.svc.cluster.local', { tls: 'ISTIO_MUTUAL' }), dr('demo', 'svc', 'reviews', { tls: 'DISABLE' }), dr('web-ns', 'client', host, { tls: 'SIMPLE' })];
    expect(destinationRuleFor(rules, o)?.name).toBe('client');
    expect(destinationRuleFor(rules.slice(0, 2), o)?.name).toBe('svc');
    expect(destinationRuleFor(rules.slice(0, 1), o)?.name).toBe('mesh');
  });
  it('a workloadSelector rule applies only to the workloads it selects', () => {
    const rules = [dr('web-ns', 'only-api', host, { tls: 'DISABLE', workloadSelector: { app: 'api' } })];
    expect(destinationRuleFor(rules, o)).toBeNull();
    expect(destinationRuleFor(rules, { ...o, clientLabels: { app: 'api' } })?.name).toBe('only-api');
  });
  it('a rule not exported to the client namespace is not used', () => {
    expect(destinationRuleFor([dr('demo', 'private', 'reviews', { tls: 'DISABLE', exportTo: ['.'] })], o)).toBeNull();
  });
  it('portLevelSettings replace the top level for their port, they do not merge', () => {
    const d = dr('demo', 'r', 'reviews', { tls: 'ISTIO_MUTUAL', ports: [{ port: 9080 }, { port: 9443, tls: 'SIMPLE' }] });
    expect(destinationRuleTls(d, 9080)).toEqual({ tls: null, origin: 'none' });
    expect(destinationRuleTls(d, 9443).tls?.mode).toBe('SIMPLE');
    expect(destinationRuleTls(d, 80).tls?.mode).toBe('ISTIO_MUTUAL');
  });
  const sidecarLabels = { 'security.istio.io/tlsMode': 'istio' };
  it('tls set is used as written; none: auto mTLS only to endpoints labelled tlsMode=istio', () => {
    const T = (mode: 'DISABLE' | 'SIMPLE' | 'MUTUAL' | 'ISTIO_MUTUAL') => ({ mode, subjectAltNames: [], sni: null });
    expect(clientSends({ clientSidecar: true, tls: T('SIMPLE'), autoMtls: true, serverMode: 'STRICT', endpointLabels: sidecarLabels })).toEqual({ tls: 'SIMPLE', why: 'destination-rule' });
    expect(clientSends({ clientSidecar: true, tls: T('DISABLE'), autoMtls: true, serverMode: 'STRICT', endpointLabels: sidecarLabels })).toEqual({ tls: 'plaintext', why: 'destination-rule' });
    expect(clientSends({ clientSidecar: true, tls: null, autoMtls: true, serverMode: 'STRICT', endpointLabels: sidecarLabels })).toEqual({ tls: 'ISTIO_MUTUAL', why: 'auto-mtls' });
    expect(clientSends({ clientSidecar: true, tls: null, autoMtls: true, serverMode: 'PERMISSIVE', endpointLabels: {} })).toEqual({ tls: 'plaintext', why: 'auto-mtls-no-label' });
    expect(clientSends({ clientSidecar: true, tls: null, autoMtls: true, serverMode: 'DISABLE', endpointLabels: sidecarLabels })).toEqual({ tls: 'plaintext', why: 'auto-mtls-disabled-server' });
    expect(clientSends({ clientSidecar: true, tls: null, autoMtls: false, serverMode: 'STRICT', endpointLabels: sidecarLabels })).toEqual({ tls: 'plaintext', why: 'auto-mtls-off' });
    expect(clientSends({ clientSidecar: false, tls: T('ISTIO_MUTUAL'), autoMtls: true, serverMode: 'STRICT', endpointLabels: sidecarLabels })).toEqual({ tls: 'plaintext', why: 'no-sidecar' });
  });
  it('a named targetPort resolves to the container port of each pod', () => {
    expect(resolveTargetPort('http', 80, pod('reviews-1', { port: 9080 }))).toBe(9080);
    expect(resolveTargetPort(null, 80, pod('reviews-1'))).toBe(80);
    expect(resolveTargetPort('grpc', 80, pod('reviews-1'))).toBeNull();
  });
});
