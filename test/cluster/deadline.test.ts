/**
 * One deadline for a whole cluster diagnosis (issue 22), through the real Kubernetes client against the fake API
 * server: port-forward and exec streams that open and then hang (a node that stopped answering), for the target
 * pod and for the server pods of a connection. Each test is bounded by the diagnosis's deadline plus a margin
 * for the client's own work, not by tight timing; each asserts what the report says about what timed out.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { diagnose } from '../../src/index.js';
import { AT, startMesh, type MeshFixture, type PodSpec } from './fixture.js';
import { NOW } from '../support/pki.js';
import { LIMITS } from '../../src/limits.js';
import type { SourceRecord } from '../../src/evidence/types.js';

/** What the fake server and the client may add past the deadline: closing streams, the judgement itself. */
const MARGIN_MS = 3000;
const HANG = { hang: { portForward: true, exec: true } };

const reviews = (name: string, o: Partial<PodSpec> = {}): PodSpec => ({ name, namespace: 'demo', labels: { app: 'reviews' }, serviceAccount: 'reviews', appPorts: [{ port: 9080, name: 'http' }], ...o });
const web: PodSpec = { name: 'web-1', namespace: 'demo', labels: { app: 'web' }, serviceAccount: 'web' };
const service = { name: 'reviews', namespace: 'demo', selector: { app: 'reviews' }, ports: [{ port: 9080, targetPort: 9080 }] };

describe('a cluster diagnosis under one deadline: port-forward and exec that hang', () => {
  let m: MeshFixture | undefined;
  // The deadline starts once the code is loaded; loaded here, the first test's clock measures only the waits.
  beforeAll(async () => {
    await import('../../src/collect/kube/index.js');
    await import('../../src/diagnose/connections.js');
  });
  afterEach(async () => {
    await m?.close();
    m = undefined;
  });

  it('the target pod: port-forward, then exec, each get what is left; the diagnosis ends at the deadline and names the sidecar access that timed out', async () => {
    m = await startMesh([{ ...web, ...HANG }]);
    const budgetMs = 3000;
    const started = Date.now();
    // Nothing else holds evidence: one clear E_NO_EVIDENCE naming the stream that timed out, within the deadline.
    await expect(diagnose({ target: 'pod/web-1', namespace: 'demo', kubeconfig: m.api.kubeconfig, at: NOW }, { env: {}, budgetMs })).rejects.toMatchObject({
      code: 'E_NO_EVIDENCE',
      message: expect.stringMatching(/sidecar access: port-forward: port-forward to 15000 opened, but no answer came through it within \d+(\.\d)?s; exec: not tried: the diagnosis's 3 s deadline had passed/),
    });
    expect(Date.now() - started).toBeLessThan(budgetMs + MARGIN_MS);
    expect(m.api.requests.map((r) => r.resource)).toContain('pods/portforward');
  }, 30_000);

  it('the target pod, each stream at its own cap well inside the deadline: port-forward, then exec, both tried and both timed out', async () => {
    m = await startMesh([{ ...web, ...HANG }]);
    const started = Date.now();
    await expect(diagnose({ target: 'pod/web-1', namespace: 'demo', kubeconfig: m.api.kubeconfig, at: NOW }, { env: {}, kube: { timeoutMs: 1000 } })).rejects.toMatchObject({
      code: 'E_NO_EVIDENCE',
      message: expect.stringMatching(/sidecar access: port-forward: .*no answer came through it within 1s; exec: .*gave no complete answer to create pods\/exec "web-1" in namespace "demo" within 1s/),
    });
    // Two 1 s caps one after the other (exec is tried only when port-forward fails), far inside the 30 s deadline.
    expect(Date.now() - started).toBeLessThan(2 * 1000 + MARGIN_MS);
    const kinds = m.api.requests.map((r) => r.resource);
    expect(kinds).toContain('pods/portforward');
    expect(kinds).toContain('pods/exec');
  }, 30_000);

  it('connection mode (pod/A --peer SVC:PORT): server pods that hang are cut at the deadline, the others are judged, and the report says which were not', async () => {
    m = await startMesh([web, reviews('reviews-1'), reviews('reviews-2'), reviews('reviews-3', HANG), reviews('reviews-4', HANG), reviews('reviews-5', HANG), reviews('reviews-6', HANG)], { services: [service] });
    const budgetMs = 4000;
    const started = Date.now();
    const report = await diagnose({ target: 'pod/web-1', namespace: 'demo', kubeconfig: m.api.kubeconfig, peer: 'reviews:9080', at: NOW }, { env: {}, budgetMs });
    expect(Date.now() - started).toBeLessThan(budgetMs + MARGIN_MS);
    const peerSidecars = report.sources.find((s) => s.name === 'peer sidecars') as SourceRecord;
    expect(peerSidecars).toMatchObject({ status: 'ok', timedOut: true });
    // The two healthy pods were read; the four that hang were not, and each is named with why.
    expect(peerSidecars.detail).toMatch(/^2 of 6 ready pods read/);
    for (const n of [3, 4, 5, 6]) expect(peerSidecars.detail).toMatch(new RegExp(`pod/reviews-${n} \\(`));
    expect(peerSidecars.notJudged).toMatch(/pod\/reviews-3, pod\/reviews-4, pod\/reviews-5, pod\/reviews-6/);
    // What was read is healthy, but four endpoints were not judged: never "healthy".
    expect(report.verdict).toBe('unknown');
    expect(report.findings.filter((f) => f.severity === 'error' || f.severity === 'critical')).toEqual([]);
  }, 30_000);

  it('the CLI with its own deadline (LIMITS.clusterDiagnoseBudgetMs): two hanging server pods end within it, named in the text report', async () => {
    m = await startMesh([web, reviews('reviews-1'), reviews('reviews-2', HANG), reviews('reviews-3', HANG)], { services: [service] });
    const { runCliInProcess } = await import('../support/fake-envoy-admin.js');
    const started = Date.now();
    // The text form, at 80 columns: the timed-out source at the top; the pods not read and why at the bottom.
    const text = await runCliInProcess(['diagnose', 'pod/web-1', '-n', 'demo', '--peer', 'reviews:9080', '--kubeconfig', m.api.kubeconfig, ...AT], { COLUMNS: '80' });
    // Each hanging pod: port-forward, then exec, each at its 10 s cap; never past the deadline.
    expect(Date.now() - started).toBeLessThan(LIMITS.clusterDiagnoseBudgetMs + MARGIN_MS);
    expect(text.stderr).toBe('');
    const flat = text.stdout.replace(/\s+/g, ' ');
    expect(flat).toMatch(/^mtls-doctor UNKNOWN .* timed out: peer sidecars /);
    expect(flat).toMatch(/peer sidecars: timed out — 1 of 3 ready pods read .*pod\/reviews-2 \(.*pod\/reviews-3 \(.* not judged: what pod\/reviews-2, pod\/reviews-3 serve and trust/);
  }, LIMITS.clusterDiagnoseBudgetMs + 30_000);
});
