/**
 * One scenario per verifier difference (src/x509/verifiers.ts): the same chain judged under two profiles gives two
 * verdicts, and each finding names the verifier in use and cites the source that decides it. The chains are
 * x509-limbo's (C2SP/x509-limbo; the cases used are kept in test/fixtures/x509-limbo/), written by people outside
 * this project, so the difference is shown on certificates we did not shape to pass. Every run goes both ways
 * (CLI and library must agree).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../../src/model/finding.js';
import type { VerifierId } from '../../src/x509/verifiers.js';
import { diagnoseBothWays } from '../support/faces.js';
import { VERIFIERS } from '../../src/x509/verifiers.js';
import { CHECKS } from '../../rules/_kit/verifier-checks.js';
import { renderVerifiersDoc } from '../../src/report/verifiers-doc.js';
import { ROOT } from '../support/cli.js';
import { limboCase } from '../support/limbo.js';
import { mesh, NOW, reencode, WEB_ID } from '../support/pki.js';

const NO_FORECAST = { leaf: { warnFraction: 0, criticalFraction: 0 }, intermediate: { warnDays: 0, criticalDays: 0 }, root: { warnDays: 0, criticalDays: 0 } };

async function judge(id: string, verifier: VerifierId): Promise<Report> {
  const tc = limboCase(id);
  return diagnoseBothWays({
    chain: [tc.peer_certificate, ...tc.untrusted_intermediates],
    trust: tc.trusted_certs,
    peerTrust: tc.trusted_certs,
    role: tc.validation_kind === 'CLIENT' ? 'client' : 'server',
    ...(tc.expected_peer_name ? { expectId: tc.expected_peer_name.value } : {}),
    ...(tc.crls.length ? { crls: tc.crls } : {}),
    at: tc.validation_time ?? '2026-06-29T00:00:00Z',
    thresholds: NO_FORECAST,
    verifier,
  });
}

/** Each check: a limbo case that has exactly that property, a profile that rejects it and one that accepts it. */
const SCENARIOS: Array<{ check: string; limbo: string; rejects: VerifierId; accepts: VerifierId; rule?: string }> = [
  { check: 'aki-missing', limbo: 'rfc5280::aki::leaf-missing-aki', rejects: 'strict', accepts: 'envoy' },
  { check: 'ski-missing', limbo: 'rfc5280::ski::intermediate-missing-ski', rejects: 'strict', accepts: 'go' },
  { check: 'basic-constraints-not-critical', limbo: 'rfc5280::root-non-critical-basic-constraints', rejects: 'strict', accepts: 'envoy' },
  { check: 'anchor-not-ca', limbo: 'rfc5280::root-missing-basic-constraints', rejects: 'strict', accepts: 'envoy' },
  { check: 'name-constraints-not-critical', limbo: 'rfc5280::nc::permitted-dns-match-noncritical', rejects: 'strict', accepts: 'ztunnel', rule: 'chain/invalid-name-constraints' },
  { check: 'name-constraints-in-leaf', limbo: 'rfc5280::nc::not-allowed-in-ee-critical', rejects: 'strict', accepts: 'envoy', rule: 'chain/invalid-name-constraints' },
  { check: 'name-constraints-dns-leading-period', limbo: 'rfc5280::nc::invalid-dnsname-leading-period', rejects: 'strict', accepts: 'envoy', rule: 'chain/invalid-name-constraints' },
  { check: 'name-constraints-malformed-dns-name', limbo: 'rfc5280::nc::nc-permits-invalid-dns-san', rejects: 'go', accepts: 'envoy', rule: 'chain/name-constraints-violated' },
  { check: 'policy-constraints-not-critical', limbo: 'rfc5280::pc::ica-noncritical-pc', rejects: 'strict', accepts: 'go' },
  { check: 'san-criticality', limbo: 'rfc5280::san::noncritical-with-empty-subject', rejects: 'strict', accepts: 'envoy' },
  { check: 'dns-san-syntax', limbo: 'rfc5280::san::underscore-dns', rejects: 'strict', accepts: 'envoy' },
  { check: 'serial-zero', limbo: 'rfc5280::serial::zero', rejects: 'strict', accepts: 'go' },
  { check: 'serial-too-long', limbo: 'rfc5280::serial::too-long', rejects: 'strict', accepts: 'envoy' },
  { check: 'ca-empty-subject', limbo: 'rfc5280::ca-empty-subject', rejects: 'strict', accepts: 'ztunnel' },
  { check: 'root-aki-profile', limbo: 'webpki::aki::root-with-aki-ski-mismatch', rejects: 'strict', accepts: 'envoy' },
  { check: 'eku-profile', limbo: 'webpki::eku::ee-anyeku', rejects: 'strict', accepts: 'envoy' },
  { check: 'rsa-modulus-size', limbo: 'webpki::forbidden-rsa-key-not-divisible-by-8-in-leaf', rejects: 'strict', accepts: 'envoy' },
  { check: 'aia-malformed', limbo: 'webpki::malformed-aia', rejects: 'go', accepts: 'envoy' },
  { check: 'leaf-is-ca', limbo: 'webpki::ee-basicconstraints-ca', rejects: 'ztunnel', accepts: 'envoy', rule: 'chain/leaf-is-ca' },
  { check: 'anchor-unknown-critical-extension', limbo: 'rfc5280::unknown-critical-extension-root', rejects: 'go', accepts: 'envoy', rule: 'chain/unknown-critical-extension' },
  { check: 'anchor-key-usage', limbo: 'rfc5280::root-inconsistent-ca-extensions', rejects: 'strict', accepts: 'ztunnel', rule: 'key-usage/ca-missing-cert-sign' },
  { check: 'rsa-key-under-2048', limbo: 'webpki::forbidden-weak-rsa-in-leaf', rejects: 'ztunnel', accepts: 'envoy', rule: 'chain/weak-algorithm' },
  { check: 'crl-number-missing', limbo: 'crl::crlnumber-missing', rejects: 'ztunnel', accepts: 'envoy' },
];

describe('verifier profiles: same chain, two profiles, two verdicts', () => {
  it('docs/verifiers.md is generated from the check table and up to date', () => {
    expect(readFileSync(join(ROOT, 'docs', 'verifiers.md'), 'utf8') === renderVerifiersDoc(), 'docs/verifiers.md is stale: run npm run docs').toBe(true);
  });

  it('covers every check where the profiles differ (advisory checks are reported but rejected by none)', () => {
    // serial-negative is shown on a chain built below (limbo's negative-serial certificate has other faults).
    const covered = new Set([...SCENARIOS.map((s) => s.check), 'serial-negative', 'sha1-signature']);
    const differing = CHECKS.filter((c) => c.rejectedBy.length > 0).map((c) => c.id);
    expect(differing.filter((id) => !covered.has(id))).toEqual([]);
  });

  for (const s of SCENARIOS) {
    it(`${s.check}: ${s.rejects} rejects ${s.limbo}, ${s.accepts} accepts it`, async () => {
      const check = CHECKS.find((c) => c.id === s.check)!;
      const rule = s.rule ?? 'chain/verifier-rejects';
      const rejected = await judge(s.limbo, s.rejects);
      const accepted = await judge(s.limbo, s.accepts);
      expect(rejected.verdict).toBe('failing');
      expect(accepted.verdict).not.toBe('failing');

      const hit = rejected.findings.find((f) => f.rule === rule && f.explanation.includes(check.source[s.rejects]));
      expect(hit, `${rule} under ${s.rejects}`).toBeDefined();
      expect(['error', 'critical']).toContain(hit!.severity);
      expect(hit!.explanation).toContain(`${VERIFIERS[s.rejects].label} rejects`);

      // Under the accepting profile: not an error; a warning naming a mesh verifier that rejects, or a note.
      const soft = accepted.findings.find((f) => f.rule === rule && f.explanation.includes(check.source[s.accepts]));
      expect(soft, `${rule} under ${s.accepts}`).toBeDefined();
      expect(soft!.severity).toBe(check.rejectedBy.some((v) => v !== 'strict') ? 'warning' : 'info');
      expect(soft!.explanation).toContain(`${VERIFIERS[s.accepts].label} accepts`);
      expect(soft!.explanation).toContain(VERIFIERS[check.rejectedBy.find((v) => v !== 'strict') ?? 'strict'].label);
    });
  }

  it('serial-negative: Go rejects a mesh leaf with a negative serial, Envoy and ztunnel accept it', async () => {
    // Built here (limbo's negative-serial certificate has other faults): a mesh chain whose leaf is re-signed
    // with a two's-complement negative serial, as some CA tooling emits.
    const m = await mesh({ leaf: { eku: ['serverAuth', 'clientAuth'] } });
    const leaf = await reencode(m.leaf, { signer: m.inter, mutate: (tbs) => void (tbs.serialNumber = new Uint8Array([0xfe, 0x12, 0x34]).buffer) });
    const check = CHECKS.find((c) => c.id === 'serial-negative')!;
    const run = (verifier: VerifierId) => diagnoseBothWays({ chain: [leaf.pem, m.inter.pem], trust: m.root.pem, expectId: WEB_ID, at: NOW, verifier });
    const [go, envoy, ztunnel] = await Promise.all([run('go'), run('envoy'), run('ztunnel')]);
    expect(go.verdict).toBe('failing');
    expect(envoy.verdict).not.toBe('failing');
    expect(ztunnel.verdict).not.toBe('failing');
    const hit = go.findings.find((f) => f.rule === 'chain/verifier-rejects')!;
    expect(hit.severity).toBe('error');
    expect(hit.explanation).toContain('Go (crypto/x509) rejects');
    expect(hit.explanation).toContain(check.source.go);
    const soft = envoy.findings.find((f) => f.rule === 'chain/verifier-rejects')!;
    expect(soft.severity).toBe('warning');
    expect(soft.explanation).toContain('Envoy (BoringSSL) accepts');
    expect(soft.explanation).toContain(check.source.envoy);
    expect(soft.explanation).toContain('Go (crypto/x509)');
  });

  it('sha1-signature: a SHA-1 workload certificate works for Envoy sidecars, fails Go (proxyless gRPC) and ztunnel', async () => {
    const m = await mesh({ leaf: { hash: 'SHA-1', eku: ['serverAuth', 'clientAuth'] } });
    const check = CHECKS.find((c) => c.id === 'sha1-signature')!;
    const run = (verifier: VerifierId) => diagnoseBothWays({ chain: [m.leaf.pem, m.inter.pem], trust: m.root.pem, expectId: WEB_ID, at: NOW, verifier });
    const [go, ztunnel, envoy] = await Promise.all([run('go'), run('ztunnel'), run('envoy')]);
    expect([go.verdict, ztunnel.verdict]).toEqual(['failing', 'failing']);
    expect(envoy.verdict).not.toBe('failing');
    const hit = go.findings.find((f) => f.rule === 'chain/weak-algorithm')!;
    expect([hit.severity, hit.explanation]).toEqual(['error', expect.stringContaining(`Go (crypto/x509) rejects it (${check.source.go})`)]);
    const soft = envoy.findings.find((f) => f.rule === 'chain/weak-algorithm')!;
    expect([soft.severity, soft.explanation]).toEqual(['warning', expect.stringContaining(`Envoy (BoringSSL) accepts it (${check.source.envoy})`)]);
  });

  it('leaf-is-ca: the CA certificate mounted as the workload leaf fails in ambient (ztunnel), warns in a sidecar (Envoy)', async () => {
    const m = await mesh({ leaf: { ca: true, keyUsage: ['keyCertSign', 'digitalSignature'], eku: ['serverAuth', 'clientAuth'] } });
    const run = (verifier: VerifierId) => diagnoseBothWays({ chain: [m.leaf.pem, m.inter.pem], trust: m.root.pem, expectId: WEB_ID, at: NOW, verifier });
    const [ztunnel, envoy] = await Promise.all([run('ztunnel'), run('envoy')]);
    expect(ztunnel.verdict).toBe('failing');
    expect(envoy.verdict).not.toBe('failing');
    const z = ztunnel.findings.find((f) => f.rule === 'chain/leaf-is-ca')!;
    expect([z.severity, z.explanation]).toEqual(['error', expect.stringContaining('ztunnel (rustls-webpki) rejects it ("invalid peer certificate: CaUsedAsEndEntity"; rustls/webpki src/verify_cert.rs check_basic_constraints()')]);
    const e = envoy.findings.find((f) => f.rule === 'chain/leaf-is-ca')!;
    expect([e.severity, e.explanation]).toEqual(['warning', expect.stringContaining('Envoy (BoringSSL) accepts it')]);
    expect(e.explanation).toContain('CaUsedAsEndEntity');
  });

  it('validity: Go compares instants, the others whole seconds (5 ms after notAfter)', async () => {
    const go = await judge('rfc5280::validity::notafter-fractional', 'go');
    const envoy = await judge('rfc5280::validity::notafter-fractional', 'envoy');
    expect(go.verdict).toBe('failing');
    expect(go.findings.map((f) => f.rule)).toContain('expiry/leaf-expired');
    expect(envoy.verdict).not.toBe('failing');
  });

  it('a CA/B Forum issuance rule that every verifier accepts is a note under strict, and silent under the mesh profiles', async () => {
    const strict = await judge('webpki::cn::not-in-san', 'strict');
    expect(strict.verdict).not.toBe('failing');
    const note = strict.findings.find((f) => f.rule === 'chain/verifier-rejects');
    expect(note?.severity).toBe('info');
    expect(note?.explanation).toContain('Every verifier accepts it');
    const envoy = await judge('webpki::cn::not-in-san', 'envoy');
    expect(envoy.findings.filter((f) => f.rule === 'chain/verifier-rejects')).toEqual([]);
  });

  it('a chain no verifier objects to draws no verifier finding under any profile', async () => {
    for (const v of ['envoy', 'ztunnel', 'go', 'strict'] as const) {
      const r = await judge('rfc5280::nc::permitted-dns-match', v);
      expect(r.verdict, v).not.toBe('failing');
      expect(r.findings.filter((f) => f.rule === 'chain/verifier-rejects' && f.severity !== 'info')).toEqual([]);
    }
  });
});
