/** Handshake evidence → symptoms and the report: the symptom opens the report, and a saved bundle replays identically. */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/engine/evaluate.js';
import { handshakeSymptoms, probeFacts } from '../../src/facts/handshake.js';
import { buildCatalogue } from '../../src/engine/catalogue.js';
import { parseEvidence, serializeEvidence } from '../../src/evidence/bundle.js';
import { rules } from '../../rules/index.js';
import { alert, hs, withProbe } from '../rules/transport/fixtures.js';
import { HOUR, t } from '../support/pki.js';
import { sourceLabel } from '../../src/report/source-label.js';

const catalogue = buildCatalogue(rules);
const symptomsOf = async (...args: Parameters<typeof withProbe>) => handshakeSymptoms(probeFacts(await withProbe(...args)));

describe('handshake symptoms', () => {
  it.each([
    [45, 'certificate_expired', 'expiry/leaf-expired', ['expiry/']],
    [48, 'unknown_ca', 'chain/unknown-authority', ['chain/']],
    [43, 'unsupported_certificate', 'key-usage/missing-client-auth', ['key-usage/']],
    [46, 'certificate_unknown', 'san/identity-mismatch', ['san/', 'expiry/', 'chain/', 'key-usage/']],
  ])('alert %i from the peer after our certificate → rejectedBy peer, explained first by %s', async (n, name, first, stages) => {
    const s = await symptomsOf([alert('workload', n, name)]);
    expect(s).toHaveLength(1);
    expect(s[0]).toMatchObject({ source: 'probe', code: `alert:${n}`, rejectedBy: 'peer' });
    // The same code a pasted alert has: one catalogue entry for both.
    expect(s[0]!.means[0]).toBe(`alert:${n}`);
    const explainers = catalogue.explainers(s[0]!);
    expect(explainers[0]).toBe(first);
    expect(explainers.every((r) => stages.some((st) => r.startsWith(st)) || r === 'transport/peer-rejected-certificate'), explainers.join(', ')).toBe(true);
    expect(explainers).toContain('transport/peer-rejected-certificate');
  });

  it('our verification failure comes first, then the peer rejection', async () => {
    const h = alert('workload', 45, 'certificate_expired');
    h.localVerification = { checked: true, ok: false, code: 'CERT_HAS_EXPIRED', reason: 'certificate has expired' };
    const s = await symptomsOf([h]);
    expect(s.map((x) => [x.code, x.rejectedBy])).toEqual([
      ['verify:CERT_HAS_EXPIRED', 'local'],
      ['alert:45', 'peer'],
    ]);
  });

  it('no probe, no symptom', async () => {
    const ev = await withProbe([]);
    expect(handshakeSymptoms(probeFacts({ ...ev, handshakes: undefined }))).toEqual([]);
  });
});

describe('report from handshake evidence', () => {
  it('opens with the symptom and ranks the explaining finding first', async () => {
    const { mesh, evidenceFor } = await import('../support/pki.js');
    const m = await mesh({ inter: { notBefore: t(-400 * 24 * HOUR), notAfter: t(-13 * 60_000) } });
    const ev = { ...(await evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] })), handshakes: [alert('workload', 45, 'certificate_expired'), alert('anonymous', 116, 'certificate_required')] };
    const r = evaluate(ev, rules, { label: sourceLabel });
    expect(r.symptom).toEqual({ source: 'probe', code: 'alert:45', detail: expect.stringContaining('rejected our certificate') });
    expect(r.findings[0]).toMatchObject({ rule: 'expiry/intermediate-expired', explainsSymptom: true });
    expect(r.findings.some((f) => f.rule.startsWith('transport/'))).toBe(false);
  });

  it('a saved bundle with handshakes replays to the identical report', async () => {
    const ev = await withProbe([hs('workload', { kind: 'plaintext', looksLike: 'http', sample: 'HTTP/1.1 400 Bad Request', bytes: 99 })]);
    const again = parseEvidence(serializeEvidence(ev), 'bundle');
    expect(evaluate(again, rules, { label: sourceLabel })).toEqual(evaluate(ev, rules, { label: sourceLabel }));
    expect(evaluate(again, rules, { label: sourceLabel }).findings[0]!.rule).toBe('transport/peer-not-tls');
  });

  it('without --peer the transport rules are insufficient-evidence, naming --peer', async () => {
    const ev = await withProbe([]);
    const r = evaluate({ ...ev, handshakes: undefined }, rules, { label: sourceLabel });
    const ne = r.notEvaluated.find((n) => n.rule === 'transport/peer-not-tls');
    expect(ne).toMatchObject({ reason: 'insufficient-evidence', missing: [expect.stringContaining('--peer HOST:PORT')] });
  });
});
