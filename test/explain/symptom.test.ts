/**
 * `diagnose --symptom "<pasted error>"`: the pasted text is decoded by the same table as `explain`, and the
 * findings that explain it rank first with `explainsSymptom: true` — on a chain that has two faults at once.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/engine/evaluate.js';
import { diagnose } from '../../src/index.js';
import { pastedSymptom } from '../../src/explain/symptom-deriver.js';
import { rules } from '../../rules/index.js';
import { mesh, evidenceFor, spiffe, t, DAY, MIN, NOW, type Issued } from '../support/pki.js';
import type { EvidenceBundle } from '../../src/evidence/types.js';
import { sourceLabel } from '../../src/report/source-label.js';

let m: { root: Issued; inter: Issued; leaf: Issued };
let base: EvidenceBundle;
/** The client expects the `reviews` service account; the server's leaf is `web`'s. */
const EXPECTED = spiffe('demo', 'reviews');

beforeAll(async () => {
  // The intermediate expired at 02:47 (13 minutes ago) AND the leaf carries the wrong identity.
  m = await mesh({ inter: { notBefore: t(-400 * DAY), notAfter: t(-13 * MIN) } });
  base = await evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root], expectId: EXPECTED });
});

const withSymptom = (text: string | null): EvidenceBundle => ({ ...base, symptomText: text });
const ids = (r: { findings: { rule: string }[] }) => r.findings.map((f) => f.rule);

describe('--symptom ranks the findings that explain the pasted error first', () => {
  it('without a symptom, stage order puts the expired intermediate first', () => {
    const r = evaluate(withSymptom(null), rules, { label: sourceLabel, pasted: pastedSymptom });
    expect(ids(r)).toContain('san/identity-mismatch');
    expect(r.findings[0]!.rule).toBe('expiry/intermediate-expired');
    expect(r.symptom).toBeNull();
    expect(r.findings.every((f) => !f.explainsSymptom)).toBe(true);
  });

  it('a SAN-matcher failure pasted from the client: the identity mismatch ranks first and explains it', () => {
    const plain = evaluate(withSymptom(null), rules, { label: sourceLabel, pasted: pastedSymptom }).findings.find((f) => f.rule === 'san/identity-mismatch')!;
    const r = evaluate(withSymptom('verify cert failed: SAN matcher\nTLS_error:|268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED:TLS_error_end'), rules, { label: sourceLabel, pasted: pastedSymptom });
    expect(r.findings[0]).toMatchObject({ rule: 'san/identity-mismatch', explainsSymptom: true, rank: 1 });
    expect(r.findings[0]!.confidence).toBeGreaterThan(plain.confidence);
    expect(r.findings.find((f) => f.rule === 'expiry/intermediate-expired')!.explainsSymptom).toBe(false);
    expect(r.symptom).toMatchObject({ source: 'pasted', code: 'envoy:san-matcher' });
  });

  it('the Envoy counter form (ssl.fail_verify_san) does the same', () => {
    const r = evaluate(withSymptom('cluster.outbound|9080||reviews.demo.svc.cluster.local.ssl.fail_verify_san: 14'), rules, { label: sourceLabel, pasted: pastedSymptom });
    expect(r.findings[0]).toMatchObject({ rule: 'san/identity-mismatch', explainsSymptom: true });
  });

  it('a certificate_expired alert: the expired intermediate explains it and the SAN finding does not', () => {
    const r = evaluate(withSymptom('TLS error: 268436501:SSL routines:OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_EXPIRED'), rules, { label: sourceLabel, pasted: pastedSymptom });
    expect(r.findings[0]).toMatchObject({ rule: 'expiry/intermediate-expired', explainsSymptom: true });
    expect(r.findings.find((f) => f.rule === 'san/identity-mismatch')!.explainsSymptom).toBe(false);
    expect(r.symptom!.code).toBe('alert:45');
  });

  it('an unrecognised paste is shown as the symptom but changes no ranking', () => {
    const plain = evaluate(withSymptom(null), rules, { label: sourceLabel, pasted: pastedSymptom });
    const r = evaluate(withSymptom('pod reviews-v2 is CrashLoopBackOff'), rules, { label: sourceLabel, pasted: pastedSymptom });
    expect(r.symptom).toMatchObject({ source: 'pasted', code: 'unrecognised' });
    expect(ids(r)).toEqual(ids(plain));
    expect(r.findings.every((f) => !f.explainsSymptom)).toBe(true);
  });

  it('the library diagnose() takes the symptom too', async () => {
    const r = await diagnose({ chain: [m.leaf.pem, m.inter.pem], trust: m.root.pem, expectId: EXPECTED, at: NOW, symptom: 'x509: certificate is valid for spiffe://cluster.local/ns/demo/sa/web, not spiffe://cluster.local/ns/demo/sa/reviews' });
    expect(r.findings[0]).toMatchObject({ rule: 'san/identity-mismatch', explainsSymptom: true });
    expect(r.symptom).toMatchObject({ source: 'pasted', code: 'go:x509-name-mismatch' });
  });
});
