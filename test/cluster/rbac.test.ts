/**
 * deploy/rbac.yaml grants exactly what cluster mode uses: the fake API server enforces the manifest's rules,
 * and a diagnosis that uses every feature (a peer service, the sidecar, --read-ca-secrets, --in-pod) meets no
 * 403; without the Secrets Role, only the Secrets are refused.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadAllYaml } from '@kubernetes/client-node';
import { diagnoseJson, startMesh, type MeshFixture } from './fixture.js';
import { runCliInProcess } from '../support/fake-envoy-admin.js';
import type { FakeClusterSpec } from '../support/fake-kube-api.js';

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };
const docs = loadAllYaml(readFileSync(join(import.meta.dirname, '..', '..', 'deploy', 'rbac.yaml'), 'utf8')) as Array<{ kind: string; metadata: { name: string; namespace?: string }; rules?: Rule[] }>;
const grants = (withSecrets: boolean): NonNullable<FakeClusterSpec['allow']> =>
  docs.filter((d) => d.kind === 'ClusterRole' || (withSecrets && d.kind === 'Role')).flatMap((d) => (d.rules ?? []).map((r) => ({ ...r, ...(d.kind === 'Role' ? { namespace: d.metadata.namespace } : {}) })));

const web = { name: 'web-1', namespace: 'demo', labels: { app: 'web' }, serviceAccount: 'web' };
const reviews = { name: 'reviews-1', namespace: 'demo', labels: { app: 'reviews' }, serviceAccount: 'reviews', appPorts: [{ port: 9080 }] };

describe('deploy/rbac.yaml', () => {
  let m: MeshFixture | undefined;
  afterEach(async () => {
    await m?.close();
    m = undefined;
  });

  it('is well-formed: a ServiceAccount, a ClusterRole with its binding, a Secrets Role limited by resourceNames', () => {
    expect(docs.map((d) => d.kind)).toEqual(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);
    const role = docs.find((d) => d.kind === 'Role')!;
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['secrets'], resourceNames: ['cacerts', 'istio-ca-secret'], verbs: ['get'] }]);
    expect(docs.find((d) => d.kind === 'ClusterRole')!.rules!.some((r) => r.resources.includes('secrets'))).toBe(false);
  });

  it('grants every request a full diagnosis makes', async () => {
    m = await startMesh([web, reviews], {
      allow: grants(true),
      deployments: [{ name: 'web', namespace: 'demo', matchLabels: { app: 'web' } }],
      services: [{ name: 'reviews', namespace: 'demo', selector: { app: 'reviews' }, ports: [{ port: 9080 }] }],
      secrets: [{ namespace: 'istio-system', name: 'cacerts', data: { 'ca-cert.pem': 'none' } }],
      ephemeral: { run: async () => '{\n"schemaVersion": 1, "findings": [], "target": {}, "verdict": "healthy", "sources": [], "notEvaluated": []}\n' },
    });
    const r = await diagnoseJson(m, ['deploy/web', '-n', 'demo', '--peer', 'reviews:9080', '--read-ca-secrets']);
    expect(r.code, r.stderr).toBe(0);
    const inPod = await runCliInProcess(['diagnose', 'pod/web-1', '-n', 'demo', '--in-pod', '--kubeconfig', m.api.kubeconfig, '-o', 'json']);
    expect(inPod.code, inPod.stderr).toBe(0);
    expect(JSON.stringify(r.report)).not.toMatch(/forbidden/);
    const used = new Set(m.api.requests.map((q) => `${q.verb} ${q.resource}`));
    // (pods/exec is the fallback when port-forward is refused: test/cluster/ca-and-access.test.ts.)
    expect([...used].sort()).toEqual([
        'create pods/portforward',
        'get configmaps',
        'get deployments.apps',
        'get pods',
        'get pods/log',
        'get secrets',
        'get services',
        'list destinationrules.networking.istio.io',
        'list peerauthentications.security.istio.io',
        'list pods',
        'patch pods/ephemeralcontainers',
    ]);
  });

  it('without the Secrets Role: one forbidden line for secrets, nothing else refused', async () => {
    m = await startMesh([web], { allow: grants(false), secrets: [{ namespace: 'istio-system', name: 'cacerts', data: { 'ca-cert.pem': 'none' } }] });
    const r = await diagnoseJson(m, ['pod/web-1', '-n', 'demo', '--read-ca-secrets']);
    expect(r.code).toBe(0);
    const text = JSON.stringify(r.report);
    const refused = [...text.matchAll(/forbidden: (?:cannot )?([a-z]+) ([a-z./]+)/g)].map((x) => `${x[1]} ${x[2]}`);
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(refused)).toEqual(new Set(['get secrets']));
    expect(text).toMatch(/forbidden: get secrets in namespace \\"istio-system\\" \(cacerts, istio-ca-secret\) is not granted to User \\"system:serviceaccount:default:mtls-doctor\\" \(see deploy\/rbac.yaml\)/);
    // One line for the refusal, not one per Secret.
    expect(r.report!.findings).toEqual([]);
    expect((r.report as unknown as { sources: Array<{ reason?: string }> }).sources.filter((x) => /forbidden/.test(x.reason ?? ''))).toHaveLength(1);
  });
});
