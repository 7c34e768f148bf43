/**
 * Cluster scenarios about CA material and access: the expired mesh intermediate found from the cluster, a
 * `cacerts` intermediate expiring while workloads look fine, a stale root ConfigMap mid-rotation, port-forward
 * forbidden but exec allowed, missing RBAC for Secrets, and impersonation on every request.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { diagnoseJson, startMesh, type MeshFixture } from './fixture.js';
import { meshConfigMap } from '../support/fake-kube-api.js';
import { DAY, intermediate, leaf, mesh, root, spiffe, t, YEAR } from '../support/pki.js';
import { collectCluster } from '../../src/collect/kube/index.js';
import { sourceLabel } from '../../src/report/source-label.js';

const web = { name: 'web-1', namespace: 'demo', labels: { app: 'web' }, serviceAccount: 'web' };

describe('CA material and access from the cluster', () => {
  let m: MeshFixture | undefined;
  afterEach(async () => {
    await m?.close();
    m = undefined;
  });

  it('the expired mesh intermediate (the 3 AM story), found through port-forward', async () => {
    const r0 = await root();
    const inter = await intermediate(r0, 'Mesh Intermediate CA', { notBefore: t(-YEAR), notAfter: t(-(3 * 60 * 60 * 1000 - 13 * 60 * 1000)) });
    const l = await leaf(inter, { uris: [spiffe('demo', 'web')] });
    m = await startMesh([{ ...web, admin: { chain: [l, inter], roots: [r0] } }], {}, { pki: { root: r0, inter, leaf: l } });
    const r = await diagnoseJson(m, ['pod/web-1', '-n', 'demo']);
    expect(r.code).toBe(1);
    expect(r.report!.verdict).toBe('failing');
    expect(r.rules[0]).toBe('expiry/intermediate-expired');
  });

  it('a cacerts intermediate expiring in 3 days while every workload looks fine (--read-ca-secrets)', async () => {
    // The workloads serve a healthy intermediate; the plug-in CA Secret already holds the one istiod signs with
    // after its next restart, and that one has 3 days left. Only the Secret shows it.
    const r0 = await root();
    const current = await intermediate(r0, 'Mesh Intermediate CA');
    const next = await intermediate(r0, 'Plug-in Intermediate CA 2026-11', { notAfter: t(3 * DAY) });
    const l = await leaf(current, { uris: [spiffe('demo', 'web')] });
    const key = ['-----BEGIN', 'EC PRIVATE KEY-----'].join(' ') + '\nMHcCAQEE\n' + ['-----END', 'EC PRIVATE KEY-----'].join(' ') + '\n';
    m = await startMesh([{ ...web, admin: { chain: [l, current], roots: [r0] } }], {
      secrets: [{ namespace: 'istio-system', name: 'cacerts', data: { 'ca-cert.pem': next.pem, 'ca-key.pem': key, 'cert-chain.pem': next.pem + r0.pem, 'root-cert.pem': r0.pem } }],
    }, { pki: { root: r0, inter: current, leaf: l } });
    const without = await diagnoseJson(m, ['pod/web-1', '-n', 'demo']);
    expect(without.rules).toEqual([]);
    expect(m.api.requests.some((q) => q.resource === 'secrets')).toBe(false);
    const r = await diagnoseJson(m, ['pod/web-1', '-n', 'demo', '--read-ca-secrets']);
    expect(r.rules).toEqual(['expiry/intermediate-expiring']);
    const f = r.report!.findings[0]!;
    expect(f.explanation).toMatch(/Plug-in Intermediate CA 2026-11/);
    expect(JSON.stringify(f.evidence)).toMatch(/Secret istio-system\/cacerts (ca-cert|cert-chain)\.pem/);
    expect(JSON.stringify(r.report)).not.toMatch(/PRIVATE KEY|ca-key\.pem/);
  });

  it('the key of a CA Secret is dropped on receipt: it never reaches the collection', async () => {
    const p = await mesh();
    const key = ['-----BEGIN', 'PRIVATE KEY-----'].join(' ') + '\nMIGH\n' + ['-----END', 'PRIVATE KEY-----'].join(' ') + '\n';
    m = await startMesh([web], { secrets: [{ namespace: 'istio-system', name: 'cacerts', data: { 'tls.crt': p.inter.pem, 'tls.key': key, 'ca.crt': p.root.pem } }] }, { pki: p });
    const c = await collectCluster({ label: sourceLabel, target: 'pod/web-1', namespace: 'demo', kubeconfig: m.api.kubeconfig, readCaSecrets: true, now: Date.now, env: {} });
    expect(c.ca.map((s) => s.source)).toEqual(['Secret istio-system/cacerts tls.crt', 'Secret istio-system/cacerts ca.crt']);
    expect(JSON.stringify(c)).not.toMatch(/PRIVATE KEY|tls\.key/);
  });

  it('a stale root ConfigMap mid-rotation', async () => {
    const p = await mesh();
    const next = await root('Mesh Root CA 2027');
    m = await startMesh([web], { configMaps: [meshConfigMap(), { namespace: 'demo', name: 'istio-ca-root-cert', data: { 'root-cert.pem': next.pem } }] }, { pki: p });
    const r = await diagnoseJson(m, ['pod/web-1', '-n', 'demo']);
    expect(r.rules).toContain('policy/root-configmap-stale');
    expect(r.report!.findings.find((f) => f.rule === 'policy/root-configmap-stale')!.severity).toBe('error');
  });

  it('port-forward forbidden but exec allowed: the same evidence through pilot-agent request', async () => {
    m = await startMesh([web], { deny: [{ verb: 'create', resource: 'pods/portforward' }] });
    const r = await diagnoseJson(m, ['pod/web-1', '-n', 'demo']);
    expect(r.code).toBe(0);
    const text = JSON.stringify(r.report);
    expect(text).toMatch(/exec \\"pilot-agent request GET <path>\\" in pod\/web-1/);
    expect(text).toMatch(/forbidden: create pods\/portforward in namespace \\"demo\\"/);
    const execs = m.api.requests.filter((q) => q.resource === 'pods/exec').map((q) => decodeURIComponent(q.path));
    expect(execs.some((p) => p.includes('command=config_dump?resource=dynamic_active_secrets'))).toBe(true);
    expect(execs.some((p) => p.includes('command=--debug-port') && p.includes('command=15020'))).toBe(true);
    expect(r.report!.findings).toEqual([]);
  });

  it("Envoy's admin on a Unix socket: port-forward opens but finds nothing, exec reaches it", async () => {
    m = await startMesh([{ ...web, adminOnUds: true }]);
    const r = await diagnoseJson(m, ['pod/web-1', '-n', 'demo']);
    expect(r.code).toBe(0);
    expect(JSON.stringify(r.report)).toMatch(/exec \\"pilot-agent request GET <path>\\" in pod\/web-1 container istio-proxy \(port-forward did not work: port-forward to 15000 opened, but nothing answered HTTP there/);
    expect((r.report as unknown as { sources: Array<{ name: string; status: string }> }).sources.find((s) => s.name === 'envoy admin secrets')?.status).toBe('ok');
  });

  it('missing RBAC for Secrets: one line naming verb, resource and namespace; the diagnosis goes on', async () => {
    m = await startMesh([web], { deny: [{ verb: 'get', resource: 'secrets', namespace: 'istio-system' }], secrets: [{ namespace: 'istio-system', name: 'cacerts', data: { 'ca-cert.pem': 'x' } }] });
    const r = await diagnoseJson(m, ['pod/web-1', '-n', 'demo', '--read-ca-secrets']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = JSON.stringify(r.report).match(/forbidden: get secrets in namespace \\"istio-system\\"[^"]*/g) ?? [];
    expect(lines.length).toBeGreaterThan(0);
    expect(r.report!.verdict).toBe('healthy');
  });

  it('impersonation is applied to every REST request and stream', async () => {
    m = await startMesh([web]);
    await collectCluster({ label: sourceLabel, target: 'pod/web-1', namespace: 'demo', kubeconfig: m.api.kubeconfig, impersonate: { user: 'alice@example.com', groups: ['sre', 'oncall'] }, now: Date.now, env: {} });
    expect(m.api.requests.length).toBeGreaterThan(5);
    for (const q of m.api.requests) {
      expect(q.headers['impersonate-user'], q.path).toBe('alice@example.com');
      // One header line per group (Node joins repeated request headers with ", " when reading them).
      expect(q.headers['impersonate-group'], q.path).toBe('sre, oncall');
    }
    expect(m.api.requests.some((q) => q.resource === 'pods/portforward')).toBe(true);
  });
});
