/**
 * The proxy collector driven through the real undici client against the fake Envoy admin and pilot-agent:
 * healthy payloads, each misbehaviour degrading one source to `unavailable` with a reason, stats deltas,
 * the stats-matcher-filtered case, files under --proxy-root and /proc/<envoy pid>/root, identity from env.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { formatBytes, LIMITS } from '../../src/limits.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectProxy, type ProxyCollectOptions } from '../../src/collect/proxy.js';
import { procPermissionHint } from '../../src/collect/proxy-files.js';
import { mesh, NOW } from '../support/pki.js';
import { closedPortUrl, istioDefaultMatcher, istioStats, startFakeAgent, startFakeEnvoyAdmin, type FakeServer } from '../support/fake-envoy-admin.js';
import { sourceLabel } from '../../src/report/source-label.js';

const servers: FakeServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const track = (s: FakeServer) => (servers.push(s), s);
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'mtls-doctor-proxy-'));
  dirs.push(d);
  return d;
};
const opts = (o: Partial<ProxyCollectOptions>): ProxyCollectOptions => ({ auto: false, env: {}, now: () => NOW, timeoutMs: 1500, label: sourceLabel, ...o });
const source = (c: { sources: Array<{ name: string; status: string; reason?: string; detail?: string }> }, name: string) => c.sources.find((s) => s.name === name);

describe('Envoy admin through undici', () => {
  it('reads the served chain, ROOTCA, /certs and one stats sample from a healthy sidecar', async () => {
    const m = await mesh();
    const admin = track(await startFakeEnvoyAdmin({ chain: [m.leaf, m.inter, m.root], roots: [m.root] }));
    const c = await collectProxy(opts({ envoyAdmin: admin.url }));
    expect(c.collected).toBe(true);
    expect(c.chain?.source).toBe('envoy secret "default"');
    expect(c.chain?.pems).toHaveLength(3);
    expect(c.trust.map((t) => t.source)).toEqual(['envoy secret "ROOTCA"']);
    expect(c.proxy.served.map((s) => [s.kind, s.contexts])).toEqual([['leaf', 3], ['ca', 3]]);
    expect(c.proxy.stats).toHaveLength(1);
    expect(source(c, 'envoy admin stats')).toMatchObject({ status: 'ok', detail: expect.stringContaining('give --window SECONDS') });
    expect(admin.requests).toContain('/config_dump?resource=dynamic_active_secrets');
    expect(admin.requests).toContain('/config_dump?resource=dynamic_warming_secrets');
    expect(admin.requests.find((r) => r.startsWith('/stats'))).toMatch(/format=json&filter=ssl/);
  });

  it('falls back to the full /config_dump when ?resource= is refused, and reads warming secrets there', async () => {
    const m = await mesh();
    const admin = track(await startFakeEnvoyAdmin({ roots: [m.root], chain: [m.leaf], warming: ['default'], noResourceParam: true }));
    const c = await collectProxy(opts({ envoyAdmin: admin.url }));
    expect(admin.requests).toContain('/config_dump');
    expect(c.proxy.secretsRead).toBe(true);
    expect(c.proxy.secrets.map((s) => `${s.name}:${s.state}`)).toEqual(['ROOTCA:active', 'default:warming']);
    expect(c.chain).toBeNull();
    expect(source(c, 'envoy admin secrets')).toMatchObject({ status: 'ok', detail: expect.stringContaining('default: WARMING') });
  });

  it('SPIRE per-trust-domain bundles become the trust bundles; camelCase and inline_string redaction are read too', async () => {
    const m = await mesh();
    const west = await mesh();
    const admin = track(await startFakeEnvoyAdmin({ chain: [m.leaf, m.inter], spire: { 'east.local': [m.root], 'west.local': [west.root] }, camel: true, inlineStringRedaction: true }));
    const c = await collectProxy(opts({ envoyAdmin: admin.url }));
    expect(c.chain?.pems).toHaveLength(2);
    expect(c.trust.map((t) => t.source)).toEqual(['envoy secret "ROOTCA" trust domain east.local', 'envoy secret "ROOTCA" trust domain west.local']);
    expect(source(c, 'envoy admin secrets')?.detail).toContain('trust domains east.local, west.local');
  });

  it('takes two samples --window apart', async () => {
    const m = await mesh();
    const admin = track(
      await startFakeEnvoyAdmin({
        chain: [m.leaf, m.inter],
        roots: [m.root],
        stats: [istioStats({ outbound: { fail_verify_error: 120 } }), istioStats({ outbound: { fail_verify_error: 171 } })],
      }),
    );
    let t = NOW;
    const slept: number[] = [];
    const c = await collectProxy(opts({ envoyAdmin: admin.url, windowSeconds: 5, now: () => t, sleep: async (ms) => void (slept.push(ms), (t += ms)) }));
    expect(slept).toEqual([5000]);
    expect(c.proxy.stats.map((s) => s.values['cluster.outbound|8080||payments.prod.svc.cluster.local;.ssl.fail_verify_error'])).toEqual([120, 171]);
    expect(Date.parse(c.proxy.stats[1]!.at) - Date.parse(c.proxy.stats[0]!.at)).toBe(5000);
  });

  it('reports ssl.* counters removed by the default stats matcher as missing evidence, with the fix', async () => {
    const m = await mesh();
    const admin = track(await startFakeEnvoyAdmin({ chain: [m.leaf], roots: [m.root], stats: [istioDefaultMatcher(istioStats({ outbound: { fail_verify_error: 9 } }))] }));
    const c = await collectProxy(opts({ envoyAdmin: admin.url }));
    const s = source(c, 'envoy admin stats')!;
    expect(s).toMatchObject({ status: 'unavailable' });
    expect(s.reason).toMatch(/not "zero failures"/);
    expect(s.reason).toContain('sidecar.istio.io/statsInclusionRegexps: ".*\\.ssl\\..*,.*no_filter_chain_match,.*_context_secrets_not_ready"');
    expect(c.proxy.stats).toHaveLength(1);
  });

  it.each([
    ['html', /returned HTML, not JSON/],
    ['truncated', /returned truncated JSON/],
    ['status-500', /HTTP 500 \(envoy overloaded\)/],
  ] as const)('secrets answering %s degrade to unavailable while /certs and stats still work', async (mis, reason) => {
    const m = await mesh();
    const admin = track(await startFakeEnvoyAdmin({ chain: [m.leaf], roots: [m.root], misbehave: { secrets: mis } }));
    const c = await collectProxy(opts({ envoyAdmin: admin.url }));
    expect(source(c, 'envoy admin secrets')).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(reason) });
    expect(source(c, 'envoy admin /certs')).toMatchObject({ status: 'ok' });
    expect(source(c, 'envoy admin stats')).toMatchObject({ status: 'ok' });
    expect(c.collected).toBe(true);
  });

  it('base64 that is not PEM: secrets unavailable with the reason, nothing used as a chain', async () => {
    const m = await mesh();
    const admin = track(await startFakeEnvoyAdmin({ chain: [m.leaf], roots: [m.root], misbehave: { secrets: 'not-pem' } }));
    const c = await collectProxy(opts({ envoyAdmin: admin.url }));
    expect(source(c, 'envoy admin secrets')).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/inline_bytes decodes to \d+ bytes that are not PEM/) });
    expect(c.chain).toBeNull();
  });

  it('a slow admin ends within the timeout, per endpoint, with a reason', async () => {
    const m = await mesh();
    const admin = track(await startFakeEnvoyAdmin({ chain: [m.leaf], roots: [m.root], misbehave: { all: 'slow' }, slowMs: 10_000 }));
    const t0 = Date.now();
    const c = await collectProxy(opts({ envoyAdmin: admin.url, timeoutMs: 300 }));
    const took = Date.now() - t0;
    expect(source(c, 'envoy admin secrets')).toMatchObject({ status: 'unavailable', reason: expect.stringContaining('no complete answer within 0.3s') });
    expect(source(c, 'envoy admin stats')).toMatchObject({ status: 'unavailable' });
    expect(took).toBeLessThan(3000);
    expect(c.collected).toBe(false);
  });

  it('a 200 MB body is cut at the cap and the read stops', async () => {
    const m = await mesh();
    const admin = track(await startFakeEnvoyAdmin({ chain: [m.leaf], roots: [m.root], misbehave: { secrets: 'huge' } }));
    const before = process.memoryUsage().rss;
    const t0 = Date.now();
    const c = await collectProxy(opts({ envoyAdmin: admin.url, timeoutMs: 5000 }));
    expect(source(c, 'envoy admin secrets')).toMatchObject({ status: 'unavailable', reason: expect.stringContaining(`over the ${formatBytes(LIMITS.adminBodyBytes)} limit; stopped reading`) });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(process.memoryUsage().rss - before).toBeLessThan(150 * 1024 * 1024);
    expect(source(c, 'envoy admin /certs')).toMatchObject({ status: 'ok' });
  });

  it('a closed port: every admin and agent source unavailable, one attempt each, and nothing collected', async () => {
    const url = await closedPortUrl();
    const c = await collectProxy(opts({ envoyAdmin: url, agent: url }));
    expect(c.collected).toBe(false);
    expect(c.sources.map((s) => s.status)).toEqual(['unavailable', 'unavailable', 'unavailable', 'unavailable', 'unavailable']);
    expect(source(c, 'envoy admin secrets')).toMatchObject({ reason: expect.stringContaining('connection refused') });
    expect(c.failures).toEqual([expect.stringMatching(/^envoy admin secrets: .*connection refused/), expect.stringMatching(/^pilot-agent metrics: .*connection refused/)]);
  });
});

describe('pilot-agent', () => {
  it('reads the cert expiry gauge and readiness', async () => {
    const agent = track(await startFakeAgent({ certExpirySeconds: 41_000, ready: false }));
    const c = await collectProxy(opts({ agent: agent.url }));
    expect(c.proxy.agent).toMatchObject({ certExpirySeconds: { default: 41_000 }, ready: false, at: new Date(NOW).toISOString() });
    expect(c.proxy.agent!.readyDetail).toMatch(/HTTP 503 \(Envoy proxy is NOT ready/);
    expect(source(c, 'pilot-agent readiness')).toMatchObject({ status: 'ok', detail: expect.stringContaining('not ready') });
  });
  it('HTML instead of metrics is unavailable with a reason', async () => {
    const agent = track(await startFakeAgent({ misbehave: 'html' }));
    const c = await collectProxy(opts({ agent: agent.url }));
    expect(source(c, 'pilot-agent metrics')).toMatchObject({ status: 'unavailable', reason: expect.stringContaining('returned HTML') });
  });
});

describe('files and /proc', () => {
  async function credentials(dir: string, layout = 'var/run/secrets/workload-spiffe-credentials') {
    const m = await mesh();
    mkdirSync(join(dir, layout), { recursive: true });
    writeFileSync(join(dir, layout, 'cert-chain.pem'), m.leaf.pem + m.inter.pem);
    writeFileSync(join(dir, layout, 'root-cert.pem'), m.root.pem);
    writeFileSync(join(dir, layout, 'key.pem'), await m.leaf.keyPem());
    return m;
  }

  it('--proxy-root: chain, trust and the key reduced to public facts', async () => {
    const dir = tmp();
    await credentials(dir);
    const c = await collectProxy(opts({ proxyRoot: dir }));
    expect(c.chain?.source).toBe(join(dir, 'var/run/secrets/workload-spiffe-credentials/cert-chain.pem'));
    expect(c.trust.map((t) => t.source)).toEqual([join(dir, 'var/run/secrets/workload-spiffe-credentials/root-cert.pem')]);
    expect(c.key).toMatchObject({ type: 'ec', spkiSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(JSON.stringify(c)).not.toContain('PRIVATE KEY');
  });

  it('a file that is not PEM is recorded with its reason; the others are still used', async () => {
    const dir = tmp();
    await credentials(dir, 'etc/certs');
    writeFileSync(join(dir, 'etc/certs/root-cert.pem'), 'garbage\n');
    const c = await collectProxy(opts({ proxyRoot: dir }));
    expect(c.proxy.files.find((f) => f.kind === 'root-cert')?.error).toMatch(/neither PEM nor DER/);
    expect(c.chain).not.toBeNull();
    expect(source(c, `files under ${dir}`)).toMatchObject({ status: 'ok' });
  });

  it('auto: finds the envoy pid in /proc, reads its root and the identity from its environ', async () => {
    const proc = tmp();
    const pid = join(proc, '4242');
    mkdirSync(pid);
    writeFileSync(join(proc, 'uptime'), '3600.12 7100.40\n'); // not a pid: ignored
    mkdirSync(join(proc, '17'));
    writeFileSync(join(proc, '17', 'cmdline'), '/usr/local/bin/pilot-agent\0proxy\0sidecar\0');
    writeFileSync(join(pid, 'cmdline'), '/usr/local/bin/envoy\0-c\0etc/istio/proxy/envoy-rev.json\0');
    writeFileSync(join(pid, 'environ'), 'PATH=/usr/bin\0TRUST_DOMAIN=cluster.local\0POD_NAMESPACE=demo\0SERVICE_ACCOUNT=web\0');
    await credentials(join(pid, 'root'));
    const url = await closedPortUrl();
    const c = await collectProxy(opts({ auto: true, procDir: proc, envoyAdmin: url, agent: url }));
    expect(c.proxy.root).toBe(join(pid, 'root'));
    expect(c.chain?.source).toContain('/4242/root/var/run/secrets/workload-spiffe-credentials/cert-chain.pem');
    expect(c.expectId).toBe('spiffe://cluster.local/ns/demo/sa/web');
    expect(source(c, 'workload identity')).toMatchObject({ status: 'ok', detail: expect.stringContaining('/proc environ') });
    expect(c.collected).toBe(true);
  });

  it('auto without an envoy process says how to run it', async () => {
    const proc = tmp();
    const url = await closedPortUrl();
    const c = await collectProxy(opts({ auto: true, procDir: proc, envoyAdmin: url, agent: url }));
    expect(source(c, 'istio-proxy /proc')).toMatchObject({ status: 'unavailable', reason: expect.stringContaining('kubectl debug --target=istio-proxy') });
  });

  it('a permission error on /proc/<pid>/root says what to change', () => {
    const e = Object.assign(new Error('EACCES'), { code: 'EACCES' });
    expect(procPermissionHint('/proc/4242/root', e)).toBe(
      'permission denied reading /proc/4242/root: run the debug container as the istio-proxy user (uid 1337) or with CAP_SYS_PTRACE (kubectl debug --profile=general)',
    );
  });

  it('identity from our own environment, as inside the istio-proxy container', async () => {
    const dir = tmp();
    await credentials(dir);
    const c = await collectProxy(opts({ proxyRoot: dir, env: { TRUST_DOMAIN: 'prod.example', POD_NAMESPACE: 'pay', SERVICE_ACCOUNT: 'api' } }));
    expect(c.expectId).toBe('spiffe://prod.example/ns/pay/sa/api');
  });
});
