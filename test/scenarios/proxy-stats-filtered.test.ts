/**
 * Istio's default stats matcher keeps no ssl.* counter. The report must say the evidence is missing and how to
 * get it, and must not read the absence as "zero failures".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mesh, NOW } from '../support/pki.js';
import { istioDefaultMatcher, istioStats, startFakeEnvoyAdmin, type FakeServer } from '../support/fake-envoy-admin.js';
import { runBothWays } from '../support/faces.js';
import type { Report } from '../../src/report/types.js';

let admin: FakeServer;
beforeAll(async () => {
  const m = await mesh();
  // Failures are happening, but the matcher hides them: both samples are filtered.
  const hidden = (n: number) => istioDefaultMatcher(istioStats({ outbound: { fail_verify_error: n } }));
  admin = await startFakeEnvoyAdmin({ chain: [m.leaf, m.inter, m.root], roots: [m.root], stats: [hidden(5), hidden(90)] });
});
afterAll(() => admin.close());

describe('ssl.* stats filtered out by the stats matcher', () => {
  it('reports the stats source unavailable with the annotation fix, and no stats symptom', async () => {
    const r = await runBothWays(['diagnose', '--envoy-admin', admin.url, '--window', '0.1', '--at', new Date(NOW).toISOString(), '-o', 'json']);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.symptom).toBeNull();
    const stats = report.sources.find((s) => s.name === 'envoy admin stats')!;
    expect(stats.status).toBe('unavailable');
    expect(stats.reason).toContain('this is not "zero failures"');
    expect(stats.reason).toContain('sidecar.istio.io/statsInclusionRegexps');
    expect(stats.reason).toContain('proxyStatsMatcher');
    expect(JSON.stringify(report.findings)).not.toMatch(/fail_verify|0 failures|no failures/);
  });

  it('the text report shows it under "Sources not used"', async () => {
    const r = await runBothWays(['diagnose', '--envoy-admin', admin.url, '--at', new Date(NOW).toISOString()]);
    const section = r.stdout.slice(r.stdout.indexOf('Sources not used'));
    expect(section).toMatch(/envoy admin stats: unavailable — .*answered without any ssl\.\* counter/);
    expect(section).toContain('restart the pod');
  });
});
