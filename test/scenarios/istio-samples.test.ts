/**
 * Istio's own sample certificates (istio/istio samples/certs, test/fixtures/istio/README.md): the workload "foo"
 * certificate, issued in trust domain "trust-domain-foo", checked where "trust-domain-bar" is expected. Its CA
 * chain also breaks RFC 5280 rules that only strict verifiers enforce (no AKI, no SKI, non-critical
 * basicConstraints): notes, which must not bury the fault that breaks the handshake.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Report } from '../../src/model/finding.js';
import { runBothWays } from '../support/faces.js';
import { ROOT } from '../support/cli.js';

const DIR = join(ROOT, 'test', 'fixtures', 'istio', 'samples-certs');
const AT = '2026-12-01T00:00:00Z';
const argv = (...extra: string[]) => ['diagnose', '--chain', join(DIR, 'workload-foo-cert.pem'), '--trust', join(DIR, 'root-cert.pem'), '--at', AT, ...extra, '-o', 'json'];

describe('Istio samples/certs: workload-foo-cert.pem against root-cert.pem', () => {
  it('expecting an identity in trust-domain-bar ranks san/trust-domain-mismatch first, the conformance notes after it as one finding', async () => {
    const r = await runBothWays(argv('--expect-id', 'spiffe://trust-domain-bar/ns/bar/sa/bar'));
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.verdict).toBe('failing');
    expect(report.findings[0]).toMatchObject({ rank: 1, rule: 'san/trust-domain-mismatch', severity: 'critical', subject: 'local' });
    const notes = report.findings.filter((f) => f.rule === 'chain/verifier-rejects');
    expect(notes.map((f) => f.severity)).toEqual(['info']);
    // Every non-conformance is listed once: the leaf's missing AKI, the CA's missing AKI and SKI, two non-critical basicConstraints.
    const [note] = notes;
    expect(note!.explanation.match(/has no authorityKeyIdentifier keyIdentifier/g)).toHaveLength(2);
    expect(note!.explanation.match(/is a CA without a subjectKeyIdentifier/g)).toHaveLength(1);
    expect(note!.explanation.match(/has basicConstraints cA=TRUE marked non-critical/g)).toHaveLength(2);
    // Each verifier's verdict once, each citation once: Envoy's (the verifier in use) in the explanation, the
    // others' in one evidence line each.
    expect(note!.explanation).toContain('Envoy (BoringSSL) accepts them (');
    expect(note!.explanation).toContain('but strict (RFC 5280 + CA/B Forum) rejects them; ztunnel (rustls-webpki) and Go (crypto/x509) accept them.');
    expect(note!.evidence.filter((e) => e.source === 'Envoy (BoringSSL)')).toHaveLength(0);
    for (const label of ['ztunnel (rustls-webpki)', 'Go (crypto/x509)', 'strict (RFC 5280 + CA/B Forum)']) {
      expect(note!.evidence.filter((e) => e.source === label)).toHaveLength(1);
    }
    const cited = [note!.explanation, ...note!.evidence.map((e) => e.detail)].join('\n');
    for (const c of ['x509_vfy.cc check_chain_extensions() has no AKI rule', 'X509_V_ERR_MISSING_SUBJECT_KEY_IDENTIFIER', 'rfc5280::root-non-critical-basic-constraints']) {
      expect(cited.split(c).length - 1, c).toBe(1);
    }
    expect(report.findings).toHaveLength(2);
  });

  it('with the identity it holds: healthy for Envoy, the notes alone', async () => {
    const r = await runBothWays(argv('--expect-id', 'spiffe://trust-domain-foo/ns/foo/sa/foo'));
    const report = JSON.parse(r.stdout) as Report;
    expect(report.verdict).toBe('healthy');
    expect(report.findings.map((f) => [f.rule, f.severity])).toEqual([['chain/verifier-rejects', 'info']]);
  });

  it('under --verifier strict the same notes are one error, still after the trust-domain mismatch', async () => {
    const r = await runBothWays(argv('--expect-id', 'spiffe://trust-domain-bar/ns/bar/sa/bar', '--verifier', 'strict'));
    const report = JSON.parse(r.stdout) as Report;
    expect(report.findings.map((f) => [f.rule, f.severity])).toEqual([
      ['chain/verifier-rejects', 'error'],
      ['san/trust-domain-mismatch', 'critical'],
    ]);
  });
});
