/**
 * Issue 21 point 9: a pod diagnosis knows the pod and its namespace, so the commands it prints name them (no
 * POD -n NS left to fill in), "not evaluated" asks for what a pod diagnosis can be given (--read-ca-secrets,
 * --peer SVC:PORT) rather than files, and the rotation-stalled verify command needs no istioctl: kubectl and
 * openssl first. Real client-node against the fake API server and a fake Envoy admin.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillPod } from '../../src/diagnose/pod-context.js';
import type { Report } from '../../src/report/types.js';
import { HOUR, leaf, mesh, NOW, spiffe, t } from '../support/pki.js';
import { startMesh, type MeshFixture } from './fixture.js';

/** POD, NS or NAMESPACE as a placeholder word of its own (PEER_POD and the like are the peer's, not ours). */
const PLACEHOLDER = /(^|[^\w$-])(POD|NS|NAMESPACE)(?![\w-])/;

let m: MeshFixture;
let report: Report;
beforeAll(async () => {
  const pki = await mesh();
  // 20 h into a 24 h leaf: rotation has stalled (Istio re-signs at half-life), and the leaf expires in 4 h.
  const stale = await leaf(pki.inter, { uris: [spiffe('demo', 'web')], notBefore: t(-20 * HOUR), notAfter: t(4 * HOUR) });
  m = await startMesh([{ name: 'web-1', namespace: 'demo', labels: { app: 'web' }, serviceAccount: 'web', admin: { chain: [stale, pki.inter] } }], {}, { pki });
  const { diagnose } = await import('../../src/index.js');
  report = await diagnose({ target: 'pod/web-1', namespace: 'demo', kubeconfig: m.api.kubeconfig, at: NOW }, { env: {} });
}, 60_000);
afterAll(() => m?.close());

describe('a pod diagnosis names its pod in the commands it prints', () => {
  it('verify commands and fixes of our side name web-1 -n demo, with no POD -n NS left', () => {
    const ours = report.findings.filter((f) => f.subject === 'local');
    expect(ours.map((f) => f.rule)).toEqual(expect.arrayContaining(['expiry/rotation-stalled', 'expiry/leaf-expiring']));
    for (const f of ours) {
      for (const text of [f.verify, ...f.remediation]) expect(text, f.rule).not.toMatch(PLACEHOLDER);
    }
    expect(ours.find((f) => f.rule === 'expiry/leaf-expiring')!.verify).toMatch(/^istioctl proxy-config secret web-1 -n demo -o json \| /);
    expect(ours.find((f) => f.rule === 'expiry/leaf-expiring')!.remediation.join('\n')).toContain('kubectl logs web-1 -n demo -c istio-proxy');
  });

  it('the rotation-stalled verify command is kubectl and openssl first; istioctl only as the alternative', () => {
    const v = report.findings.find((f) => f.rule === 'expiry/rotation-stalled')!.verify;
    const [command, comment] = v.split('  # ');
    expect(command).toMatch(/^kubectl exec web-1 -n demo -c istio-proxy -- pilot-agent request GET config_dump \| jq -r .* \| base64 -d \| openssl x509 -noout -startdate -enddate$/);
    expect(command).not.toContain('istioctl');
    expect(comment).toMatch(/^notBefore must be recent; with istioctl: istioctl proxy-config secret web-1 -n demo/);
  });

  it("the command reads Envoy's config_dump as the sidecar serves it (run against the fake admin)", async () => {
    const v = report.findings.find((f) => f.rule === 'expiry/rotation-stalled')!.verify.split('  # ')[0]!;
    const rest = v.replace(/^kubectl exec \S+ -n \S+ -c istio-proxy -- pilot-agent request GET config_dump \| /, '');
    if (spawnSync('jq', ['--version']).status !== 0) return;
    const adminUrl = m.servers[0]!.url;
    const dump = await (await fetch(`${adminUrl}/config_dump`)).text();
    const r = spawnSync('sh', ['-c', rest], { input: dump, encoding: 'utf8', timeout: 20_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('notBefore=Nov 28 07:00:00 2026 GMT\nnotAfter=Nov 29 07:00:00 2026 GMT\n');
  });

  it('"not evaluated" asks for --read-ca-secrets and --peer SVC:PORT, not files a pod diagnosis cannot take', () => {
    const missing = (rule: string) => report.notEvaluated.find((n) => n.rule === rule)?.missing.join('; ') ?? '';
    expect(missing('chain/ca-material-not-ca')).toMatch(/--read-ca-secrets/);
    expect(missing('chain/ca-material-not-ca')).not.toMatch(/--ca FILE/);
    expect(missing('chain/rotation-order-violation')).toMatch(/--peer SVC:PORT/);
    expect(missing('chain/rotation-order-violation')).not.toMatch(/--peer-trust FILE/);
    expect(missing('transport/peer-unreachable')).toMatch(/--in-pod --peer SVC:PORT/);
  });
});

describe('fillPod', () => {
  it('fills our pod, adds the namespace where kubectl needs it, and leaves the peer alone', () => {
    const f = (s: string) => fillPod(s, 'web-1', 'demo');
    expect(f('istioctl proxy-config secret POD -n NS')).toBe('istioctl proxy-config secret web-1 -n demo');
    expect(f('kubectl logs POD -c istio-proxy | grep -iE "cert|sds"')).toBe('kubectl logs web-1 -n demo -c istio-proxy | grep -iE "cert|sds"');
    expect(f('mtls-doctor diagnose pod/POD -n NS')).toBe('mtls-doctor diagnose pod/web-1 -n demo');
    expect(f('kubectl rollout restart deployment/NAME -n NS')).toBe('kubectl rollout restart deployment/NAME -n demo');
    expect(f('for p in POD PEER_POD; do istioctl proxy-config secret $p -n NS | grep ROOTCA; done')).toBe('for p in web-1 PEER_POD; do istioctl proxy-config secret $p -n NS | grep ROOTCA; done');
    expect(f('istioctl proxy-config secret PEER_POD -n NS; kubectl get pod CLIENT_POD -n NAMESPACE')).toBe('istioctl proxy-config secret PEER_POD -n NS; kubectl get pod CLIENT_POD -n NAMESPACE');
    expect(f('PODS and the DNS name')).toBe('PODS and the DNS name');
  });
});
