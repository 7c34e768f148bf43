/**
 * Cluster scenarios end to end: `mtls-doctor diagnose pod/NAME --peer SVC:PORT` through the real client-node
 * against the fake API server, with fake Envoy admins behind port-forward for each sidecar.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { diagnoseJson, startMesh, type MeshFixture } from './fixture.js';
import { destinationRule, meshConfigMap, peerAuthentication } from '../support/fake-kube-api.js';

const reviewsSvc = { name: 'reviews', namespace: 'demo', selector: { app: 'reviews' }, ports: [{ port: 9080, targetPort: 'http' as const }, { port: 9443, targetPort: 9443 }] };
const web = { name: 'web-1', namespace: 'demo', labels: { app: 'web' }, serviceAccount: 'web' };
const legacy = { name: 'legacy-1', namespace: 'demo', labels: { app: 'legacy' }, sidecar: false };
const reviews = (n = 1, o: Record<string, unknown> = {}) => ({ name: `reviews-${n}`, namespace: 'demo', labels: { app: 'reviews' }, serviceAccount: 'reviews', appPorts: [{ port: 9080, name: 'http' }, { port: 9443, name: 'https' }], ...o });
const meshStrict = peerAuthentication('istio-system', 'default', { mtls: { mode: 'STRICT' } });

describe('cluster policy scenarios', () => {
  let m: MeshFixture | undefined;
  afterEach(async () => {
    await m?.close();
    m = undefined;
  });

  it('a plaintext caller (no sidecar) into a mesh-wide STRICT', async () => {
    m = await startMesh([legacy, reviews(1), reviews(2)], { services: [reviewsSvc], peerAuthentications: [meshStrict] });
    const r = await diagnoseJson(m, ['pod/legacy-1', '-n', 'demo', '--peer', 'reviews:9080']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.rules).toContain('policy/strict-plaintext-client');
    const f = r.report!.findings.find((x) => x.rule === 'policy/strict-plaintext-client')!;
    expect(f.explanation).toMatch(/pod\/legacy-1 has no istio-proxy sidecar.*pod\/reviews-1, pod\/reviews-2.*port 9080/);
    // No probe from the workstation for an in-cluster service, and so no peer-unreachable.
    expect(r.rules).not.toContain('transport/peer-unreachable');
    expect(JSON.stringify(r.report)).toMatch(/add --in-pod for a real handshake/);
  });

  it('a DestinationRule DISABLE against STRICT', async () => {
    m = await startMesh([web, reviews()], {
      services: [reviewsSvc],
      peerAuthentications: [peerAuthentication('demo', 'default', { mtls: { mode: 'STRICT' } })],
      destinationRules: [destinationRule('demo', 'reviews-plain', { host: 'reviews.demo.svc.cluster.local', trafficPolicy: { tls: { mode: 'DISABLE' } } })],
    });
    const r = await diagnoseJson(m, ['pod/web-1', '-n', 'demo', '--peer', 'reviews.demo:9080']);
    expect(r.rules).toContain('policy/strict-plaintext-client');
    expect(r.report!.findings.find((x) => x.rule === 'policy/strict-plaintext-client')!.explanation).toMatch(/DestinationRule demo\/reviews-plain sets tls.mode DISABLE/);
    // The workload's own certificates are healthy: nothing else is wrong.
    expect(r.rules.filter((x) => !x.startsWith('policy/'))).toEqual([]);
  });

  it('mTLS originated to a sidecar-less server', async () => {
    m = await startMesh([web, reviews(1, { sidecar: false })], { services: [reviewsSvc], destinationRules: [destinationRule('demo', 'reviews-mtls', { host: 'reviews', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } })] });
    const r = await diagnoseJson(m, ['pod/web-1', '-n', 'demo', '--peer', 'reviews:9080']);
    expect(r.rules).toEqual(['policy/tls-to-plaintext-server']);
  });

  it('port-level STRICT on one port only: the service port that targets it fails, the other does not', async () => {
    const pa = peerAuthentication('demo', 'reviews', { selector: { matchLabels: { app: 'reviews' } }, mtls: { mode: 'PERMISSIVE' }, portLevelMtls: { 9443: { mode: 'STRICT' } } });
    m = await startMesh([legacy, reviews()], { services: [reviewsSvc], peerAuthentications: [pa] });
    const strictPort = await diagnoseJson(m, ['pod/legacy-1', '-n', 'demo', '--peer', 'reviews:9443']);
    expect(strictPort.rules).toEqual(['policy/strict-plaintext-client']);
    expect(strictPort.report!.findings[0]!.explanation).toMatch(/portLevelMtls 9443 of PeerAuthentication demo\/reviews/);
    const other = await diagnoseJson(m, ['pod/legacy-1', '-n', 'demo', '--peer', 'reviews:9080']);
    expect(other.rules).toEqual([]);
    expect(other.code).toBe(0);
  });

  it('a workload-level PERMISSIVE under a mesh-wide STRICT admits the plaintext caller (v1beta1 CRDs only)', async () => {
    m = await startMesh([legacy, reviews()], {
      services: [reviewsSvc],
      istioApiVersion: 'v1beta1',
      peerAuthentications: [meshStrict, peerAuthentication('demo', 'reviews-permissive', { selector: { matchLabels: { app: 'reviews' } }, mtls: { mode: 'PERMISSIVE' } })],
    });
    const r = await diagnoseJson(m, ['pod/legacy-1', '-n', 'demo', '--peer', 'reviews:9080']);
    expect(r.rules).toEqual([]);
    expect(m.api.requests.some((q) => q.path.includes('/security.istio.io/v1beta1/'))).toBe(true);
  });

  it('a trust domain renamed without aliases', async () => {
    m = await startMesh([web], { configMaps: [meshConfigMap({ trustDomain: 'prod.example.com' })] });
    const r = await diagnoseJson(m, ['web-1', '-n', 'demo']);
    expect(r.rules).toContain('policy/trust-domain-alias-missing');
    const f = r.report!.findings.find((x) => x.rule === 'policy/trust-domain-alias-missing')!;
    expect(f.explanation).toMatch(/spiffe:\/\/cluster\.local\/ns\/demo\/sa\/web.*"prod\.example\.com"/);
    // The expected identity now carries the new trust domain, so the SAN check says the same thing from its side.
    expect(r.rules).toContain('san/trust-domain-mismatch');
  });
});

describe('cluster evidence is replayable', () => {
  it('--save-evidence then --evidence gives the same findings, offline', async () => {
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { runCliInProcess } = await import('../support/fake-envoy-admin.js');
    const dir = mkdtempSync(join(tmpdir(), 'i10-replay-'));
    const file = join(dir, 'bundle.json');
    const m = await startMesh([legacy, reviews()], { services: [reviewsSvc], peerAuthentications: [meshStrict] });
    let live;
    try {
      live = await diagnoseJson(m, ['pod/legacy-1', '-n', 'demo', '--peer', 'reviews:9080', '--save-evidence', file]);
    } finally {
      await m.close();
    }
    expect(JSON.parse(readFileSync(file, 'utf8')).cluster.peer.pods[0].name).toBe('reviews-1');
    const replay = await runCliInProcess(['diagnose', '--evidence', file, '-o', 'json']);
    expect(replay.code).toBe(live.code);
    expect(JSON.parse(replay.stdout).findings).toEqual(live.report!.findings);
    // A tampered cluster record is one clear input error, not a crash.
    const { writeFileSync } = await import('node:fs');
    const b = JSON.parse(readFileSync(file, 'utf8'));
    b.cluster.peer.pods[0].labels = 'oops';
    writeFileSync(file, JSON.stringify(b));
    const bad = await runCliInProcess(['diagnose', '--evidence', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Cannot read evidence bundle .*cluster\.peer\.pods\[0\]\.labels is not a map of strings/);
  });
});

describe('a --peer that is not a service of the cluster', () => {
  it('is probed from here as a network peer', async () => {
    const { closedPortUrl } = await import('../support/fake-envoy-admin.js');
    const port = new URL(await closedPortUrl()).port;
    const m = await startMesh([web]);
    try {
      const r = await diagnoseJson(m, ['pod/web-1', '-n', 'demo', '--peer', `localhost:${port}`]);
      expect(r.rules).toContain('transport/peer-unreachable');
      expect(JSON.stringify(r.report)).not.toMatch(/in-cluster service/);
      const ip = await diagnoseJson(m, ['pod/web-1', '-n', 'demo', '--peer', `127.0.0.1:${port}`]);
      expect(ip.rules).toContain('transport/peer-unreachable');
    } finally {
      await m.close();
    }
  });
});
