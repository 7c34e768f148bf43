/**
 * The 3 AM page, seen from inside the pod: the mesh's intermediate CA expired at 02:47, every leaf it issued is
 * rejected, and Envoy's outbound cluster counts fail_verify_error. Read through the Envoy admin API (real
 * undici client, fake admin), ranked, saved as a bundle and replayed byte for byte.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOUR, MIN, NOW, intermediate, leaf, root, t } from '../support/pki.js';
import { istioStats, startFakeAgent, startFakeEnvoyAdmin, type FakeServer } from '../support/fake-envoy-admin.js';
import { runBothWays } from '../support/faces.js';
import type { Report } from '../../src/report/types.js';

const CLUSTER = 'outbound|8080||payments.prod.svc.cluster.local';
const POD_ENV = { TRUST_DOMAIN: 'cluster.local', POD_NAMESPACE: 'demo', SERVICE_ACCOUNT: 'web' };
let admin: FakeServer;
let agent: FakeServer;
let dir: string;
let startAdmin: () => Promise<FakeServer>;

beforeAll(async () => {
  const r = await root();
  const i = await intermediate(r, 'Mesh Intermediate CA', { notAfter: t(-13 * MIN) }); // expired at 02:47
  const l = await leaf(i, { notBefore: t(-1 * HOUR), notAfter: t(23 * HOUR) }); // freshly rotated: does not help
  // A fresh admin per run: its stats answers go 120, then 171 (and stay there).
  startAdmin = () =>
    startFakeEnvoyAdmin({
      chain: [l, i, r],
      roots: [r],
      stats: [istioStats({ cluster: CLUSTER, outbound: { fail_verify_error: 120 } }), istioStats({ cluster: CLUSTER, outbound: { fail_verify_error: 171 } })],
    });
  admin = await startAdmin();
  agent = await startFakeAgent({ certExpiresAt: l.cert.notAfter.getTime(), ready: true });
  dir = mkdtempSync(join(tmpdir(), 'mtls-doctor-3am-'));
});
afterAll(async () => {
  await admin.close();
  await agent.close();
  rmSync(dir, { recursive: true, force: true });
});

const args = () => ['diagnose', '--envoy-admin', admin.url, '--window', '0.2', '--at', new Date(NOW).toISOString()];

describe('intermediate expiry through the admin API', () => {
  it('ranks expiry/intermediate-expired first, explaining the moving fail_verify_error', async () => {
    const r = await runBothWays([...args(), '-o', 'json'], POD_ENV);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.verdict).toBe('failing');
    expect(report.symptom).toMatchObject({ source: 'stats', code: 'envoy:fail_verify_error' });
    expect(report.symptom!.detail).toContain(`cluster.${CLUSTER};.ssl.fail_verify_error rose by 51`);
    expect(report.symptom!.detail).toContain('outbound');
    expect(report.findings[0]).toMatchObject({ rank: 1, rule: 'expiry/intermediate-expired', explainsSymptom: true, severity: 'critical' });
    // The served chain is the local chain; ROOTCA is the trust bundle; the pod's identity was found.
    expect(report.chains[0]!.certificates.map((c) => c.source)).toEqual(['envoy secret "default" #1', 'envoy secret "default" #2', 'envoy secret "default" #3']);
    expect(report.sources.find((s) => s.name === 'workload identity')).toMatchObject({ status: 'ok', detail: expect.stringContaining('spiffe://cluster.local/ns/demo/sa/web') });
    expect(report.notEvaluated.map((n) => n.rule)).not.toContain('san/identity-mismatch');
  });

  it('--save-evidence then --evidence gives the identical JSON report, byte for byte', async () => {
    const bundle = join(dir, 'bundle.json');
    await admin.close();
    admin = await startAdmin();
    const first = await runBothWays([...args(), '--agent', agent.url, '-o', 'json', '--save-evidence', bundle], POD_ENV);
    expect(first.code).toBe(1);
    expect(JSON.parse(first.stdout).findings[0]).toMatchObject({ rule: 'expiry/intermediate-expired', explainsSymptom: true });
    const saved = JSON.parse(readFileSync(bundle, 'utf8'));
    expect(saved.proxy.stats).toHaveLength(2);
    expect(saved.proxy.secrets.map((s: { name: string }) => s.name)).toEqual(['default', 'ROOTCA']);
    // The gauge is seconds left when scraped: scrape time + gauge is the agent certificate's notAfter, on any clock.
    const agentNotAfter = Date.parse(saved.proxy.agent.at) + saved.proxy.agent.certExpirySeconds.default * 1000;
    expect(Math.abs(agentNotAfter - (NOW + 23 * HOUR))).toBeLessThan(2000);
    const again = await runBothWays(['diagnose', '--evidence', bundle, '-o', 'json'], {});
    expect(again.code).toBe(1);
    expect(again.stdout).toBe(first.stdout);
    const text1 = await runBothWays(['diagnose', '--evidence', bundle, '-o', 'text'], {});
    const text2 = await runBothWays(['diagnose', '--evidence', bundle, '-o', 'text'], {});
    expect(text2.stdout).toBe(text1.stdout);
    expect(text1.stdout).toContain('symptom (stats): envoy:fail_verify_error');
  });

  it('a bundle whose proxy part is damaged is bad input (exit 2, one line)', async () => {
    const bundle = join(dir, 'bundle-bad.json');
    await runBothWays([...args(), '-o', 'json', '--save-evidence', bundle], POD_ENV);
    const saved = JSON.parse(readFileSync(bundle, 'utf8'));
    saved.proxy.stats = [{ values: {} }];
    writeFileSync(bundle, JSON.stringify(saved));
    const r = await runBothWays(['diagnose', '--evidence', bundle]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mtls-doctor: Cannot read evidence bundle .*"proxy\.stats\[0\]" needs "at" and "values"\n$/);
  });

  it('refuses proxy flags together with --evidence', async () => {
    const r = await runBothWays(['diagnose', '--evidence', join(dir, 'x.json'), '--envoy-admin', admin.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mtls-doctor: Cannot combine --evidence with --envoy-admin/);
  });

  it('rejects a bad --window and a bad --envoy-admin with one line and exit 2', async () => {
    for (const bad of [['--window', '-3'], ['--window', 'soon'], ['--envoy-admin', 'localhost:15000'], ['--envoy-admin', 'ftp://127.0.0.1:15000'], ['--chain', 'chain.pem', '--window', '5']]) {
      const r = await runBothWays(['diagnose', ...bad]);
      expect(r.code, bad.join(' ')).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });
});
