/**
 * `mtls-doctor scan` end to end against the fake API server, through the real @kubernetes/client-node: pods
 * listed by namespace, -A and -l; one port-forward stream per pod to the fake Envoy admin behind it; the root
 * ConfigMaps and (opt-in) the CA Secrets; failures per pod (RBAC, timeout, no sidecar) as rows.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { intermediate, leaf, mesh, root, spiffe, t, DAY, YEAR } from '../support/pki.js';
import { runCliInProcess } from '../support/fake-envoy-admin.js';
import { startMesh, type MeshFixture } from '../cluster/fixture.js';
import { scan } from '../../src/index.js';

const AT = ['--at', '2026-11-29T03:00:00Z'];
const fp = (i: { der: Uint8Array }) => createHash('sha256').update(i.der).digest('hex');
let fixtures: MeshFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.map((f) => f.close()));
  fixtures = [];
});
const track = (m: MeshFixture) => (fixtures.push(m), m);

async function scanJson(m: MeshFixture, args: string[]) {
  const r = await runCliInProcess(['scan', ...args, '--kubeconfig', m.api.kubeconfig, ...AT, '-o', 'json']);
  return { ...r, report: r.stdout ? JSON.parse(r.stdout) : null };
}

describe('scan against a cluster', () => {
  it('a clean mesh: every sidecar read over one port-forward each, a pod without sidecar is a row', async () => {
    const m = track(
      await startMesh([
        { name: 'web-1', namespace: 'demo', labels: { app: 'web' }, serviceAccount: 'web' },
        { name: 'web-2', namespace: 'demo', labels: { app: 'web' }, serviceAccount: 'web' },
        { name: 'legacy-0', namespace: 'demo', labels: { app: 'legacy' }, sidecar: false },
      ]),
    );
    const { code, report, stderr } = await scanJson(m, ['-n', 'demo']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(report.summary).toMatchObject({ pods: 3, ok: 2, failed: 1 });
    expect(report.pods.find((p: { name: string }) => p.name === 'legacy-0')).toMatchObject({ status: 'failed', reason: expect.stringMatching(/no istio-proxy/) });
    expect(report.rotation.phase).toBe(0);
    expect(report.drift).toHaveLength(1);
    // One port-forward per sidecar pod (the secrets dump holds both the served chain and the trusted roots).
    const forwards = m.api.requests.filter((r) => r.resource === 'pods/portforward');
    expect(forwards.map((r) => r.path.split('/')[6]).sort()).toEqual(['web-1', 'web-2']);
  });

  it('-A finds pods of every namespace; -l narrows them', async () => {
    const m = track(
      await startMesh([
        { name: 'a-1', namespace: 'shop', labels: { app: 'cart' } },
        { name: 'b-1', namespace: 'pay', labels: { app: 'ledger' } },
      ]),
    );
    const all = await scanJson(m, ['-A']);
    expect(all.report.pods.map((p: { namespace: string }) => p.namespace).sort()).toEqual(['pay', 'shop']);
    const some = await scanJson(m, ['-A', '-l', 'app=ledger']);
    expect(some.stderr).toBe('');
    expect(some.report.pods.map((p: { name: string }) => p.name)).toEqual(['b-1']);
  });

  it('the library: several named namespaces, each listed on its own, every request as the impersonated identity', async () => {
    const m = track(
      await startMesh([
        { name: 'a-1', namespace: 'shop', labels: { app: 'cart' } },
        { name: 'b-1', namespace: 'pay', labels: { app: 'ledger' } },
        { name: 'c-1', namespace: 'other', labels: { app: 'x' } },
      ]),
    );
    const { report } = await scan({ namespaces: ['shop', 'pay'], at: '2026-11-29T03:00:00Z', kubeconfig: m.api.kubeconfig }, { kube: { impersonate: { user: 'mtls-doctor:exporter', groups: ['mtls-doctor:exporter'] } } });
    expect(report.pods.map((p) => `${p.namespace}/${p.name}`)).toEqual(['pay/b-1', 'shop/a-1']);
    expect(report.scope.namespaces).toEqual(['pay', 'shop']);
    const lists = m.api.requests.filter((r) => r.resource === 'pods' && r.verb === 'list').map((r) => r.path.split('?')[0]).sort();
    expect(lists).toEqual(['/api/v1/namespaces/pay/pods', '/api/v1/namespaces/shop/pods']);
    expect(m.api.requests.every((r) => r.headers['impersonate-user'] === 'mtls-doctor:exporter' && r.headers['impersonate-group'] === 'mtls-doctor:exporter')).toBe(true);
  });

  it('a rotation out of order is named from the cluster; a stale root ConfigMap is drift', async () => {
    const pki = await mesh();
    const newRoot = await root('Mesh Root CA 2026', { notBefore: t(-5 * DAY), notAfter: t(10 * YEAR) });
    const newInter = await intermediate(newRoot, 'Mesh Intermediate 2026', { notBefore: t(-4 * DAY) });
    const newLeaf = await leaf(newInter, { uris: [spiffe('shop', 'cart')] });
    const m = track(
      await startMesh(
        [
          { name: 'cart-1', namespace: 'shop', admin: { chain: [newLeaf, newInter], roots: [pki.root, newRoot] } },
          { name: 'web-1', namespace: 'shop', admin: { roots: [pki.root, newRoot] } },
          { name: 'old-1', namespace: 'pay', admin: { roots: [pki.root] } },
        ],
        { configMaps: [{ namespace: 'shop', name: 'istio-ca-root-cert', data: { 'root-cert.pem': pki.root.pem + newRoot.pem } }, { namespace: 'pay', name: 'istio-ca-root-cert', data: { 'root-cert.pem': pki.root.pem } }] },
        { pki },
      ),
    );
    const { code, report } = await scanJson(m, ['-A']);
    expect(code).toBe(1);
    expect(report.rotation.violations).toEqual([expect.objectContaining({ kind: 'issuing-before-trusted', root: fp(newRoot), pods: ['pay/old-1'] })]);
    expect(report.trustGaps[0]).toMatchObject({ servingPods: 1, untrustingPods: ['pay/old-1'] });
    const text = await runCliInProcess(['scan', '-A', '--kubeconfig', m.api.kubeconfig, ...AT]);
    expect(text.stdout).toContain('VIOLATION issuing-before-trusted');
  });

  it('an expired intermediate, found from the fleet, leads the report', async () => {
    const pki = await mesh({ inter: { notBefore: t(-400 * DAY), notAfter: t(-3 * 3600_000) } });
    const m = track(await startMesh([{ name: 'web-1', namespace: 'demo' }, { name: 'web-2', namespace: 'demo' }], {}, { pki }));
    const { code, report } = await scanJson(m, ['-n', 'demo']);
    expect(code).toBe(1);
    expect(report.certificates[0]).toMatchObject({ level: 'intermediate', status: 'expired', pods: 2, fingerprint: fp(pki.inter) });
  });

  it('per-pod failures are rows: port-forward and exec forbidden in one namespace, an admin too slow in another', async () => {
    const m = track(
      await startMesh(
        [
          { name: 'ok-1', namespace: 'demo' },
          { name: 'locked-1', namespace: 'locked' },
          { name: 'slow-1', namespace: 'slow', admin: { misbehave: { all: 'slow' }, slowMs: 60_000 } },
        ],
        { deny: [{ verb: 'create', resource: 'pods/portforward', namespace: 'locked' }, { verb: 'get', resource: 'pods/portforward', namespace: 'locked' }, { verb: 'create', resource: 'pods/exec', namespace: 'locked' }, { verb: 'get', resource: 'pods/exec', namespace: 'locked' }] },
      ),
    );
    const { code, report } = await scanJson(m, ['-A', '--pod-timeout', '2']);
    expect(code).toBe(0);
    const rows = Object.fromEntries(report.pods.map((p: { name: string; status: string; reason?: string }) => [p.name, p]));
    expect(rows['ok-1']).toMatchObject({ status: 'ok' });
    expect(rows['locked-1']).toMatchObject({ status: 'failed', reason: expect.stringMatching(/forbidden|portforward|exec/i) });
    expect(rows['slow-1']).toMatchObject({ status: 'failed', reason: 'timed out after 2 s reading the Envoy admin' });
  }, 60_000);

  it('--read-ca-secrets reads the cacerts certificates (never the key); a cacerts intermediate expiring soon is critical', async () => {
    const pki = await mesh();
    const soon = await intermediate(pki.root, 'Plug-in CA (expiring)', { notBefore: t(-300 * DAY), notAfter: t(3 * DAY) });
    const m = track(
      await startMesh([{ name: 'web-1', namespace: 'demo' }], { secrets: [{ namespace: 'istio-system', name: 'cacerts', data: { 'ca-cert.pem': soon.pem, 'ca-key.pem': 'NOT-A-REAL-KEY-BUT-NEVER-READ', 'root-cert.pem': pki.root.pem, 'cert-chain.pem': soon.pem + pki.root.pem } }] }, { pki }),
    );
    const { code, report, stdout } = await scanJson(m, ['-n', 'demo', '--read-ca-secrets']);
    expect(code).toBe(1);
    expect(report.certificates[0]).toMatchObject({ level: 'intermediate', status: 'critical', pods: 0, fingerprint: fp(soon) });
    expect(report.rotation.setup).toBe('plug-in-cacerts');
    expect(stdout).not.toContain('NOT-A-REAL-KEY');
  });

  it('bad input: an unknown context, a selector that is not one, an unreachable API server — one line each', async () => {
    const m = track(await startMesh([{ name: 'web-1', namespace: 'demo' }]));
    const bad = await runCliInProcess(['scan', '--kubeconfig', m.api.kubeconfig, '--context', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    const sel = await runCliInProcess(['scan', '--kubeconfig', m.api.kubeconfig, '-l', 'app==x==y']);
    expect(sel.code).toBe(2);
    const down = await runCliInProcess(['scan', '--kubeconfig', m.api.kubeconfig, '--context', 'unreachable', '-n', 'demo']);
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/Cannot list pods/);
    expect(down.stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);
});
