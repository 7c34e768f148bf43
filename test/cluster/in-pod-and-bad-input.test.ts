/**
 * `--in-pod` end to end (the ephemeral container's run is this CLI, in process, against the pod's fake Envoy
 * admin, as it would run beside istio-proxy), and the bad-input cases: one clear line, exit 2 or 3.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AT, startMesh, type MeshFixture } from './fixture.js';
import { runCliInProcess } from '../support/fake-envoy-admin.js';
import { peerAuthentication } from '../support/fake-kube-api.js';
import { sourceLabel } from '../../src/report/source-label.js';

const web = { name: 'web-1', namespace: 'demo', labels: { app: 'web' }, serviceAccount: 'web' };
const legacy = { name: 'legacy-1', namespace: 'demo', labels: { app: 'legacy' }, sidecar: false };

describe('--in-pod', () => {
  let m: MeshFixture;
  let adminUrl = '';
  beforeAll(async () => {
    m = await startMesh([web], {
      deployments: [{ name: 'web', namespace: 'demo', matchLabels: { app: 'web' } }],
      ephemeral: {
        // Inside the pod the tool finds the admin on loopback; here, the pod's fake admin stands for it.
        run: async (command) => {
          expect(command.slice(0, 2)).toEqual(['mtls-doctor', 'diagnose']);
          const r = await runCliInProcess([...command.slice(1), '--envoy-admin', adminUrl], { TRUST_DOMAIN: 'cluster.local', POD_NAMESPACE: 'demo', SERVICE_ACCOUNT: 'web' });
          return `mtls-doctor: collecting from the istio-proxy\n${r.stdout}`;
        },
      },
    });
    adminUrl = m.servers[0]!.url;
  });
  afterAll(() => m?.close());

  it('adds an ephemeral container targeting istio-proxy (strategic merge patch), reads its report and renders it here', async () => {
    const r = await runCliInProcess(['diagnose', 'deploy/web', '-n', 'demo', '--in-pod', '--image', 'registry.example/mtls-doctor:1', '--kubeconfig', m.api.kubeconfig, ...AT]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/HEALTHY/);
    expect(r.stderr).toMatch(/adding ephemeral container mtls-doctor-[0-9a-f]{6} \(registry\.example\/mtls-doctor:1\) to pod\/web-1/);
    const e = m.api.ephemeral[0]!;
    expect(e.contentType).toBe('application/strategic-merge-patch+json');
    expect(e.container.targetContainerName).toBe('istio-proxy');
    expect(e.container.command).toEqual(['mtls-doctor', 'diagnose', '--at', '2026-11-29T03:00:00Z', '-o', 'json']);
  });

  it('JSON out: the report of the run inside, marked as such', async () => {
    const r = await runCliInProcess(['diagnose', 'pod/web-1', '-n', 'demo', '--in-pod', '--kubeconfig', m.api.kubeconfig, ...AT, '-o', 'json']);
    const report = JSON.parse(r.stdout);
    expect(report.target).toMatchObject({ kind: 'pod', name: 'pod/web-1', inPod: true });
    expect(report.sources.some((s: { name: string; status: string }) => s.name === 'envoy admin secrets' && s.status === 'ok')).toBe(true);
  });
});

describe('--in-pod refused', () => {
  it('ephemeral containers disabled: one line, exit 3', async () => {
    const m = await startMesh([web], { ephemeral: { mode: 'disabled' } });
    try {
      const r = await runCliInProcess(['diagnose', 'pod/web-1', '-n', 'demo', '--in-pod', '--kubeconfig', m.api.kubeconfig]);
      expect(r.code).toBe(3);
      expect(r.stderr.trim().split('\n').filter((l) => !l.includes('adding ephemeral'))).toEqual([expect.stringMatching(/does not serve pods\/ephemeralcontainers/)]);
    } finally {
      await m.close();
    }
  });

  it('ephemeral containers forbidden: names the verb and resource', async () => {
    const m = await startMesh([web], { ephemeral: { mode: 'forbidden' } });
    try {
      const r = await runCliInProcess(['diagnose', 'pod/web-1', '-n', 'demo', '--in-pod', '--kubeconfig', m.api.kubeconfig]);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/forbidden: patch pods\/ephemeralcontainers in namespace "demo"/);
    } finally {
      await m.close();
    }
  });

  it('a container that never finishes is bounded', async () => {
    const m = await startMesh([web], { ephemeral: { hang: true } });
    try {
      const { diagnoseInPod } = await import('../../src/collect/kube/index.js');
      await expect(diagnoseInPod({ target: 'pod/web-1', namespace: 'demo', kubeconfig: m.api.kubeconfig, argv: [], env: {}, now: Date.now, timeoutMs: 1500, pollMs: 200 })).rejects.toThrow(/did not finish within 2s \(still running\)/);
    } finally {
      await m.close();
    }
  });
});

describe('bad input: one clear line, exit 2 or 3, never a stack trace', () => {
  let m: MeshFixture;
  beforeAll(async () => {
    m = await startMesh([web, legacy], { peerAuthentications: [peerAuthentication('istio-system', 'default', { mtls: { mode: 'STRICT' } })] });
  });
  afterAll(() => m?.close());
  const run = (args: string[], env: Record<string, string> = {}) => runCliInProcess(['diagnose', ...args], env);
  const oneLine = (s: string) => {
    expect(s.trim().split('\n')).toHaveLength(1);
    expect(s).not.toMatch(/\n\s+at /);
  };

  const cases: Array<{ name: string; args: () => string[]; env?: () => Record<string, string>; code: number; line: RegExp }> = [
    { name: 'unknown pod', args: () => ['pod/nope', '-n', 'demo', '--kubeconfig', m.api.kubeconfig], code: 2, line: /Cannot diagnose pod\/nope in namespace "demo": pods "nope" not found/ },
    { name: 'a pod without istio-proxy', args: () => ['legacy-1', '-n', 'demo', '--kubeconfig', m.api.kubeconfig], code: 3, line: /pod\/legacy-1: it has no istio-proxy container/ },
    { name: 'a name that is not DNS-1123', args: () => ['pod/Web_1', '--kubeconfig', m.api.kubeconfig], code: 2, line: /"Web_1": not a valid Kubernetes name \(DNS-1123/ },
    { name: 'a namespace that is not DNS-1123', args: () => ['pod/web-1', '-n', 'Demo.ns', '--kubeconfig', m.api.kubeconfig], code: 2, line: /Cannot use namespace "Demo\.ns"/ },
    { name: 'an unknown kind', args: () => ['job/reviews', '--kubeconfig', m.api.kubeconfig], code: 2, line: /expected pod\/NAME, deploy\/NAME/ },
    { name: 'an unreachable API server', args: () => ['pod/web-1', '--context', 'unreachable', '--kubeconfig', m.api.kubeconfig], code: 3, line: /cannot reach the API server at https:\/\/127\.0\.0\.1:\d+ \(connection refused\)/ },
    { name: 'expired credentials', args: () => ['pod/web-1', '--context', 'expired', '--kubeconfig', m.api.kubeconfig], code: 3, line: /rejected the credentials \(401 Unauthorized/ },
    { name: 'a kubeconfig without the context', args: () => ['pod/web-1', '--context', 'prod', '--kubeconfig', m.api.kubeconfig], code: 2, line: /Cannot use --context "prod": the kubeconfig has no such context; it has "fake", "expired", "unreachable"/ },
    { name: 'a kubeconfig that does not exist', args: () => ['pod/web-1', '--kubeconfig', '/nonexistent/kubeconfig'], code: 2, line: /Cannot read kubeconfig "\/nonexistent\/kubeconfig": no such file/ },
    { name: 'no kubeconfig at all, not in a pod', args: () => ['pod/web-1'], code: 2, line: /no kubeconfig .* and not running inside a pod/ },
    { name: 'KUBECONFIG is honoured', args: () => ['pod/nope', '-n', 'demo'], env: () => ({ KUBECONFIG: m.api.kubeconfig }), code: 2, line: /pods "nope" not found/ },
    { name: 'cluster flags without a cluster target', args: () => ['--chain', '/dev/null', '-n', 'demo'], code: 2, line: /Cannot use --namespace without a cluster target/ },
    { name: '--trust with a cluster target', args: () => ['pod/web-1', '--trust', 'x.pem', '--kubeconfig', m.api.kubeconfig], code: 2, line: /come from its istio-proxy/ },
    { name: 'a bad --peer is refused before any API call', args: () => ['pod/web-1', '--peer', 'reviews', '--kubeconfig', m.api.kubeconfig], code: 2, line: /--peer "reviews"/ },
    { name: 'a bad selector', args: () => ['-l', 'app in (a,b)', '--kubeconfig', m.api.kubeconfig], code: 2, line: /Cannot use -l "app in \(a,b\)"/ },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const r = await run(c.args(), c.env?.() ?? {});
      expect(r.code, r.stderr).toBe(c.code);
      oneLine(r.stderr);
      expect(r.stderr).toMatch(c.line);
      expect(r.stdout).toBe('');
    });
  }

  it('a slow API server is bounded by the call timeout', async () => {
    const slow = await startMesh([web], { slowMs: 3000 });
    try {
      const { collectCluster } = await import('../../src/collect/kube/index.js');
      await expect(collectCluster({ label: sourceLabel, target: 'pod/web-1', namespace: 'demo', kubeconfig: slow.api.kubeconfig, timeoutMs: 500, now: Date.now, env: {} })).rejects.toThrow(/gave no complete answer to get pods "web-1" in namespace "demo" within 0.5s/);
    } finally {
      await slow.close();
    }
  });
});
