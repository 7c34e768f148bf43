/**
 * Cluster requests through serve, end to end: the real pipeline's cluster mode against the fake API server
 * (test/support/fake-kube-api.ts). The caller's namespace is authorised first; every API request then carries
 * the impersonation derived from the caller, so the cluster's RBAC has the last word.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDiagnose } from '../../src/serve/deps.js';
import { startMesh, type MeshFixture } from '../cluster/fixture.js';
import { api, audits, postSlack, responseUrlStandIn, slackForm, startServe, testConfig, until, TOKEN_A, type Harness } from './harness.js';

let m: MeshFixture;
let h: Harness;
let stand: Awaited<ReturnType<typeof responseUrlStandIn>>;
beforeAll(async () => {
  m = await startMesh([{ name: 'web-1', namespace: 'bookinfo', labels: { app: 'web' }, serviceAccount: 'web' }]);
  // What the server's pod would have (its in-cluster config); here a kubeconfig for the fake API server.
  process.env.KUBECONFIG = m.api.kubeconfig;
  stand = await responseUrlStandIn();
  h = await startServe({ config: testConfig({ responseUrlPrefix: stand.url, extra: { limits: { syncWaitSeconds: 60, perCallerPerMinute: 1000 } } }), deps: { diagnose: defaultDiagnose, cluster: true } });
});
afterAll(async () => {
  await h?.close();
  await stand?.close();
  await m?.close();
});

describe('cluster targets through serve', () => {
  it('webhook: pod/NAME in an allowed namespace is diagnosed through the API as the token', { timeout: 90_000 }, async () => {
    const before = m.api.requests.length;
    const r = await api(h.url, 'POST', '/v1/diagnoses', { token: TOKEN_A, body: { target: 'pod/web-1', namespace: 'bookinfo', at: '2026-11-29T03:00:00Z' } });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json.target).toMatchObject({ kind: 'pod', name: 'pod/web-1', namespace: 'bookinfo' });
    const mine = m.api.requests.slice(before);
    expect(mine.length).toBeGreaterThan(0);
    for (const q of mine) {
      expect(q.headers['impersonate-user'], q.path).toBe('mtls-doctor:token:bot-a');
      expect(q.headers['impersonate-group'], q.path).toBe('mtls-doctor:token:bot-a');
    }
  });

  it('webhook: a namespace outside the token is refused before any API request', async () => {
    const before = m.api.requests.length;
    const r = await api(h.url, 'POST', '/v1/diagnoses', { token: TOKEN_A, body: { target: 'pod/web-1', namespace: 'payments' } });
    expect(r.status).toBe(403);
    expect(m.api.requests.length).toBe(before);
  });

  it('Slack: /mtls diagnose pod/NAME -n NS runs as the channel and posts the report', async () => {
    const before = m.api.requests.length;
    const url = `${stand.url}cluster-1`;
    const r = await postSlack(h.url, slackForm({ text: 'diagnose pod/web-1 -n bookinfo --at 2026-11-29T03:00:00Z', response_url: url }));
    expect(r.json.text).toMatch(/Diagnosing pod\/web-1 -n bookinfo/);
    await until(() => stand.posts.filter((p) => p.path === '/cluster-1').length >= 2, 60_000);
    const [summary] = stand.posts.filter((p) => p.path === '/cluster-1');
    expect(summary!.body.blocks[0].text.text).toMatch(/^mtls-doctor: (HEALTHY|AT-RISK|FAILING|UNKNOWN) — pod\/web-1 -n bookinfo/);
    const mine = m.api.requests.slice(before);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((q) => q.headers['impersonate-user'] === 'mtls-doctor:slack-channel:C1' && q.headers['impersonate-group'] === 'mtls-doctor:slack-channel:C1')).toBe(true);
    await until(() => audits(h.logs).some((a) => a.target === 'pod/web-1' && a.outcome === 'posted'));
  }, 90_000);

  it('Slack: /mtls scan -n NS reads the sidecars through the API as the channel and posts the scan', async () => {
    const before = m.api.requests.length;
    const url = `${stand.url}scan-1`;
    const r = await postSlack(h.url, slackForm({ text: 'scan -n bookinfo --at 2026-11-29T03:00:00Z', response_url: url }));
    expect(r.json.text).toMatch(/Scanning namespace bookinfo/);
    await until(() => stand.posts.filter((p) => p.path === '/scan-1').length >= 2, 60_000);
    const [summary, full] = stand.posts.filter((p) => p.path === '/scan-1');
    expect(summary!.body.blocks[0].text.text).toMatch(/^mtls-doctor scan: HEALTHY/);
    expect(full!.body.blocks[0].text).toContain('Fleet scan: 1 of 1 pods read');
    const mine = m.api.requests.slice(before);
    // The pod list, its one port-forward, the root ConfigMap: all as the channel.
    expect(mine.map((q) => q.resource)).toEqual(expect.arrayContaining(['pods', 'pods/portforward', 'configmaps']));
    expect(mine.every((q) => q.headers['impersonate-user'] === 'mtls-doctor:slack-channel:C1' && q.headers['impersonate-group'] === 'mtls-doctor:slack-channel:C1')).toBe(true);
    // Only the namespace asked for, and no Secret: nothing from a Secret reaches chat.
    expect(mine.every((q) => q.path.startsWith('/api/v1/namespaces/bookinfo/')), mine.map((q) => q.path).join(' ')).toBe(true);
    expect(mine.some((q) => q.resource === 'secrets')).toBe(false);
  }, 90_000);

  it('serve --scan-interval exports the fleet gauges as the exporter identity, and promtool accepts /metrics', async () => {
    const before = m.api.requests.length;
    const e = await startServe({ config: testConfig({ extra: { scan: { namespaces: ['bookinfo'] } } }), deps: { cluster: true }, options: { scanIntervalSeconds: 3600 } });
    try {
      await until(() => e.serve.exporter!.gauges !== '', 60_000);
      const r = await api(e.url, 'GET', '/metrics');
      const text: string = r.json;
      expect(text).toMatch(/^mtls_doctor_scan_pods\{status="ok"\} 1$/m);
      expect(text).toMatch(/^mtls_doctor_cert_expiry_timestamp_seconds\{level="leaf",subject="[^"]*",serial="[0-9a-f]+",namespace="bookinfo",workload="[^"]+"\} \d+$/m);
      const mine = m.api.requests.slice(before);
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.every((q) => q.headers['impersonate-user'] === 'mtls-doctor:exporter' && q.headers['impersonate-group'] === 'mtls-doctor:exporter')).toBe(true);
      const promtool = spawnSync('promtool', ['--version']).status === 0;
      if (promtool || process.env.CI === 'true') {
        const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
        // promtool lints naming too (counters end in _total, …): it must find nothing at all.
        expect(check.status, check.stdout + check.stderr).toBe(0);
        expect(check.stdout + check.stderr).toBe('');
      }
    } finally {
      await e.close();
    }
  }, 90_000);
});
