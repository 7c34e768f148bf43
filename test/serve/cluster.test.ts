/**
 * Cluster requests through serve, end to end: the real pipeline's cluster mode against the fake API server
 * (test/support/fake-kube-api.ts). The caller's namespace is authorised first; every API request then carries
 * the impersonation derived from the caller, so the cluster's RBAC has the last word.
 */
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
});
