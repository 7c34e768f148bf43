/**
 * The built CLI against the fake Envoy admin, spawned asynchronously so that the fake
 * server in this process keeps answering. (Which chunks each path loads: test/build/chunks.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { HOUR, MIN, intermediate, leaf, root, t } from '../support/pki.js';
import { istioStats, startFakeEnvoyAdmin, type FakeServer } from '../support/fake-envoy-admin.js';
import { cliCommand } from '../support/cli.js';

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const [cmd, argv] = cliCommand(args);
    const p = spawn(cmd, argv, { env: { ...process.env, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 20_000);
    p.on('close', (code) => (clearTimeout(timer), resolve({ code, stdout, stderr })));
  });
}

let admin: FakeServer;
beforeAll(async () => {
  const r = await root();
  const i = await intermediate(r, 'Mesh Intermediate CA', { notAfter: t(-13 * MIN) });
  const l = await leaf(i, { notBefore: t(-HOUR), notAfter: t(23 * HOUR) });
  admin = await startFakeEnvoyAdmin({ chain: [l, i, r], roots: [r], stats: [istioStats({ outbound: { fail_verify_error: 3 } }), istioStats({ outbound: { fail_verify_error: 20 } })] });
});
afterAll(() => admin.close());

describe('the built CLI', () => {
  it('diagnoses through the admin API', async () => {
    const r = await run(['diagnose', '--envoy-admin', admin.url, '--window', '0.2', '--at', '2026-11-29T03:00:00Z', '-o', 'json'], { TRUST_DOMAIN: 'cluster.local', POD_NAMESPACE: 'demo', SERVICE_ACCOUNT: 'web' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.findings[0]).toMatchObject({ rule: 'expiry/intermediate-expired', explainsSymptom: true });
    expect(report.symptom.code).toBe('envoy:fail_verify_error');
  });

  it('with no flags and nothing to find, exits 3 with one line naming every source it tried', async () => {
    const r = await run(['diagnose'], { TRUST_DOMAIN: '', POD_NAMESPACE: '', SERVICE_ACCOUNT: '' });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^mtls-doctor: No evidence to diagnose: envoy admin secrets: http:\/\/127\.0\.0\.1:15000: .*pilot-agent metrics: .*files under \/: .*istio-proxy \/proc: .*kubectl debug/);
  });
});

describe('a stuck Envoy (issue 22): one deadline, endpoints asked at once', () => {
  let stuck: FakeServer;
  beforeAll(async () => {
    const r = await root();
    const i = await intermediate(r, 'Mesh Intermediate CA');
    const l = await leaf(i, { notBefore: t(-HOUR), notAfter: t(23 * HOUR) });
    // /certs and /stats never answer (an hour is "never" for a diagnosis); the secrets answer at once.
    stuck = await startFakeEnvoyAdmin({ chain: [l, i, r], roots: [r], misbehave: { certs: 'slow', stats: 'slow' }, slowMs: 3_600_000 });
  });
  afterAll(() => stuck.close());

  it('ends within 6 s and names the endpoints that timed out', async () => {
    const started = Date.now();
    const r = await run(['diagnose', '--envoy-admin', stuck.url, '--at', '2026-11-29T03:00:00Z', '-o', 'json'], { TRUST_DOMAIN: 'cluster.local', POD_NAMESPACE: 'demo', SERVICE_ACCOUNT: 'web' });
    const took = Date.now() - started;
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout);
    // The served chain was judged (the secrets answered), but what /certs and stats would have shown was not:
    // never "healthy" (issue 22), and each source that timed out says what it kept from being judged.
    expect(report.chains.length).toBeGreaterThan(0);
    expect(report.verdict).toBe('unknown');
    const late = report.sources.filter((s: { timedOut?: boolean }) => s.timedOut);
    expect(late.map((s: { name: string }) => s.name).sort()).toEqual(['envoy admin /certs', 'envoy admin stats']);
    for (const s of late) expect(s.notJudged).toMatch(/\w/);
    const sources = JSON.stringify(report);
    expect(sources).toMatch(/envoy admin \/certs[^}]*no complete answer within 5s/);
    expect(sources).toMatch(/envoy admin stats[^}]*no complete answer within 5s/);
    // 5 s request cap once (the endpoints run concurrently), plus process start; sequential asks took 8.8 s+.
    expect(took).toBeLessThan(6_000 + 1_500);
  }, 30_000);
});

describe('a stuck Envoy and a peer that never answers the handshake (issue 22): one deadline for both', () => {
  let stuck: FakeServer;
  let silent: Server;
  const held = new Set<Socket>();
  beforeAll(async () => {
    const r = await root();
    const i = await intermediate(r, 'Mesh Intermediate CA');
    const l = await leaf(i, { notBefore: t(-HOUR), notAfter: t(23 * HOUR) });
    stuck = await startFakeEnvoyAdmin({ chain: [l, i, r], roots: [r], misbehave: { certs: 'slow', stats: 'slow' }, slowMs: 3_600_000 });
    // Accepts TCP and reads the ClientHello, never a byte back.
    silent = createServer((s) => (held.add(s), s.on('close', () => held.delete(s)), s.on('error', () => undefined)));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const s of held) s.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
    await stuck.close();
  });

  it('asks the peer while Envoy hangs, ends within the deadline and names every source that timed out', async () => {
    const peer = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const started = Date.now();
    const r = await run(['diagnose', '--envoy-admin', stuck.url, '--peer', peer, '--at', '2026-11-29T03:00:00Z', '-o', 'json'], { TRUST_DOMAIN: 'cluster.local', POD_NAMESPACE: 'demo', SERVICE_ACCOUNT: 'web' });
    const took = Date.now() - started;
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout);
    const late = report.sources.filter((s: { timedOut?: boolean }) => s.timedOut).map((s: { name: string; notJudged: string }) => [s.name, s.notJudged]);
    expect(late.map((x: string[]) => x[0]).sort()).toEqual(['envoy admin /certs', 'envoy admin stats', `peer: ${peer}`]);
    expect(Object.fromEntries(late)[`peer: ${peer}`]).toMatch(/verdict on ours/);
    // The peer's silence is itself the finding; what timed out keeps the verdict from "healthy" in any case.
    expect(report.verdict).not.toBe('healthy');
    expect(report.findings.map((f: { rule: string }) => f.rule)).toContain('transport/peer-unreachable');
    // Bounded by the diagnosis's deadline (LIMITS.diagnoseBudgetMs, 8 s) plus process start, not by the sum of
    // the caps (5 s for the endpoints, then 5 s for the handshake): the probe started once the secrets were read.
    expect(took).toBeLessThan(8_000 + 2_000);
  }, 30_000);

  it('says it in the text report: the sources that timed out at the top, and what each kept from being judged', async () => {
    const peer = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const r = await run(['diagnose', '--envoy-admin', stuck.url, '--peer', peer, '--at', '2026-11-29T03:00:00Z'], { TRUST_DOMAIN: 'cluster.local', POD_NAMESPACE: 'demo', SERVICE_ACCOUNT: 'web', COLUMNS: '80' });
    const flat = r.stdout.replace(/\s+/g, ' ');
    expect(flat).toMatch(/timed out: envoy admin \/certs, envoy admin stats, peer: 127\.0\.0\.1:\d+/);
    expect(flat).toMatch(/envoy admin stats: timed out — \S+ no complete answer within 5s not judged: Envoy's ssl\.\* counters/);
    expect(flat).toMatch(/peer: 127\.0\.0\.1:\d+: timed out — .* not judged: the peer's chain and its verdict on ours/);
    // What this adds fits an 80-column pane: the head (above the findings) and the sources' section.
    const head = r.stdout.slice(0, r.stdout.indexOf('Findings ('));
    const tail = r.stdout.slice(r.stdout.lastIndexOf('Sources not used'));
    expect([...head.split('\n'), ...tail.split('\n')].filter((line) => line.length > 80)).toEqual([]);
  }, 30_000);
});
