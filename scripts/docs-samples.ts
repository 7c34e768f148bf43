/**
 * The sample outputs in README.md and docs/*.md: every one is what the built CLI (`node dist/cli.cjs`) prints,
 * run by `npm run docs` against stand-ins built here at run time — certificate files (the test PKI factory,
 * pinned dates), a node:tls peer, the test suite's fake Envoy admin and pilot-agent, and its fake Kubernetes API
 * server — always with a pinned `--at`, so that a run today and a run next year print the same text.
 *
 * In a page a sample is the block between `<!-- sample:ID -->` and `<!-- /sample -->`: the command as a user
 * types it, then its output. Two things are rewritten, both ways, and nothing else: the stand-ins' ephemeral
 * loopback ports are shown as the ports the real servers use (Envoy admin 127.0.0.1:15000, pilot-agent
 * 127.0.0.1:15020, the peer 127.0.0.1:8443), and the kubeconfig of the fake API server is passed in KUBECONFIG.
 * test/docs/samples.test.ts runs every sample again and compares, with certificate fingerprints (random keys,
 * a new one each run) masked.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { intermediate, leaf, root, spiffe, t, DAY, HOUR, MIN, YEAR, type Issued } from '../test/support/pki.js';
import { istioStats, rewindFakeAdmins, startFakeAgent, startFakeEnvoyAdmin, type FakeServer } from '../test/support/fake-envoy-admin.js';
import { destinationRule, meshConfigMap, peerAuthentication, startFakeKubeApi, type FakeKubeApi, type FakePod } from '../test/support/fake-kube-api.js';
import { opensslPeer, type Peer } from '../test/support/tls-peers.js';
import { FLEET_BUNDLE_KIND, type FleetBundle } from '../src/fleet/bundle.js';
import type { PodHolding } from '../src/fleet/types.js';
import { alertRules } from '../src/fleet/alerts.js';
import { DEFAULT_THRESHOLDS } from '../src/model/thresholds.js';
import { formatBytes, LIMITS, type LimitName } from '../src/limits.js';
import { rules } from '../rules/index.js';
import { renderRulesTable } from '../src/report/rules-doc.js';

// `npm run docs` runs a bundled copy of this file (scripts/run-ts.mjs) from the project root; vitest runs it in place.
export const ROOT = import.meta.dirname.includes('node_modules') ? process.cwd() : join(import.meta.dirname, '..');
export const BIN = join(ROOT, 'dist', 'cli.cjs');
/** The pinned evaluation time of every sample: 2026-11-29 03:00 UTC, the 3 AM page (test/support/pki.ts NOW). */
export const AT = '2026-11-29T03:00:00Z';
/** Text output is rendered for a terminal this wide. */
const COLUMNS = '100';

export interface Sample {
  id: string;
  /** The arguments after `mtls-doctor`, as shown (display ports, relative file names). */
  args: string[];
  /** Which stand-in it runs against: its working directory, environment and port mapping. */
  scene: 'files' | 'peer' | 'pod' | 'cluster-policy' | 'cluster-rotation' | 'cluster-whatif' | 'cluster-drill';
  /** Shown as `| head -N`: only the first N lines of the output. */
  head?: number;
  /** Shown as `| grep -Ev 'RE'`: drop the lines that match (applied before head). */
  grepV?: string;
  /** Cut the output at the first line that matches, shown as a line `…` (for a long report in a short page). */
  until?: RegExp;
  /** Show stderr and the exit code (for error samples). */
  stderr?: boolean;
  /** Shown as `| jq PATH`: only this part of the JSON output (`.whatIf.breaking[0]`: fields and list indexes). */
  jq?: string;
  /** A library sample: this program is written to `example.mjs` and run with node (`args` is ignored). */
  script?: string;
}

/** The library example: `import … from 'mtls-doctor'` resolves to this repository (a link in node_modules). */
const LIBRARY_EXAMPLE = `import { readFileSync } from 'node:fs';
import { diagnose, exitCode } from 'mtls-doctor';

const report = await diagnose({
  chain: readFileSync('cert-chain.pem'),
  trust: [readFileSync('root-cert.pem')],
  expectId: 'spiffe://cluster.local/ns/shop/sa/web',
  at: '2026-11-29T03:00:00Z',
});
console.log(report.verdict, 'exit code', exitCode(report, 'error'));
for (const f of report.findings) console.log(\`\${f.rank}. \${f.severity} \${f.rule}: \${f.title}\`);
`;

/** Every sample, by id. Pages name them; a page may not name one that is not here (the test checks). */
export const SAMPLES: Sample[] = [
  // README: one short example per job (the pages show them whole).
  { id: 'readme-files', scene: 'files', args: ['diagnose', '--chain', 'cert-chain.pem', '--key', 'key.pem', '--trust', 'root-cert.pem', '--at', AT], until: /^Chain/ },
  { id: 'readme-handshake', scene: 'peer', args: ['diagnose', '--peer', '127.0.0.1:8443', '--chain', 'payments/cert-chain.pem', '--key', 'payments/key.pem', '--trust', 'payments/root-cert.pem', '--at', AT], until: /^ {4}127\.0\.0\.1:8443 / },
  { id: 'readme-in-pod', scene: 'pod', args: ['diagnose', '--envoy-admin', 'http://127.0.0.1:15000', '--agent', 'http://127.0.0.1:15020', '--window', '1', '--at', AT], until: /^Findings/ },
  { id: 'readme-pod', scene: 'cluster-policy', args: ['diagnose', 'pod/web-7d4f9c-x2k8p', '-n', 'shop', '--peer', 'reviews:9080', '--at', AT], until: /^ {4}evidence:/ },
  { id: 'readme-explain', scene: 'files', args: ['explain', 'TLS error: 268436504:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA', '--at', AT], grepV: '^ {10}', until: /^Decide between them/ },
  { id: 'readme-scan', scene: 'cluster-rotation', args: ['scan', '-A', '--at', AT], until: /^Connections/ },
  { id: 'readme-rotation', scene: 'files', args: ['rotation', 'plan', '--evidence', 'fleet/phase-2.json', '--at', AT], grepV: '^  (old|new) root' },
  { id: 'readme-metrics', scene: 'cluster-rotation', args: ['scan', '-A', '--at', AT, '-o', 'prometheus'], grepV: '^#|level="(leaf|root)"|_scan_' },
  // The pages.
  { id: 'diagnose-files', scene: 'files', args: ['diagnose', '--chain', 'cert-chain.pem', '--key', 'key.pem', '--trust', 'root-cert.pem', '--at', AT] },
  { id: 'diagnose-ca', scene: 'files', args: ['diagnose', '--ca', 'cacerts/cert-chain.pem', '--at', AT] },
  { id: 'diagnose-json', scene: 'files', args: ['diagnose', '--chain', 'cert-chain.pem', '--trust', 'root-cert.pem', '--at', AT, '-o', 'json'], head: 48 },
  { id: 'handshake', scene: 'peer', args: ['diagnose', '--peer', '127.0.0.1:8443', '--chain', 'payments/cert-chain.pem', '--key', 'payments/key.pem', '--trust', 'payments/root-cert.pem', '--at', AT] },
  { id: 'in-pod', scene: 'pod', args: ['diagnose', '--envoy-admin', 'http://127.0.0.1:15000', '--agent', 'http://127.0.0.1:15020', '--window', '1', '--at', AT] },
  { id: 'pod-by-name', scene: 'cluster-policy', args: ['diagnose', 'pod/web-7d4f9c-x2k8p', '-n', 'shop', '--peer', 'reviews:9080', '--at', AT] },
  { id: 'explain', scene: 'files', args: ['explain', 'TLS error: 268436504:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA', '--at', AT] },
  { id: 'explain-json', scene: 'files', args: ['explain', 'verify cert failed: SAN matcher', '--at', AT, '-o', 'json'], head: 30 },
  { id: 'chat-slack', scene: 'files', args: ['diagnose', '--chain', 'cert-chain.pem', '--trust', 'root-cert.pem', '--at', AT, '-o', 'slack'] },
  { id: 'scan', scene: 'cluster-rotation', args: ['scan', '-A', '--at', AT] },
  { id: 'scan-json', scene: 'cluster-rotation', args: ['scan', '-A', '--at', AT, '-o', 'json'], head: 40 },
  { id: 'scan-prometheus', scene: 'cluster-rotation', args: ['scan', '-A', '--at', AT, '-o', 'prometheus'] },
  { id: 'what-if-strict', scene: 'cluster-whatif', args: ['scan', '--what-if', 'strict', '-n', 'bank', '--at', AT], until: /^Fleet scan/ },
  { id: 'what-if-strict-json', scene: 'cluster-whatif', args: ['scan', '--what-if', 'strict', '-n', 'bank', '--at', AT, '-o', 'json'], jq: '.whatIf.breaking[0]' },
  { id: 'rotation-status', scene: 'cluster-rotation', args: ['rotation', 'status', '-A', '--at', AT] },
  { id: 'rotation-plan', scene: 'cluster-rotation', args: ['rotation', 'plan', '-A', '--at', AT] },
  { id: 'rotation-phase2', scene: 'files', args: ['rotation', 'plan', '--evidence', 'fleet/phase-2.json', '--at', AT] },
  { id: 'rotation-json', scene: 'cluster-rotation', args: ['rotation', 'status', '-A', '--at', AT, '-o', 'json'] },
  { id: 'rotation-drill', scene: 'cluster-drill', args: ['rotation', 'drill', '--new-ca', 'new-ca.pem', '-A', '--read-ca-secrets', '--at', AT] },
  { id: 'rotation-drill-runbook', scene: 'cluster-drill', args: ['rotation', 'drill', '--new-ca', 'new-ca.pem', '-A', '--read-ca-secrets', '--at', AT, '-o', 'markdown'] },
  { id: 'alerts', scene: 'files', args: ['alerts'] },
  { id: 'limit-file', scene: 'files', args: ['diagnose', '--chain', 'huge.pem'], stderr: true },
  { id: 'limit-device', scene: 'files', args: ['diagnose', '--chain', '/dev/urandom'], stderr: true },
  { id: 'limit-nesting', scene: 'files', args: ['diagnose', '--evidence', 'deep.json'], stderr: true },
  { id: 'rule', scene: 'files', args: ['rules', 'expiry/intermediate-expired'] },
  { id: 'library', scene: 'files', args: [], script: LIBRARY_EXAMPLE },
];

interface Scene {
  cwd: string;
  env: Record<string, string>;
  /** Display → real, for arguments; the reverse is applied to the output. */
  ports: Array<[display: string, real: string]>;
}

export interface Stage {
  scenes: Record<Sample['scene'], Scene>;
  close(): Promise<void>;
}

const pems = (certs: Issued[]) => certs.map((c) => c.pem).join('');

/** Builds every stand-in. Certificates are generated now, in memory; files go into one temporary directory. */
export async function startStage(): Promise<Stage> {
  const dir = mkdtempSync(join(tmpdir(), 'mtls-doctor-docs-'));
  const servers: Array<{ close(): Promise<void> }> = [];
  // The link to this repository goes first, on its own, so that removing the directory can never reach into it.
  const removeDir = () => {
    try {
      unlinkSync(join(dir, 'node_modules', 'mtls-doctor'));
    } catch {
      /* not made yet */
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const write = (name: string, data: string | Uint8Array) => {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), data);
  };
  try {
    const base: Scene = { cwd: dir, env: {}, ports: [] };

    // files: the 3 AM story. The mesh intermediate expired at 02:47; the leaf was rotated an hour ago.
    const meshRoot = await root('Mesh Root CA');
    const expiredInter = await intermediate(meshRoot, 'Mesh Intermediate CA', { notBefore: t(-YEAR + 13 * MIN), notAfter: t(-13 * MIN) });
    const web = await leaf(expiredInter, { uris: [spiffe('shop', 'web')], notBefore: t(-1 * HOUR), notAfter: t(23 * HOUR) });
    write('cert-chain.pem', pems([web, expiredInter]));
    write('key.pem', await web.keyPem());
    write('root-cert.pem', meshRoot.pem);
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules', 'mtls-doctor'), 'dir');
    // --ca alone: a plug-in CA whose intermediate has 20 days left under a root with 8 years.
    const caRoot = await root('Plug-in Root CA', { notBefore: t(-2 * YEAR), notAfter: t(8 * YEAR) });
    const caInter = await intermediate(caRoot, 'Plug-in Intermediate CA (cluster-east)', { notBefore: t(-345 * DAY), notAfter: t(20 * DAY) });
    write('cacerts/cert-chain.pem', pems([caInter, caRoot]));
    // Hostile input: a 5 MiB "certificate file".
    write('huge.pem', Buffer.alloc(5 * 1024 * 1024, 0x41));
    write('deep.json', '['.repeat(100) + ']'.repeat(100));
    // A saved fleet scan in phase 2: the new root reached 3 of 5 pods.
    write('fleet/phase-2.json', JSON.stringify(await phase2Fleet()));

    // peer: mid-rotation. payments still serves a leaf of the old root; ledger already trusts only the new one.
    // Real handshakes check validity against this machine's clock, so these certificates are valid for years
    // on both sides of the pinned --at: the story does not change with the day the docs are regenerated.
    const oldRoot = await root('Mesh Root CA 2025', { notBefore: t(-YEAR), notAfter: t(20 * YEAR) });
    const newRoot = await root('Mesh Root CA 2026', { notBefore: t(-10 * DAY), notAfter: t(20 * YEAR) });
    const oldInter = await intermediate(oldRoot, 'Mesh Intermediate CA 2025', { notBefore: t(-YEAR), notAfter: t(15 * YEAR) });
    const newInter = await intermediate(newRoot, 'Mesh Intermediate CA 2026', { notBefore: t(-9 * DAY), notAfter: t(15 * YEAR) });
    const long = { notBefore: t(-2 * HOUR), notAfter: t(10 * YEAR) };
    const payments = await leaf(oldInter, { uris: [spiffe('checkout', 'payments')], ...long });
    const ledger = await leaf(newInter, { uris: [spiffe('checkout', 'ledger')], ...long });
    write('payments/cert-chain.pem', pems([payments, oldInter]));
    write('payments/key.pem', await payments.keyPem());
    write('payments/root-cert.pem', pems([oldRoot, newRoot]));
    // OpenSSL s_server, as Envoy does, answers a client certificate it cannot chain with alert 48 unknown_ca.
    const peer: Peer = await opensslPeer({ chain: [ledger, newInter], key: ledger, trust: [newRoot], alpn: ['istio-peer-exchange', 'istio'] });
    servers.push({ close: () => peer.stop() });

    // pod: an istio-proxy whose intermediate expired 13 minutes ago; the outbound cluster's fail_verify_error climbs.
    const cluster = 'outbound|8080||payments.shop.svc.cluster.local';
    const admin = await startFakeEnvoyAdmin({
      chain: [await leaf(expiredInter, { uris: [spiffe('shop', 'checkout')], notBefore: t(-1 * HOUR), notAfter: t(23 * HOUR) }), expiredInter],
      roots: [meshRoot],
      stats: [istioStats({ cluster, outbound: { handshake: 800, fail_verify_error: 40 } }), istioStats({ cluster, outbound: { handshake: 800, fail_verify_error: 102 } })],
    });
    const agent = await startFakeAgent({ ready: true });
    servers.push(admin, agent);

    const policy = await policyCluster(meshRoot, servers);
    const rotation = await rotationCluster(servers);
    const drill = await drillCluster(servers, write);
    const kube = (api: FakeKubeApi): Scene => ({ ...base, env: { KUBECONFIG: api.kubeconfig } });
    return {
      scenes: {
        files: base,
        peer: { ...base, ports: [['127.0.0.1:8443', peer.address]] },
        pod: { ...base, ports: [['http://127.0.0.1:15000', admin.url], ['http://127.0.0.1:15020', agent.url]] },
        'cluster-policy': kube(policy),
        'cluster-rotation': kube(rotation),
        'cluster-whatif': kube(await whatIfCluster(meshRoot, servers)),
        'cluster-drill': kube(drill),
      },
      close: async () => {
        await Promise.all(servers.map((s) => s.close()));
        removeDir();
      },
    };
  } catch (e) {
    await Promise.all(servers.map((s) => s.close()));
    removeDir();
    throw e;
  }
}

/** Starts a fake Envoy admin (and pilot-agent) per sidecar pod, and the API server in front of them. */
async function cluster(pods: Array<FakePod & { chain?: Issued[]; roots?: Issued[]; prometheus?: string }>, spec: Omit<Parameters<typeof startFakeKubeApi>[0], 'pods'>, servers: Array<{ close(): Promise<void> }>): Promise<FakeKubeApi> {
  const fake: FakePod[] = [];
  for (const { chain, roots, prometheus, ...p } of pods) {
    const backends: Record<number, string> = {};
    if (p.sidecar !== false && chain) {
      const admin: FakeServer = await startFakeEnvoyAdmin({ chain, roots: roots ?? [], ...(prometheus ? { prometheus } : {}) });
      const agent = await startFakeAgent({ ready: true });
      servers.push(admin, agent);
      backends[15000] = admin.url;
      backends[15020] = agent.url;
    }
    fake.push({ ...p, backends });
  }
  const api = await startFakeKubeApi({ ...spec, pods: fake });
  servers.push(api);
  return api;
}

/** A DestinationRule that turns mTLS off towards reviews, whose mesh-wide PeerAuthentication is STRICT. */
async function policyCluster(meshRoot: Issued, servers: Array<{ close(): Promise<void> }>): Promise<FakeKubeApi> {
  const inter = await intermediate(meshRoot, 'Mesh Intermediate CA', { notBefore: t(-YEAR + 30 * DAY), notAfter: t(YEAR - 30 * DAY) });
  const sidecar = async (ns: string, sa: string) => ({ chain: [await leaf(inter, { uris: [spiffe(ns, sa)] }), inter], roots: [meshRoot] });
  return cluster(
    [
      { name: 'web-7d4f9c-x2k8p', namespace: 'shop', labels: { app: 'web' }, serviceAccount: 'web', ...(await sidecar('shop', 'web')) },
      { name: 'reviews-v2-5b8d6-qq7zt', namespace: 'shop', labels: { app: 'reviews' }, serviceAccount: 'reviews', appPorts: [{ port: 9080, name: 'http' }], ...(await sidecar('shop', 'reviews')) },
    ],
    {
      services: [{ name: 'reviews', namespace: 'shop', selector: { app: 'reviews' }, ports: [{ port: 9080, targetPort: 'http' }] }],
      peerAuthentications: [peerAuthentication('istio-system', 'default', { mtls: { mode: 'STRICT' } })],
      destinationRules: [destinationRule('shop', 'reviews-lb', { host: 'reviews', trafficPolicy: { tls: { mode: 'DISABLE' } } })],
      configMaps: [meshConfigMap(), { namespace: 'shop', name: 'istio-ca-root-cert', data: { 'root-cert.pem': meshRoot.pem } }],
    },
    servers,
  );
}

/**
 * A mesh mid-rotation (phase 4, out of order): checkout's pods trust both roots; ledger-1 already serves a leaf
 * of the new root while ledger-2 trusts only the old one (its namespace's root ConfigMap was not updated); the
 * old intermediate expires in 20 days; a pod without a sidecar cannot be read.
 */
async function rotationCluster(servers: Array<{ close(): Promise<void> }>): Promise<FakeKubeApi> {
  const oldRoot = await root('Mesh Root CA 2025', { notBefore: t(-YEAR), notAfter: t(9 * YEAR) });
  const newRoot = await root('Mesh Root CA 2026', { notBefore: t(-10 * DAY), notAfter: t(10 * YEAR) });
  const oldInter = await intermediate(oldRoot, 'Mesh Intermediate CA 2025', { notBefore: t(-345 * DAY), notAfter: t(20 * DAY) });
  const newInter = await intermediate(newRoot, 'Mesh Intermediate CA 2026', { notBefore: t(-9 * DAY), notAfter: t(YEAR) });
  const pod = async (ns: string, name: string, sa: string, serves: 'old' | 'new', trusts: Issued[]) => {
    const inter = serves === 'old' ? oldInter : newInter;
    return { name, namespace: ns, labels: { app: sa }, serviceAccount: sa, chain: [await leaf(inter, { uris: [spiffe(ns, sa)] }), inter], roots: trusts };
  };
  const both = [oldRoot, newRoot];
  return cluster(
    [
      await pod('checkout', 'payments-6c9f7-2xkqp', 'payments', 'old', both),
      await pod('checkout', 'payments-6c9f7-9wz4d', 'payments', 'old', both),
      await pod('checkout', 'cart-5d8b4-hx7m2', 'cart', 'old', both),
      await pod('ledger', 'ledger-7f9c8-k2v9s', 'ledger', 'new', both),
      await pod('ledger', 'ledger-7f9c8-p4m7t', 'ledger', 'old', [oldRoot]),
      { name: 'batch-report-28731', namespace: 'ledger', labels: { app: 'batch-report' }, sidecar: false },
    ],
    {
      configMaps: [
        meshConfigMap(),
        { namespace: 'checkout', name: 'istio-ca-root-cert', data: { 'root-cert.pem': pems(both) } },
        { namespace: 'ledger', name: 'istio-ca-root-cert', data: { 'root-cert.pem': oldRoot.pem } },
      ],
    },
    servers,
  );
}

/**
 * Before enforcing STRICT in bank (issue 25): ledger behind a Service; web calls it with auto mTLS; reports has a
 * DestinationRule that turns TLS off towards it; legacy-batch runs without a sidecar; and ledger's sidecar counted
 * plaintext requests from etl/nightly-export, a namespace the scan does not list.
 */
async function whatIfCluster(meshRoot: Issued, servers: Array<{ close(): Promise<void> }>): Promise<FakeKubeApi> {
  const inter = await intermediate(meshRoot, 'Mesh Intermediate CA', { notBefore: t(-YEAR + 30 * DAY), notAfter: t(YEAR - 30 * DAY) });
  const sidecar = async (name: string, app: string) => ({ name, namespace: 'bank', labels: { app }, serviceAccount: app, appPorts: [{ port: 8080, name: 'http' }], chain: [await leaf(inter, { uris: [spiffe('bank', app)] }), inter], roots: [meshRoot] });
  const series = (src: string, ns: string, policy: string, n: number) =>
    `istio_requests_total{reporter="destination",source_workload="${src}",source_canonical_service="${src}",source_workload_namespace="${ns}",source_principal="${policy === 'none' ? 'unknown' : `spiffe://cluster.local/ns/${ns}/sa/${src}`}",source_app="${src}",source_version="unknown",source_cluster="Kubernetes",destination_workload="ledger",destination_workload_namespace="bank",destination_principal="${policy === 'none' ? 'unknown' : 'spiffe://cluster.local/ns/bank/sa/ledger'}",destination_app="ledger",destination_version="unknown",destination_service="ledger.bank.svc.cluster.local",destination_canonical_service="ledger",destination_canonical_revision="latest",destination_service_name="ledger",destination_service_namespace="bank",destination_cluster="Kubernetes",request_protocol="http",response_code="200",grpc_response_status="",response_flags="-",connection_security_policy="${policy}"} ${n}`;
  const prometheus = ['# TYPE istio_requests_total counter', series('web', 'bank', 'mutual_tls', 48211), series('reports', 'bank', 'none', 310), series('nightly-export', 'etl', 'none', 1442)].join('\n') + '\n';
  return cluster(
    [
      { ...(await sidecar('ledger-5c4b7-k8x2p', 'ledger')), prometheus },
      await sidecar('ledger-5c4b7-w9q4m', 'ledger'),
      await sidecar('web-7d4f9c-x2k8p', 'web'),
      await sidecar('reports-6b8d5-t7n3c', 'reports'),
      { name: 'legacy-batch-0', namespace: 'bank', labels: { app: 'legacy-batch' }, serviceAccount: 'legacy-batch', sidecar: false },
    ],
    {
      services: [{ name: 'ledger', namespace: 'bank', selector: { app: 'ledger' }, ports: [{ port: 8080, targetPort: 'http', name: 'http' }], clusterIP: '10.96.14.2' }],
      destinationRules: [destinationRule('bank', 'ledger-plaintext', { host: 'ledger', workloadSelector: { matchLabels: { app: 'reports' } }, trafficPolicy: { tls: { mode: 'DISABLE' } } })],
      configMaps: [meshConfigMap(), { namespace: 'bank', name: 'istio-ca-root-cert', data: { 'root-cert.pem': meshRoot.pem } }],
    },
    servers,
  );
}

/**
 * A mesh in step 2 of a rotation, for `rotation drill`: the plug-in CA's root-cert.pem and both root ConfigMaps
 * hold the old and the new root, every pod but ledger-6d8f9-x7k2p has received the new root, every leaf is still
 * from the old CA. web calls cart and ledger through their Services. The new CA's certificates are new-ca.pem.
 */
async function drillCluster(servers: Array<{ close(): Promise<void> }>, write: (name: string, data: string) => void): Promise<FakeKubeApi> {
  const oldRoot = await root('Mesh Root CA 2025', { notBefore: t(-YEAR), notAfter: t(9 * YEAR) });
  const newRoot = await root('Mesh Root CA 2026', { notBefore: t(-10 * DAY), notAfter: t(10 * YEAR) });
  const oldInter = await intermediate(oldRoot, 'Mesh Intermediate CA 2025', { notBefore: t(-180 * DAY), notAfter: t(185 * DAY) });
  const newInter = await intermediate(newRoot, 'Mesh Intermediate CA 2026', { notBefore: t(-9 * DAY), notAfter: t(2 * YEAR) });
  write('new-ca.pem', pems([newInter, newRoot]));
  const both = [oldRoot, newRoot];
  const pod = async (ns: string, name: string, sa: string, trusts: Issued[]) => ({ name, namespace: ns, labels: { app: sa }, serviceAccount: sa, chain: [await leaf(oldInter, { uris: [spiffe(ns, sa)] }), oldInter], roots: trusts });
  return cluster(
    [
      await pod('shop', 'web-7d4f9c-x2k8p', 'web', both),
      await pod('shop', 'cart-5d8b4-hx7m2', 'cart', both),
      await pod('ledger', 'ledger-6d8f9-q9w4r', 'ledger', both),
      await pod('ledger', 'ledger-6d8f9-x7k2p', 'ledger', [oldRoot]),
    ],
    {
      services: [
        { name: 'cart', namespace: 'shop', selector: { app: 'cart' }, ports: [{ port: 8080 }] },
        { name: 'ledger', namespace: 'ledger', selector: { app: 'ledger' }, ports: [{ port: 8080 }] },
      ],
      configMaps: [meshConfigMap(), ...['shop', 'ledger'].map((ns) => ({ namespace: ns, name: 'istio-ca-root-cert', data: { 'root-cert.pem': pems(both) } }))],
      secrets: [{ namespace: 'istio-system', name: 'cacerts', data: { 'ca-cert.pem': oldInter.pem, 'cert-chain.pem': pems([oldInter, oldRoot]), 'root-cert.pem': pems(both) } }],
    },
    servers,
  );
}

/** A saved fleet scan (`scan --save-evidence`) of five pods in phase 2: three trust the new root, two not yet. */
async function phase2Fleet(): Promise<FleetBundle> {
  const oldRoot = await root('Mesh Root CA 2025', { notBefore: t(-YEAR), notAfter: t(9 * YEAR) });
  const newRoot = await root('Mesh Root CA 2026', { notBefore: t(-2 * DAY), notAfter: t(10 * YEAR) });
  const inter = await intermediate(oldRoot, 'Mesh Intermediate CA 2025', { notBefore: t(-180 * DAY), notAfter: t(185 * DAY) });
  const pods: PodHolding[] = [];
  for (const [i, name] of ['web-1', 'web-2', 'web-3', 'api-1', 'api-2'].entries()) {
    const l = await leaf(inter, { uris: [spiffe('shop', name.split('-')[0]!)] });
    pods.push({ namespace: 'shop', name, workload: name.split('-')[0]!, status: 'ok', served: [l.pem + inter.pem], trusted: i < 3 ? [oldRoot.pem, newRoot.pem] : [oldRoot.pem] });
  }
  return { kind: FLEET_BUNDLE_KIND, schemaVersion: 1, collectedAt: new Date(AT).toISOString(), scope: { namespaces: ['shop'] }, input: { pods } };
}

export interface SampleRun {
  id: string;
  /** The block's text: `$ mtls-doctor …`, the output, and (for error samples) the exit code. */
  text: string;
}

const shellQuote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

function replaceAll(s: string, pairs: Array<[string, string]>): string {
  for (const [from, to] of pairs) s = s.split(from).join(to);
  return s;
}

/** Runs one sample through the built CLI (spawned: the stand-ins live in this process and must keep answering). */
export async function runSample(s: Sample, stage: Stage): Promise<SampleRun> {
  const scene = stage.scenes[s.scene];
  // Each sample meets the sidecar as it was at the start: the counters climb between its two --window reads.
  rewindFakeAdmins();
  const args = s.args.map((a) => replaceAll(a, scene.ports));
  const env = { PATH: process.env.PATH ?? '', HOME: scene.cwd, NO_COLOR: '1', COLUMNS, MTLS_DOCTOR_NO_AUTODETECT: '1', KUBECONFIG: join(scene.cwd, 'no-kubeconfig'), ...scene.env };
  const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    if (s.script) writeFileSync(join(scene.cwd, 'example.mjs'), s.script);
    const p = spawn(process.execPath, s.script ? ['example.mjs'] : [BIN, ...args], { cwd: scene.cwd, env });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.on('error', reject);
    p.on('close', (code) => (clearTimeout(timer), resolve({ code, stdout, stderr })));
  });
  const back = scene.ports.map(([d, real]) => [real, d] as [string, string]);
  let lines = replaceAll(r.stdout, back).replace(/\s+$/, '').split('\n');
  if (s.grepV !== undefined) lines = lines.filter((l) => !new RegExp(s.grepV!).test(l));
  if (s.until) {
    const at = lines.findIndex((l) => s.until!.test(l));
    // The output changed shape: say so rather than paste the whole report into a short page.
    if (at < 0) throw new Error(`sample ${s.id}: no output line matches ${s.until}; choose where to cut it in scripts/docs-samples.ts`);
    lines = [...lines.slice(0, at), '…'];
  }
  if (s.jq !== undefined) {
    let v: unknown = JSON.parse(lines.join('\n'));
    for (const [, key, index] of s.jq.matchAll(/\.(\w+)|\[(\d+)\]/g)) v = (v as Record<string, unknown>)?.[key ?? Number(index)];
    if (v === undefined) throw new Error(`sample ${s.id}: ${s.jq} is not in the output`);
    lines = JSON.stringify(v, null, 2).split('\n');
  }
  if (s.head !== undefined) lines = lines.slice(0, s.head);
  let out = lines.join('\n');
  if (s.stderr) out = [out, replaceAll(r.stderr, back).replace(/\s+$/, ''), `[exit ${r.code}]`].filter(Boolean).join('\n');
  else if ((r.code !== 0 && r.code !== 1) || r.stderr) throw new Error(`sample ${s.id}: mtls-doctor ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
  if (s.script) return { id: s.id, text: `$ cat example.mjs\n${s.script.replace(/\n$/, '')}\n$ node example.mjs\n${out}` };
  const pipes = [s.jq !== undefined ? ` | jq ${shellQuote(s.jq)}` : '', s.grepV !== undefined ? ` | grep -Ev ${shellQuote(s.grepV)}` : '', s.head !== undefined ? ` | head -${s.head}` : ''].join('');
  return { id: s.id, text: `$ mtls-doctor ${s.args.map(shellQuote).join(' ')}${pipes}\n${out}` };
}

export async function runSamples(ids?: Set<string>): Promise<Map<string, string>> {
  const stage = await startStage();
  try {
    const out = new Map<string, string>();
    for (const s of SAMPLES) if (!ids || ids.has(s.id)) out.set(s.id, (await runSample(s, stage)).text);
    return out;
  } finally {
    await stage.close();
  }
}

/** `<!-- sample:ID -->` … `<!-- /sample -->` blocks: the id and the text inside the fence. */
export const SAMPLE_BLOCK = /<!-- sample:([\w-]+) -->\n```(?:console)?\n([\s\S]*?)```\n<!-- \/sample -->/g;

export function sampleIds(page: string): string[] {
  return [...page.matchAll(SAMPLE_BLOCK)].map((m) => m[1]!);
}

/**
 * What may differ between two runs of one sample: certificate fingerprints (the keys are random each run, also
 * when shortened to 12 digits and `…`), how long a scan took, and the measured interval between the two reads of
 * Envoy's counters (`--window 1` is 1.1 s on a loaded machine).
 */
export function masked(text: string): string {
  return text
    .replace(/\b[0-9a-f]{40,}\b/g, '‹hex›')
    .replace(/\b[0-9a-f]{12}…/g, '‹hex›…')
    .replace(/(Scanned in |scan_duration_seconds |"durationSeconds": )[\d.]+/g, '$1‹t›')
    .replace(/( rose by \d+ in )[\d.]+s\b/g, '$1‹t›s');
}

/** The page with each sample block replaced by its run; a block whose text differs only where masked is kept. */
export function fillSamples(page: string, runs: Map<string, string>): string {
  return page.replace(SAMPLE_BLOCK, (whole, id: string, old: string) => {
    const text = runs.get(id);
    if (text === undefined) throw new Error(`unknown sample "${id}" (scripts/docs-samples.ts SAMPLES)`);
    if (masked(old.replace(/\n$/, '')) === masked(text)) return whole;
    return `<!-- sample:${id} -->\n\`\`\`console\n${text}\n\`\`\`\n<!-- /sample -->`;
  });
}

// ------------------------------------------------------------------------------------------------------------
// Generated tables: `<!-- generated:NAME -->` … `<!-- /generated -->`, rendered from the code that decides.

/** What each input limit bounds, in a user's words (a limit without a line here fails `npm run docs`). */
const LIMIT_TEXT: Record<LimitName, string> = {
  fileBytes: 'one certificate, CRL or key file (or one library string or buffer)',
  bundleBytes: 'a saved evidence bundle (`--evidence FILE`)',
  adminBodyBytes: 'one answer of the Envoy admin API or pilot-agent',
  textBytes: 'pasted text (`explain`, `--symptom`)',
  thresholdsBytes: '`--thresholds FILE`',
  certificatesPerSource: 'certificates in one source (a file, one library input, one Envoy secret)',
  certificatesTotal: 'certificates in one diagnosis, every source together',
  crlsPerSource: 'CRLs in one file',
  crlsTotal: 'CRLs in one diagnosis',
  crlEntries: 'revoked serials in one CRL',
  inputsPerList: 'inputs in one library list (`trust: [...]`, `ca: [...]`)',
  jsonDepth: 'nesting of JSON read from outside (bundles, admin answers)',
  adminItems: 'Envoy secrets, `/certs` contexts or stats kept from one admin answer',
  servedCertificates: 'distinct served certificates kept from `/certs`',
  collectBudgetMs: 'every Envoy admin and pilot-agent request of one collection together (the `--window` sleep excluded)',
  requestTimeoutMs: 'one Envoy admin or pilot-agent request',
  diagnoseBudgetMs: 'a whole diagnosis of a local proxy, files and a peer: admin, agent and probe at once, each at most its own cap or the time left (the `--window` sleep excluded)',
  clusterDiagnoseBudgetMs: 'a whole diagnosis of a cluster target: the API, port-forward and exec streams, the sidecars read through them and the probe',
  pipeReadTimeoutMs: 'waiting for data from a pipe or device given as a file (`--chain <(…)`)',
};

function limitValue(name: LimitName, v: number): string {
  if (name.endsWith('Bytes')) return formatBytes(v);
  if (name.endsWith('Ms')) return `${v / 1000} s`;
  return v.toLocaleString('en-US');
}

export const GENERATED: Record<string, () => string> = {
  // The rule table, linking into rules.md beside the page.
  rules: () => renderRulesTable(rules).replace(/\]\(docs\/rules\.md#/g, '](rules.md#'),
  limits: () =>
    ['| bounded | limit |', '| --- | ---: |', ...(Object.keys(LIMITS) as LimitName[]).map((k) => {
      if (!LIMIT_TEXT[k]) throw new Error(`scripts/docs-samples.ts LIMIT_TEXT: describe the limit ${k}`);
      return `| ${LIMIT_TEXT[k]} | ${limitValue(k, LIMITS[k])} |`;
    })].join('\n'),
  thresholds: () => '```json\n' + JSON.stringify(DEFAULT_THRESHOLDS, null, 2) + '\n```',
  'threshold-levels': () => {
    const t = DEFAULT_THRESHOLDS;
    return [
      '| level | warning | critical | judged by |',
      '| --- | --- | --- | --- |',
      `| leaf (workload) | < ${t.leaf.warnFraction * 100}% of its lifetime left | < ${t.leaf.criticalFraction * 100}% left | fraction of lifetime; rotation is stalled past ${t.leaf.rotationFraction * 100}% + ${t.leaf.rotationSlackFraction * 100}% of it |`,
      `| intermediate CA | < ${t.intermediate.warnDays} days left | < ${t.intermediate.criticalDays} days left | days |`,
      `| root CA | < ${t.root.warnDays} days left | < ${t.root.criticalDays} days left | days |`,
    ].join('\n');
  },
  alerts: () =>
    [
      '| alert | severity | for | fires when | runbook |',
      '| --- | --- | --- | --- | --- |',
      ...alertRules().map((r) => `| \`${r.alert}\` | ${r.severity} | ${r.for} | ${r.summary} (\`${r.expr.replace(/\|/g, '\\|')}\`) | \`${r.runbook}\` |`),
    ].join('\n'),
};

export const GENERATED_BLOCK = /<!-- generated:([\w-]+) -->\n([\s\S]*?)<!-- \/generated -->/g;

export function fillGenerated(page: string): string {
  return page.replace(GENERATED_BLOCK, (_whole, name: string) => {
    const render = GENERATED[name];
    if (!render) throw new Error(`unknown generated block "${name}" (scripts/docs-samples.ts GENERATED)`);
    return `<!-- generated:${name} -->\n${render()}\n<!-- /generated -->`;
  });
}
