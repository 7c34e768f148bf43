/**
 * Issue 25, the rotation drill: stand-in clusters whose certificates were made with the openssl CLI (pinned dates),
 * read end to end through the real Kubernetes client (the fake API server, port-forward to fake Envoy admins).
 * Each step of the safe order and each wrong order is judged by the connection rules on an edited fleet; the
 * breaking connections name client and server pods.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../support/fake-envoy-admin.js';
import { DAY, NOW, YEAR, spiffe, type Issued } from '../support/pki.js';
import { OpensslPki, type OpensslCa } from '../support/openssl-pki.js';
import { startMesh, type MeshFixture, type PodSpec } from '../cluster/fixture.js';
import type { DrillBreak, DrillReport } from '../../src/fleet/drill.js';

const AT = ['--at', new Date(NOW).toISOString()];
let pki: OpensslPki;
let r1: OpensslCa, r2: OpensslCa, i1: OpensslCa, i2: OpensslCa, i1b: OpensslCa;
let dir: string;
const leaves = new Map<string, Issued>();
const leafOf = (ns: string, sa: string, issuer: OpensslCa) => {
  const k = `${ns}/${sa}/${issuer.subject}`;
  if (!leaves.has(k)) leaves.set(k, pki.leaf(issuer, { uris: [spiffe(ns, sa)] }));
  return leaves.get(k)!;
};
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

beforeAll(() => {
  pki = new OpensslPki();
  dir = mkdtempSync(join(tmpdir(), 'mtls-drill-'));
  r1 = pki.root('Mesh Root CA 2025', { notBefore: NOW - YEAR, notAfter: NOW + 9 * YEAR });
  r2 = pki.root('Mesh Root CA 2026', { notBefore: NOW - 10 * DAY, notAfter: NOW + 10 * YEAR });
  i1 = pki.intermediate(r1, 'Mesh Intermediate 2025', { notBefore: NOW - 180 * DAY, notAfter: NOW + YEAR });
  i2 = pki.intermediate(r2, 'Mesh Intermediate 2026', { notBefore: NOW - 9 * DAY, notAfter: NOW + 2 * YEAR });
  i1b = pki.intermediate(r1, 'Mesh Intermediate 2025b', { notBefore: NOW - 2 * DAY, notAfter: NOW + 2 * YEAR });
});
afterAll(() => {
  pki?.close();
  rmSync(dir, { recursive: true, force: true });
});

let fixtures: MeshFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.map((f) => f.close()));
  fixtures = [];
});

interface Side {
  issuer: OpensslCa;
  trusts: OpensslCa[];
}
/** shop: web (the caller), and two ledger pods behind Service ledger:8080. */
async function shop(o: { web: Side; ledgerA: Side; ledgerB: Side; configMap?: OpensslCa[]; secrets?: Array<{ name: string; data: Record<string, string> }> }) {
  const pod = (name: string, sa: string, app: string, side: Side): PodSpec => ({
    name,
    namespace: 'shop',
    serviceAccount: sa,
    labels: { app },
    admin: { chain: [leafOf('shop', `${sa}-${name}`.replace(/-[a-z]$/, ''), side.issuer), side.issuer], roots: side.trusts },
  });
  const m = await startMesh([pod('web-1', 'web', 'web', o.web), pod('ledger-a', 'ledger', 'ledger', o.ledgerA), pod('ledger-b', 'ledger', 'ledger', o.ledgerB)], {
    services: [{ name: 'ledger', namespace: 'shop', selector: { app: 'ledger' }, ports: [{ port: 8080 }] }],
    configMaps: [{ namespace: 'shop', name: 'istio-ca-root-cert', data: { 'root-cert.pem': (o.configMap ?? [r1]).map((c) => c.pem).join('') } }],
    ...(o.secrets ? { secrets: o.secrets.map((s) => ({ namespace: 'istio-system', ...s })) } : {}),
  });
  fixtures.push(m);
  return m;
}

async function drill(m: MeshFixture, newCa: string, args: string[] = []) {
  const r = await runCliInProcess(['rotation', 'drill', '--new-ca', newCa, '-n', 'shop', '--kubeconfig', m.api.kubeconfig, ...AT, '-o', 'json', ...args]);
  return { ...r, report: (r.stdout ? JSON.parse(r.stdout) : null) as DrillReport };
}

/** A break as `client → server (directions)`, for exact comparison. */
const show = (bs: DrillBreak[]) => bs.map((b) => `${b.client.pods.join(',')} → ${b.server.pods.join(',')} ${b.directions.join('+')}`).sort();

const web = 'shop/web-1';
const ledgerA = 'shop/ledger-a';
const ledgerB = 'shop/ledger-b';

describe('a healthy mesh and a new root', () => {
  it('the safe order breaks nothing; each wrong order breaks exactly what it should, pods named', async () => {
    const m = await shop({ web: { issuer: i1, trusts: [r1] }, ledgerA: { issuer: i1, trusts: [r1] }, ledgerB: { issuer: i1, trusts: [r1] } });
    const { code, report, stderr } = await drill(m, file('new-ca.pem', i2.pem + r2.pem));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(report.trustChangeNeeded).toBe(true);
    expect(report.safe).toBe(true);
    expect(report.alreadyBroken).toEqual([]);
    expect(report.steps.map((s) => [s.step, s.status, s.breaks.length])).toEqual([[1, 'next', 0], [2, 'pending', 0], [3, 'pending', 0], [4, 'pending', 0], [5, 'pending', 0]]);
    expect(report.newCa.issuer.name).toBe('Mesh Intermediate 2026');
    expect(report.newCa.root).toEqual(expect.objectContaining({ name: 'Mesh Root CA 2026', inFile: true }));
    expect(report.oldRoots.map((r) => r.name)).toEqual(['Mesh Root CA 2025']);
    // Every pod gets a simulated leaf; no pod trusts the new root, so issuing now cuts every connection, both ways.
    expect(report.simulated.pods).toEqual([ledgerA, ledgerB, web]);
    const early = report.wrongOrders.find((w) => w.id === 'issue-before-trusted')!;
    expect(show(early.breaks)).toEqual([`${ledgerA},${ledgerB} → ${ledgerA},${ledgerB} client-to-server+server-to-client`, `${web} → ${ledgerA},${ledgerB} client-to-server+server-to-client`]);
    expect(early.breaks.every((b) => b.simulated && b.findings.every((f) => f.simulated))).toBe(true);
    expect(early.breaks[0]!.server.services).toEqual(['shop/ledger']);
    // Removing the old root before any leaf rotated: every old leaf is rejected; nothing there rests on a simulated leaf.
    const removeEarly = report.wrongOrders.find((w) => w.id === 'remove-old-root-early')!;
    expect(show(removeEarly.breaks)).toEqual(show(early.breaks));
    expect(removeEarly.breaks.some((b) => b.simulated)).toBe(false);
  });

  it('issuing early breaks exactly the calls that meet a pod without the new root: into it, and from it', async () => {
    // Step 2 in progress: ledger-b has not received the new root yet.
    const m = await shop({ web: { issuer: i1, trusts: [r1, r2] }, ledgerA: { issuer: i1, trusts: [r1, r2] }, ledgerB: { issuer: i1, trusts: [r1] }, configMap: [r1, r2] });
    const { code, report } = await drill(m, file('new-ca.pem', i2.pem + r2.pem));
    expect(code).toBe(0);
    expect(report.startsAt.step).toBe(2);
    expect(report.steps.map((s) => s.status)).toEqual(['done', 'next', 'pending', 'pending', 'pending']);
    // Step 2's commands name the straggler.
    expect(report.steps[1]!.commands.join('\n')).toContain('kubectl -n shop delete pod ledger-b');
    expect(report.steps[1]!.commands.join('\n')).not.toContain('delete pod ledger-a');
    const early = report.wrongOrders.find((w) => w.id === 'issue-before-trusted')!.breaks;
    expect(early.length).toBeGreaterThan(0);
    for (const b of early) {
      for (const f of b.findings) {
        // client-to-server: the server verifies the client's (new) leaf; only ledger-b lacks the root.
        if (f.direction === 'client-to-server') expect(b.server.pods).toEqual([ledgerB]);
        if (f.direction === 'server-to-client') expect(b.client.pods).toEqual([ledgerB]);
        expect(f.simulated).toBe(true);
      }
    }
    // Every call into ledger-b breaks, from web and from ledger-a; every call from ledger-b into a re-issued server too.
    expect(show(early)).toEqual([`${ledgerA} → ${ledgerB} client-to-server`, `${ledgerB} → ${ledgerA} server-to-client`, `${ledgerB} → ${ledgerB} client-to-server+server-to-client`, `${web} → ${ledgerB} client-to-server`]);
  });
});

describe('a mesh already mid-rotation', () => {
  it('starts from its phase; removing the old root early breaks exactly the pods whose leaves still chain to it', async () => {
    // Step 4 in progress: every pod trusts both roots; web and ledger-a serve leaves of the new CA, ledger-b not yet.
    const both = [r1, r2];
    const m = await shop({ web: { issuer: i2, trusts: both }, ledgerA: { issuer: i2, trusts: both }, ledgerB: { issuer: i1, trusts: both }, configMap: both });
    const { code, report } = await drill(m, file('new-ca.pem', i2.pem + r2.pem));
    expect(code).toBe(0);
    expect(report.startsAt.step).toBe(4);
    expect(report.startsAt.detail).toMatch(/phase 4 of 5/);
    expect(report.steps.map((s) => s.status)).toEqual(['done', 'done', 'done', 'next', 'pending']);
    expect(report.steps.every((s) => s.breaks.length === 0)).toBe(true);
    // Only ledger-b is re-issued in the simulation: the others keep the real leaves they serve.
    expect(report.simulated.pods).toEqual([ledgerB]);
    const removeEarly = report.wrongOrders.find((w) => w.id === 'remove-old-root-early')!.breaks;
    for (const b of removeEarly) {
      for (const f of b.findings) {
        if (f.direction === 'client-to-server') expect(b.client.pods).toEqual([ledgerB]);
        if (f.direction === 'server-to-client') expect(b.server.pods).toEqual([ledgerB]);
        expect(f.simulated).toBe(false);
      }
    }
    expect(show(removeEarly)).toEqual([`${ledgerA} → ${ledgerB} server-to-client`, `${ledgerB} → ${ledgerA} client-to-server`, `${ledgerB} → ${ledgerB} client-to-server+server-to-client`, `${web} → ${ledgerB} server-to-client`]);
    // Issuing early is moot here: every pod trusts the new root already.
    expect(report.wrongOrders.find((w) => w.id === 'issue-before-trusted')!.breaks).toEqual([]);
  });

  it('an out-of-order fleet: what is broken today is listed apart, and the drill exits 1', async () => {
    const m = await shop({ web: { issuer: i2, trusts: [r1, r2] }, ledgerA: { issuer: i1, trusts: [r1] }, ledgerB: { issuer: i1, trusts: [r1] }, configMap: [r1, r2] });
    const { code, report } = await drill(m, file('new-ca.pem', i2.pem + r2.pem));
    expect(code).toBe(1);
    expect(report.startsAt.step).toBe(2);
    expect(report.startsAt.detail).toMatch(/out of order/);
    expect(show(report.alreadyBroken)).toEqual([`${web} → ${ledgerA},${ledgerB} client-to-server`]);
    // The safe order from here breaks nothing more.
    expect(report.steps.every((s) => s.breaks.length === 0)).toBe(true);
  });
});

describe('a new intermediate under the same root', () => {
  it('needs no trust change: the drill says so, and re-issuing breaks nothing', async () => {
    const m = await shop({ web: { issuer: i1, trusts: [r1] }, ledgerA: { issuer: i1, trusts: [r1] }, ledgerB: { issuer: i1, trusts: [r1] } });
    const newCa = file('new-intermediate.pem', i1b.pem);
    const { code, report } = await drill(m, newCa);
    expect(code).toBe(0);
    expect(report.trustChangeNeeded).toBe(false);
    expect(report.newCa.root).toEqual(expect.objectContaining({ name: 'Mesh Root CA 2025', inFile: false }));
    expect(report.steps.map((s) => s.status)).toEqual(['not-needed', 'not-needed', 'next', 'pending', 'not-needed']);
    expect(report.steps.every((s) => s.breaks.length === 0)).toBe(true);
    expect(report.wrongOrders.every((w) => !w.applicable)).toBe(true);
    expect(report.simulated.pods).toEqual([ledgerA, ledgerB, web]);
    const text = await runCliInProcess(['rotation', 'drill', '--new-ca', newCa, '-n', 'shop', '--kubeconfig', m.api.kubeconfig, ...AT], { COLUMNS: '80' });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/No trust change needed/);
    expect(text.stdout.split('\n').every((l) => l.length <= 80)).toBe(true);
  });
});

describe('nothing to judge', () => {
  it('no pod read backs a Service: the drill says so instead of claiming that nothing breaks', async () => {
    const m = await startMesh([{ name: 'web-1', namespace: 'shop', serviceAccount: 'web', labels: { app: 'web' }, admin: { chain: [leafOf('shop', 'web', i1), i1], roots: [r1] } }], { configMaps: [{ namespace: 'shop', name: 'istio-ca-root-cert', data: { 'root-cert.pem': r1.pem } }] });
    fixtures.push(m);
    const { report } = await drill(m, file('new-ca.pem', i2.pem + r2.pem));
    expect(report.connectionsJudged).toBe(0);
    expect(report.wrongOrders[0]!.summary).toBe('No connection to judge: no pod read backs a Service.');
    const text = await runCliInProcess(['rotation', 'drill', '--new-ca', join(dir, 'new-ca.pem'), '-n', 'shop', '--kubeconfig', m.api.kubeconfig, ...AT]);
    expect(text.stdout).toMatch(/No connection to judge: no pod read backs a Service/);
  });

  it('no pod could be read: exit 3, as scan', async () => {
    const m = await startMesh([{ name: 'batch-1', namespace: 'shop', labels: { app: 'batch' }, sidecar: false }]);
    fixtures.push(m);
    const { code, report } = await drill(m, file('new-ca.pem', i2.pem + r2.pem));
    expect(report.pods).toEqual({ total: 1, read: 0 });
    expect(code).toBe(3);
  });
});

describe('a safe step that would break', () => {
  it('an expired new intermediate: steps 3 and 4 break every connection, findings marked simulated; exit 1', async () => {
    const expired = pki.intermediate(r2, 'Mesh Intermediate 2026 (expired)', { notBefore: NOW - 2 * YEAR, notAfter: NOW - DAY });
    const m = await shop({ web: { issuer: i1, trusts: [r1] }, ledgerA: { issuer: i1, trusts: [r1] }, ledgerB: { issuer: i1, trusts: [r1] } });
    const { code, report } = await drill(m, file('expired.pem', expired.pem + r2.pem));
    expect(code).toBe(1);
    expect(report.safe).toBe(false);
    const s4 = report.steps.find((s) => s.step === 4)!;
    expect(s4.breaks.length).toBe(2);
    expect(s4.breaks.flatMap((b) => b.findings.map((f) => f.rule))).toContain('expiry/intermediate-expired');
    expect(s4.breaks.every((b) => b.simulated)).toBe(true);
    expect(report.steps.find((s) => s.step === 2)!.breaks).toEqual([]);
  });
});

describe('the runbook (-o markdown) and the CA in use', () => {
  it('plug-in cacerts: the commands for it, the check between steps, the rollback, the pods at risk', async () => {
    const m = await shop({ web: { issuer: i1, trusts: [r1, r2] }, ledgerA: { issuer: i1, trusts: [r1, r2] }, ledgerB: { issuer: i1, trusts: [r1] }, configMap: [r1, r2], secrets: [{ name: 'cacerts', data: { 'ca-cert.pem': i1.pem, 'ca-key.pem': 'NEVER-READ', 'cert-chain.pem': i1.pem + r1.pem, 'root-cert.pem': r1.pem + r2.pem } }] });
    const r = await runCliInProcess(['rotation', 'drill', '--new-ca', file('new-ca.pem', i2.pem + r2.pem), '-n', 'shop', '--read-ca-secrets', '--kubeconfig', m.api.kubeconfig, ...AT, '-o', 'markdown']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const md = r.stdout;
    expect(md).not.toContain('NEVER-READ');
    expect(md).toMatch(/^# CA rotation runbook: Mesh Root CA 2026/);
    expect(md).toMatch(/\*\*CA in use:\*\* plug-in CA \(istio-system\/cacerts\)/);
    expect(md).toContain('## Step 1: add the new root to every trust bundle (done)');
    expect(md).toContain('## Step 2: verify distribution: every pod trusts the new root (next)');
    expect(md).toContain('kubectl -n istio-system create secret generic cacerts --from-file=ca-cert.pem=new-ca-cert.pem');
    expect(md).toContain('**Check before going on:** `mtls-doctor rotation status -n shop` must show: phase 2 of 5: distributing the new root to every pod (complete)');
    expect(md).toContain('**Roll back:**');
    expect(md).toContain('kubectl -n shop delete pod ledger-b');
    // The wrong order names the pods at risk.
    expect(md).toMatch(/### Issue from the new CA before the new root is everywhere[^]*`shop\/web-1` → `shop\/ledger-b`/);
  });

  it('istiod\'s self-signed CA, SPIRE, istio-csr, and "cannot tell"', async () => {
    const m = await shop({ web: { issuer: i1, trusts: [r1] }, ledgerA: { issuer: i1, trusts: [r1] }, ledgerB: { issuer: i1, trusts: [r1] }, secrets: [{ name: 'istio-ca-secret', data: { 'ca-cert.pem': r1.pem, 'ca-key.pem': 'NEVER-READ' } }] });
    const newCa = file('new-ca.pem', i2.pem + r2.pem);
    const md = async (extra: string[]) => (await runCliInProcess(['rotation', 'drill', '--new-ca', newCa, '-n', 'shop', '--kubeconfig', m.api.kubeconfig, ...AT, '-o', 'markdown', ...extra])).stdout;
    const selfSigned = await md(['--read-ca-secrets']);
    expect(selfSigned).toContain("istiod's self-signed CA (istio-system/istio-ca-secret)");
    expect(selfSigned).toContain("get secret istio-ca-secret -o jsonpath='{.data.ca-cert\\.pem}'");
    expect(selfSigned).not.toContain('NEVER-READ');
    const unknown = await md([]);
    expect(unknown).toContain('cannot tell: the CA Secrets were not read');
    expect(unknown).toContain('--ca-type cacerts|istiod|istio-csr|spire');
    expect(await md(['--ca-type', 'istio-csr'])).toContain('patch issuer istio-ca');
    expect(await md(['--ca-type', 'spire'])).toContain('spire-server localauthority x509 prepare');
  });
});

describe('bad input: one line, exit 2', () => {
  it.each([
    ['no --new-ca', [], /rotation drill needs --new-ca FILE/],
    ['a missing file', ['--new-ca', '/nonexistent/new-ca.pem'], /Cannot read --new-ca file "\/nonexistent\/new-ca.pem"/],
    ['no certificate', ['--new-ca', 'NOCERT'], /--new-ca file .*: it is neither PEM nor DER certificate data; give the new CA's certificates/],
    ['a leaf', ['--new-ca', 'LEAF'], /is not a CA certificate \(a workload leaf\?\)/],
    ['a private key', ['--new-ca', 'KEY'], /holds a private key\. The drill reads the new CA's certificates only/],
    ['an intermediate without its root', ['--new-ca', 'ORPHAN'], /chains to no root in the file or the fleet/],
    ['another root than the intermediate\'s', ['--new-ca', 'MISMATCH'], /"Mesh Intermediate 2026" chains to no root in the file or the fleet \("O=cluster.local, CN=Mesh Root CA 2026" is missing\)/],
  ])('%s', async (_name, args, message) => {
    const m = await shop({ web: { issuer: i1, trusts: [r1] }, ledgerA: { issuer: i1, trusts: [r1] }, ledgerB: { issuer: i1, trusts: [r1] } });
    const sub: Record<string, string> = { NOCERT: file('nocert.pem', 'hello\n'), LEAF: file('leaf.pem', leafOf('shop', 'x', i2).pem), KEY: file('key.pem', i2.pem + generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' })), ORPHAN: file('orphan.pem', i2.pem), MISMATCH: file('mismatch.pem', i2.pem + r1.pem) };
    const r = await runCliInProcess(['rotation', 'drill', ...args.map((a) => sub[a] ?? a), '-n', 'shop', '--kubeconfig', m.api.kubeconfig, ...AT]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('--new-ca belongs to drill', async () => {
    const r = await runCliInProcess(['rotation', 'status', '--new-ca', 'x.pem', '--evidence', 'x.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Cannot use --new-ca with rotation status: it is for rotation drill/);
  });
});
