/**
 * Issue 25, the STRICT what-if: `scan --what-if strict [pod/X | -n NS | -A]` against stand-in clusters (the fake
 * API server through the real Kubernetes client, a fake Envoy admin behind each sidecar, certificates made with
 * the openssl CLI at pinned dates). A STRICT PeerAuthentication is added to the model the scan read and every
 * caller × service port is judged by the policy rules before and after: the connections that break, and only
 * those, are named with their pods; plaintext inbound in a server's telemetry names callers the API did not show.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../support/fake-envoy-admin.js';
import { destinationRule, meshConfigMap, peerAuthentication } from '../support/fake-kube-api.js';
import { DAY, NOW, YEAR, spiffe, type Issued } from '../support/pki.js';
import { OpensslPki, type OpensslCa } from '../support/openssl-pki.js';
import { startMesh, type MeshFixture, type PodSpec } from '../cluster/fixture.js';
import { scan } from '../../src/index.js';
import type { ScanReport, WhatIfBreak } from '../../src/fleet/types.js';

const AT = ['--at', new Date(NOW).toISOString()];
let pki: OpensslPki;
let root: OpensslCa;
let inter: OpensslCa;
const leaves = new Map<string, Issued>();
const leafOf = (ns: string, sa: string) => {
  const k = `${ns}/${sa}`;
  if (!leaves.has(k)) leaves.set(k, pki.leaf(inter, { uris: [spiffe(ns, sa)] }));
  return leaves.get(k)!;
};

beforeAll(() => {
  pki = new OpensslPki();
  root = pki.root('Mesh Root CA', { notBefore: NOW - YEAR, notAfter: NOW + 9 * YEAR });
  inter = pki.intermediate(root, 'Mesh Intermediate', { notBefore: NOW - 30 * DAY, notAfter: NOW + YEAR });
});
afterAll(() => pki?.close());

let fixtures: MeshFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.map((f) => f.close()));
  fixtures = [];
});

/** A sidecar pod with a healthy openssl-made chain, or (sidecar: false) one outside the mesh. */
function pod(name: string, namespace: string, app: string, o: Partial<PodSpec> & { prometheus?: string } = {}): PodSpec {
  const { prometheus, ...rest } = o;
  const sidecar = o.sidecar !== false;
  return {
    name,
    namespace,
    serviceAccount: app,
    labels: { app },
    appPorts: [{ port: 8080, name: 'http' }],
    ...(sidecar ? { admin: { chain: [leafOf(namespace, app), inter], roots: [root], ...(prometheus ? { prometheus } : {}) } } : {}),
    ...rest,
  };
}

async function cluster(pods: PodSpec[], extra: { services?: Array<{ name: string; namespace: string; app: string; port?: number }>; peerAuthentications?: Array<Record<string, unknown>>; destinationRules?: Array<Record<string, unknown>> } = {}) {
  const nss = [...new Set(pods.map((p) => p.namespace))];
  const m = await startMesh(pods, {
    services: (extra.services ?? []).map((s) => ({ name: s.name, namespace: s.namespace, selector: { app: s.app }, ports: [{ port: s.port ?? 8080, targetPort: 8080, name: 'http' }], clusterIP: '10.96.0.10' })),
    configMaps: [meshConfigMap(), ...nss.map((ns) => ({ namespace: ns, name: 'istio-ca-root-cert', data: { 'root-cert.pem': root.pem } }))],
    peerAuthentications: extra.peerAuthentications ?? [],
    destinationRules: extra.destinationRules ?? [],
  });
  fixtures.push(m);
  return m;
}

async function whatIf(m: MeshFixture, args: string[]) {
  const r = await runCliInProcess(['scan', '--what-if', 'strict', ...args, '--kubeconfig', m.api.kubeconfig, ...AT, '-o', 'json']);
  const report = r.stdout ? (JSON.parse(r.stdout) as ScanReport) : null;
  return { ...r, report, w: report?.whatIf };
}

const pair = (b: WhatIfBreak) => `${b.client.pods.join(',') || `${b.client.namespace}/${b.client.workload}`} -> ${b.server.service}:${b.server.port ?? '?'} ${b.rule}`;

/** The namespace of the issue: ledger behind a Service, a caller without a sidecar, a caller whose DestinationRule says DISABLE, one healthy caller. */
const bank = (o: { ledger?: Partial<PodSpec> & { prometheus?: string } } = {}) => [
  pod('ledger-5c4b-aaaaa', 'bank', 'ledger', o.ledger),
  pod('ledger-5c4b-bbbbb', 'bank', 'ledger'),
  pod('web-7d9f-ccccc', 'bank', 'web'),
  pod('reports-6b8d-ddddd', 'bank', 'reports'),
  pod('legacy-batch-0', 'bank', 'legacy-batch', { sidecar: false }),
];
const bankPolicy = {
  services: [{ name: 'ledger', namespace: 'bank', app: 'ledger' }],
  // Applies to the reports workload only (workloadSelector): its calls to ledger leave its sidecar in plaintext.
  destinationRules: [destinationRule('bank', 'ledger-plaintext', { host: 'ledger', workloadSelector: { matchLabels: { app: 'reports' } }, trafficPolicy: { tls: { mode: 'DISABLE' } } })],
};

describe('scan --what-if strict', () => {
  it('-n NS: the sidecar-less caller and the DISABLE DestinationRule break, both named with their pods, and nothing else', async () => {
    const m = await cluster(bank(), bankPolicy);
    const { code, stderr, w, report } = await whatIf(m, ['-n', 'bank']);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(w!.scope).toEqual({ kind: 'namespace', namespaces: ['bank'] });
    expect(w!.policy).toMatchObject({ namespace: 'bank', name: 'default', selector: null });
    expect(w!.breaking.map(pair).sort()).toEqual(['bank/legacy-batch-0 -> bank/ledger:8080 policy/strict-plaintext-client', 'bank/reports-6b8d-ddddd -> bank/ledger:8080 policy/strict-plaintext-client']);
    for (const b of w!.breaking) expect(b.server.pods).toEqual(['bank/ledger-5c4b-aaaaa', 'bank/ledger-5c4b-bbbbb']);
    const legacy = w!.breaking.find((b) => b.client.pods[0] === 'bank/legacy-batch-0')!;
    expect(legacy).toMatchObject({ from: 'policy', severity: 'critical', client: { sidecar: false, namespace: 'bank' } });
    expect(legacy.reason).toMatch(/no istio-proxy sidecar/);
    expect(legacy.fix[0]).toMatch(/inject its sidecar/);
    const reports = w!.breaking.find((b) => b.client.pods[0] === 'bank/reports-6b8d-ddddd')!;
    expect(reports.reason).toMatch(/DestinationRule bank\/ledger-plaintext sets tls.mode DISABLE/);
    // The scan's own contract is unchanged beside it: the same report fields, the what-if added.
    expect(report).toMatchObject({ schemaVersion: 1, summary: { pods: 5, ok: 4, failed: 1 } });
    expect(w!.cannotSee.join('\n')).toMatch(/namespaces the scan did not list/);
    expect(w!.cannotSee.join('\n')).toMatch(/exec probes run inside the container and TCP probes only test the connect/);
  }, 60_000);

  it('-n NS without a sidecar-less caller or an override: nothing breaks, exit 0, and the text says so within 80 columns', async () => {
    const m = await cluster([pod('ledger-5c4b-aaaaa', 'bank', 'ledger'), pod('web-7d9f-ccccc', 'bank', 'web')], { services: [{ name: 'ledger', namespace: 'bank', app: 'ledger' }] });
    const { code, w } = await whatIf(m, ['-n', 'bank']);
    expect(code).toBe(0);
    expect(w!.breaking).toEqual([]);
    expect(w!.servers).toEqual(['bank/ledger-5c4b-aaaaa', 'bank/web-7d9f-ccccc']);
    const text = await runCliInProcess(['scan', '--what-if', 'strict', '-n', 'bank', '--kubeconfig', m.api.kubeconfig, ...AT], { COLUMNS: '80' });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('What if STRICT: PeerAuthentication bank/default for namespace bank');
    expect(text.stdout).toContain('no connection seen would break');
    // Long commands are never broken (they are copied whole); everything else fits.
    for (const line of text.stdout.split('\n').filter((l) => !/kubectl|istioctl/.test(l))) expect(line.length, line).toBeLessThanOrEqual(80);
  }, 60_000);

  it('telemetry: plaintext inbound in a server sidecar\'s istio_requests_total names a caller the API did not show; a known caller\'s plaintext is attached to its break', async () => {
    const prometheus = [
      '# TYPE istio_requests_total counter',
      'istio_requests_total{reporter="destination",source_workload="nightly-export",source_canonical_service="nightly-export",source_canonical_revision="latest",source_workload_namespace="etl",source_principal="unknown",source_app="nightly-export",source_version="unknown",source_cluster="Kubernetes",destination_workload="ledger",destination_workload_namespace="bank",destination_principal="unknown",destination_app="ledger",destination_version="unknown",destination_service="ledger.bank.svc.cluster.local",destination_canonical_service="ledger",destination_canonical_revision="latest",destination_service_name="ledger",destination_service_namespace="bank",destination_cluster="Kubernetes",request_protocol="http",response_code="200",grpc_response_status="",response_flags="-",connection_security_policy="none"} 17',
      'istio_requests_total{reporter="destination",source_workload="reports",source_workload_namespace="bank",source_principal="unknown",destination_service="ledger.bank.svc.cluster.local",request_protocol="http",response_code="200",response_flags="-",connection_security_policy="none"} 40',
      'istio_requests_total{reporter="destination",source_workload="web",source_workload_namespace="bank",source_principal="spiffe://cluster.local/ns/bank/sa/web",destination_service="ledger.bank.svc.cluster.local",request_protocol="http",response_code="200",response_flags="-",connection_security_policy="mutual_tls"} 900',
      'istio_requests_total{reporter="source",source_workload="ledger",source_workload_namespace="bank",destination_service="db.bank.svc.cluster.local",connection_security_policy="none"} 3',
      '# TYPE istio_tcp_connections_opened_total counter',
      'istio_tcp_connections_opened_total{reporter="destination",source_workload="unknown",source_workload_namespace="unknown",source_principal="unknown",destination_service="ledger.bank.svc.cluster.local",request_protocol="tcp",response_flags="-",connection_security_policy="none"} 5',
    ].join('\n');
    const m = await cluster(bank({ ledger: { prometheus } }), bankPolicy);
    const { code, w } = await whatIf(m, ['-n', 'bank']);
    expect(code).toBe(1);
    expect(w!.telemetry).toMatchObject({ read: 2, of: 2, unavailable: [] });
    const fromTelemetry = w!.breaking.filter((b) => b.from === 'telemetry');
    expect(fromTelemetry.map((b) => [b.client.namespace, b.client.workload, b.server.pods, b.server.service])).toEqual([
      ['etl', 'nightly-export', ['bank/ledger-5c4b-aaaaa'], 'bank/ledger'],
      [null, null, ['bank/ledger-5c4b-aaaaa'], 'bank/ledger'],
    ]);
    expect(fromTelemetry[0]!.reason).toMatch(/counted 17 requests without mTLS .*from etl\/nightly-export/);
    expect(fromTelemetry[1]!.reason).toMatch(/5 TCP connections .*unidentified caller/);
    // The DISABLE caller, judged by the rules, carries what the server counted from it.
    const reports = w!.breaking.find((b) => b.client.workload === 'reports')!;
    expect(reports.seen).toEqual([{ pod: 'bank/ledger-5c4b-aaaaa', metric: 'istio_requests_total', count: 40 }]);
    // The healthy caller's mTLS series and the ledger's own outbound (reporter="source") are not breakage.
    expect(w!.breaking.some((b) => b.client.workload === 'web')).toBe(false);
  }, 60_000);

  it('pod/X: only that workload turns STRICT; its excluded-outbound caller and an HTTP probe not rewritten break, another service\'s plaintext caller does not', async () => {
    const m = await cluster(
      [
        ...bank({ ledger: { probes: { readinessProbe: { httpGet: { path: '/healthz', port: 8080 } } } } }),
        pod('audit-1', 'bank', 'audit'),
        pod('fetcher-1', 'bank', 'fetcher', { annotations: { 'traffic.sidecar.istio.io/excludeOutboundPorts': '8080,9090' } }),
      ],
      { services: [{ name: 'ledger', namespace: 'bank', app: 'ledger' }, { name: 'audit', namespace: 'bank', app: 'audit' }], destinationRules: bankPolicy.destinationRules },
    );
    const { code, w, stderr } = await whatIf(m, ['pod/ledger-5c4b-aaaaa', '-n', 'bank']);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(w!.scope).toEqual({ kind: 'workload', namespace: 'bank', pod: 'ledger-5c4b-aaaaa' });
    expect(w!.policy).toMatchObject({ namespace: 'bank', selector: { app: 'ledger' } });
    expect(w!.servers).toEqual(['bank/ledger-5c4b-aaaaa', 'bank/ledger-5c4b-bbbbb']);
    expect(w!.breaking.map(pair).sort()).toEqual([
      'bank/fetcher-1 -> bank/ledger:8080 policy/strict-plaintext-client',
      'bank/legacy-batch-0 -> bank/ledger:8080 policy/strict-plaintext-client',
      'bank/reports-6b8d-ddddd -> bank/ledger:8080 policy/strict-plaintext-client',
    ]);
    expect(w!.breaking.find((b) => b.client.workload === 'fetcher')!.reason).toMatch(/calls ledger.bank:8080 around its sidecar \(traffic.sidecar.istio.io\/excludeOutboundPorts: 8080,9090\)/);
    expect(w!.probes).toEqual([expect.objectContaining({ pod: 'bank/ledger-5c4b-aaaaa', container: 'app', probe: 'readiness httpGet /healthz', port: 8080 })]);
    expect(w!.policy.yaml).toContain('matchLabels:\n      app: "ledger"');
  }, 60_000);

  it('-A: the mesh-wide policy; a namespace kept PERMISSIVE stays so (exempt), a port excluded from inbound capture is not enforced', async () => {
    const m = await cluster(
      [
        ...bank(),
        pod('billing-1', 'pay', 'billing'),
        pod('cron-1', 'pay', 'cron', { sidecar: false }),
        pod('metrics-1', 'ops', 'metrics', { annotations: { 'traffic.sidecar.istio.io/excludeInboundPorts': '8080' } }),
      ],
      {
        services: [{ name: 'ledger', namespace: 'bank', app: 'ledger' }, { name: 'billing', namespace: 'pay', app: 'billing' }, { name: 'metrics', namespace: 'ops', app: 'metrics' }],
        destinationRules: bankPolicy.destinationRules,
        peerAuthentications: [peerAuthentication('pay', 'default', { mtls: { mode: 'PERMISSIVE' } })],
      },
    );
    const { code, w } = await whatIf(m, ['-A']);
    expect(code).toBe(1);
    expect(w!.scope).toEqual({ kind: 'mesh' });
    expect(w!.policy).toMatchObject({ namespace: 'istio-system', name: 'default', selector: null });
    expect(w!.exempt).toEqual([expect.objectContaining({ pod: 'pay/billing-1', mode: 'PERMISSIVE', why: expect.stringMatching(/PeerAuthentication pay\/default \(namespace\)/) })]);
    // Every sidecar-less pod of the cluster calls bank/ledger in plaintext; pay is kept PERMISSIVE; ops' port 8080 bypasses the sidecar.
    expect(w!.breaking.map(pair).sort()).toEqual([
      'bank/legacy-batch-0 -> bank/ledger:8080 policy/strict-plaintext-client',
      'bank/reports-6b8d-ddddd -> bank/ledger:8080 policy/strict-plaintext-client',
      'pay/cron-1 -> bank/ledger:8080 policy/strict-plaintext-client',
    ]);
    expect(w!.unenforced).toEqual([{ pods: ['ops/metrics-1'], port: 8080, why: 'traffic.sidecar.istio.io/excludeInboundPorts: 8080' }]);
    expect(w!.cannotSee.join('\n')).not.toMatch(/namespaces the scan did not list/);
  }, 60_000);

  it('bad input: one clear line and exit 2', async () => {
    const m = await cluster([pod('ledger-5c4b-aaaaa', 'bank', 'ledger'), pod('legacy-batch-0', 'bank', 'legacy-batch', { sidecar: false })], { services: [{ name: 'ledger', namespace: 'bank', app: 'ledger' }] });
    const k = ['--kubeconfig', m.api.kubeconfig, ...AT];
    const cases: Array<[string[], RegExp]> = [
      [['scan', '--what-if', 'foo', '-n', 'bank', ...k], /^mtls-doctor: Cannot use --what-if "foo": the what-if scan knows strict/],
      [['scan', 'pod/ledger-5c4b-aaaaa', '-n', 'bank', ...k], /^mtls-doctor: Cannot scan pod\/ledger-5c4b-aaaaa without --what-if strict/],
      [['scan', '--what-if', 'strict', 'pod/ledger-5c4b-aaaaa', '-A', ...k], /^mtls-doctor: Cannot combine pod\/ledger-5c4b-aaaaa with -A/],
      [['scan', '--what-if', 'strict', 'deploy/ledger', '-n', 'bank', ...k], /^mtls-doctor: Cannot use "deploy\/ledger" as the what-if target: give pod\/NAME/],
      [['scan', '--what-if', 'strict', 'pod/nope', '-n', 'bank', ...k], /^mtls-doctor: Cannot apply --what-if strict to pod\/nope: no running pod of that name in namespace "bank"/],
      [['scan', '--what-if', 'strict', 'pod/legacy-batch-0', '-n', 'bank', ...k], /^mtls-doctor: Cannot apply --what-if strict to pod\/legacy-batch-0: it has no istio-proxy sidecar/],
    ];
    for (const [args, line] of cases) {
      const r = await runCliInProcess(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(line);
    }
  }, 60_000);

  it('the library and a saved scan: scan({whatIf}) gives the same what-if; replaying the saved scan judges it again offline', async () => {
    const m = await cluster(bank(), bankPolicy);
    const live = await scan({ namespace: 'bank', whatIf: 'strict', at: new Date(NOW).toISOString(), kubeconfig: m.api.kubeconfig });
    expect(live.report.whatIf!.breaking.map(pair).sort()).toHaveLength(2);
    const replay = await scan({ evidence: live.bundle, whatIf: 'strict', at: new Date(NOW).toISOString() });
    expect(replay.report.whatIf!.breaking.map(pair)).toEqual(live.report.whatIf!.breaking.map(pair));
    const { bundle: plain } = await scan({ namespace: 'bank', at: new Date(NOW).toISOString(), kubeconfig: m.api.kubeconfig });
    expect(plain.input.policy).toBeUndefined();
    await expect(scan({ evidence: plain, whatIf: 'strict' })).rejects.toThrow(/holds no policies/);
  }, 60_000);
});
