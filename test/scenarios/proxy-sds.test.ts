/**
 * SDS never delivered: the agent could not get a certificate, so Envoy's `default` and `ROOTCA` sit in
 * dynamic_warming_secrets and connections are reset (upstream_context_secrets_not_ready moving).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NOW } from '../support/pki.js';
import { istioStats, startFakeAgent, startFakeEnvoyAdmin, type FakeServer } from '../support/fake-envoy-admin.js';
import { runBothWays } from '../support/faces.js';
import type { Report } from '../../src/report/types.js';

const servers: FakeServer[] = [];
afterEach(async () => void (await Promise.all(servers.splice(0).map((s) => s.close()))));
const CLUSTER = 'outbound|9080||reviews.default.svc.cluster.local';
const notReady = (n: number) => istioStats({ cluster: CLUSTER, extra: { [`cluster.${CLUSTER};.client_ssl_socket_factory.upstream_context_secrets_not_ready`]: n } });

describe('SDS never delivered', () => {
  it('ranks transport/sds-not-delivered first and explains the moving secrets_not_ready counter', async () => {
    const admin = await startFakeEnvoyAdmin({ warming: ['default', 'ROOTCA'], served: [], stats: [notReady(40), notReady(57)] });
    const agent = await startFakeAgent({ ready: false });
    servers.push(admin, agent);
    const r = await runBothWays(['diagnose', '--envoy-admin', admin.url, '--agent', agent.url, '--window', '0.1', '--at', new Date(NOW).toISOString(), '-o', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.verdict).toBe('failing');
    expect(report.symptom).toMatchObject({ code: 'envoy:upstream_context_secrets_not_ready' });
    const sds = report.findings.filter((f) => f.rule === 'transport/sds-not-delivered');
    expect(sds.map((f) => f.title)).toHaveLength(3); // default warming, ROOTCA warming, the counter
    expect(report.findings[0]).toMatchObject({ rank: 1, rule: 'transport/sds-not-delivered', severity: 'critical', explainsSymptom: true });
    expect(report.findings.map((f) => f.explanation).join('\n')).toContain('Secret is not supplied by SDS');
    // No chain could be had: the certificate rules say what they miss instead of guessing.
    expect(report.chains).toEqual([]);
    expect(report.notEvaluated.find((n) => n.rule === 'expiry/leaf-expired')?.reason).toBe('insufficient-evidence');
    expect(report.sources.find((s) => s.name === 'pilot-agent readiness')?.detail).toMatch(/not ready/);
  });
});
