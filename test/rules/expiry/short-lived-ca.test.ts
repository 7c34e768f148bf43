/**
 * Issue 9 point 8: a short-lived CA (SPIRE's default 24 h) is judged by the fraction of its own lifetime left,
 * and the fix fits the CA that issued it (SPIRE, cert-manager istio-csr, istiod self-signed, plug-in cacerts).
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/index.js';
import type { Issued } from '../../../src/x509/issue.js';
import { issue } from '../../../src/x509/issue.js';
import { DAY, HOUR, NOW, YEAR, intermediate, leaf, root, t } from '../../support/pki.js';

/** SPIRE's server CA: subject C=US, O=SPIFFE, the trust domain as a URI SAN, 24 h, signed by an upstream root. */
const spireCa = (upstream: Issued, notBefore: number, notAfter: number) =>
  intermediate(upstream, 'unused', { subject: 'C=US, O=SPIFFE', uris: ['spiffe://cluster.local'], notBefore: t(notBefore), notAfter: t(notAfter) });

async function judge(ca: Issued, r: Issued) {
  const l = await leaf(ca, { notBefore: t(-10 * 60_000), notAfter: t(50 * 60_000) });
  return diagnose({ chain: l.pem + ca.pem, trust: [r.pem], at: NOW });
}

describe('short-lived CAs', () => {
  it('a healthy SPIRE CA one hour into its 24 h day is not "expiring"', async () => {
    const r = await root('Upstream Root');
    const report = await judge(await spireCa(r, -HOUR, 23 * HOUR), r);
    expect(report.findings.map((f) => f.rule)).not.toContain('expiry/intermediate-expiring');
    expect(report.verdict).toBe('healthy');
  });

  it('a SPIRE CA with 2 h of its 24 h left is, with the SPIRE fix (not cacerts and istiod)', async () => {
    const r = await root('Upstream Root');
    const report = await judge(await spireCa(r, -22 * HOUR, 2 * HOUR), r);
    const f = report.findings.find((x) => x.rule === 'expiry/intermediate-expiring')!;
    expect(f.severity).toBe('error');
    expect(f.explanation).toMatch(/only 8% of its 1d lifetime is left \(threshold 10%; a CA this short-lived is judged like a leaf/);
    expect(f.remediation[0]).toMatch(/SPIRE rotates its own CA .*spire-server/);
    expect(f.remediation.join(' ')).not.toMatch(/cacerts/);
  });
});

describe('remediation fits the CA kind', () => {
  it('cert-manager istio-csr', async () => {
    const r = await root('Upstream Root');
    const ca = await issue({ subject: 'O=cert-manager, O=cluster.local, CN=istio-ca', ca: true, issuer: r, notBefore: t(-YEAR), notAfter: t(20 * DAY) });
    const f = (await judge(ca, r)).findings.find((x) => x.rule === 'expiry/intermediate-expiring')!;
    expect(f.remediation[0]).toMatch(/cert-manager renews this CA/);
  });

  it("istiod's self-signed root", async () => {
    const r = await issue({ subject: 'O=cluster.local', ca: true, notBefore: t(-9 * YEAR), notAfter: t(20 * DAY) });
    const l = await leaf(r);
    const report = await diagnose({ chain: l.pem, trust: [r.pem], at: NOW });
    const f = report.findings.find((x) => x.rule === 'expiry/root-expiring')!;
    expect(f.remediation[0]).toMatch(/istiod's self-signed root \(Secret istio-ca-secret in istio-system\)/);
  });

  it('a plug-in CA (cacerts) keeps the cacerts advice', async () => {
    const r = await root();
    const i = await intermediate(r, 'Istio Intermediate CA', { notAfter: t(20 * DAY) });
    const f = (await judge(i, r)).findings.find((x) => x.rule === 'expiry/intermediate-expiring')!;
    expect(f.remediation[0]).toMatch(/cacerts Secret, then restart istiod/);
    expect(f.explanation).toMatch(/threshold 30 days/);
  });
});
