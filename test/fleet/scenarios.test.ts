/**
 * Issue 19, the fleet half: stand-in clusters whose certificates were made with the openssl CLI, read end to end
 * through the real Kubernetes client (the fake API server, port-forward to fake Envoy admins). The scan is the
 * same rules over classes: the two mid-rotation cases show the cut-off connections (both ways), the 45-day
 * intermediate is one judgement in `diagnose` and `scan`, and `rotation plan` never restarts pods into a stale
 * trust source. An older saved scan still replays.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../support/fake-envoy-admin.js';
import { DAY, NOW, YEAR, spiffe, type Issued } from '../support/pki.js';
import { OpensslPki, type OpensslCa } from '../support/openssl-pki.js';
import { startMesh, type MeshFixture, type PodSpec } from '../cluster/fixture.js';
import { scan } from '../../src/index.js';
import type { ScanReport } from '../../src/fleet/types.js';

const AT = ['--at', new Date(NOW).toISOString()];
let pki: OpensslPki;
type OpensslCert = Issued;
let r1: OpensslCa, r2: OpensslCa, i1: OpensslCa, i2: OpensslCa;
const leaves = new Map<string, Issued>();
/** A leaf for `sa` in `ns` under the old (1) or new (2) intermediate, made once. */
const leafOf = (ns: string, sa: string, gen: 1 | 2) => {
  const k = `${ns}/${sa}/${gen}`;
  if (!leaves.has(k)) leaves.set(k, pki.leaf(gen === 1 ? i1 : i2, { uris: [spiffe(ns, sa)] }));
  return leaves.get(k)!;
};
const as = (c: Issued) => c;

beforeAll(() => {
  pki = new OpensslPki();
  r1 = pki.root('Mesh Root CA 2025', { notBefore: NOW - YEAR, notAfter: NOW + 9 * YEAR });
  r2 = pki.root('Mesh Root CA 2026', { notBefore: NOW - 10 * DAY, notAfter: NOW + 10 * YEAR });
  i1 = pki.intermediate(r1, 'Mesh Intermediate 2025', { notBefore: NOW - 180 * DAY, notAfter: NOW + YEAR });
  i2 = pki.intermediate(r2, 'Mesh Intermediate 2026', { notBefore: NOW - 9 * DAY, notAfter: NOW + 2 * YEAR });
});
afterAll(() => pki?.close());

let fixtures: MeshFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.map((f) => f.close()));
  fixtures = [];
});

/** checkout: payments (the caller) and two ledger pods behind Service ledger:8080. */
async function checkout(o: { payments: { gen: 1 | 2; trusts: OpensslCert[] }; ledger: { gen: 1 | 2; trusts: OpensslCert[] }; configMap?: OpensslCert[]; cacerts?: Record<string, string>; denyServices?: boolean }) {
  const pod = (name: string, sa: string, app: string, side: { gen: 1 | 2; trusts: OpensslCert[] }): PodSpec => ({
    name,
    namespace: 'checkout',
    serviceAccount: sa,
    labels: { app },
    admin: { chain: [as(leafOf('checkout', sa, side.gen)), as(side.gen === 1 ? i1 : i2)], roots: side.trusts.map(as) },
  });
  const m = await startMesh(
    [pod('payments-7d9f-abcde', 'payments', 'payments', o.payments), pod('ledger-5c4b-aaaaa', 'ledger', 'ledger', o.ledger), pod('ledger-5c4b-bbbbb', 'ledger', 'ledger', o.ledger)],
    {
      services: [{ name: 'ledger', namespace: 'checkout', selector: { app: 'ledger' }, ports: [{ port: 8080 }] }],
      configMaps: [{ namespace: 'checkout', name: 'istio-ca-root-cert', data: { 'root-cert.pem': (o.configMap ?? [r1]).map((c) => c.pem).join('') } }],
      ...(o.cacerts ? { secrets: [{ namespace: 'istio-system', name: 'cacerts', data: o.cacerts }] } : {}),
      ...(o.denyServices ? { deny: [{ verb: 'list', resource: 'services', namespace: 'checkout' }] } : {}),
    },
  );
  fixtures.push(m);
  return m;
}

async function scanJson(m: MeshFixture, args: string[] = []) {
  const r = await runCliInProcess(['scan', '-n', 'checkout', '--kubeconfig', m.api.kubeconfig, ...AT, '-o', 'json', ...args]);
  return { ...r, report: (r.stdout ? JSON.parse(r.stdout) : null) as ScanReport };
}

const ledgerPods = ['checkout/ledger-5c4b-aaaaa', 'checkout/ledger-5c4b-bbbbb'];

describe('mid-rotation: the scan names the connections that are cut off, both ways', () => {
  it('caller ahead: payments serves a new-root leaf, both ledger pods trust only the old root → payments → ledger is broken', async () => {
    const m = await checkout({ payments: { gen: 2, trusts: [r1, r2] }, ledger: { gen: 1, trusts: [r1] } });
    const { code, report, stderr } = await scanJson(m);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    const broken = report.connections!.filter((c) => c.verdict === 'failing');
    expect(broken).toHaveLength(1);
    const c = broken[0]!;
    expect(c.client.pods).toEqual(['checkout/payments-7d9f-abcde']);
    expect(c.server.pods).toEqual(ledgerPods);
    expect(c.server.services).toEqual(['checkout/ledger']);
    const f = c.findings.find((x) => x.rule === 'chain/rotation-order-violation')!;
    expect(f).toBeDefined();
    expect(f.connection.direction).toBe('client-to-server');
    expect(f.severity).toBe('critical');
    // The text report names the cut-off connection and its pods.
    const text = await runCliInProcess(['scan', '-n', 'checkout', '--kubeconfig', m.api.kubeconfig, ...AT]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/BROKEN/);
    expect(text.stdout).toContain('payments-7d9f-abcde');
    expect(text.stdout).toContain('chain/rotation-order-violation');
    // Only classes that back a Service are servers: ledger → payments is not a connection (payments serves nothing).
    expect(report.connections!.every((x) => x.server.services.length > 0)).toBe(true);
  });

  it('server ahead: both ledger pods re-issued under the new root, payments trusts only the old one → broken server-to-client', async () => {
    const m = await checkout({ payments: { gen: 1, trusts: [r1] }, ledger: { gen: 2, trusts: [r1, r2] } });
    const { code, report } = await scanJson(m);
    expect(code).toBe(1);
    const broken = report.connections!.filter((c) => c.verdict === 'failing');
    expect(broken.map((c) => [c.client.pods, c.server.pods])).toEqual([[['checkout/payments-7d9f-abcde'], ledgerPods]]);
    const dirs = broken[0]!.findings.filter((f) => f.severity === 'critical' || f.severity === 'error').map((f) => `${f.rule} ${f.connection.direction}`);
    expect(dirs).toContain('chain/rotation-order-violation server-to-client');
  });

  it('half the ledger pods re-issued: two server classes, only the new one is cut off from payments', async () => {
    const m = await startMesh(
      [
        { name: 'payments-1', namespace: 'checkout', serviceAccount: 'payments', labels: { app: 'payments' }, admin: { chain: [as(leafOf('checkout', 'payments', 1)), as(i1)], roots: [as(r1)] } },
        { name: 'ledger-old', namespace: 'checkout', serviceAccount: 'ledger', labels: { app: 'ledger' }, admin: { chain: [as(leafOf('checkout', 'ledger', 1)), as(i1)], roots: [as(r1), as(r2)] } },
        { name: 'ledger-new', namespace: 'checkout', serviceAccount: 'ledger', labels: { app: 'ledger' }, admin: { chain: [as(leafOf('checkout', 'ledger', 2)), as(i2)], roots: [as(r1), as(r2)] } },
      ],
      { services: [{ name: 'ledger', namespace: 'checkout', selector: { app: 'ledger' }, ports: [{ port: 8080 }] }], configMaps: [{ namespace: 'checkout', name: 'istio-ca-root-cert', data: { 'root-cert.pem': r1.pem + r2.pem } }] },
    );
    fixtures.push(m);
    const { report } = await scanJson(m);
    expect(report.classes!.filter((c) => c.services.includes('checkout/ledger')).map((c) => c.pods)).toEqual(expect.arrayContaining([['checkout/ledger-old'], ['checkout/ledger-new']]));
    const broken = report.connections!.filter((c) => c.verdict === 'failing');
    expect(broken.map((c) => `${c.client.pods} → ${c.server.pods}`)).toEqual(['checkout/payments-1 → checkout/ledger-new']);
  });

  it('Services that cannot be listed (RBAC): every class counts as a server, the broken connection is still found', async () => {
    const m = await checkout({ payments: { gen: 2, trusts: [r1, r2] }, ledger: { gen: 1, trusts: [r1] }, denyServices: true });
    const { code, report, stderr } = await scanJson(m);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(report.classes!.every((c) => c.services.length === 0)).toBe(true);
    expect(report.connections!.some((c) => c.verdict === 'failing' && c.client.pods.includes('checkout/payments-7d9f-abcde') && c.server.pods.includes('checkout/ledger-5c4b-aaaaa'))).toBe(true);
  });

  it('the fleet verdict is never better than a connection: a broken connection alone fails the scan', async () => {
    const m = await checkout({ payments: { gen: 2, trusts: [r1, r2] }, ledger: { gen: 1, trusts: [r1] } });
    const { report } = await scanJson(m);
    const { fleetVerdict } = await import('../../src/fleet/verdict.js');
    const onlyConnection: ScanReport = { ...report, trustGaps: [], rotation: { ...report.rotation, violations: [] }, certificates: report.certificates.map((c) => ({ ...c, status: 'ok' })), summary: { ...report.summary, driftPods: 0 }, classes: [] };
    expect(fleetVerdict(onlyConnection)).toBe('failing');
  });
});

describe('the 45-day intermediate with 20 days left: one judgement everywhere', () => {
  let short: OpensslCa;
  let dir: string;
  beforeAll(() => {
    short = pki.intermediate(r1, 'Short-lived Intermediate', { notBefore: NOW - 25 * DAY, notAfter: NOW + 20 * DAY });
    dir = mkdtempSync(join(tmpdir(), 'i19-45d-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('diagnose (files) and scan (cluster) both say expiry/intermediate-expiring, warning', async () => {
    const leaf = pki.leaf(short, { uris: [spiffe('demo', 'web')] });
    writeFileSync(join(dir, 'chain.pem'), leaf.pem + short.pem);
    writeFileSync(join(dir, 'root.pem'), r1.pem);
    const d = await runCliInProcess(['diagnose', '--chain', join(dir, 'chain.pem'), '--trust', join(dir, 'root.pem'), ...AT, '-o', 'json']);
    const dj = JSON.parse(d.stdout);
    expect(dj.findings.find((f: { rule: string }) => f.rule === 'expiry/intermediate-expiring')).toMatchObject({ severity: 'warning' });
    expect(dj.verdict).toBe('at-risk');

    const m = await startMesh([{ name: 'web-1', namespace: 'demo', serviceAccount: 'web', admin: { chain: [as(leaf), as(short)], roots: [as(r1)] } }], { configMaps: [{ namespace: 'demo', name: 'istio-ca-root-cert', data: { 'root-cert.pem': r1.pem } }] });
    fixtures.push(m);
    const s = await runCliInProcess(['scan', '-n', 'demo', '--kubeconfig', m.api.kubeconfig, ...AT, '-o', 'json']);
    const sj = JSON.parse(s.stdout) as ScanReport;
    expect(sj.certificates.find((c) => c.level === 'intermediate')).toMatchObject({ subject: expect.stringContaining('Short-lived Intermediate'), status: 'warning' });
    expect(sj.classes![0]!.findings.find((f) => f.rule === 'expiry/intermediate-expiring')).toMatchObject({ severity: 'warning' });
    expect(s.code).toBe(0);
    const strict = await runCliInProcess(['scan', '-n', 'demo', '--kubeconfig', m.api.kubeconfig, ...AT, '--fail-on', 'warning', '-o', 'json']);
    expect(strict.code).toBe(1);
    // The library's scan() agrees.
    const lib = await scan({ namespace: 'demo', kubeconfig: m.api.kubeconfig, at: new Date(NOW) });
    expect(lib.report.certificates.find((c) => c.level === 'intermediate')!.status).toBe('warning');
  });
});

describe('rotation plan reads every trust source before it advises a restart', () => {
  it('a stale root ConfigMap (old root only) with a new-root cacerts: fix them first, never "delete pods"', async () => {
    const m = await checkout({
      payments: { gen: 2, trusts: [r1, r2] },
      ledger: { gen: 1, trusts: [r1] },
      configMap: [r1],
      cacerts: { 'ca-cert.pem': i2.pem, 'ca-key.pem': 'NEVER-READ', 'cert-chain.pem': i2.pem + r2.pem, 'root-cert.pem': r2.pem },
    });
    const plan = await runCliInProcess(['rotation', 'plan', '-n', 'checkout', '--read-ca-secrets', '--kubeconfig', m.api.kubeconfig, ...AT]);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toMatch(/Fix the trust sources first/);
    expect(plan.stdout).toContain('checkout/istio-ca-root-cert');
    expect(plan.stdout).toContain('istio-system/cacerts root-cert.pem');
    expect(plan.stdout).not.toMatch(/delete pod/);
    expect(plan.stdout).not.toMatch(/re-created with the current trust bundle/);
    // Verify over the scope given: -n, not -A.
    expect(plan.stdout).toContain('verify: mtls-doctor rotation status -n checkout');
    expect(plan.stdout).not.toMatch(/rotation status -A/);
    const json = await runCliInProcess(['rotation', 'plan', '-n', 'checkout', '--read-ca-secrets', '--kubeconfig', m.api.kubeconfig, ...AT, '-o', 'json']);
    const rot = JSON.parse(json.stdout);
    expect(rot.blockers.map((b: { kind: string }) => b.kind).sort()).toEqual(['ca-secret-missing-root', 'configmap-missing-root']);
    expect(rot.plan.commands.join('\n')).not.toMatch(/delete pod/);
  });

  it('with the ConfigMap and cacerts holding both roots, the plan may restart the pods that lack the new root', async () => {
    const m = await checkout({ payments: { gen: 2, trusts: [r1, r2] }, ledger: { gen: 1, trusts: [r1] }, configMap: [r1, r2] });
    const plan = await runCliInProcess(['rotation', 'plan', '-n', 'checkout', '--kubeconfig', m.api.kubeconfig, ...AT]);
    expect(plan.stdout).not.toMatch(/Fix the trust sources first/);
    expect(plan.stdout).toMatch(/kubectl -n checkout delete pod ledger-5c4b-aaaaa/);
  });
});

describe('an older saved scan still replays', () => {
  it('a bundle without Services or service accounts (as scans saved before issue 19) gives the report with the new fields added', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'i19-old-bundle-'));
    try {
      const p = (name: string, gen: 1 | 2, trusts: OpensslCert[]) => ({ namespace: 'checkout', name, workload: name.replace(/-[a-z0-9]+$/, ''), status: 'ok', served: [leafOf('checkout', name.split('-')[0]!, gen).pem, (gen === 1 ? i1 : i2).pem], trusted: trusts.map((c) => c.pem) });
      // The shape `scan --save-evidence` wrote before: kind, schemaVersion, collectedAt, scope, durationSeconds, input.
      const old = {
        kind: 'mtls-doctor-fleet-evidence',
        schemaVersion: 1,
        collectedAt: '2026-11-29T02:59:00.000Z',
        scope: { namespaces: ['checkout'] },
        durationSeconds: 1.5,
        input: { pods: [p('payments-1', 2, [r1, r2]), p('ledger-1', 1, [r1]), { namespace: 'checkout', name: 'gone-1', status: 'failed', reason: 'timed out' }], rootConfigMaps: [{ namespace: 'checkout', pem: r1.pem }] },
      };
      writeFileSync(join(dir, 'old.json'), JSON.stringify(old));
      const r = await runCliInProcess(['scan', '--evidence', join(dir, 'old.json'), ...AT, '-o', 'json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
      const rep = JSON.parse(r.stdout) as ScanReport;
      expect(rep.summary).toMatchObject({ pods: 3, ok: 2, failed: 1 });
      expect(rep.rotation.violations[0]).toMatchObject({ kind: 'issuing-before-trusted', pods: ['checkout/ledger-1'] });
      // No Services recorded: every class counts as a server, so the broken pair is found either way round.
      expect(rep.connections!.some((c) => c.verdict === 'failing' && c.client.pods.includes('checkout/payments-1') && c.server.pods.includes('checkout/ledger-1'))).toBe(true);
      expect(rep.rotation.verify).toBe('mtls-doctor rotation status -n checkout');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
