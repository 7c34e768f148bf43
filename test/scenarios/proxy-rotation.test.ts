/**
 * Mid-rotation trust bundle: the root was renewed with the same subject and key, and ROOTCA now holds the
 * expired and the renewed copy. BoringSSL may pick the expired one (envoy#38302): inbound fail_verify_error
 * moves while every certificate on the path looks fine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, NOW, YEAR, intermediate, leaf, root, t } from '../support/pki.js';
import { issue } from '../../src/x509/issue.js';
import { istioStats, startFakeEnvoyAdmin, type FakeServer } from '../support/fake-envoy-admin.js';
import { runBothWays } from '../support/faces.js';
import type { Report } from '../../src/report/types.js';

let admin: FakeServer;
beforeAll(async () => {
  const renewed = await root('Mesh Root CA', { notBefore: t(-30 * DAY), notAfter: t(10 * YEAR) });
  const expired = await issue({ subject: 'O=cluster.local, CN=Mesh Root CA', notBefore: t(-5 * YEAR), notAfter: t(-DAY), ca: true, keys: renewed.keys });
  const i = await intermediate(renewed);
  const l = await leaf(i);
  admin = await startFakeEnvoyAdmin({
    chain: [l, i, renewed],
    roots: [expired, renewed],
    stats: [istioStats({ inbound: { fail_verify_error: 10 } }), istioStats({ inbound: { fail_verify_error: 42 } })],
  });
});
afterAll(() => admin.close());

describe('mid-rotation trust bundle', () => {
  it('finds the duplicate subject in ROOTCA and marks it as explaining the inbound fail_verify_error', async () => {
    const r = await runBothWays(['diagnose', '--envoy-admin', admin.url, '--window', '0.1', '--at', new Date(NOW).toISOString(), '-o', 'json']);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.symptom?.detail).toContain('inbound, listener 0.0.0.0_15006');
    const dup = report.findings.find((f) => f.rule === 'chain/trust-bundle-duplicate-subject')!;
    expect(dup).toMatchObject({ severity: 'error', explainsSymptom: true, subject: 'local' });
    expect(dup.explanation).toMatch(/envoy secret "ROOTCA".*1 expired, 1 still valid/);
    expect(dup.evidence).toHaveLength(2);
    expect(report.findings.filter((f) => f.explainsSymptom).map((f) => f.rank)).toContain(1);
  });
});
