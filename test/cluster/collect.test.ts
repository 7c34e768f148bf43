import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectCluster } from '../../src/collect/kube/index.js';
import { startMesh, type MeshFixture } from './fixture.js';
import { NOW } from '../support/pki.js';
import { sourceLabel } from '../../src/report/source-label.js';

describe('cluster collector against the fake API server (real client-node)', () => {
  let m: MeshFixture;
  beforeAll(async () => {
    m = await startMesh([
      { name: 'web-1', namespace: 'demo', labels: { app: 'web' }, serviceAccount: 'web' },
      { name: 'reviews-1', namespace: 'demo', labels: { app: 'reviews' }, serviceAccount: 'reviews', appPorts: [{ port: 9080, name: 'http' }] },
    ], { services: [{ name: 'reviews', namespace: 'demo', selector: { app: 'reviews' }, ports: [{ port: 9080, targetPort: 9080 }] }] });
  });
  afterAll(() => m?.close());

  it('reads the pod, its mesh and its sidecar through port-forward', async () => {
    const c = await collectCluster({ label: sourceLabel, target: 'pod/web-1', namespace: 'demo', kubeconfig: m.api.kubeconfig, peer: 'reviews:9080', now: () => NOW, env: {} });
    expect(c.cluster.pod?.sidecar).toBe(true);
    expect(c.cluster.meshConfig?.trustDomain).toBe('cluster.local');
    expect(c.cluster.rootConfigMap?.pems[0]).toContain('BEGIN CERTIFICATE');
    expect(c.proxy?.collected).toBe(true);
    expect(c.proxy?.chain?.pems.length).toBe(2);
    expect(c.sources.find((s) => s.name === 'sidecar access')?.detail).toMatch(/port-forward/);
    expect(c.cluster.peer?.pods.map((p) => p.name)).toEqual(['reviews-1']);
    expect(c.cluster.peerIdentities[0]?.ids).toEqual(['spiffe://cluster.local/ns/demo/sa/reviews']);
    expect(c.expectId).toBe('spiffe://cluster.local/ns/demo/sa/web');
    const pf = m.api.requests.filter((r) => r.resource === 'pods/portforward');
    expect(pf.length).toBeGreaterThan(0);
  });
});

describe('the library with a cluster target', () => {
  it('diagnose() takes the same request the CLI builds, with impersonation in its deps', async () => {
    const { diagnose } = await import('../../src/index.js');
    const m = await startMesh([{ name: 'web-1', namespace: 'demo', labels: { app: 'web' }, serviceAccount: 'web' }]);
    try {
      const report = await diagnose({ target: 'pod/web-1', namespace: 'demo', kubeconfig: m.api.kubeconfig, at: NOW }, { env: {}, kube: { impersonate: { user: 'slack:U123', groups: ['sre'] } } });
      expect(report.target).toMatchObject({ kind: 'pod', name: 'pod/web-1', namespace: 'demo' });
      expect(report.verdict).toBe('healthy');
      expect(m.api.requests.every((q) => q.headers['impersonate-user'] === 'slack:U123' && q.headers['impersonate-group'] === 'sre')).toBe(true);
      // Evaluation options apply in cluster mode as on files: --verifier judges the pod's chain as that verifier does.
      const { diagnoseWithEvidence } = await import('../../src/diagnose/diagnose.js');
      const go = await diagnoseWithEvidence({ target: 'pod/web-1', namespace: 'demo', kubeconfig: m.api.kubeconfig, at: NOW, verifier: 'go' }, { env: {} });
      expect(go.evidence.options.verifier).toBe('go');
      expect(go.report.verdict).toBe('healthy');
    } finally {
      await m.close();
    }
  });
});
