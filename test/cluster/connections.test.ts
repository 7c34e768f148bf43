/**
 * Connections, both ways, end to end: stand-in clusters whose certificates are made with the openssl CLI, read
 * through the real Kubernetes client (port-forward to fake Envoy admins behind the fake API server), judged by
 * `mtls-doctor diagnose pod/A --peer SVC:PORT`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { diagnoseJson, startMesh, type MeshFixture, type PodSpec } from './fixture.js';
import { destinationRule, meshConfigMap } from '../support/fake-kube-api.js';
import { OpensslPki, type OpensslCa } from '../support/openssl-pki.js';
import { spiffe } from '../support/pki.js';
import type { Issued } from '../support/pki.js';

/** A report finding with the connection it is about. */
type Conn = { rule: string; subject: string; severity: string; explanation: string; evidence: Array<{ source: string; detail: string }>; connection?: { direction: string; client: { pods: string[] }; server: { pods: string[] } } };

let pki: OpensslPki;
let oldRoot: OpensslCa, newRoot: OpensslCa, oldInter: OpensslCa, newInter: OpensslCa;

beforeAll(() => {
  pki = new OpensslPki();
  oldRoot = pki.root('Mesh Root CA 2025');
  newRoot = pki.root('Mesh Root CA 2026');
  oldInter = pki.intermediate(oldRoot, 'Mesh Intermediate 2025');
  newInter = pki.intermediate(newRoot, 'Mesh Intermediate 2026');
});
afterAll(() => pki.close());

const ledgerSvc = (ns = 'checkout') => ({ name: 'ledger', namespace: ns, selector: { app: 'ledger' }, ports: [{ port: 8080, targetPort: 8080 }] });
const paymentsSvc = { name: 'payments', namespace: 'checkout', selector: { app: 'payments' }, ports: [{ port: 8080, targetPort: 8080 }] };

function pod(name: string, ns: string, sa: string, app: string, chain: Issued[], roots: Issued[], o: Partial<PodSpec> = {}): PodSpec {
  return { name, namespace: ns, labels: { app, 'security.istio.io/tlsMode': 'istio' }, serviceAccount: sa, appPorts: [{ port: 8080, name: 'http' }], admin: { chain, roots }, agent: false, ...o };
}
const oldLeaf = (ns: string, sa: string, o: Parameters<OpensslPki['leaf']>[1] = { uris: [] }) => pki.leaf(oldInter, { ...o, uris: o.uris.length ? o.uris : [spiffe(ns, sa)] });
const newLeaf = (ns: string, sa: string) => pki.leaf(newInter, { uris: [spiffe(ns, sa)] });
const configMaps = (roots: Record<string, Issued[]>) => [meshConfigMap(), ...Object.entries(roots).map(([ns, rs]) => ({ namespace: ns, name: 'istio-ca-root-cert', data: { 'root-cert.pem': rs.map((r) => r.pem).join('') } }))];

describe('diagnose pod/A --peer SVC:PORT judges A against every ready pod of the service, both ways', () => {
  let m: MeshFixture | undefined;
  afterEach(async () => {
    await m?.close();
    m = undefined;
  });

  it('caller ahead: the caller serves a new-root chain, both ledger pods trust only the old root → FAILING, rotation-order-violation first, naming the pods', async () => {
    m = await startMesh(
      [
        pod('payments-1', 'checkout', 'payments', 'payments', [newLeaf('checkout', 'payments'), newInter], [oldRoot, newRoot]),
        pod('ledger-1', 'checkout', 'ledger', 'ledger', [oldLeaf('checkout', 'ledger'), oldInter], [oldRoot]),
        pod('ledger-2', 'checkout', 'ledger', 'ledger', [oldLeaf('checkout', 'ledger'), oldInter], [oldRoot]),
      ],
      { services: [ledgerSvc()], configMaps: configMaps({ checkout: [oldRoot, newRoot] }) },
    );
    const r = await diagnoseJson(m, ['pod/payments-1', '-n', 'checkout', '--peer', 'ledger:8080']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.report!.verdict).toBe('failing');
    const first = r.report!.findings[0]! as Conn;
    expect(first.rule).toBe('chain/rotation-order-violation');
    expect(first.subject).toBe('local');
    expect(first.connection?.direction).toBe('client-to-server');
    expect(first.connection?.server.pods).toEqual(['pod/ledger-1', 'pod/ledger-2']);
    expect(first.explanation).toMatch(/2 of 2 ready endpoints of ledger\.checkout:8080: pod\/ledger-1, pod\/ledger-2/);
    // No longer "needs the peer's trust bundle": the connection judged it.
    expect(JSON.stringify((r.report as unknown as { notEvaluated: unknown[] }).notEvaluated)).not.toMatch(/rotation-order-violation/);
  });

  it('server ahead: the ledger pods re-issued under the new root, the caller trusts only the old one → FAILING, rotation-order-violation first', async () => {
    m = await startMesh(
      [
        pod('payments-1', 'checkout', 'payments', 'payments', [oldLeaf('checkout', 'payments'), oldInter], [oldRoot]),
        pod('ledger-1', 'checkout', 'ledger', 'ledger', [newLeaf('checkout', 'ledger'), newInter], [oldRoot, newRoot]),
        pod('ledger-2', 'checkout', 'ledger', 'ledger', [newLeaf('checkout', 'ledger'), newInter], [oldRoot, newRoot]),
      ],
      { services: [ledgerSvc()], configMaps: configMaps({ checkout: [oldRoot, newRoot] }) },
    );
    const r = await diagnoseJson(m, ['pod/payments-1', '-n', 'checkout', '--peer', 'ledger:8080']);
    expect(r.code).toBe(1);
    expect(r.report!.verdict).toBe('failing');
    const first = r.report!.findings[0]! as Conn;
    expect(first.rule).toBe('chain/rotation-order-violation');
    expect(first.subject).toBe('peer');
    expect(first.connection?.direction).toBe('server-to-client');
    expect(first.explanation).toMatch(/2 of 2 ready endpoints.*pod\/ledger-1, pod\/ledger-2/);
  });

  it('half the server pods re-issued: two classes, "1 of 2 endpoints", named', async () => {
    m = await startMesh(
      [
        pod('payments-1', 'checkout', 'payments', 'payments', [oldLeaf('checkout', 'payments'), oldInter], [oldRoot]),
        pod('ledger-1', 'checkout', 'ledger', 'ledger', [oldLeaf('checkout', 'ledger'), oldInter], [oldRoot]),
        pod('ledger-2', 'checkout', 'ledger', 'ledger', [newLeaf('checkout', 'ledger'), newInter], [oldRoot, newRoot]),
      ],
      { services: [ledgerSvc()], configMaps: configMaps({ checkout: [oldRoot] }) },
    );
    const r = await diagnoseJson(m, ['pod/payments-1', '-n', 'checkout', '--peer', 'ledger:8080']);
    expect(r.code).toBe(1);
    const f = r.report!.findings[0]!;
    expect(f.rule).toBe('chain/rotation-order-violation');
    expect(f.explanation).toMatch(/1 of 2 ready endpoints of ledger\.checkout:8080: pod\/ledger-2\./);
    expect(f.explanation).not.toMatch(/ledger-1/);
  });

  it("a server SPIFFE id outside the DestinationRule's subjectAltNames → san/identity-mismatch, server-to-client", async () => {
    m = await startMesh(
      [
        pod('payments-1', 'checkout', 'payments', 'payments', [oldLeaf('checkout', 'payments'), oldInter], [oldRoot]),
        pod('ledger-1', 'checkout', 'ledger-v2', 'ledger', [oldLeaf('checkout', 'ledger-v2'), oldInter], [oldRoot]),
      ],
      {
        services: [ledgerSvc()],
        configMaps: configMaps({ checkout: [oldRoot] }),
        destinationRules: [destinationRule('checkout', 'ledger', { host: 'ledger', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL', subjectAltNames: [spiffe('checkout', 'ledger')] } } })],
      },
    );
    const r = await diagnoseJson(m, ['pod/payments-1', '-n', 'checkout', '--peer', 'ledger:8080']);
    expect(r.code).toBe(1);
    const f = r.report!.findings.find((x) => x.rule === 'san/identity-mismatch')! as Conn;
    expect(f.subject).toBe('peer');
    expect(f.connection?.direction).toBe('server-to-client');
    expect(f.explanation).toContain('spiffe://cluster.local/ns/checkout/sa/ledger-v2');
    expect(f.explanation).toMatch(/1 of 1 ready endpoint of ledger\.checkout:8080: pod\/ledger-1/);
  });

  it('a client leaf without clientAuth: its outgoing calls fail, the calls it serves do not', async () => {
    m = await startMesh(
      [
        pod('payments-1', 'checkout', 'payments', 'payments', [oldLeaf('checkout', 'payments', { uris: [], eku: ['serverAuth'] }), oldInter], [oldRoot]),
        pod('ledger-1', 'checkout', 'ledger', 'ledger', [oldLeaf('checkout', 'ledger'), oldInter], [oldRoot]),
      ],
      { services: [ledgerSvc(), paymentsSvc], configMaps: configMaps({ checkout: [oldRoot] }) },
    );
    const out = await diagnoseJson(m, ['pod/payments-1', '-n', 'checkout', '--peer', 'ledger:8080']);
    expect(out.code).toBe(1);
    const f = out.report!.findings.find((x) => x.rule === 'key-usage/missing-client-auth')! as Conn;
    expect(f.connection?.direction).toBe('client-to-server');
    expect(f.subject).toBe('local');
    // ledger calling payments: payments' serverAuth-only leaf is fine as a server.
    const back = await diagnoseJson(m, ['pod/ledger-1', '-n', 'checkout', '--peer', 'payments:8080']);
    expect(back.rules.filter((x) => x.startsWith('key-usage/'))).toEqual([]);
    expect(back.code).toBe(0);
    expect(back.report!.verdict).toBe('healthy');
  });

  it('an ambient (ztunnel/rustls) server judging a chain Envoy accepts: an RSA-1024 client leaf', async () => {
    const weak = pki.leaf(oldInter, { uris: [spiffe('checkout', 'payments')], rsaBits: 1024 });
    const envoyServer = pod('ledger-1', 'checkout', 'ledger', 'ledger', [oldLeaf('checkout', 'ledger'), oldInter], [oldRoot]);
    m = await startMesh(
      [
        pod('payments-1', 'checkout', 'payments', 'payments', [weak, oldInter], [oldRoot]),
        envoyServer,
        pod('ledger-2', 'checkout', 'ledger', 'ledger', [oldLeaf('checkout', 'ledger'), oldInter], [oldRoot], { labels: { app: 'ledger', 'istio.io/dataplane-mode': 'ambient', 'security.istio.io/tlsMode': 'istio' } }),
      ],
      { services: [ledgerSvc()], configMaps: configMaps({ checkout: [oldRoot] }) },
    );
    const r = await diagnoseJson(m, ['pod/payments-1', '-n', 'checkout', '--peer', 'ledger:8080']);
    expect(r.code).toBe(1);
    const f = r.report!.findings.find((x) => x.rule === 'chain/weak-algorithm' && x.severity !== 'warning')! as Conn;
    expect(f).toBeDefined();
    expect(f.connection?.direction).toBe('client-to-server');
    expect(f.connection?.server.pods).toEqual(['pod/ledger-2']);
    expect(f.explanation).toMatch(/ztunnel/);
    expect(f.explanation).toMatch(/1 of 2 ready endpoints.*pod\/ledger-2\./);
  });

  it('beyond --max-pods: the pods not read are listed as not read, and the verdict is never healthy', async () => {
    m = await startMesh(
      [
        pod('payments-1', 'checkout', 'payments', 'payments', [oldLeaf('checkout', 'payments'), oldInter], [oldRoot]),
        pod('ledger-1', 'checkout', 'ledger', 'ledger', [oldLeaf('checkout', 'ledger'), oldInter], [oldRoot]),
        pod('ledger-2', 'checkout', 'ledger', 'ledger', [oldLeaf('checkout', 'ledger'), oldInter], [oldRoot]),
      ],
      { services: [ledgerSvc()], configMaps: configMaps({ checkout: [oldRoot] }) },
    );
    const all = await diagnoseJson(m, ['pod/payments-1', '-n', 'checkout', '--peer', 'ledger:8080']);
    expect(all.report!.verdict).toBe('healthy');
    const one = await diagnoseJson(m, ['pod/payments-1', '-n', 'checkout', '--peer', 'ledger:8080', '--max-pods', '1']);
    expect(one.code).toBe(0);
    expect(one.report!.verdict).toBe('unknown');
    expect(JSON.stringify(one.report)).toMatch(/1 of 2 ready pods read through their istio-proxy; not read: pod\/ledger-2 \(beyond --max-pods 1/);
  });

  it("a peer pod whose port-forward and exec are forbidden: unknown, judged from the namespace's root ConfigMap, never healthy", async () => {
    const base = [pod('payments-1', 'checkout', 'payments', 'payments', [oldLeaf('checkout', 'payments'), oldInter], [oldRoot]), pod('ledger-1', 'bank', 'ledger', 'ledger', [oldLeaf('bank', 'ledger'), oldInter], [oldRoot])];
    const deny = [
      { verb: 'create', resource: 'pods/portforward', namespace: 'bank' },
      { verb: 'create', resource: 'pods/exec', namespace: 'bank' },
    ];
    m = await startMesh(base, { services: [ledgerSvc('bank')], configMaps: configMaps({ checkout: [oldRoot], bank: [oldRoot] }), deny });
    const ok = await diagnoseJson(m, ['pod/payments-1', '-n', 'checkout', '--peer', 'ledger.bank:8080']);
    expect(ok.stderr).toBe('');
    expect(ok.report!.verdict).toBe('unknown');
    expect(JSON.stringify(ok.report)).toMatch(/pod\/ledger-1 \(forbidden: create pods\/portforward/);
    await m.close();
    // The same, with the caller's chain under a root the bank namespace's ConfigMap does not hold: failing, and
    // the finding says it was judged from the ConfigMap.
    m = await startMesh([pod('payments-1', 'checkout', 'payments', 'payments', [newLeaf('checkout', 'payments'), newInter], [oldRoot, newRoot]), base[1]!], { services: [ledgerSvc('bank')], configMaps: configMaps({ checkout: [oldRoot, newRoot], bank: [oldRoot] }), deny });
    const bad = await diagnoseJson(m, ['pod/payments-1', '-n', 'checkout', '--peer', 'ledger.bank:8080']);
    expect(bad.code).toBe(1);
    const f = bad.report!.findings[0]!;
    expect(f.rule).toBe('chain/rotation-order-violation');
    expect(f.explanation).toMatch(/judged from the namespace's istio-ca-root-cert ConfigMap/);
    expect(f.evidence.map((e) => e.source)).toContain('ConfigMap bank/istio-ca-root-cert');
  });
});

describe('connections in the evidence bundle, and live corroboration', () => {
  let m: MeshFixture | undefined;
  afterEach(async () => {
    await m?.close();
    m = undefined;
  });

  it("replays offline to the same connection findings; the server sidecars' moving fail_verify counters corroborate", async () => {
    const stats = [{ 'listener.0.0.0.0_15006.ssl.fail_verify_error': 12, 'listener.0.0.0.0_15006.ssl.handshake': 40 }];
    m = await startMesh(
      [
        pod('payments-1', 'checkout', 'payments', 'payments', [newLeaf('checkout', 'payments'), newInter], [oldRoot, newRoot]),
        pod('ledger-1', 'checkout', 'ledger', 'ledger', [oldLeaf('checkout', 'ledger'), oldInter], [oldRoot], { admin: { chain: [oldLeaf('checkout', 'ledger'), oldInter], roots: [oldRoot], stats } }),
      ],
      { services: [ledgerSvc()], configMaps: configMaps({ checkout: [oldRoot, newRoot] }) },
    );
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const file = join(mkdtempSync(join(tmpdir(), 'i19conn-')), 'bundle.json');
    const live = await diagnoseJson(m, ['pod/payments-1', '-n', 'checkout', '--peer', 'ledger:8080', '--save-evidence', file]);
    expect(live.code).toBe(1);
    const first = live.report!.findings[0]! as Conn;
    expect(first.rule).toBe('chain/rotation-order-violation');
    expect(first.evidence.find((e) => e.source === 'pod/ledger-1 istio-proxy stats')?.detail).toMatch(/ssl\.fail_verify_error 12 \(cumulative\)/);
    await m.close();
    m = undefined;
    const { runCliInProcess } = await import('../support/fake-envoy-admin.js');
    const replay = await runCliInProcess(['diagnose', '--evidence', file, '-o', 'json']);
    expect(replay.stderr).toBe('');
    expect(replay.code).toBe(1);
    const again = JSON.parse(replay.stdout) as { findings: Conn[]; verdict: string };
    expect(again.verdict).toBe('failing');
    const pick = (fs: Conn[]) => fs.map((f) => [f.rule, f.subject, f.severity, f.explanation, f.connection]);
    expect(pick(again.findings)).toEqual(pick(live.report!.findings as Conn[]));
  });
});

describe('diagnose svc/B: which callers can no longer reach B, and why', () => {
  let m: MeshFixture | undefined;
  afterEach(async () => {
    await m?.close();
    m = undefined;
  });

  it('names the callers that fail (one caller ahead of the rotation, one not), from their namespaces', async () => {
    m = await startMesh(
      [
        pod('payments-1', 'checkout', 'payments', 'payments', [newLeaf('checkout', 'payments'), newInter], [oldRoot, newRoot]),
        pod('cart-1', 'checkout', 'cart', 'cart', [oldLeaf('checkout', 'cart'), oldInter], [oldRoot]),
        pod('ledger-1', 'bank', 'ledger', 'ledger', [oldLeaf('bank', 'ledger'), oldInter], [oldRoot]),
        pod('ledger-2', 'bank', 'ledger', 'ledger', [oldLeaf('bank', 'ledger'), oldInter], [oldRoot]),
      ],
      { services: [ledgerSvc('bank')], configMaps: configMaps({ checkout: [oldRoot, newRoot], bank: [oldRoot] }) },
    );
    const r = await diagnoseJson(m, ['svc/ledger', '-n', 'bank', '--from-namespace', 'checkout']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.report!.verdict).toBe('failing');
    const f = r.report!.findings[0]! as Conn;
    expect(f.rule).toBe('chain/rotation-order-violation');
    expect(f.connection?.direction).toBe('client-to-server');
    expect(f.connection?.client.pods).toEqual(['pod/payments-1']);
    expect(f.subject).toBe('peer');
    expect(f.explanation).toMatch(/Callers affected: 1 of 2 ready caller pods \(pod\/payments-1\), calling ledger\.bank:8080 on pod\/ledger-1, pod\/ledger-2/);
    expect(JSON.stringify(r.report!.findings)).not.toMatch(/cart-1/);
    // The service's own namespace has no callers: nothing to judge, said so (exit 3), not healthy.
    const none = await diagnoseJson(m, ['svc/ledger', '-n', 'bank']);
    expect(none.report?.verdict ?? 'none').not.toBe('healthy');
    // Flags that belong to a pod's diagnosis are refused by name.
    const bad = await diagnoseJson(m, ['svc/ledger', '-n', 'bank', '--peer', 'x:1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Cannot combine svc\/ledger with --peer/);
  });
});

describe('faces agree: the pod, the service, the scan and the library report the same connection findings', () => {
  const scenarios: Array<{ name: string; pods: () => PodSpec[]; roots: () => Issued[]; expected?: string[] }> = [
    {
      name: 'caller ahead',
      pods: () => [
        pod('payments-1', 'checkout', 'payments', 'payments', [newLeaf('checkout', 'payments'), newInter], [oldRoot, newRoot]),
        pod('ledger-1', 'checkout', 'ledger', 'ledger', [oldLeaf('checkout', 'ledger'), oldInter], [oldRoot]),
        pod('ledger-2', 'checkout', 'ledger', 'ledger', [oldLeaf('checkout', 'ledger'), oldInter], [oldRoot]),
      ],
      roots: () => [oldRoot, newRoot],
      expected: ['chain/rotation-order-violation client-to-server pod/payments-1 → pod/ledger-1,pod/ledger-2', 'chain/unknown-authority client-to-server pod/payments-1 → pod/ledger-1,pod/ledger-2'],
    },
    {
      name: 'server ahead',
      pods: () => [
        pod('payments-1', 'checkout', 'payments', 'payments', [oldLeaf('checkout', 'payments'), oldInter], [oldRoot]),
        pod('ledger-1', 'checkout', 'ledger', 'ledger', [newLeaf('checkout', 'ledger'), newInter], [oldRoot, newRoot]),
        pod('ledger-2', 'checkout', 'ledger', 'ledger', [newLeaf('checkout', 'ledger'), newInter], [oldRoot, newRoot]),
      ],
      roots: () => [oldRoot, newRoot],
    },
    {
      name: 'half the server pods re-issued',
      pods: () => [
        pod('payments-1', 'checkout', 'payments', 'payments', [oldLeaf('checkout', 'payments'), oldInter], [oldRoot]),
        pod('ledger-1', 'checkout', 'ledger', 'ledger', [oldLeaf('checkout', 'ledger'), oldInter], [oldRoot]),
        pod('ledger-2', 'checkout', 'ledger', 'ledger', [newLeaf('checkout', 'ledger'), newInter], [oldRoot, newRoot]),
      ],
      roots: () => [oldRoot],
    },
  ];
  for (const sc of scenarios) {
    it(`${sc.name}: seen from the caller, from the service, by the scan and through the library`, async () => {
      const m = await startMesh(sc.pods(), { services: [ledgerSvc()], configMaps: configMaps({ checkout: sc.roots() }) });
      try {
        const key = (fs: Conn[]) => fs.filter((f) => f.connection).map((f) => `${f.rule} ${f.connection!.direction} ${f.connection!.client.pods.join(',')} → ${f.connection!.server.pods.join(',')}`).sort();
        const fromPod = await diagnoseJson(m, ['pod/payments-1', '-n', 'checkout', '--peer', 'ledger:8080']);
        const fromSvc = await diagnoseJson(m, ['svc/ledger', '-n', 'checkout']);
        const { diagnose, scan } = await import('../../src/index.js');
        const lib = await diagnose({ target: 'pod/payments-1', namespace: 'checkout', peer: 'ledger:8080', kubeconfig: m.api.kubeconfig, at: '2026-11-29T03:00:00Z' });
        const expected = key(fromPod.report!.findings as Conn[]);
        expect(expected.length, 'the connection is broken').toBeGreaterThan(0);
        if (sc.expected) expect(expected).toEqual(sc.expected);
        expect(key(fromSvc.report!.findings as Conn[])).toEqual(expected);
        expect(key(lib.findings as Conn[])).toEqual(expected);
        expect([fromPod.report!.verdict, fromSvc.report!.verdict, lib.verdict]).toEqual(['failing', 'failing', 'failing']);
        // The fleet scan is the same judgement over classes: the CLI's scan JSON and the library's scan() list the
        // same findings for the caller's connections (rule, direction, pods), and the fleet fails with them.
        const { runCliInProcess } = await import('../support/fake-envoy-admin.js');
        const scanRun = await runCliInProcess(['scan', '-n', 'checkout', '--kubeconfig', m.api.kubeconfig, '--at', '2026-11-29T03:00:00Z', '-o', 'json']);
        const scanned = JSON.parse(scanRun.stdout);
        const libScan = await scan({ namespaces: ['checkout'], kubeconfig: m.api.kubeconfig, at: '2026-11-29T03:00:00Z' });
        type Row = { findings: Conn[]; verdict: string };
        const callers = (rows: Row[] | undefined) => (rows ?? []).flatMap((r) => r.findings).filter((f) => f.connection!.client.pods.includes('pod/payments-1'));
        expect(key(callers(scanned.connections))).toEqual(expected);
        expect(key(callers(libScan.report.connections as unknown as Row[]))).toEqual(expected);
        expect((scanned.connections as Row[]).some((c) => c.verdict === 'failing')).toBe(true);
        expect(scanRun.code).toBe(1);
      } finally {
        await m.close();
      }
    });
  }
});

describe('faces agree: chat', () => {
  it('/mtls diagnose pod/… --peer SVC:PORT and /mtls scan post the same connection findings as the CLI', async () => {
    const { defaultDiagnose } = await import('../../src/serve/deps.js');
    const { postSlack, responseUrlStandIn, slackForm, startServe, testConfig, until } = await import('../serve/harness.js');
    const m = await startMesh(
      [
        pod('payments-1', 'payments', 'payments', 'payments', [newLeaf('payments', 'payments'), newInter], [oldRoot, newRoot]),
        pod('ledger-1', 'payments', 'ledger', 'ledger', [oldLeaf('payments', 'ledger'), oldInter], [oldRoot]),
        pod('ledger-2', 'payments', 'ledger', 'ledger', [oldLeaf('payments', 'ledger'), oldInter], [oldRoot]),
      ],
      { services: [ledgerSvc('payments')], configMaps: configMaps({ payments: [oldRoot, newRoot] }) },
    );
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = m.api.kubeconfig;
    const stand = await responseUrlStandIn();
    const h = await startServe({ config: testConfig({ responseUrlPrefix: stand.url, extra: { limits: { syncWaitSeconds: 60, perCallerPerMinute: 1000 } } }), deps: { diagnose: defaultDiagnose, cluster: true, resolve: async () => [{ address: '10.96.0.20', family: 4 }] } });
    try {
      const cli = await diagnoseJson(m, ['pod/payments-1', '-n', 'payments', '--peer', 'ledger:8080']);
      const conn = (cli.report!.findings as Conn[]).filter((f) => f.connection);
      expect(conn.map((f) => f.rule).sort()).toEqual(['chain/rotation-order-violation', 'chain/unknown-authority']);
      const posted = async (path: string, text: string) => {
        const ack = await postSlack(h.url, slackForm({ text, response_url: `${stand.url}${path}` }));
        expect(ack.json.text, text).not.toMatch(/no_entry/);
        await until(() => stand.posts.filter((p) => p.path === `/${path}`).length >= 2, 60_000);
        return JSON.stringify(stand.posts.filter((p) => p.path === `/${path}`).map((p) => p.body));
      };
      const fromChat = await posted('chat-diagnose', 'diagnose pod/payments-1 -n payments --peer ledger:8080 --at 2026-11-29T03:00:00Z');
      const fromChatScan = await posted('chat-scan', 'scan -n payments --at 2026-11-29T03:00:00Z');
      // The diagnosis in chat posts every connection finding; the scan's connection row leads with its first
      // (the same rule and direction the CLI ranks first), naming both sides' pods.
      for (const f of conn) expect(fromChat).toContain(f.rule);
      expect(fromChatScan).toContain(`\`${conn[0]!.rule}\` (${conn[0]!.connection!.direction})`);
      for (const text of [fromChat, fromChatScan]) for (const p of ['payments-1', 'ledger-1', 'ledger-2']) expect(text).toContain(p);
      expect(fromChat).toMatch(/FAILING/);
      expect(fromChatScan).toMatch(/FAILING/);
    } finally {
      await h.close();
      await stand.close();
      await m.close();
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
  }, 120_000);
});
