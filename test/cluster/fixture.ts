/**
 * A small mesh for cluster-mode scenarios: a PKI, a fake Envoy admin and pilot-agent per sidecar pod, and the
 * fake API server in front of them. Each scenario changes only what it is about.
 */
import { mesh, leaf, spiffe, type Issued } from '../support/pki.js';
import { startFakeAgent, startFakeEnvoyAdmin, type FakeAdminSpec, type FakeServer } from '../support/fake-envoy-admin.js';
import { meshConfigMap, startFakeKubeApi, type FakeClusterSpec, type FakeKubeApi, type FakePod } from '../support/fake-kube-api.js';

export interface MeshFixture {
  api: FakeKubeApi;
  pki: Awaited<ReturnType<typeof mesh>>;
  servers: FakeServer[];
  close(): Promise<void>;
}

export interface PodSpec extends Omit<FakePod, 'backends'> {
  /** The sidecar's admin (default: a healthy chain for this pod's identity and the mesh root). */
  admin?: Partial<FakeAdminSpec> | null;
  agent?: boolean;
}

/** Starts admins for every sidecar pod and the API server with the rest of `spec`. */
export async function startMesh(pods: PodSpec[], spec: Omit<FakeClusterSpec, 'pods'> = {}, o: { pki?: Awaited<ReturnType<typeof mesh>> } = {}): Promise<MeshFixture> {
  const pki = o.pki ?? (await mesh());
  const servers: FakeServer[] = [];
  const fakePods: FakePod[] = [];
  for (const p of pods) {
    const backends: Record<number, string> = {};
    if (p.sidecar !== false && p.admin !== null) {
      const id = spiffe(p.namespace, p.serviceAccount ?? 'default');
      const chain: Issued[] = p.admin?.chain ?? [await leaf(pki.inter, { uris: [id] }), pki.inter];
      const admin = await startFakeEnvoyAdmin({ chain, roots: [pki.root], ...p.admin });
      servers.push(admin);
      backends[15000] = admin.url;
      if (p.agent !== false) {
        // No expiry gauge: its timestamp would be this machine's clock, while scenarios evaluate at the pinned NOW.
        const agent = await startFakeAgent({ ready: true });
        servers.push(agent);
        backends[15020] = agent.url;
      }
    }
    const { admin: _a, agent: _g, ...rest } = p;
    fakePods.push({ ...rest, backends });
  }
  const api = await startFakeKubeApi({
    ...spec,
    pods: fakePods,
    configMaps: spec.configMaps ?? [meshConfigMap(), ...[...new Set(pods.map((p) => p.namespace))].map((ns) => ({ namespace: ns, name: 'istio-ca-root-cert', data: { 'root-cert.pem': pki.root.pem } }))],
  });
  return {
    api,
    pki,
    servers,
    close: async () => {
      await api.close();
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}

export const AT = ['--at', '2026-11-29T03:00:00Z'];

/** Runs `mtls-doctor diagnose …` in this process against the fixture's kubeconfig, JSON out. */
export async function diagnoseJson(m: MeshFixture, args: string[]) {
  const { runCliInProcess } = await import('../support/fake-envoy-admin.js');
  const r = await runCliInProcess(['diagnose', ...args, '--kubeconfig', m.api.kubeconfig, ...AT, '-o', 'json']);
  let report: { findings: Array<{ rule: string; subject: string; severity: string; explanation: string; evidence: Array<{ source: string; detail: string }> }>; target: Record<string, unknown>; verdict: string } | null = null;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    /* not JSON: the test looks at stderr */
  }
  return { ...r, report, rules: report?.findings.map((f) => f.rule) ?? [] };
}
